package ai.sluice.core.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufLayout.Field;
import ai.sluice.core.gguf.GgufLayout.Kind;
import ai.sluice.core.model.ModelShape;
import ai.sluice.core.testing.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutates real GGUF files (truncation at many structural cut points, seeded bit flips, extreme
 * values in every kind of length/count/type field) and checks that opening each mutant either
 * succeeds or fails with a one-line {@link GgufFormatException}: never another exception, a hang
 * (the timeout) or a crash. A successful open must also leave every tensor's bytes readable.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GgufFuzzTest {
    private static final long SEED = 20261129L;
    private static final int CUTS_PER_REGION = 40;
    private static final int BIT_FLIPS = 80;
    private static final int FIELDS_PER_KIND = 4;
    private static final long[] EXTREMES = {0, 1, 2, 0x7fL, 0xffL, 0x7fff_ffffL, 0xffff_ffffL, 0x8000_0000L,
        Long.MAX_VALUE, -1L, Long.MIN_VALUE, 1L << 32, 1L << 40, 1L << 62};

    @TempDir
    Path tmp;

    static Stream<Path> files() {
        Path m = SharedData.models();
        return Stream.of(m.resolve("stories260K.gguf"),
                m.resolve("derived/stories260K-q8_0.gguf"),
                m.resolve("derived/stories260K-q4_0.gguf"),
                m.resolve("tokenizer-tests/ggml-vocab-llama-spm.gguf"),
                m.resolve("tokenizer-tests/ggml-vocab-bert-bge.gguf"),
                m.resolve("tokenizer-tests/ggml-vocab-phi-3.gguf"));
    }

    @ParameterizedTest
    @MethodSource("files")
    void truncatedCopiesAreRejectedAsTruncated(Path original) throws IOException {
        GgufLayout layout = layout(original);
        Random rnd = new Random(SEED ^ original.getFileName().hashCode());
        TreeSet<Long> cuts = new TreeSet<>();
        for (long c = 0; c <= 64; c++) {
            cuts.add(c); // every byte of the fixed header and the first key
        }
        for (Field f : sample(layout.fields().stream().filter(x -> x.end() <= layout.metadataEnd()).toList(),
                CUTS_PER_REGION, rnd)) {
            cuts.add(f.offset() + 1); // inside the field ...
            cuts.add(f.offset() + f.size() / 2); // ... in its middle (a string's or an array's bytes)
        }
        for (Field f : sample(layout.fields().stream().filter(x -> x.offset() >= layout.metadataEnd()).toList(),
                CUTS_PER_REGION, rnd)) {
            cuts.add(f.offset() + Math.max(1, f.size() / 2));
        }
        cuts.addAll(List.of(layout.metadataEnd(), layout.tableEnd() - 1, layout.tableEnd(),
                layout.dataOffset() - 1, layout.fileSize() - 1));
        if (layout.fileSize() > layout.dataOffset()) {
            for (int i = 0; i < CUTS_PER_REGION; i++) {
                cuts.add(layout.dataOffset() + (long) (rnd.nextDouble() * (layout.fileSize() - layout.dataOffset())));
            }
        }
        cuts.removeIf(c -> c < 0 || c >= layout.fileSize());

        Path copy = copyOf(original);
        boolean hasTensors = layout.tableEnd() > layout.metadataEnd();
        List<String> failures = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            for (long cut : cuts.descendingSet()) { // shrink one file step by step: no copying per mutant
                ch.truncate(cut);
                Outcome o = open(copy);
                boolean mayOpen = !hasTensors && cut >= layout.tableEnd(); // only padding after a vocab-only file
                if (o.error() == null && !mayOpen) {
                    failures.add("cut at " + cut + " opened without error");
                } else if (o.error() != null && !o.error().contains("truncated")) {
                    failures.add("cut at " + cut + ": message does not say truncated: " + o.error());
                }
                failures.addAll(o.problems("cut at " + cut));
            }
        }
        System.out.printf("fuzz %s: %d truncations%n", original.getFileName(), cuts.size());
        assertThat(failures).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("files")
    void bitFlippedCopiesOpenOrFailWithOneLine(Path original) throws IOException {
        GgufLayout layout = layout(original);
        Random rnd = new Random(SEED * 31 + original.getFileName().hashCode());
        List<Field> structural = layout.fields().stream()
                .filter(f -> f.kind() != Kind.STRING_BYTES && f.kind() != Kind.SCALAR).toList();
        Path copy = copyOf(original);
        List<String> failures = new ArrayList<>();
        int ok = 0;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int i = 0; i < BIT_FLIPS; i++) {
                long at = switch (i % 4) {
                    case 0, 1 -> { // a length, count, type, rank, dim or offset
                        Field f = structural.get(rnd.nextInt(structural.size()));
                        yield f.offset() + rnd.nextLong(f.size());
                    }
                    case 2 -> rnd.nextLong(layout.tableEnd()); // anywhere in header, metadata, tensor table
                    default -> rnd.nextLong(layout.fileSize()); // anywhere, data included
                };
                int bit = rnd.nextInt(8);
                byte before = readByte(ch, at);
                writeByte(ch, at, (byte) (before ^ (1 << bit)));
                Outcome o = open(copy);
                writeByte(ch, at, before);
                ok += o.error() == null ? 1 : 0;
                failures.addAll(o.problems("bit " + bit + " of byte " + at));
            }
        }
        System.out.printf("fuzz %s: %d bit flips, %d still open%n", original.getFileName(), BIT_FLIPS, ok);
        assertThat(failures).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("files")
    void extremeValuesInEveryFieldKindOpenOrFailWithOneLine(Path original) throws IOException {
        GgufLayout layout = layout(original);
        Random rnd = new Random(SEED + original.getFileName().hashCode());
        Path copy = copyOf(original);
        List<String> failures = new ArrayList<>();
        int mutants = 0;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (Kind kind : Kind.values()) {
                if (kind == Kind.STRING_BYTES || kind == Kind.SCALAR) {
                    continue;
                }
                for (Field f : sample(layout.fields(kind), FIELDS_PER_KIND, rnd)) {
                    ByteBuffer before = ByteBuffer.allocate((int) f.size());
                    ch.read(before, f.offset());
                    for (long v : EXTREMES) {
                        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).flip();
                        ch.write(b.limit((int) f.size()), f.offset());
                        Outcome o = open(copy);
                        failures.addAll(o.problems(kind + " at " + f.offset() + " = " + Long.toUnsignedString(v)));
                        mutants++;
                    }
                    ch.write(before.flip(), f.offset());
                }
            }
        }
        System.out.printf("fuzz %s: %d field overwrites%n", original.getFileName(), mutants);
        assertThat(failures).isEmpty();
    }

    /** What opening a mutant did: the error message, or null when it opened. */
    private record Outcome(String error, Throwable unexpected) {
        List<String> problems(String mutant) {
            List<String> p = new ArrayList<>();
            if (unexpected != null) {
                p.add(mutant + ": " + unexpected);
            } else if (error != null && (error.isBlank() || error.lines().count() != 1)) {
                p.add(mutant + ": message is not one line: " + error);
            }
            return p;
        }
    }

    private static Outcome open(Path p) {
        try (GgufFile f = GgufFile.open(p)) {
            // A file that opens must be usable as far as the format goes: every tensor readable,
            // every metadata value printable, the model shape computable or refused with our error.
            for (GgufTensorInfo t : f.tensors().values()) {
                MemorySegment data = f.tensorData(t);
                data.get(ValueLayout.JAVA_BYTE, 0);
                data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
            }
            f.metadata().asMap().values().forEach(GgufValue::toString);
            if (f.metadata().contains("general.architecture")) {
                try {
                    ModelShape.of(f);
                } catch (GgufFormatException e) {
                    return new Outcome(e.getMessage(), null);
                }
            }
            return new Outcome(null, null);
        } catch (GgufFormatException e) {
            return new Outcome(e.getMessage(), null);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return new Outcome(null, e);
        }
    }

    private static GgufLayout layout(Path original) {
        try (GgufFile f = GgufFile.open(original)) {
            GgufLayout layout = GgufLayout.of(f);
            // The recomputed layout must agree with the reader, or the cut points would be wrong.
            assertThat(GgufReader.align(layout.tableEnd(), f.alignment())).isEqualTo(f.dataOffset());
            return layout;
        }
    }

    private Path copyOf(Path original) throws IOException {
        Path copy = tmp.resolve(original.getFileName());
        Files.copy(original, copy);
        copy.toFile().setWritable(true);
        return copy;
    }

    private static <T> List<T> sample(List<T> from, int n, Random rnd) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n && !from.isEmpty(); i++) {
            out.add(from.get(rnd.nextInt(from.size())));
        }
        return out;
    }

    private static byte readByte(FileChannel ch, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, at);
        return b.get(0);
    }

    private static void writeByte(FileChannel ch, long at, byte v) throws IOException {
        ch.write(ByteBuffer.wrap(new byte[] {v}), at);
    }
}
