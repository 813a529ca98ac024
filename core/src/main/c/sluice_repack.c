/*
 * Q8_0 and Q4_0 matrices (GGUF layout: per row, blocks of an f16 scale and 32 quants) rewritten
 * into the layout the kernels of sluice_r4.c read (described there): groups of 4 rows, per block
 * the 4 scales side by side, quants in lane order, Q4_0 nibbles of two rows interleaved in one byte,
 * Q8_0 quants biased to unsigned. Plain C, built without ISA flags: it runs once per matrix, at
 * its first use, into memory the caller allocated.
 */
#include <stdint.h>
#include <string.h>

#define BLOCK 32
#define GROUP 4
#define Q8_BYTES 34
#define Q4_BYTES 18
#define Q4_GROUP_BYTES 72
#define Q8_GROUP_BYTES 136

/* The element that byte k of a block holds in lane order: lane k / 4 takes 2j, 2j+1, 2j+16, 2j+17. */
static int lane_element(int k) {
    int j = k / 4, m = k % 4;
    return 2 * j + (m & 1) + (m >> 1) * 16;
}

/* Q4_0 element e of a block: byte e's low nibble for e < 16, byte e - 16's high nibble after. */
static uint8_t nibble(const uint8_t *block, int e) {
    return e < 16 ? block[2 + e] & 0x0F : block[2 + e - 16] >> 4;
}

/* The bytes the repacked copy of a rows x cols matrix takes. */
int64_t sluice_r4_bytes(int32_t q8, int32_t rows, int32_t cols) {
    return (int64_t) ((rows + GROUP - 1) / GROUP) * (cols / BLOCK) * (q8 ? Q8_GROUP_BYTES : Q4_GROUP_BYTES);
}

/* Writes the repacked copy of src (rows row_bytes apart) to dst (sluice_r4_bytes long). */
void sluice_r4_repack(int32_t q8, const uint8_t *src, int64_t row_bytes, int32_t rows, int32_t cols,
                             uint8_t *dst) {
    const int blocks = cols / BLOCK;
    const int groups = (rows + GROUP - 1) / GROUP;
    const int stride = q8 ? Q8_BYTES : Q4_BYTES;
    static const uint8_t zero_block[Q8_BYTES] = {0};
    for (int g = 0; g < groups; g++) {
        for (int b = 0; b < blocks; b++) {
            uint8_t *o = dst + ((int64_t) g * blocks + b) * (q8 ? Q8_GROUP_BYTES : Q4_GROUP_BYTES);
            const uint8_t *blk[GROUP];
            for (int i = 0; i < GROUP; i++) {
                int r = GROUP * g + i;
                /* a padding row: scale 0 and quants 0 (Q4_0 nibble 8) */
                blk[i] = r < rows ? src + row_bytes * r + (int64_t) stride * b : NULL;
                if (blk[i]) memcpy(o + 2 * i, blk[i], 2);
                else memset(o + 2 * i, 0, 2);
                if (!blk[i] && q8) blk[i] = zero_block;
            }
            if (q8) {
                for (int i = 0; i < GROUP; i++)
                    for (int k = 0; k < BLOCK; k++)
                        o[8 + BLOCK * i + k] = (uint8_t) (blk[i][2 + lane_element(k)] ^ 0x80);
            } else {
                for (int h = 0; h < 2; h++)
                    for (int k = 0; k < BLOCK; k++) {
                        int e = lane_element(k);
                        uint8_t lo = blk[2 * h] ? nibble(blk[2 * h], e) : 8;
                        uint8_t hi = blk[2 * h + 1] ? nibble(blk[2 * h + 1], e) : 8;
                        o[8 + BLOCK * h + k] = (uint8_t) (lo | hi << 4);
                    }
            }
        }
    }
}
