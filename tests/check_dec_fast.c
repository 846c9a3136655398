/* check_dec_fast.c: the Ethernet/IPv4/TCP fast path (src/decode_fast.c) must decode exactly as
 * the general path. Every Ethernet frame of every sample capture, and mutations of the eligible
 * ones (checksums, lengths, header length, data offset, fragment bits, padding, snaplen cuts),
 * is decoded as is (where the fast path applies) and again with an 802.1Q tag inserted after
 * the MAC addresses (which only the general path takes, and which changes nothing above the
 * link layer); result code, segment fields, payload bytes and counters must agree. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/capture.h"
#include "tlswhy/packet.h"

#define MAXLEN 2048

struct outcome {
    int rc;
    struct tw_pkt p;
    struct tw_dec_stats st;
};

static void decode(const uint8_t *b, uint32_t caplen, uint32_t wirelen, struct outcome *o)
{
    struct tw_frame f = {.no = 1, .ts_us = 1, .caplen = caplen, .wirelen = wirelen,
                         .linktype = 1, .bytes = b};
    struct tw_rd_err why;
    memset(o, 0, sizeof *o);
    o->rc = tw_dec_frame(&f, &o->p, &o->st, &why);
}

/* The frame as is, and with a VLAN tag (TCI 5) after the addresses: same result above link. */
static void compare(const uint8_t *b, uint32_t caplen, uint32_t wirelen, const char *what)
{
    uint8_t plain[MAXLEN], tagged[MAXLEN + 4];
    struct outcome x, y;
    ck_assert_uint_le(caplen, MAXLEN);
    ck_assert_uint_ge(caplen, 14);
    memcpy(plain, b, caplen);
    memcpy(tagged, b, 12);
    memcpy(tagged + 12, "\x81\x00\x00\x05", 4);
    memcpy(tagged + 16, b + 12, caplen - 12);
    decode(plain, caplen, wirelen, &x);
    decode(tagged, caplen + 4, wirelen + 4, &y);
    ck_assert_msg(x.rc == y.rc, "%s: rc %d vs %d", what, x.rc, y.rc);
    ck_assert_msg(memcmp(&x.st, &y.st, sizeof x.st) == 0, "%s: counters differ", what);
    if (x.rc != TW_OK)
        return;
    ck_assert_msg(memcmp(&x.p.src, &y.p.src, sizeof x.p.src) == 0 &&
                      memcmp(&x.p.dst, &y.p.dst, sizeof x.p.dst) == 0,
                  "%s: endpoints differ", what);
    ck_assert_msg(x.p.ip_version == y.p.ip_version && x.p.tunnel_depth == y.p.tunnel_depth &&
                      x.p.flags == y.p.flags && x.p.seq == y.p.seq && x.p.ack == y.p.ack &&
                      x.p.window == y.p.window && x.p.has_wscale == y.p.has_wscale &&
                      x.p.wscale == y.p.wscale && x.p.mss == y.p.mss &&
                      x.p.payload_len == y.p.payload_len && x.p.lost == y.p.lost &&
                      x.p.ip_csum_bad == y.p.ip_csum_bad && x.p.tcp_csum_bad == y.p.tcp_csum_bad,
                  "%s: segment fields differ", what);
    ck_assert_msg(x.p.payload_len == 0 || memcmp(x.p.payload, y.p.payload, x.p.payload_len) == 0,
                  "%s: payload differs", what);
    /* the payload points into the frame (no copy), at the same place */
    ck_assert_msg(x.p.payload_len == 0 || (x.p.payload > plain && x.p.payload < plain + caplen),
                  "%s: payload outside the frame", what);
}

static bool eligible(const uint8_t *b, uint32_t n)
{
    return n >= 54 && b[12] == 0x08 && b[13] == 0x00 && b[14] == 0x45 && b[23] == 6;
}

