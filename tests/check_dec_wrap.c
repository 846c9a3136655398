/* check_dec_wrap.c: every link type and tunnel. The lo frames re-encapsulated by
 * scripts/make-decode-data.sh (VLAN stacks, PPPoE, MPLS, null/loop, raw IP, SLL/SLL2, VXLAN,
 * GENEVE, GTP-U, IP in IP, IPv4 options, IPv6 extension headers) must decode to the same TCP
 * segments as the originals; fragments, bad checksums, snaplen cuts and nesting depth too. */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/capture.h"
#include "tlswhy/packet.h"

#define MAXF 64

/* The frames of one capture, each in a buffer of exactly caplen bytes (for ASan). */
struct frames {
    size_t n;
    struct tw_frame f[MAXF];
    uint8_t *buf[MAXF];
};

static void load(const char *name, struct frames *fs)
{
    char err[512], rel[256];
    struct tw_cap *c = NULL;
    struct tw_frame f;
    snprintf(rel, sizeof rel, "tests/data/decode/%s", name);
    ck_assert_msg(tw_cap_open_file(tw_test_src(rel), NULL, &c, err, sizeof err) == TW_OK, "%s",
                  err);
    fs->n = 0;
    while (tw_cap_next(c, &f) == 1) {
        ck_assert_uint_lt(fs->n, MAXF);
        fs->buf[fs->n] = malloc(f.caplen ? f.caplen : 1);
        memcpy(fs->buf[fs->n], f.bytes, f.caplen);
        f.bytes = fs->buf[fs->n];
        fs->f[fs->n++] = f;
    }
    tw_cap_close(c);
}

static void unload(struct frames *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->buf[i]);
}

static void same_segment(const struct tw_pkt *a, const struct tw_pkt *b, const char *file, size_t i)
{
    ck_assert_msg(tw_ip_equal(&a->src.ip, &b->src.ip) && tw_ip_equal(&a->dst.ip, &b->dst.ip),
                  "%s frame %zu: addresses differ", file, i + 1);
    ck_assert_uint_eq(a->src.port, b->src.port);
    ck_assert_uint_eq(a->dst.port, b->dst.port);
    ck_assert_uint_eq(a->ip_version, b->ip_version);
    ck_assert_uint_eq(a->seq, b->seq);
    ck_assert_uint_eq(a->ack, b->ack);
    ck_assert_uint_eq(a->flags, b->flags);
    ck_assert_uint_eq(a->window, b->window);
    ck_assert_uint_eq(a->mss, b->mss);
    ck_assert_int_eq(a->has_wscale, b->has_wscale);
    ck_assert_uint_eq(a->wscale, b->wscale);
    ck_assert_uint_eq(a->payload_len, b->payload_len);
    ck_assert_uint_eq(a->lost, b->lost);
    ck_assert_mem_eq(a->payload, b->payload, a->payload_len);
    ck_assert_int_eq(a->tcp_csum_bad, b->tcp_csum_bad);
    ck_assert_int_eq(a->ip_csum_bad, b->ip_csum_bad);
}

