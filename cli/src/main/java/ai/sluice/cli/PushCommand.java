package ai.sluice.cli;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.store.ConsoleProgress;
import ai.sluice.store.ModelStore;
import ai.sluice.store.Pusher;
import ai.sluice.store.Sizes;
import ai.sluice.store.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice push FILE DEST...}: one model to several places (duplicate copies on different
 * storage), each verified after the upload, with {@code DEST.manifest.json} beside it.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Upload a GGUF model to one or more destinations (s3://BUCKET/KEY[?endpoint=URL] or a local path),",
                "verify each copy, and write KEY.manifest.json (sha256, size, GGUF architecture and file type) beside it.",
                "S3 copies bigger than --upload-part-size go up as multipart uploads (any size; a failed one is aborted).",
                "Exit status 1 when any destination failed."})
final class PushCommand implements Callable<Integer> {
    /** llama.cpp's LLAMA_FTYPE numbers for the usual file types. */
    private static final Map<Integer, String> FILE_TYPES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"), Map.entry(7, "Q8_0"),
            Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"), Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"),
            Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"), Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"),
            Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"), Map.entry(32, "BF16"));

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF model file.")
    Path file;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "DEST", description = "Where to put copies.")
    List<String> destinations;

    @Option(names = "--upload-part-size", defaultValue = "64M", paramLabel = "SIZE",
            description = "A file bigger than this goes to S3 as a multipart upload in parts of this size, 5M..5G "
                    + "(raised when the file would need over 10,000 parts; default: ${DEFAULT-VALUE}).")
    String partSize;

    @Option(names = "--upload-concurrency", defaultValue = "4", paramLabel = "N",
            description = "Parts in flight at once in a multipart upload, 1..32 (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        String architecture;
        String fileType;
        try (GgufFile gguf = GgufFile.open(file)) {
            architecture = gguf.metadata().findString("general.architecture").orElse(null);
            fileType = gguf.metadata().contains("general.file_type")
                    ? FILE_TYPES.getOrDefault(gguf.metadata().getInt("general.file_type"), "ftype " + gguf.metadata().getInt("general.file_type"))
                    : null;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not a GGUF model (" + e.getMessage() + "): push .gguf files only");
        }
        List<Source> dests = destinations.stream().map(Source::parse).toList();
        long partBytes = Sizes.parse(partSize, "--upload-part-size");
        try (ModelStore s = store.open()) {
            List<Pusher.Result> results = new Pusher(s, partBytes, concurrency).push(file, dests, architecture, fileType, ConsoleProgress.forStderr("sluice: "));
            long failed = results.stream().filter(r -> !r.ok()).count();
            for (Pusher.Result r : results) {
                System.out.println((r.ok() ? "ok     " : "FAILED ") + r.destination() + (r.ok() ? "" : ": " + r.error()));
            }
            if (failed > 0) {
                System.err.println("sluice: error: " + failed + " of " + results.size() + " destination(s) failed; fix them and push again");
                return 1;
            }
        }
        return 0;
    }
}