/* Mutations of an eligible frame, each of which the fast path must handle or hand over. */
static void mutate(const uint8_t *b, uint32_t n, const char *name, size_t *count)
{
    uint8_t m[MAXLEN + 64];
    char what[1024];
    uint16_t total = (uint16_t)(b[16] << 8 | b[17]);
    struct {
        size_t off;
        uint8_t val;
        const char *label;
    } const one[] = {
        {24, 0, "ip checksum"},  {51, 0x5a, "tcp checksum"},  {14, 0x46, "ihl 6"},
        {14, 0x44, "ihl 4"},     {14, 0x55, "version 5"},     {20, 0x20, "MF"},
        {21, 0x01, "offset 1"},  {20, 0x40, "DF"},            {23, 17, "udp"},
        {46, 0x40, "doff 4"},    {46, 0xf0, "doff 15"},       {46, 0x60, "doff 6"},
        {16, 0, "total 0 (hi)"}, {13, 0xdd, "ethertype 86dd"},
    };
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
        memcpy(m, b, n);
        m[one[i].off] = one[i].off == 16 ? 0 : one[i].val;
        if (one[i].off == 16)
            m[17] = 0; /* total length 0 */
        snprintf(what, sizeof what, "%s: %s", name, one[i].label);
        compare(m, n, n, what);
        (*count)++;
    }
    /* total length: shorter than headers, one short, one past the frame, past the wire */
    const int deltas[] = {-(int)total + 39, -1, 1, 64};
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        memcpy(m, b, n);
        uint16_t t = (uint16_t)(total + deltas[i]);
        m[16] = (uint8_t)(t >> 8);
        m[17] = (uint8_t)t;
        snprintf(what, sizeof what, "%s: total %u", name, t);
        compare(m, n, n, what);
        (*count)++;
    }
    /* Ethernet padding after the datagram, and a snaplen cut (wire longer than captured) */
    memcpy(m, b, n);
    memset(m + n, 0, 20);
    snprintf(what, sizeof what, "%s: padded", name);
    compare(m, n + 20, n + 20, what);
    snprintf(what, sizeof what, "%s: cut", name);
    compare(b, n > 60 ? n - 6 : n, n, what);
    *count += 2;
}

START_TEST(fast_equals_general)
{
    DIR *d = opendir(tw_test_src("samples"));
    ck_assert_ptr_nonnull(d);
    size_t frames = 0, fast = 0, mutations = 0;
    const char *path;
    while ((path = tw_test_next_pcap(d)) != NULL) {
        char err[256];
        struct tw_cap *c = NULL;
        ck_assert_int_eq(tw_cap_open_file(path, NULL, &c, err, sizeof err), TW_OK);
        struct tw_frame f;
        while (tw_cap_next(c, &f) == 1) {
            if (f.linktype != 1 || f.caplen < 14 || f.caplen > MAXLEN)
                continue;
            char what[300];
            snprintf(what, sizeof what, "%.200s frame %llu", path, (unsigned long long)f.no);
            compare(f.bytes, f.caplen, f.wirelen, what);
            frames++;
            if (eligible(f.bytes, f.caplen) && f.caplen == f.wirelen) {
                fast++;
                if (fast % 7 == 1) /* a sample of them is enough for the mutations */
                    mutate(f.bytes, f.caplen, what, &mutations);
            }
        }
        tw_cap_close(c);
    }
    closedir(d);
    /* the samples are real Ethernet captures: most frames take the fast path */
    ck_assert_uint_gt(frames, 500);
    ck_assert_uint_gt(fast, frames / 2);
    ck_assert_uint_gt(mutations, 1000);
}
END_TEST

/* MSS and window scale are read on SYN segments only: every sample SYN with options gives
 * them, and the same frame without the SYN bit gives none, on both paths. */
START_TEST(options_on_syn_only)
{
    const char *names[] = {"samples/ok-tls13.pcap", "samples/ok-tls12.pcap"};
    size_t syns = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char err[256];
        struct tw_cap *c = NULL;
        ck_assert_int_eq(tw_cap_open_file(tw_test_src(names[i]), NULL, &c, err, sizeof err),
                         TW_OK);
        struct tw_frame f;
        while (tw_cap_next(c, &f) == 1) {
            if (f.linktype != 1 || !eligible(f.bytes, f.caplen) || f.caplen > MAXLEN ||
                !(f.bytes[47] & TW_TCP_SYN) || f.bytes[46] >> 4 <= 5)
                continue;
            uint8_t m[MAXLEN];
            struct outcome x;
            decode(f.bytes, f.caplen, f.wirelen, &x);
            ck_assert_int_eq(x.rc, TW_OK);
            ck_assert_uint_gt(x.p.mss, 0);
            ck_assert(x.p.has_wscale);
            memcpy(m, f.bytes, f.caplen);
            m[47] &= (uint8_t)~TW_TCP_SYN;
            compare(m, f.caplen, f.wirelen, names[i]);
            decode(m, f.caplen, f.wirelen, &x);
            ck_assert_int_eq(x.rc, TW_OK);
            ck_assert_uint_eq(x.p.mss, 0);
            ck_assert(!x.p.has_wscale);
            syns++;
        }
        tw_cap_close(c);
    }
    ck_assert_uint_ge(syns, 4); /* a SYN and a SYN-ACK in each */
}
END_TEST

Suite *tw_dec_fast_suite(void)
{
    Suite *s = suite_create("dec_fast");
    TCase *tc = tcase_create("fast");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fast_equals_general);
    tcase_add_test(tc, options_on_syn_only);
    suite_add_tcase(s, tc);
    return s;
}
