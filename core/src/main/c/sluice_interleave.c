/*
 * Q8_0 and Q4_0 matrices (GGUF layout: per row, blocks of an f16 scale and 32 quants) rewritten
 * into the row-interleaved layout the kernels of sluice_interleaved.c read (described there):
 * groups of 16 rows, per block 4-byte chunks of the 16 rows side by side, then the group's scales.
 * Plain C, built without ISA flags: it runs once per matrix, at its first use, into memory the
 * caller allocated.
 */
#include <stdint.h>
#include <string.h>

#define BLOCK 32
#define GROUP 16
#define CHUNK 4

/* Bytes of one block's quants in the file (Q8_0: 32 bytes; Q4_0: 16 bytes of nibbles). */
static int quant_bytes(int32_t q8) {
    return q8 ? 32 : 16;
}

/* The bytes the interleaved copy of a rows x cols matrix takes: as many as the original, padded to 16 rows. */
int64_t sluice_i16_bytes(int32_t q8, int32_t rows, int32_t cols) {
    return (int64_t) ((rows + GROUP - 1) / GROUP) * (cols / BLOCK) * GROUP * (2 + quant_bytes(q8));
}

/* Writes the interleaved copy of src (rows row_bytes apart) to dst (sluice_i16_bytes long). */
void sluice_i16_repack(int32_t q8, const uint8_t *src, int64_t row_bytes, int32_t rows, int32_t cols, uint8_t *dst) {
    const int blocks = cols / BLOCK;
    const int groups = (rows + GROUP - 1) / GROUP;
    const int qb = quant_bytes(q8);
    const int64_t block_quants = (int64_t) GROUP * qb; /* one block of the group's 16 rows */
    const int64_t group_bytes = (int64_t) blocks * GROUP * (2 + qb);
    for (int g = 0; g < groups; g++) {
        uint8_t *quants = dst + g * group_bytes;
        uint8_t *scales = quants + blocks * block_quants;
        for (int b = 0; b < blocks; b++) {
            for (int i = 0; i < GROUP; i++) {
                const int r = GROUP * g + i;
                uint8_t *scale = scales + (int64_t) b * 2 * GROUP + 2 * i;
                uint8_t *q = quants + b * block_quants + CHUNK * i;
                if (r >= rows) { /* a padding row: scale 0, quants 0; its outputs are never written */
                    memset(scale, 0, 2);
                    for (int k = 0; k < qb / CHUNK; k++) memset(q + k * GROUP * CHUNK, 0, CHUNK);
                    continue;
                }
                const uint8_t *blk = src + row_bytes * r + (int64_t) (2 + qb) * b;
                memcpy(scale, blk, 2);
                /* chunk k: the file's bytes 4k..4k+3 of the block (Q8_0: elements 4k..4k+3; Q4_0:
                   those elements in the low nibbles, 16+4k..16+4k+3 in the high ones) */
                for (int k = 0; k < qb / CHUNK; k++) memcpy(q + k * GROUP * CHUNK, blk + 2 + CHUNK * k, CHUNK);
            }
        }
    }
}
