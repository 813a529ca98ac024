package ai.sluice.core.format;

import ai.sluice.core.gguf.GgmlType;

/** The one check every block codec makes: a row is a whole number of blocks. */
final class WholeBlocks {
    private WholeBlocks() {
    }

    static void require(GgmlType type, int n) {
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " rows need a multiple of " + type.blockSize()
                    + " elements, got " + n);
        }
    }
}
