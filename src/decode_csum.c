/* decode_csum.c: the Internet checksum (RFC 1071) of IP headers and TCP segments, the largest
 * single cost of decoding a full-sized frame.
 *
 * This is the one place that loads bytes without tw_rd: p always comes from tw_rd_take, so
 * [p, p+n) has been bounds-checked, and a reader call per word would cost the speed this
 * needs. Loads are in host order, which does not matter: 2^16 = 1 (mod 0xffff), so any sum
 * of the data read as 16-, 32- or 64-bit words, with carries added back, is congruent to the
 * 16-bit ones-complement sum, and tw_dec_csum_fold gives the same 16 bits for congruent
 * nonzero sums; the verdict is a comparison with 0xffff (RFC 1071 §2(B)). */
#include <string.h>

#include "decode_internal.h"

/* Portable: 8 bytes at a time (memcpy: no unaligned access) into a 64-bit accumulator whose
 * carries are counted apart, then 4-, 2- and 1-byte tails. */
uint64_t tw_dec_csum_add_c(uint64_t sum, const uint8_t *p, size_t n)
{
    uint64_t acc = 0, carry = 0, w;
    uint32_t w32;
    uint16_t w16;

    while (n >= 32) { /* unrolled: four independent loads per round */
        memcpy(&w, p, 8);
        acc += w;
        carry += acc < w;
        memcpy(&w, p + 8, 8);
        acc += w;
        carry += acc < w;
        memcpy(&w, p + 16, 8);
        acc += w;
        carry += acc < w;
        memcpy(&w, p + 24, 8);
        acc += w;
        carry += acc < w;
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        memcpy(&w, p, 8);
        acc += w;
        carry += acc < w;
        p += 8;
        n -= 8;
    }
    sum += (acc >> 32) + (acc & 0xffffffff) + carry;
    if (n >= 4) {
        memcpy(&w32, p, 4);
        sum += w32;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        memcpy(&w16, p, 2);
        sum += w16;
        p += 2;
        n -= 2;
    }
    if (n == 1) { /* the odd byte is the first half of a word padded with zero */
        uint8_t last[2] = {0, 0};
        memcpy(last, p, 1);
        memcpy(&w16, last, 2);
        sum += w16;
    }
    return sum;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* 64 bytes per round in one add-with-carry chain, the carry out added back at the end of the
 * round (end-around carry keeps the sum congruent mod 2^64 - 1, a multiple of 0xffff): 10
 * instructions per 64 bytes where C, which has no carry flag, needs about 22. x86-64 allows
 * unaligned operands. */
static uint64_t adc_blocks(const uint8_t *p, size_t blocks)
{
    uint64_t acc = 0;
    while (blocks--) {
        __asm__("addq 0(%[p]), %[acc]\n\t"
                "adcq 8(%[p]), %[acc]\n\t"
                "adcq 16(%[p]), %[acc]\n\t"
                "adcq 24(%[p]), %[acc]\n\t"
                "adcq 32(%[p]), %[acc]\n\t"
                "adcq 40(%[p]), %[acc]\n\t"
                "adcq 48(%[p]), %[acc]\n\t"
                "adcq 56(%[p]), %[acc]\n\t"
                "adcq $0, %[acc]"
                : [acc] "+r"(acc)
                : [p] "r"(p), "m"(*(const uint8_t(*)[64])p)
                : "cc");
        p += 64;
    }
    return acc;
}

uint64_t tw_dec_csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    if (n >= 64) {
        uint64_t acc = adc_blocks(p, n / 64);
        sum += (acc >> 32) + (acc & 0xffffffff);
        p += n & ~(size_t)63;
        n &= 63;
    }
    return tw_dec_csum_add_c(sum, p, n);
}
#else
uint64_t tw_dec_csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    return tw_dec_csum_add_c(sum, p, n);
}
#endif
