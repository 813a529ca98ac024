package ai.sluice.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The built-in hardware list ({@code hardware.yaml}), optionally extended or overridden by a user file. */
public final class HardwareCatalog {
    private final List<HardwareSpec> entries;

    private HardwareCatalog(List<HardwareSpec> entries) {
        this.entries = List.copyOf(entries);
    }

    record Document(List<HardwareSpec> hardware) {
    }

    public static HardwareCatalog builtIn() {
        return new HardwareCatalog(Yaml.resource("hardware.yaml", Document.class).hardware());
    }

    /** This catalog plus the entries of {@code file}; an entry named like an existing one replaces it. */
    public HardwareCatalog withFile(Path file) {
        Document doc = Yaml.file(file, Document.class);
        if (doc == null || doc.hardware() == null || doc.hardware().isEmpty()) {
            throw new PlanException(file + ": expected a top-level 'hardware:' list with at least one entry");
        }
        List<HardwareSpec> merged = new ArrayList<>(entries);
        for (HardwareSpec added : doc.hardware()) {
            merged.removeIf(existing -> existing.name().equalsIgnoreCase(added.name()));
            merged.add(added);
        }
        return new HardwareCatalog(merged);
    }

    public List<HardwareSpec> entries() {
        return entries;
    }

    /** The entry answering to {@code name}, matched loosely (see {@link CatalogNames}); a miss says the closest. */
    public HardwareSpec find(String name) {
        return CatalogNames.find("hardware", name, entries, h -> {
            List<String> names = new ArrayList<>();
            names.add(h.name());
            names.addAll(h.aliases());
            return names;
        }, "(add your own with HardwareCatalog.withFile)");
    }
}
