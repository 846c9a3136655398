/* check_flow_pcap.c: the real pipeline (capture -> decode -> flow) over captures with loss and
 * reordering made by scripts/make-tcp-captures.sh, whose streams have known content; and the
 * property test: a real TLS stream's segments replayed in many seeded orders with duplicates
 * and overlaps must always come out as the same bytes. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>

#include "check_flow_rec.h"
#include "test_util.h"
#include "tlswhy/capture.h"
#include "tlswhy/flow.h"
#include "tlswhy/rd.h"

#define CLIENT_BYTES 60000
#define SERVER_BYTES 120000

/* The script's streams: 16-byte lines "C%014d\n" / "S%014d\n" holding their own offset. */
static uint8_t pattern_byte(char who, size_t off)
{
    char line[32];
    snprintf(line, sizeof line, "%c%014zu\n", who, off - off % 16);
    return (uint8_t)line[off % 16];
}

/* Segments of one direction kept for the property test (copies: frame bytes die). */
struct kept {
    uint32_t seq;
    uint32_t len;
    uint8_t *data;
};

struct run {
    struct rec *r;
    struct tw_flow_table *t;
    struct tw_dec_stats dst;
    struct kept segs[256];
    size_t nsegs;
    uint32_t server_isn; /* of the SYN-ACK: the server's stream starts at server_isn + 1 */
    uint32_t client_isn;
};

static void run_pcap(struct run *x, const char *rel, const struct tw_limits *lim)
{
    struct tw_limits def;
    tw_limits_default(&def);
    memset(x, 0, sizeof *x);
    x->r = rec_new();
    x->t = tw_flow_new(lim ? lim : &def, &rec_ops, x->r);
    ck_assert_ptr_nonnull(x->t);
    struct tw_cap *cap;
    char err[256];
    ck_assert_int_eq(tw_cap_open_file(tw_test_src(rel), NULL, &cap, err, sizeof err), TW_OK);
    struct tw_frame f;
    while (tw_cap_next(cap, &f) == 1) {
        struct tw_pkt p;
        struct tw_rd_err why;
        if (tw_dec_frame(&f, &p, &x->dst, &why) != TW_OK)
            continue;
        ck_assert_int_eq(tw_flow_packet(x->t, &p), TW_OK);
        if ((p.flags & (TW_TCP_SYN | TW_TCP_ACK)) == (TW_TCP_SYN | TW_TCP_ACK)) {
            x->server_isn = p.seq;
            x->client_isn = p.ack - 1;
        }
        /* Server segments with payload, for the property test (port 9443 is the server). */
        if (p.src.port == 9443 && p.payload_len > 0 && x->nsegs < 256) {
            struct kept *k = &x->segs[x->nsegs++];
            k->seq = p.seq;
            k->len = p.payload_len;
            k->data = malloc(p.payload_len);
            memcpy(k->data, p.payload, p.payload_len);
        }
    }
    ck_assert_msg(tw_cap_done(cap) && tw_cap_error(cap)[0] == '\0', "%s", tw_cap_error(cap));
    tw_cap_close(cap);
    tw_flow_finish(x->t);
}

static void run_free(struct run *x)
{
    for (size_t i = 0; i < x->nsegs; i++)
        free(x->segs[i].data);
    tw_flow_free(x->t);
    rec_free(x->r);
}

/* Every byte of the stream outside gaps ('?') is the script's pattern; returns gap bytes. */
static size_t check_pattern(const uint8_t *s, size_t len, char who)
{
    size_t gaps = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '?') {
            gaps++;
            continue;
        }
        ck_assert_msg(s[i] == pattern_byte(who, i), "%c stream byte %zu", who, i);
    }
    return gaps;
}

/* One connection whose two streams are exactly the script's, with no gaps, closed by FINs. */
static void check_clean_exchange(const struct run *x, int family)
{
    const struct rec *r = x->r;
    ck_assert_uint_eq(r->nclosed, 1);
    const struct rec_close *c = &r->closed[0];
    ck_assert_int_eq(c->cli.ip.family, family);
    ck_assert(!c->tcp.mid_stream);
    ck_assert_int_eq(c->tcp.close_reason, TW_CLOSE_FIN);
    ck_assert_uint_eq(r->len[1][TW_DIR_C2S], CLIENT_BYTES);
    ck_assert_uint_eq(r->len[1][TW_DIR_S2C], SERVER_BYTES);
    ck_assert_uint_eq(check_pattern(r->stream[1][TW_DIR_C2S], CLIENT_BYTES, 'C'), 0);
    ck_assert_uint_eq(check_pattern(r->stream[1][TW_DIR_S2C], SERVER_BYTES, 'S'), 0);
    ck_assert_uint_eq(c->tcp.gaps[TW_DIR_C2S] + c->tcp.gaps[TW_DIR_S2C], 0);
    ck_assert_uint_eq(c->tcp.overlap_conflicts[0] + c->tcp.overlap_conflicts[1], 0);
}