enum only { ALL, V4, V6 };
static const struct wrapped {
    const char *file, *base; /* base: the frames it was made from */
    int linktype;            /* as libpcap reports it */
    enum only only;
    int depth;
} WRAPPED[] = {
    {"vlan.pcap", "eth-fixed.pcap", 1, ALL, 0},
    {"qinq.pcap", "eth-fixed.pcap", 1, ALL, 0},
    {"vlan3-9100.pcap", "eth-fixed.pcap", 1, ALL, 0},
    {"pppoe.pcap", "eth-fixed.pcap", 1, ALL, 0},
    {"mpls.pcap", "eth-fixed.pcap", 1, ALL, 0},
    {"trailer.pcap", "eth-fixed.pcap", 1, ALL, 0},
    {"null-le.pcap", "eth-fixed.pcap", 0, ALL, 0},
    {"null-be.pcap", "eth-fixed.pcap", 0, ALL, 0},
    {"loop.pcap", "eth-fixed.pcap", 108, ALL, 0},
    {"raw.pcap", "eth-fixed.pcap", 12, ALL, 0}, /* LINKTYPE_RAW 101 in the file */
    {"raw-ipv4.pcap", "eth-fixed.pcap", 228, V4, 0},
    {"raw-ipv6.pcap", "eth-fixed.pcap", 229, V6, 0},
    {"ipv4-options.pcap", "eth-fixed.pcap", 1, V4, 0},
    {"ipv6-ext.pcap", "eth-fixed.pcap", 1, V6, 0},
    {"vxlan.pcap", "eth-fixed.pcap", 1, ALL, 1},
    {"vxlan4.pcap", "eth-fixed.pcap", 1, ALL, 4},
    {"geneve.pcap", "eth-fixed.pcap", 1, ALL, 1},
    {"gtp.pcap", "eth-fixed.pcap", 1, ALL, 1},
    {"ipip.pcap", "eth-fixed.pcap", 1, ALL, 1},
    {"any-sll.pcap", "lo.pcap", 113, ALL, 0},
    {"any-sll2.pcap", "lo.pcap", 276, ALL, 0},
    {"lo.pcapng", "lo.pcap", 1, ALL, 0},
    {"lo-nano.pcap", "lo.pcap", 1, ALL, 0},
};

START_TEST(wrapped_frames_decode_like_the_originals)
{
    const struct wrapped *w = &WRAPPED[_i];
    struct frames base, wr;
    struct tw_dec_stats bst = {0}, st = {0};
    struct tw_rd_err e;
    load(w->base, &base);
    load(w->file, &wr);
    size_t j = 0;
    for (size_t i = 0; i < base.n; i++) {
        struct tw_pkt a, b;
        ck_assert_int_eq(tw_dec_frame(&base.f[i], &a, &bst, &e), TW_OK);
        if ((w->only == V4 && a.ip_version != 4) || (w->only == V6 && a.ip_version != 6))
            continue;
        ck_assert_msg(j < wr.n, "%s: too few frames", w->file);
        ck_assert_int_eq(wr.f[j].linktype, w->linktype);
        int rc = tw_dec_frame(&wr.f[j], &b, &st, &e);
        ck_assert_msg(rc == TW_OK, "%s frame %zu: %d %s at %zu", w->file, j + 1, rc, e.why, e.off);
        ck_assert_uint_eq(b.tunnel_depth, (unsigned)w->depth);
        same_segment(&a, &b, w->file, j);
        j++;
    }
    ck_assert_uint_eq(j, wr.n);
    ck_assert_uint_eq(st.tcp, wr.n);
    ck_assert_uint_eq(st.malformed + st.not_ip + st.not_tcp + st.ip_fragments, 0);
    uint64_t tunnels = st.vxlan + st.geneve + st.gtp + st.ip_in_ip;
    ck_assert_uint_eq(tunnels, wr.n * (uint64_t)w->depth);
    unload(&base);
    unload(&wr);
}
END_TEST

START_TEST(tunnels_are_counted_by_kind)
{
    static const struct {
        const char *file;
        size_t off; /* offsetof the counter */
    } T[] = {
        {"vxlan.pcap", offsetof(struct tw_dec_stats, vxlan)},
        {"geneve.pcap", offsetof(struct tw_dec_stats, geneve)},
        {"gtp.pcap", offsetof(struct tw_dec_stats, gtp)},
        {"ipip.pcap", offsetof(struct tw_dec_stats, ip_in_ip)},
    };
    for (size_t t = 0; t < 4; t++) {
        struct frames fs;
        struct tw_dec_stats st = {0};
        struct tw_pkt p;
        load(T[t].file, &fs);
        for (size_t i = 0; i < fs.n; i++)
            ck_assert_int_eq(tw_dec_frame(&fs.f[i], &p, &st, NULL), TW_OK);
        uint64_t n;
        memcpy(&n, (const char *)&st + T[t].off, sizeof n);
        ck_assert_uint_eq(n, fs.n);
        unload(&fs);
    }
}
END_TEST

