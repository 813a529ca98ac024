package ai.sluice.core.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufLayout.Field;
import ai.sluice.core.gguf.GgufLayout.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each named error of the reader and the metadata getters, on a small file made by the writer. */
class GgufErrorsTest {
    @TempDir
    Path dir;

    /** A valid file: two metadata keys and one F32 tensor of 64 x 2. */
    private Path validFile() {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        md.put("general.architecture", GgufValue.ofString("llama"));
        md.put("llama.block_count", GgufValue.ofUInt32(1));
        Path p = dir.resolve("small.gguf");
        GgufWriter.write(p, md, List.of(new GgufWriter.TensorSpec("w", GgmlType.F32, new long[] {64, 2}, s -> { })));
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.tensor("w").byteSize()).isEqualTo(512);
        }
        return p;
    }

    private static Field only(Path p, Kind kind) {
        try (GgufFile f = GgufFile.open(p)) {
            return GgufLayout.of(f).fields(kind).getFirst();
        }
    }

    private static void overwrite(Path p, long at, int size, long value) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).flip().limit(size), at);
        }
    }

    @Test
    void rejectsBadMagic() throws IOException {
        Path p = validFile();
        overwrite(p, 0, 4, 0x464c457f); // "\x7fELF"
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("bad magic 0x464c457f: not a GGUF file");
    }

    @Test
    void rejectsUnsupportedVersions() throws IOException {
        Path p = validFile();
        overwrite(p, 4, 4, 1);
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("unsupported GGUF version 1");
        overwrite(p, 4, 4, 99);
        assertThatThrownBy(() -> GgufFile.open(p)).hasMessageContaining("unsupported GGUF version 99");
        overwrite(p, 4, 4, Integer.reverseBytes(3));
        assertThatThrownBy(() -> GgufFile.open(p)).hasMessageContaining("big-endian");
    }

    @Test
    void rejectsEmptyAndTruncatedFiles() throws IOException {
        Path p = validFile();
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertThatThrownBy(() -> GgufFile.open(empty)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("empty.gguf").hasMessageContaining("truncated");
        Field key;
        try (GgufFile f = GgufFile.open(p)) {
            key = GgufLayout.of(f).fields(Kind.STRING_BYTES).get(2); // key #0, its string value, key #1
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(key.offset() + 3);
        }
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("truncated: reading metadata key #1 at offset " + key.offset());
    }

    @Test
    void rejectsTensorOutOfBounds() throws IOException {
        Path p = validFile();
        overwrite(p, only(p, Kind.TENSOR_OFFSET).offset(), 8, 4096);
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tensor 'w' out of bounds: bytes 4096..4608 of a data section of 512 bytes");
    }

    @Test
    void rejectsTensorWhoseDataIsCutOff() throws IOException {
        Path p = validFile();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        assertThatThrownBy(() -> GgufFile.open(p)).hasMessageContaining("tensor 'w' out of bounds")
                .hasMessageContaining("file truncated?");
    }

    @Test
    void rejectsUnknownTensorType() throws IOException {
        Path p = validFile();
        overwrite(p, only(p, Kind.TENSOR_TYPE).offset(), 4, 77);
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tensor 'w' has unknown type id 77");
    }

    @Test
    void rejectsTensorTooLargeForALong() throws IOException {
        Path p = validFile();
        overwrite(p, only(p, Kind.DIM).offset(), 8, 1L << 62); // 2^63 elements of 4 bytes overflow
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tensor 'w' has too many elements");
    }

    @Test
    void quotesControlCharactersOfCorruptNamesOnOneLine() throws IOException {
        Path p = validFile();
        Field name = only(p, Kind.RANK); // the tensor's name ends right before its rank
        overwrite(p, name.offset() - 1, 1, '\n');
        overwrite(p, name.offset(), 4, 9);
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufFormatException.class)
                .hasMessage("small.gguf: tensor '\\u000a' has rank 9 (1..4 allowed)");
    }

    @Test
    void metadataGettersNameTheMissingOrMistypedKey() {
        try (GgufFile f = GgufFile.open(validFile())) {
            GgufMetadata md = f.metadata();
            assertThatThrownBy(() -> md.getString("general.name")).isInstanceOf(GgufFormatException.class)
                    .hasMessage("missing metadata key 'general.name'");
            assertThatThrownBy(() -> md.getInt("llama.context_length"))
                    .hasMessage("missing metadata key 'llama.context_length'");
            assertThatThrownBy(() -> md.getStringArray("tokenizer.ggml.tokens"))
                    .hasMessage("missing metadata key 'tokenizer.ggml.tokens'");
            assertThatThrownBy(() -> md.getInt("general.architecture"))
                    .hasMessage("metadata key 'general.architecture' should be an integer but is STRING");
            assertThat(md.getInt("llama.context_length", 7)).isEqualTo(7);
            assertThatThrownBy(() -> f.tensor("output.weight")).hasMessageContaining("missing tensor 'output.weight'");
        }
    }
}