/* Behind the relay: segments arrive after holes and out of order; they are held and fill in. */
START_TEST(lossy_server_side_v4)
{
    struct run x;
    run_pcap(&x, "tests/data/tcp/plain-v4-lossy-server.pcap", NULL);
    check_clean_exchange(&x, 4);
    ck_assert_uint_gt(tw_flow_stats(x.t)->ooo_bytes_peak, 0);
    ck_assert_uint_eq(tw_flow_stats(x.t)->ooo_bytes_live, 0);
    run_free(&x);
}
END_TEST

START_TEST(lossy_server_side_v6)
{
    struct run x;
    run_pcap(&x, "tests/data/tcp/plain-v6-lossy-server.pcap", NULL);
    check_clean_exchange(&x, 6);
    ck_assert_uint_gt(tw_flow_stats(x.t)->ooo_bytes_peak, 0);
    run_free(&x);
}
END_TEST

/* Before the relay: the client's kernel sends again what the relay dropped. */
START_TEST(lossy_client_side_retransmissions)
{
    struct run x;
    run_pcap(&x, "tests/data/tcp/plain-v4-lossy-client.pcap", NULL);
    check_clean_exchange(&x, 4);
    ck_assert_uint_gt(x.r->closed[0].tcp.retransmits[TW_DIR_C2S], 0);
    run_free(&x);
}
END_TEST

/* The capture lost one data frame each way that the endpoints received: each becomes one gap
 * of that frame's size, reported when the other side's ACK passes it (before the close), and
 * every other byte is still right. */
START_TEST(capture_lost_frames_become_gaps)
{
    struct run x;
    run_pcap(&x, "tests/data/tcp/plain-v4-capture-lost.pcap", NULL);
    const struct rec *r = x.r;
    const struct rec_close *c = &r->closed[0];
    ck_assert_uint_eq(r->nclosed, 1);
    ck_assert_uint_eq(r->len[1][TW_DIR_C2S], CLIENT_BYTES);
    ck_assert_uint_eq(r->len[1][TW_DIR_S2C], SERVER_BYTES);
    size_t gc = check_pattern(r->stream[1][TW_DIR_C2S], CLIENT_BYTES, 'C');
    size_t gs = check_pattern(r->stream[1][TW_DIR_S2C], SERVER_BYTES, 'S');
    ck_assert_uint_eq(c->tcp.gaps[TW_DIR_C2S], 1);
    ck_assert_uint_eq(c->tcp.gaps[TW_DIR_S2C], 1);
    ck_assert_uint_eq(gc, c->tcp.gap_bytes[TW_DIR_C2S]);
    ck_assert_uint_eq(gs, c->tcp.gap_bytes[TW_DIR_S2C]);
    ck_assert_uint_eq(gc, 1448); /* one full-sized segment (MSS of a 1500-byte MTU) */
    ck_assert_uint_eq(gs, 1448);
    for (int d = 0; d < 2; d++) {
        const struct rec_ev *g = rec_find(r, 'g', 0, (size_t)d);
        ck_assert_ptr_nonnull(g);
        ck_assert_uint_lt(g->frame, c->tcp.close_frame);
    }
    ck_assert_int_eq(c->tcp.close_reason, TW_CLOSE_FIN);
    run_free(&x);
}
END_TEST

/* A stream of TLS records: type, legacy_record_version 0x0303 (0x0301 allowed on the first),
 * uint16 length, fragment; it must end exactly at a record boundary. Returns record count. */
static size_t check_records(const uint8_t *s, size_t len)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(s, len, &e);
    size_t n = 0;
    while (tw_rd_left(&r) > 0) {
        uint8_t type = tw_rd_u8(&r);
        uint16_t version = tw_rd_u16(&r);
        struct tw_rd frag = tw_rd_vec(&r, 2);
        ck_assert_int_eq(e.code, TW_OK);
        ck_assert_msg(type >= 20 && type <= 23, "record %zu type %u", n, type);
        ck_assert(version == 0x0303 || (n == 0 && version == 0x0301));
        ck_assert_uint_gt(tw_rd_left(&frag), 0);
        n++;
    }
    ck_assert_int_eq(e.code, TW_OK);
    return n;
}

START_TEST(tls_streams_are_whole_records)
{
    struct run x;
    run_pcap(&x, "tests/data/tcp/tls13-lossy-server.pcap", NULL);
    const struct rec *r = x.r;
    ck_assert_uint_eq(r->nclosed, 1);
    ck_assert_uint_eq(r->closed[0].tcp.gaps[0] + r->closed[0].tcp.gaps[1], 0);
    ck_assert_uint_gt(check_records(r->stream[1][TW_DIR_C2S], r->len[1][TW_DIR_C2S]), 1);
    ck_assert_uint_gt(check_records(r->stream[1][TW_DIR_S2C], r->len[1][TW_DIR_S2C]), 4);
    ck_assert_uint_gt(r->len[1][TW_DIR_S2C], 40000);
    ck_assert_uint_gt(x.nsegs, 20);
    run_free(&x);
}
END_TEST