START_TEST(five_nested_tunnels_are_malformed)
{
    struct frames fs;
    struct tw_dec_stats st = {0};
    struct tw_pkt p;
    struct tw_rd_err e;
    load("vxlan5.pcap", &fs);
    for (size_t i = 0; i < fs.n; i++) {
        ck_assert_int_eq(tw_dec_frame(&fs.f[i], &p, &st, &e), TW_E_MALFORMED);
        ck_assert_str_eq(e.why, "tunnel: nested more than 4 deep");
    }
    ck_assert_uint_eq(st.malformed, 20);
    ck_assert_uint_eq(st.vxlan, 80); /* the four removed before the fifth was refused */
    unload(&fs);
}
END_TEST

START_TEST(fragments_are_counted_and_skipped)
{
    struct frames fs;
    struct tw_dec_stats st = {0};
    struct tw_pkt p;
    struct tw_rd_err e;
    int v4 = 0, v6 = 0;
    load("frag.pcap", &fs);
    ck_assert_uint_eq(fs.n, 24); /* 20 frames, of which the 4 with data became 2 fragments each */
    for (size_t i = 0; i < fs.n; i++) {
        int rc = tw_dec_frame(&fs.f[i], &p, &st, &e);
        if (rc == TW_OK) {
            ck_assert_uint_eq(p.payload_len, 0);
            continue;
        }
        ck_assert_int_eq(rc, TW_E_UNSUPPORTED);
        v4 += strcmp(e.why, "ipv4: fragment") == 0;
        v6 += strcmp(e.why, "ipv6: fragment") == 0;
    }
    ck_assert_int_eq(v4, 4);
    ck_assert_int_eq(v6, 4);
    ck_assert_uint_eq(st.ip_fragments, 8);
    ck_assert_uint_eq(st.tcp, 16);
    unload(&fs);
}
END_TEST

START_TEST(bad_checksums_are_flagged_not_dropped)
{
    struct frames fs;
    struct tw_dec_stats st = {0};
    struct tw_pkt p;
    load("badcsum.pcap", &fs);
    for (size_t i = 0; i < fs.n; i++) { /* the script's rule: i%3 == 1 TCP, i%3 == 2 IPv4 */
        ck_assert_int_eq(tw_dec_frame(&fs.f[i], &p, &st, NULL), TW_OK);
        ck_assert_int_eq(p.tcp_csum_bad, i % 3 == 1);
        ck_assert_int_eq(p.ip_csum_bad, i % 3 == 2 && p.ip_version == 4);
    }
    ck_assert_uint_eq(st.bad_tcp_csum, 7);
    ck_assert_uint_eq(st.bad_ip_csum, 3);
    unload(&fs);
}
END_TEST

START_TEST(snaplen_cut_is_lost_not_made_up)
{
    struct frames base, cut;
    struct tw_dec_stats st = {0};
    struct tw_pkt a, b;
    load("lo.pcap", &base);
    load("lo-snap96.pcap", &cut);
    ck_assert_uint_eq(base.n, cut.n);
    for (size_t i = 0; i < base.n; i++) {
        ck_assert_int_eq(tw_dec_frame(&base.f[i], &a, &st, NULL), TW_OK);
        ck_assert_int_eq(tw_dec_frame(&cut.f[i], &b, &st, NULL), TW_OK);
        ck_assert_uint_eq(a.seq, b.seq);
        ck_assert_uint_eq(b.payload_len + b.lost, a.payload_len);
        ck_assert_mem_eq(a.payload, b.payload, b.payload_len);
        ck_assert_uint_eq(b.lost, cut.f[i].wirelen - cut.f[i].caplen);
        ck_assert_int_eq(b.tcp_csum_bad, b.lost == 0); /* unchecked when cut; offload otherwise */
    }
    ck_assert_uint_eq(st.truncated, 4);
    unload(&base);
    unload(&cut);
}
END_TEST

