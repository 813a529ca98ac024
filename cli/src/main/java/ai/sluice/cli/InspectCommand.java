package ai.sluice.cli;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.ModelShape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice inspect FILE}: what a GGUF file holds and what it needs in memory, without loading weights. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describe a GGUF model: architecture, shapes, parameters, tensor types, memory, KV cache.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The GGUF file.")
    Path file;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--metadata", description = "Also list every metadata entry (long arrays summarised).")
    boolean metadata;

    @Option(names = "--tensors", description = "Also list every tensor with its type, shape and bytes.")
    boolean tensors;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InspectReport r;
        try (GgufFile f = GgufFile.open(file)) {
            r = InspectReport.of(file.toString(), f, metadata, tensors);
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        } else {
            printText(r, out);
        }
        out.flush();
        return 0;
    }

    static void printText(InspectReport r, PrintWriter out) {
        row(out, "file", r.file() + "  (" + Units.bytes(r.fileBytes()) + ", GGUF v" + r.ggufVersion()
                + ", alignment " + r.alignment() + ")");
        if (r.name() != null) {
            row(out, "name", r.name());
        }
        row(out, "architecture", r.architecture() != null ? r.architecture() : "(none)");
        ModelShape s = r.shape();
        if (s != null) {
            row(out, "shape", "dim " + s.embeddingLength() + ", " + s.blockCount() + " layers, " + s.headCount()
                    + " heads / " + s.headCountKv() + " KV heads (head dim " + s.keyLength() + "), FFN "
                    + s.feedForwardLength() + ", vocab " + s.vocabSize() + ", context " + s.contextLength());
            if (s.expertCount() > 0) {
                row(out, "experts", s.expertCount() + " (" + s.expertUsedCount() + " active per token)");
            }
        } else {
            row(out, "shape", "(unknown: " + r.shapeProblem() + ")");
        }
        row(out, "parameters", Units.count(r.parameters()) + " (" + String.format(Locale.ROOT, "%,d", r.parameters())
                + ")");
        row(out, "tensors", r.tensorCount() + ", " + Units.bytes(r.tensorBytes()) + " of data"
                + (r.fileType() != null ? " (file type " + r.fileType() + ")" : ""));
        for (InspectReport.TypeStats t : r.tensorTypes()) {
            row(out, "  " + t.type(), String.format(Locale.ROOT, "%4d tensors  %9s params  %10s  (%.1f%%)",
                    t.tensors(), Units.count(t.parameters()), Units.bytes(t.bytes()),
                    100.0 * t.bytes() / Math.max(1, r.tensorBytes())));
        }
        row(out, "weights memory", Units.bytes(r.weightMemoryBytes()) + " (memory-mapped from the file, not copied)");
        if (r.kvCacheBytesPerToken() != null) {
            InspectReport.KvCache kv = r.kvCacheBytesPerToken();
            String full = s.contextLength() > 0 ? "  (full context " + s.contextLength() + ": F16 "
                    + Units.bytes(kv.f16() * s.contextLength()) + ")" : "";
            row(out, "KV cache/token", "F16 " + Units.bytes(kv.f16()) + ", F32 " + Units.bytes(kv.f32()) + full);
        }
        InspectReport.Rope rope = r.rope();
        if (rope != null && (rope.dimensionCount() != null || rope.freqBase() != null || rope.scalingType() != null)) {
            row(out, "rope", "dim " + orDefault(rope.dimensionCount(), "(head dim)") + ", base "
                    + orDefault(rope.freqBase(), "10000 (default)") + ", scaling "
                    + orDefault(rope.scalingType(), "none")
                    + (rope.scalingFactor() != null ? " x" + rope.scalingFactor() : ""));
        }
        InspectReport.Tokenizer tok = r.tokenizer();
        if (tok.model() != null || tok.vocabSize() != null) {
            row(out, "tokenizer", orDefault(tok.model(), "(no model)") + " (pre " + orDefault(tok.pre(), "none")
                    + "), vocab " + orDefault(tok.vocabSize(), "?") + ", bos " + orDefault(tok.bosTokenId(), "-")
                    + ", eos " + orDefault(tok.eosTokenId(), "-"));
        }
        if (r.metadata() != null) {
            out.println();
            out.println("metadata (" + r.metadata().size() + " entries)");
            for (Map.Entry<String, String> e : r.metadata().entrySet()) {
                String v = e.getValue().length() > 120 ? e.getValue().substring(0, 117) + "..." : e.getValue();
                out.println("  " + e.getKey() + " = " + v.replace("\n", "\\n"));
            }
        }
        if (r.tensors() != null) {
            out.println();
            out.println("tensors");
            for (InspectReport.Tensor t : r.tensors()) {
                out.printf(Locale.ROOT, "  %-40s %-6s %-22s %10s%n", t.name(), t.type(),
                        java.util.Arrays.toString(t.shape()), Units.bytes(t.bytes()));
            }
        }
    }

    private static void row(PrintWriter out, String label, String value) {
        out.printf(Locale.ROOT, "%-16s%s%n", label, value);
    }

    private static String orDefault(Object v, String fallback) {
        if (v instanceof Float f && f == Math.rint(f)) {
            return String.valueOf((long) (float) f);
        }
        return v != null ? v.toString() : fallback;
    }
}