/* xorshift64*: the property test's only randomness, seeded by the loop index. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* Replays the real server stream's segments (and the retransmissions the capture holds) in a
 * seeded random order, plus duplicates and slices overlapping them, between a handshake with
 * the capture's ISNs and a FIN: the delivered bytes are the original stream every time. */
static void replay(const struct run *x, uint64_t seed)
{
    const uint8_t *ref = x->r->stream[1][TW_DIR_S2C];
    size_t reflen = x->r->len[1][TW_DIR_S2C];
    uint64_t s = 0x9e3779b97f4a7c15ULL ^ (seed * 0x100000001b3ULL);

    /* The pieces: every captured segment, a duplicate of some, and random slices. */
    struct piece {
        uint32_t off, len;
    } pieces[600];
    size_t np = 0;
    for (size_t i = 0; i < x->nsegs; i++) {
        uint32_t off = x->segs[i].seq - (x->server_isn + 1);
        if (off + x->segs[i].len > reflen) /* past the stream: cannot happen in this capture */
            ck_abort_msg("segment beyond the stream");
        ck_assert_mem_eq(ref + off, x->segs[i].data, x->segs[i].len);
        pieces[np++] = (struct piece){off, x->segs[i].len};
        if (rnd(&s) % 4 == 0)
            pieces[np++] = (struct piece){off, x->segs[i].len};
    }
    for (int k = 0; k < 60; k++) {
        uint32_t off = (uint32_t)(rnd(&s) % reflen);
        uint32_t len = 1 + (uint32_t)(rnd(&s) % 3000);
        if (off + len > reflen)
            len = (uint32_t)reflen - off;
        pieces[np++] = (struct piece){off, len};
    }
    for (size_t i = np - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)(rnd(&s) % (i + 1));
        struct piece tmp = pieces[i];
        pieces[i] = pieces[j];
        pieces[j] = tmp;
    }

    struct net n;
    net_init(&n, NULL, 40000, 9443, 4);
    uint32_t ia = x->client_isn, ib = x->server_isn;
    handshake(&n, ia, ib);
    for (size_t i = 0; i < np; i++)
        seg(&n, true, F_A, ib + 1 + pieces[i].off, ia + 1, ref + pieces[i].off, pieces[i].len);
    seg(&n, true, F_A | F_F, ib + 1 + (uint32_t)reflen, ia + 1, NULL, 0);
    seg(&n, false, F_A | F_F, ia + 1, ib + 2 + (uint32_t)reflen, NULL, 0);
    ck_assert_msg(n.r->nclosed == 1, "seed %" PRIu64, seed);
    ck_assert_msg(n.r->len[1][TW_DIR_S2C] == reflen, "seed %" PRIu64, seed);
    ck_assert_msg(memcmp(n.r->stream[1][TW_DIR_S2C], ref, reflen) == 0, "seed %" PRIu64, seed);
    ck_assert_msg(n.r->closed[0].tcp.gaps[TW_DIR_S2C] == 0, "seed %" PRIu64, seed);
    ck_assert_msg(n.r->closed[0].tcp.overlap_conflicts[TW_DIR_S2C] == 0, "seed %" PRIu64, seed);
    ck_assert_msg(tw_flow_stats(n.t)->ooo_bytes_live == 0, "seed %" PRIu64, seed);
    net_free(&n);
}

/* 200 seeded orders in one test (a fork per seed costs more than the replay). */
START_TEST(property_any_order_same_bytes)
{
    struct run x;
    run_pcap(&x, "tests/data/tcp/tls13-lossy-server.pcap", NULL);
    ck_assert_uint_eq(x.r->closed[0].tcp.gaps[TW_DIR_S2C], 0); /* the reference is whole */
    ck_assert_uint_gt(x.nsegs, 20);
    for (uint64_t seed = 0; seed < 200; seed++)
        replay(&x, seed);
    run_free(&x);
}
END_TEST

Suite *tw_flow_pcap_suite(void)
{
    Suite *s = suite_create("flow_pcap");
    TCase *tc = tcase_create("captures");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, lossy_server_side_v4);
    tcase_add_test(tc, lossy_server_side_v6);
    tcase_add_test(tc, lossy_client_side_retransmissions);
    tcase_add_test(tc, capture_lost_frames_become_gaps);
    tcase_add_test(tc, tls_streams_are_whole_records);
    tcase_add_test(tc, property_any_order_same_bytes);
    suite_add_tcase(s, tc);
    return s;
}
