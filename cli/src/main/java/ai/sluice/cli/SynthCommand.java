package ai.sluice.cli;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.synth.SynthConfig;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.Pooling;
import ai.sluice.core.synth.SyntheticBert;
import ai.sluice.core.synth.SyntheticLlama;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice synth}: a random-weight Llama GGUF at a real model's shape, for speed and memory tests. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight Llama GGUF at a real shape (loads in Sluice and llama.cpp).")
final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shape", required = true, paramLabel = "SHAPE",
            description = "110m (dim 768, 12 layers), 1b (TinyLlama-1.1B) or 8b (Llama-3-8B); or a BERT encoder: "
                    + "bert-tiny (dim 128, 2 layers), bge-small (bge-small-en-v1.5), nomic-tiny or nomic-embed "
                    + "(nomic-embed-text-v1.5, architecture nomic-bert), which need --vocab.")
    String shape;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "For a BERT shape: a GGUF with a WordPiece vocabulary (e.g. llama.cpp's "
                    + "ggml-vocab-bert-bge.gguf), copied into the file.")
    Path vocab;

    @Option(names = "--pooling", defaultValue = "cls", paramLabel = "P",
            description = "For a BERT shape: the bert.pooling_type to declare, mean or cls (default: ${DEFAULT-VALUE}, as bge).")
    String pooling;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "Matrix type: f32, f16, q8_0 or q4_0 (norms are always f32).")
    String type;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The GGUF file to write.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seed of the random weights (default ${DEFAULT-VALUE}); same seed, same file.")
    long seed;

    @Override
    public Integer call() {
        GgmlType ggmlType = parseType(type);
        SyntheticBert.Shape bert = SyntheticBert.preset(shape);
        if (bert != null) {
            return writeBert(bert, ggmlType);
        }
        SynthConfig config = SynthConfig.preset(shape);
        long start = System.nanoTime();
        SyntheticLlama.Result r = SyntheticLlama.write(out, config, ggmlType, seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: random-weight llama, shape %s of %s (dim %d, %d layers, %d heads, "
                        + "%d KV heads, FFN %d, vocab %d, context %d), %s, %s params, %d tensors, %s in %.1f s%n",
                r.path(), config.name(), config.description(), config.dim(), config.layers(), config.heads(), config.kvHeads(),
                config.ffn(), config.vocab(), config.contextLength(), ggmlType, Units.count(r.parameters()),
                r.tensors(), Units.bytes(r.fileBytes()), seconds);
        w.flush();
        return 0;
    }

    private int writeBert(SyntheticBert.Shape bert, GgmlType ggmlType) {
        if (vocab == null) {
            throw new IllegalArgumentException("--shape " + bert.name() + " needs --vocab FILE (a GGUF with a WordPiece "
                    + "vocabulary, e.g. ggml-vocab-bert-bge.gguf)");
        }
        Pooling declared = EmbeddingFlags.parse(pooling);
        long start = System.nanoTime();
        SyntheticLlama.Result r;
        try (GgufFile v = GgufFile.open(vocab)) {
            r = SyntheticBert.write(out, bert, ggmlType, seed, v.metadata(), declared);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: random-weight %s encoder, shape %s of %s (dim %d, %d layers, %d heads, "
                        + "FFN %d, context %d), vocabulary of %s, %s pooling, %s, %s params, %d tensors, %s in %.1f s%n",
                r.path(), bert.architecture(), bert.name(), bert.description(), bert.dim(), bert.layers(), bert.heads(), bert.ffn(),
                bert.contextLength(), vocab.getFileName(), declared.label(), ggmlType, Units.count(r.parameters()),
                r.tensors(), Units.bytes(r.fileBytes()), (System.nanoTime() - start) / 1e9);
        w.flush();
        return 0;
    }

    static GgmlType parseType(String name) {
        for (GgmlType t : SyntheticLlama.TYPES) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown type '" + name + "' (choose one of f32, f16, q8_0, q4_0)");
    }
}