/* The first frame with data of each wrapped file, cut at every length, as a snaplen cut and as
 * a short frame: always malformed or TCP, and when TCP, captured + lost = the whole payload. */
START_TEST(every_prefix_of_every_encapsulation)
{
    const struct wrapped *w = &WRAPPED[_i];
    struct frames fs;
    struct tw_pkt p;
    struct tw_rd_err e;
    load(w->file, &fs);
    size_t k = 0;
    struct tw_dec_stats st = {0};
    while (k < fs.n && (tw_dec_frame(&fs.f[k], &p, &st, NULL) != TW_OK || p.payload_len == 0))
        k++;
    ck_assert_uint_lt(k, fs.n);
    const uint32_t whole = p.payload_len, len = fs.f[k].caplen;
    for (uint32_t n = 0; n <= len; n++) {
        for (int shortframe = 0; shortframe < 2; shortframe++) {
            uint8_t *b = malloc(n ? n : 1);
            memcpy(b, fs.f[k].bytes, n);
            struct tw_frame f = fs.f[k];
            f.bytes = b;
            f.caplen = n;
            f.wirelen = shortframe ? n : len;
            int rc = tw_dec_frame(&f, &p, &st, &e);
            ck_assert_msg(rc == TW_OK || rc == TW_E_MALFORMED, "%s cut %u: %d", w->file, n, rc);
            if (rc == TW_OK)
                ck_assert_uint_eq(p.payload_len + p.lost, whole);
            if (n == len)
                ck_assert_int_eq(rc, TW_OK);
            free(b);
        }
    }
    unload(&fs);
}
END_TEST

/* One field of one real frame overwritten, and the verdict that must follow. Layouts per file:
 *   pppoe.pcap   eth 0 | ver_type 14, code 15, session_id 16, length 18 | PPP protocol 20 | IP 22
 *   vxlan.pcap   eth 0 | IPv4 14 | UDP 34 (length 38) | VXLAN flags 42 | inner Ethernet 50
 *   geneve.pcap  eth 0 | IPv6 14 | UDP 54 | GENEVE ver_opt_len 62 | inner Ethernet 70 + options
 *   gtp.pcap     eth 0 | IPv4 14 | UDP 34 | GTP flags 42, message_type 43 | IP 54
 *   eth-fixed.pcap frame 14: eth 0 | IPv6 version 14, payload_length 18, next_header 20 | TCP 54
 *                (TCP source port 60460 = 0xec2c, read as next_header 236, hdr_ext_len 44)
 *   null-le.pcap family 0 (little-endian) | IP 4;  any-sll.pcap arphrd_type 2 | protocol 14;
 *   any-sll2.pcap protocol 0 | IP 20;  mpls.pcap labels 14, 18 | IP 22;  raw.pcap IP 0 */
