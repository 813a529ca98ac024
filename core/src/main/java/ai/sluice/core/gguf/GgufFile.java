package ai.sluice.core.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open GGUF file: its metadata, its tensor table and its tensor data, memory-mapped.
 *
 * <p>Tensor data is never copied onto the heap: {@link #tensorData} returns a slice of the mapping.
 * The slices are valid until {@link #close()}; the mapping is shared, so any thread may read them.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long alignment;
    private final long dataOffset;
    private final MemorySegment mapping;
    private final Arena arena;

    GgufFile(Path path, int version, GgufMetadata metadata, List<GgufTensorInfo> tensors,
             long alignment, long dataOffset, MemorySegment mapping, Arena arena) {
        this.path = path;
        this.version = version;
        this.metadata = metadata;
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensors = Collections.unmodifiableMap(byName);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.mapping = mapping;
        this.arena = arena;
    }

    /** Opens and validates a GGUF file; see {@link GgufReader}. */
    public static GgufFile open(Path path) {
        return GgufReader.open(path);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor infos by name, in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufFormatException("missing tensor '" + name + "' in " + path.getFileName());
        }
        return t;
    }

    /** The bytes of a tensor, a read-only slice of the mapped file. */
    public MemorySegment tensorData(GgufTensorInfo tensor) {
        return mapping.asSlice(dataOffset + tensor.offset(), tensor.byteSize());
    }

    public MemorySegment tensorData(String name) {
        return tensorData(tensor(name));
    }

    public long alignment() {
        return alignment;
    }

    /** File offset where the tensor data section starts. */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** Total bytes of tensor data. */
    public long tensorBytes() {
        long sum = 0;
        for (GgufTensorInfo t : tensors.values()) {
            sum += t.byteSize();
        }
        return sum;
    }

    /** The architecture named by {@code general.architecture}. */
    public String architecture() {
        return metadata.getString("general.architecture");
    }

    @Override
    public void close() {
        arena.close();
    }
}
