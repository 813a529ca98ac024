package ai.sluice.core.tokenizer;

import java.util.Arrays;

/** A growable list of primitive ints: token ids are collected without boxing. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int value) {
        if (size == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[size++] = value;
    }

    /** Drops everything from {@code newSize} on. */
    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    int size() {
        return size;
    }

    int get(int index) {
        return data[index];
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
