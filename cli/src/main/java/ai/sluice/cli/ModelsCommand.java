package ai.sluice.cli;

import ai.sluice.store.ModelCache;
import ai.sluice.store.Sizes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice models [rm NAME]}: what the local cache holds. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the cached models (name, size, source, sha256, last use, pinned by a running process).",
        subcommands = ModelsCommand.Remove.class)
final class ModelsCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Mixin
    StoreOptions store;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelCache cache = new ModelCache(store.config().cacheDir(), store.config().capacityBytes());
        List<ModelCache.Listing> models = cache.list();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ArrayNode arr = mapper.createArrayNode();
            for (ModelCache.Listing l : models) {
                ObjectNode o = arr.addObject();
                o.put("name", l.model().name());
                o.put("size", l.model().size());
                o.put("source", l.model().source());
                o.put("sha256", l.model().sha256());
                o.put("verified_by", l.model().verifiedBy());
                o.put("last_used", l.model().lastUsed().toString());
                o.put("pinned", l.pinned());
                o.put("file", l.file().toString());
            }
            System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
            return 0;
        }
        long used = models.stream().mapToLong(l -> l.model().size()).sum();
        System.out.println("cache " + cache.dir() + ": " + models.size() + " model(s), " + Sizes.format(used)
                + (cache.capacity() > 0 ? " of " + Sizes.format(cache.capacity()) : ""));
        if (models.isEmpty()) {
            return 0;
        }
        String fmt = "%-28s %10s  %-16s  %-16s  %-6s  %s%n";
        System.out.printf(Locale.ROOT, fmt, "NAME", "SIZE", "SHA256", "LAST USE (UTC)", "PINNED", "SOURCE");
        for (ModelCache.Listing l : models) {
            System.out.printf(Locale.ROOT, fmt, l.model().name(), Sizes.format(l.model().size()),
                    l.model().sha256().substring(0, 16), WHEN.format(l.model().lastUsed()), l.pinned() ? "yes" : "no",
                    l.model().source());
        }
        return 0;
    }

    /** {@code sluice models rm NAME}. */
    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a model from the cache (refused while a process uses it).")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The cached model's name (see 'sluice models').")
        String name;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            new ModelCache(store.config().cacheDir(), store.config().capacityBytes()).remove(name);
            System.out.println("removed " + name);
            return 0;
        }
    }
}
