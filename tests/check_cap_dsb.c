/* check_cap_dsb.c: the pcapng Decryption Secrets Block walker (capture_dsb.c) on files built
 * here byte by byte: TLS key log blocks in little- and big-endian sections, a block of another
 * secrets type, other blocks skipped, a classic pcap (no blocks), a broken block length and a
 * secrets length past its block; and on the editcap-made sample. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/capture.h"

struct got {
    int calls;
    char text[512];
};

static int collect(void *ctx, const uint8_t *data, size_t len)
{
    struct got *g = ctx;
    g->calls++;
    size_t used = strlen(g->text);
    if (used + len < sizeof g->text)
        memcpy(g->text + used, data, len);
    return TW_OK;
}

static uint8_t f[1024];
static size_t fn;
static bool le = true;

static void u32(uint32_t v)
{
    for (int i = 0; i < 4; i++)
        f[fn++] = (uint8_t)(le ? v >> (8 * i) : v >> (24 - 8 * i));
}

static void shb(void)
{
    u32(0x0A0D0D0A);
    u32(28);
    u32(0x1A2B3C4D);
    u32(0x00000001); /* version 1.0 (as two u16: close enough for the walker) */
    u32(0xffffffff);
    u32(0xffffffff); /* section length -1 */
    u32(28);
}

static void dsb(uint32_t type, const char *s)
{
    uint32_t n = (uint32_t)strlen(s), pad = (4 - n % 4) % 4;
    u32(0x0000000A);
    u32(20 + n + pad);
    u32(type);
    u32(n);
    memcpy(f + fn, s, n);
    fn += n;
    memset(f + fn, 0, pad);
    fn += pad;
    u32(20 + n + pad);
}

static void other_block(void) /* an Interface Description Block */
{
    u32(0x00000001);
    u32(20);
    u32(0x00000001); /* linktype 1, reserved */
    u32(262144);
    u32(20);
}

static int walk(struct got *g, size_t *skipped)
{
    char err[256];
    memset(g, 0, sizeof *g);
    *skipped = 0;
    FILE *fp = fmemopen(f, fn, "rb");
    ck_assert_ptr_nonnull(fp);
    int rc = tw_cap_pcapng_secrets_fp(fp, "mem", collect, g, skipped, err, sizeof err);
    fclose(fp);
    return rc;
}

START_TEST(blocks_in_both_byte_orders)
{
    struct got g;
    size_t skipped;
    fn = 0;
    le = true;
    shb();
    other_block();
    dsb(TW_DSB_TLS_KEYLOG, "CLIENT_RANDOM a b\n");
    dsb(0x57474b4c, "WireGuard key\n"); /* 'WGKL': not a TLS key log */
    le = false;
    shb();
    dsb(TW_DSB_TLS_KEYLOG, "SERVER_HANDSHAKE_TRAFFIC_SECRET c d\n");
    ck_assert_int_eq(walk(&g, &skipped), TW_OK);
    ck_assert_int_eq(g.calls, 2);
    ck_assert_str_eq(g.text, "CLIENT_RANDOM a b\nSERVER_HANDSHAKE_TRAFFIC_SECRET c d\n");
    ck_assert_uint_eq(skipped, 0);
}
END_TEST

START_TEST(broken_structure_stops_with_an_error)
{
    struct got g;
    size_t skipped;
    fn = 0;
    le = true;
    shb();
    dsb(TW_DSB_TLS_KEYLOG, "FIRST a b\n");
    size_t at = fn;
    dsb(TW_DSB_TLS_KEYLOG, "SECOND a b\n");
    f[at + 4] = 13; /* block total length not a multiple of 4 */
    ck_assert_int_eq(walk(&g, &skipped), TW_E_MALFORMED);
    ck_assert_int_eq(g.calls, 1); /* the block before it was still reported */
    fn = 0;
    shb();
    at = fn;
    dsb(TW_DSB_TLS_KEYLOG, "X a b\n");
    f[at + 12] = 200; /* secrets length past the block */
    ck_assert_int_eq(walk(&g, &skipped), TW_E_MALFORMED);
    ck_assert_int_eq(g.calls, 0);
}
END_TEST

START_TEST(classic_pcap_has_no_blocks)
{
    struct got g;
    size_t skipped;
    char err[256];
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(tw_cap_pcapng_secrets(tw_test_src("samples/cert-expired-tls13.pcap"),
                                           collect, &g, &skipped, err, sizeof err),
                     TW_OK);
    ck_assert_int_eq(g.calls, 0);
    ck_assert_int_eq(tw_cap_pcapng_secrets("/nonexistent/x.pcapng", collect, &g, &skipped, err,
                                           sizeof err),
                     TW_E_IO);
}
END_TEST

START_TEST(editcap_sample)
{
    struct got g;
    size_t skipped = 0;
    char err[256];
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(
        tw_cap_pcapng_secrets(tw_test_src("samples/cert-name-mismatch-apex-tls13-dsb.pcap"),
                              collect, &g, &skipped, err, sizeof err),
        TW_OK);
    ck_assert_int_eq(g.calls, 1);
    ck_assert_ptr_nonnull(strstr(g.text, "SERVER_HANDSHAKE_TRAFFIC_SECRET 66572be9"));
}
END_TEST

Suite *tw_cap_dsb_suite(void)
{
    Suite *s = suite_create("cap_dsb");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, blocks_in_both_byte_orders);
    tcase_add_test(tc, broken_structure_stops_with_an_error);
    tcase_add_test(tc, classic_pcap_has_no_blocks);
    tcase_add_test(tc, editcap_sample);
    suite_add_tcase(s, tc);
    return s;
}