static const struct poke {
    const char *file;
    size_t frame, at, n;
    uint8_t v[2];
    int rc;
    const char *why;
    size_t off;
} POKES[] = {
    {"pppoe.pcap", 0, 14, 1, {0x12}, TW_E_MALFORMED, "pppoe: version/type is not 1/1", 20},
    {"pppoe.pcap",
     0,
     15,
     1,
     {0x09},
     TW_E_MALFORMED,
     "pppoe: session frame with a non-zero code",
     20},
    {"pppoe.pcap", 0, 18, 2, {0, 0}, TW_E_MALFORMED, "ppp: no protocol field", 20},
    {"pppoe.pcap", 0, 18, 2, {0xff, 0xff}, TW_E_MALFORMED, "pppoe: length exceeds frame", 20},
    {"pppoe.pcap", 0, 20, 2, {0xc0, 0x21}, TW_E_UNSUPPORTED, "ppp: not IP", 22}, /* LCP */
    {"vxlan.pcap", 0, 42, 1, {0x00}, TW_E_MALFORMED, "vxlan: I flag not set", 50},
    {"vxlan.pcap", 0, 38, 2, {0, 4}, TW_E_MALFORMED, "udp: length shorter than header", 42},
    {"geneve.pcap", 0, 62, 1, {0x42}, TW_E_MALFORMED, "geneve: version is not 0", 70},
    {"geneve.pcap", 0, 62, 1, {0x3f}, TW_E_MALFORMED, "geneve: options longer than datagram", 70},
    {"gtp.pcap", 0, 43, 1, {1}, TW_E_UNSUPPORTED, "gtp: not a GTPv1-U G-PDU", 50}, /* echo */
    {"eth-fixed.pcap", 13, 14, 1, {0x50}, TW_E_MALFORMED, "ipv6: version is not 6", 54},
    {"eth-fixed.pcap",
     13,
     18,
     2,
     {0xff, 0xff},
     TW_E_MALFORMED,
     "ipv6: payload length exceeds frame",
     54},
    {"eth-fixed.pcap",
     13,
     20,
     1,
     {0},
     TW_E_MALFORMED,
     "ipv6: extension header longer than packet",
     56},
    {"eth-fixed.pcap", 13, 20, 1, {59}, TW_E_UNSUPPORTED, "ip: not TCP", 54}, /* no next header */
    {"null-le.pcap", 0, 0, 1, {99}, TW_E_UNSUPPORTED, "null: address family is not IP", 4},
    {"any-sll.pcap", 0, 2, 2, {0x03, 0x38}, TW_E_UNSUPPORTED, "sll: not IP", 16},   /* netlink */
    {"any-sll2.pcap", 0, 0, 2, {0x00, 0x04}, TW_E_UNSUPPORTED, "sll2: not IP", 20}, /* LLC */
    {"mpls.pcap", 0, 22, 1, {0x00}, TW_E_UNSUPPORTED, "mpls: payload is not IP", 22},
    {"raw.pcap", 0, 0, 1, {0x75}, TW_E_MALFORMED, "ip: version is neither 4 nor 6", 0},
};

START_TEST(broken_fields_in_every_encapsulation)
{
    const struct poke *k = &POKES[_i];
    struct frames fs;
    struct tw_pkt p;
    struct tw_rd_err e;
    struct tw_dec_stats st = {0};
    load(k->file, &fs);
    ck_assert_uint_gt(fs.n, k->frame);
    struct tw_frame f = fs.f[k->frame];
    ck_assert_uint_ge(f.caplen, k->at + k->n);
    uint8_t *b = malloc(f.caplen);
    memcpy(b, f.bytes, f.caplen);
    memcpy(b + k->at, k->v, k->n);
    f.bytes = b;
    ck_assert_int_eq(tw_dec_frame(&f, &p, &st, &e), k->rc);
    ck_assert_int_eq(e.code, k->rc);
    ck_assert_str_eq(e.why, k->why);
    ck_assert_uint_eq(e.off, k->off);
    ck_assert_uint_eq(st.malformed, k->rc == TW_E_MALFORMED);
    ck_assert_uint_eq(st.not_ip + st.not_tcp, k->rc == TW_E_UNSUPPORTED);
    free(b);
    unload(&fs);
}
END_TEST

Suite *tw_dec_wrap_suite(void)
{
    Suite *s = suite_create("dec_wrap");
    TCase *tc = tcase_create("encapsulations");
    int n = (int)(sizeof WRAPPED / sizeof WRAPPED[0]);
    tcase_add_loop_test(tc, wrapped_frames_decode_like_the_originals, 0, n);
    tcase_add_test(tc, tunnels_are_counted_by_kind);
    tcase_add_test(tc, five_nested_tunnels_are_malformed);
    tcase_add_test(tc, fragments_are_counted_and_skipped);
    tcase_add_test(tc, bad_checksums_are_flagged_not_dropped);
    tcase_add_test(tc, snaplen_cut_is_lost_not_made_up);
    tcase_add_loop_test(tc, every_prefix_of_every_encapsulation, 0, n);
    tcase_add_loop_test(tc, broken_fields_in_every_encapsulation, 0,
                        (int)(sizeof POKES / sizeof POKES[0]));
    suite_add_tcase(s, tc);
    return s;
}
