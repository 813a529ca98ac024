package ai.sluice.core.gguf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where each field of an intact GGUF file lies, recomputed from what the reader parsed. The fuzz
 * and targeted tests use it to cut a file inside a chosen structure or overwrite a chosen field.
 */
record GgufLayout(List<Field> fields, long metadataEnd, long tableEnd, long dataOffset, long fileSize) {

    enum Kind { MAGIC, VERSION, COUNT, STRING_LENGTH, STRING_BYTES, VALUE_TYPE, SCALAR, ARRAY_TYPE, ARRAY_LENGTH,
        RANK, DIM, TENSOR_TYPE, TENSOR_OFFSET }

    /** One field: its kind, its start in the file, its size in bytes. */
    record Field(Kind kind, long offset, long size) {
        long end() {
            return offset + size;
        }
    }

    static GgufLayout of(GgufFile f) {
        List<Field> fields = new ArrayList<>();
        long[] pos = {0};
        add(fields, pos, Kind.MAGIC, 4);
        add(fields, pos, Kind.VERSION, 4);
        add(fields, pos, Kind.COUNT, 8);
        add(fields, pos, Kind.COUNT, 8);
        for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
            string(fields, pos, e.getKey());
            add(fields, pos, Kind.VALUE_TYPE, 4);
            value(fields, pos, e.getValue());
        }
        long metadataEnd = pos[0];
        for (GgufTensorInfo t : f.tensors().values()) {
            string(fields, pos, t.name());
            add(fields, pos, Kind.RANK, 4);
            for (int d = 0; d < t.rank(); d++) {
                add(fields, pos, Kind.DIM, 8);
            }
            add(fields, pos, Kind.TENSOR_TYPE, 4);
            add(fields, pos, Kind.TENSOR_OFFSET, 8);
        }
        return new GgufLayout(List.copyOf(fields), metadataEnd, pos[0], f.dataOffset(), f.fileSize());
    }

    List<Field> fields(Kind kind) {
        return fields.stream().filter(x -> x.kind() == kind).toList();
    }

    private static void add(List<Field> fields, long[] pos, Kind kind, long size) {
        fields.add(new Field(kind, pos[0], size));
        pos[0] += size;
    }

    private static void string(List<Field> fields, long[] pos, String s) {
        add(fields, pos, Kind.STRING_LENGTH, 8);
        add(fields, pos, Kind.STRING_BYTES, s.getBytes(StandardCharsets.UTF_8).length);
    }

    private static void value(List<Field> fields, long[] pos, GgufValue v) {
        switch (v.type()) {
            case STRING -> string(fields, pos, (String) v.value());
            case ARRAY -> {
                add(fields, pos, Kind.ARRAY_TYPE, 4);
                add(fields, pos, Kind.ARRAY_LENGTH, 8);
                switch (v.value()) {
                    case String[] a -> {
                        for (String s : a) {
                            string(fields, pos, s);
                        }
                    }
                    case GgufValue[] a -> {
                        for (GgufValue x : a) {
                            value(fields, pos, x);
                        }
                    }
                    default -> add(fields, pos, Kind.SCALAR, (long) v.arrayLength() * v.elementType().size());
                }
            }
            default -> add(fields, pos, Kind.SCALAR, v.type().size());
        }
    }
}
