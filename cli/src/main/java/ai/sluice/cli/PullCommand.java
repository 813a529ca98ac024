package ai.sluice.cli;

import ai.sluice.store.ModelStore;
import ai.sluice.store.Sizes;
import ai.sluice.store.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice pull SOURCE [--name NAME]}: fetch a model into the local cache, verified. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Fetch a model into the local cache: parallel ranged GETs, resumable, sha256-verified, published atomically.",
                "SOURCE: a path, s3://BUCKET/KEY[?endpoint=URL&region=R], http(s)://URL, hf://ORG/REPO/FILE.gguf.",
                "S3 credentials come from the AWS default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, roles)."})
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "Where the model is.")
    String source;

    @Option(names = "--name", paramLabel = "NAME", description = "Name in the cache (default: the file name without .gguf).")
    String name;

    @Option(names = "--mirror", paramLabel = "SOURCE", description = "Another copy, used when the ones before it fail (repeatable).")
    List<String> mirrors = new ArrayList<>();

    @Option(names = "--sha256", paramLabel = "HEX", description = "Expected sha256 (default: the one the source publishes in a manifest or metadata).")
    String sha256;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        try (ModelStore s = store.open()) {
            ModelStore.Pulled p = s.pull(Source.parse(source), mirrors.stream().map(Source::parse).toList(), name, sha256);
            String what = p.downloaded()
                    ? "pulled" + (p.resumed() > 0 ? " (resumed: " + Sizes.format(p.resumed()) + " were here, " + Sizes.format(p.fetched()) + " fetched)" : "")
                    : p.shared() ? "shared another pull's download" : "already cached";
            System.out.println(p.model().name() + ": " + what + ", " + Sizes.format(p.model().size()) + ", sha256 "
                    + p.model().sha256() + " (verified by " + p.model().verifiedBy() + ") -> " + p.file());
        }
        return 0;
    }
}
