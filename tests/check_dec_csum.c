/* check_dec_csum.c: the Internet checksum (src/decode_csum.c). The add-with-carry sum, the
 * portable one and the 32-bit-word one must fold to exactly the 16 bits of a plain RFC 1071
 * reference (16-bit big-endian words, odd byte padded), over random buffers of every length
 * up to 300 bytes plus full-sized ones at every alignment, buffers of all 0x00 and all 0xff
 * (the two zeros of ones-complement arithmetic, and the longest carry chains), and the IP
 * header and TCP segment of every frame of the sample captures; and the fixed-step fold must
 * equal the folding loop. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/decode_internal.h"
#include "test_util.h"
#include "tlswhy/capture.h"

/* RFC 1071 §4.1 as written, on big-endian words. */
static uint16_t reference(const uint8_t *p, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* The implementations sum host-order words: on a little-endian host their 16 bits are the
 * reference's byte-swapped. Compared through a byte view so the test holds on either. */
static uint16_t host_to_be(uint16_t v)
{
    uint8_t b[2];
    memcpy(b, &v, 2);
    return (uint16_t)(b[0] << 8 | b[1]);
}

static void same(const uint8_t *p, size_t n, const char *what)
{
    uint16_t want = reference(p, n);
    uint16_t fast = host_to_be(tw_dec_csum_fold(tw_dec_csum_add(0, p, n)));
    uint16_t port = host_to_be(tw_dec_csum_fold(tw_dec_csum_add_c(0, p, n)));
    ck_assert_msg(fast == want, "%s: len %zu: add 0x%04x, reference 0x%04x", what, n, fast, want);
    ck_assert_msg(port == want, "%s: len %zu: add_c 0x%04x, reference 0x%04x", what, n, port,
                  want);
    if (n % 4 == 0) {
        uint16_t w32 = host_to_be(tw_dec_csum_fold(tw_dec_csum_add32(0, p, n / 4)));
        ck_assert_msg(w32 == want, "%s: len %zu: add32 0x%04x, reference 0x%04x", what, n, w32,
                      want);
    }
    /* in two calls split at an even offset, as the pseudo-header and segment are summed */
    if (n >= 2) {
        size_t cut = (n / 2) & ~(size_t)1;
        uint16_t two =
            host_to_be(tw_dec_csum_fold(tw_dec_csum_add(tw_dec_csum_add(0, p, cut), p + cut, n - cut)));
        ck_assert_msg(two == want, "%s: len %zu split %zu: 0x%04x vs 0x%04x", what, n, cut, two,
                      want);
    }
}

START_TEST(random_lengths_and_alignments)
{
    enum { MAX = 9100 };
    uint8_t *buf = malloc(MAX + 16);
    ck_assert_ptr_nonnull(buf);
    srand(1071);
    size_t checked = 0;
    for (int round = 0; round < 40; round++) {
        for (size_t i = 0; i < MAX + 16; i++)
            buf[i] = (uint8_t)rand();
        for (size_t n = 0; n <= 300; n++, checked++)
            same(buf + round % 8, n, "random");
        static const size_t big[] = {1460, 1459, 1461, 1480, 4096, 8960, 9000, 9001};
        for (size_t a = 0; a < 16; a++)
            for (size_t i = 0; i < sizeof big / sizeof big[0]; i++, checked++)
                same(buf + a, big[i], "random big");
    }
    /* 0x00: the sum is zero; 0xff: every 64-bit add carries */
    for (int fill = 0; fill < 2; fill++) {
        memset(buf, fill ? 0xff : 0x00, MAX + 16);
        for (size_t n = 0; n <= MAX; n += (n < 300 ? 1 : 97), checked++)
            same(buf + (n & 7), n, fill ? "all 0xff" : "all 0x00");
    }
    /* all 0xff but one byte: carries everywhere, sum not a zero */
    for (size_t n = 64; n <= 1024; n += 63) {
        memset(buf, 0xff, n + 8);
        buf[n / 3] = 0xfe;
        same(buf + 1, n, "0xff but one");
        checked++;
    }
    free(buf);
    ck_assert_uint_gt(checked, 10000);
}
END_TEST

/* The fixed-step fold against the folding loop, on edge values and random 64-bit sums. */
START_TEST(fold_equals_loop)
{
    static const uint64_t edge[] = {0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0x1ffff, 0xffffffff,
                                    0x100000000ULL, 0xfffeffffULL, 0xffff0000ffffULL,
                                    UINT64_MAX, UINT64_MAX - 1, 0x8000000000000000ULL};
    srand(16);
    for (size_t i = 0; i < 100000 + sizeof edge / sizeof edge[0]; i++) {
        uint64_t v = i < sizeof edge / sizeof edge[0]
                         ? edge[i]
                         : (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
        uint64_t loop = v;
        while (loop >> 16)
            loop = (loop & 0xffff) + (loop >> 16);
        ck_assert_msg(tw_dec_csum_fold(v) == loop, "fold 0x%llx", (unsigned long long)v);
    }
}
END_TEST

/* Every frame of the samples: the IPv4 header (when it is one) and the rest of the frame. */
START_TEST(sample_frames)
{
    DIR *d = opendir(tw_test_src("samples"));
    ck_assert_ptr_nonnull(d);
    size_t frames = 0;
    const char *path;
    while ((path = tw_test_next_pcap(d)) != NULL) {
        char err[256];
        struct tw_cap *c = NULL;
        ck_assert_int_eq(tw_cap_open_file(path, NULL, &c, err, sizeof err), TW_OK);
        struct tw_frame f;
        while (tw_cap_next(c, &f) == 1) {
            if (f.linktype != 1 || f.caplen < 34)
                continue;
            same(f.bytes + 14, 20, path);
            same(f.bytes + 34, f.caplen - 34, path);
            same(f.bytes, f.caplen, path);
            frames++;
        }
        tw_cap_close(c);
    }
    closedir(d);
    ck_assert_uint_gt(frames, 500);
}
END_TEST

Suite *tw_dec_csum_suite(void)
{
    Suite *s = suite_create("dec_csum");
    TCase *tc = tcase_create("csum");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, random_lengths_and_alignments);
    tcase_add_test(tc, fold_equals_loop);
    tcase_add_test(tc, sample_frames);
    suite_add_tcase(s, tc);
    return s;
}
