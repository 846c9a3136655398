/* check_reasm.c: per-direction reassembly with hand-built segments: in-order delivery without
 * copies, out-of-order holding, retransmissions and overlaps, wraparound, SYN/FIN sequence
 * numbers, keep-alives and zero-window probes, gaps, caps, and "done" directions. */
#include <check.h>

#include "check_flow_rec.h"
#include "tlswhy/flow.h"

#define DIGITS62 "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
/* 124 bytes, so every test slice is in bounds. */
static const char DIGITS[] = DIGITS62 DIGITS62;

/* Client stream bytes [from, from + len) of DIGITS, sent at seq isn + 1 + from. */
static void cdata(struct net *n, uint32_t isn, uint32_t from, uint32_t len)
{
    seg(n, false, F_A, isn + 1 + from, 1, DIGITS + from, len);
}

static void assert_client_stream(const struct net *n, const char *want, size_t len)
{
    ck_assert_uint_eq(n->r->len[1][TW_DIR_C2S], len);
    ck_assert_mem_eq(n->r->stream[1][TW_DIR_C2S], want, len);
}

START_TEST(in_order_is_delivered_from_the_frame)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    cdata(&n, 100, 0, 10);
    /* seg() marks last_data when on_data got the frame's own payload pointer. */
    ck_assert_ptr_eq(n.r->last_data, (const uint8_t *)1);
    cdata(&n, 100, 10, 10);
    assert_client_stream(&n, DIGITS, 20);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_peak, 0);
    net_free(&n);
}
END_TEST

START_TEST(out_of_order_held_until_the_hole_fills)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    cdata(&n, 100, 20, 10); /* third */
    cdata(&n, 100, 10, 10); /* second */
    ck_assert_uint_eq(n.r->len[1][TW_DIR_C2S], 0);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_live, 20);
    cdata(&n, 100, 0, 10); /* first: all three come out, in order */
    assert_client_stream(&n, DIGITS, 30);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_live, 0);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_peak, 20);
    /* The held bytes are delivered with the frame that completed them. */
    ck_assert_uint_eq(n.r->ev[n.r->n - 1].frame, n.no);
    net_free(&n);
}
END_TEST

START_TEST(retransmissions_and_overlaps_delivered_once)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    cdata(&n, 100, 0, 10);
    cdata(&n, 100, 0, 10);  /* whole retransmission */
    cdata(&n, 100, 5, 10);  /* partial overlap: 5 new bytes */
    cdata(&n, 100, 30, 5);  /* held */
    cdata(&n, 100, 30, 5);  /* retransmission of held bytes */
    cdata(&n, 100, 25, 15); /* overlaps the held piece on both sides */
    cdata(&n, 100, 12, 20); /* fills the hole, overlapping delivered and held bytes */
    assert_client_stream(&n, DIGITS, 40);
    tw_flow_finish(n.t);
    const struct tw_ev_tcp *e = &n.r->closed[0].tcp;
    ck_assert_uint_eq(e->retransmits[TW_DIR_C2S], 2);
    ck_assert_uint_eq(e->partial_overlaps[TW_DIR_C2S], 2);
    ck_assert_uint_eq(e->overlap_conflicts[TW_DIR_C2S], 0);
    ck_assert_uint_eq(e->gaps[TW_DIR_C2S], 0);
    net_free(&n);
}
END_TEST

/* Overlapping bytes that differ: the first received win, and the difference is counted, both
 * between held pieces and between an in-order segment and a held piece. */
START_TEST(conflicting_overlap_first_received_wins)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    seg(&n, false, F_A, 111, 1, "AAAAA", 5);            /* bytes 10..15 */
    seg(&n, false, F_A, 111, 1, "BBBBB", 5);            /* same bytes, different */
    seg(&n, false, F_A, 101, 1, "0123456789CCCCC", 15); /* in order, overlaps the held AAAAA */
    assert_client_stream(&n, "0123456789AAAAA", 15);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->closed[0].tcp.overlap_conflicts[TW_DIR_C2S], 2);
    net_free(&n);
}
END_TEST

/* The stream crosses sequence number 2^32, out of order, and a FIN just past it. */
START_TEST(sequence_wraparound)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    uint32_t isn = 0xfffffff0u;
    handshake(&n, isn, 7);
    cdata(&n, isn, 20, 10); /* seq 0x00000005: after the wrap */
    cdata(&n, isn, 0, 10);  /* seq 0xfffffff1 */
    cdata(&n, isn, 10, 10); /* seq 0xfffffffb..0x00000004 */
    seg(&n, false, F_A | F_F, isn + 31, 8, NULL, 0);
    seg(&n, true, F_A | F_F, 8, isn + 32, NULL, 0);
    assert_client_stream(&n, DIGITS, 30);
    const struct rec_ev *fin = rec_find(n.r, 'e', TW_TCP_EV_FIN, 0);
    ck_assert_uint_eq(fin->a, 30);
    ck_assert_int_eq(n.r->closed[0].tcp.close_reason, TW_CLOSE_FIN);
    ck_assert_uint_eq(n.r->closed[0].tcp.gaps[TW_DIR_C2S], 0);
    net_free(&n);
}
END_TEST

/* SYN and FIN take one sequence number each: data on a SYN (fast open) is byte 0; the ACK of
 * the FIN is not a missing byte; a FIN ahead of a hole waits for it. */
START_TEST(syn_and_fin_take_a_sequence_number)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    seg(&n, false, F_S, 100, 0, "01234", 5); /* TFO: bytes 0..5 */
    seg(&n, true, F_S | F_A, 7, 106, NULL, 0);
    seg(&n, false, F_A | F_F, 111, 8, DIGITS + 10, 5); /* bytes 10..15 + FIN at 15, early */
    ck_assert_uint_eq(rec_count(n.r, 'e', TW_TCP_EV_FIN), 0);
    cdata(&n, 100, 5, 5); /* the hole fills: FIN follows */
    const struct rec_ev *fin = rec_find(n.r, 'e', TW_TCP_EV_FIN, 0);
    ck_assert_ptr_nonnull(fin);
    ck_assert_uint_eq(fin->a, 15);
    ck_assert_uint_eq(fin->frame, 3); /* the FIN's own frame */
    ck_assert_uint_eq(rec_count(n.r, 'e', TW_TCP_EV_SYN), 1);
    ck_assert_uint_eq(rec_count(n.r, 'e', TW_TCP_EV_SYN_RETX), 0);
    seg(&n, true, F_A | F_F, 8, 116, NULL, 0); /* acks FIN + 1: no gap */
    assert_client_stream(&n, DIGITS, 15);
    ck_assert_uint_eq(n.r->closed[0].tcp.gaps[TW_DIR_C2S], 0);
    ck_assert_uint_eq(n.r->closed[0].tcp.bytes[TW_DIR_C2S], 15);
    net_free(&n);
}
END_TEST

/* Keep-alives (one old byte or none, at next - 1) and Linux zero-window probes (no byte) are
 * ignored; a 1-byte probe into a zero window carries the real next byte and is delivered once. */
START_TEST(keepalives_and_window_probes_ignored)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    cdata(&n, 100, 0, 10);
    seg(&n, false, F_A, 110, 1, "X", 1);              /* keep-alive with a garbage byte */
    seg(&n, false, F_A, 110, 1, NULL, 0);             /* keep-alive / Linux window probe */
    seg_lost(&n, true, F_A, 1, 111, NULL, 0, 0, 0);   /* B: window 0 */
    seg(&n, false, F_A, 111, 1, DIGITS + 10, 1);      /* probe: byte 10 */
    seg_lost(&n, true, F_A, 1, 111, NULL, 0, 0, 100); /* window opens (probe not taken) */
    cdata(&n, 100, 10, 10);                           /* byte 10 again, with the rest */
    assert_client_stream(&n, DIGITS, 20);
    tw_flow_finish(n.t);
    const struct tw_ev_tcp *e = &n.r->closed[0].tcp;
    ck_assert_uint_eq(e->retransmits[TW_DIR_C2S], 0);
    ck_assert_uint_eq(e->overlap_conflicts[TW_DIR_C2S], 0);
    ck_assert_uint_eq(e->gaps[TW_DIR_C2S], 0);
    net_free(&n);
}
END_TEST

/* The capture missed bytes 10..20 but B acknowledged them: the gap is reported at that ACK
 * (frame and offset), then the held bytes follow. */
START_TEST(gap_given_up_when_the_receiver_acks_past_it)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    cdata(&n, 100, 0, 10);
    cdata(&n, 100, 20, 10);
    seg(&n, true, F_A, 1, 111, NULL, 0); /* acks 10: nothing */
    ck_assert_uint_eq(rec_count(n.r, 'g', 0), 0);
    seg(&n, true, F_A, 1, 131, NULL, 0); /* acks 30 */
    const struct rec_ev *g = rec_find(n.r, 'g', 0, 0);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->a, 10);
    ck_assert_uint_eq(g->b, 10);
    ck_assert_uint_eq(g->frame, n.no);
    ck_assert_uint_eq(n.r->len[1][TW_DIR_C2S], 30);
    ck_assert_mem_eq(n.r->stream[1][TW_DIR_C2S] + 20, DIGITS + 20, 10);
    seg(&n, true, F_A, 1, 141, NULL, 0); /* acks 40: 10 more never seen at all */
    tw_flow_finish(n.t);
    const struct tw_ev_tcp *e = &n.r->closed[0].tcp;
    ck_assert_uint_eq(e->gaps[TW_DIR_C2S], 2);
    ck_assert_uint_eq(e->gap_bytes[TW_DIR_C2S], 20);
    ck_assert_uint_eq(e->first_gap_frame[TW_DIR_C2S], 7);
    ck_assert_uint_eq(e->bytes[TW_DIR_C2S], 40);
    net_free(&n);
}
END_TEST

/* Holes still open at the end are gaps; so are payload bytes the snaplen cut off. */
START_TEST(gaps_at_close_and_snaplen)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 100, 0);
    seg_lost(&n, false, F_A, 101, 1, DIGITS, 4, 6, 65535); /* 4 captured, 6 cut */
    cdata(&n, 100, 10, 5);
    cdata(&n, 100, 20, 5);
    tw_flow_finish(n.t);
    static const struct {
        uint64_t off, len;
    } want[] = {{4, 6}, {15, 5}};
    for (size_t i = 0; i < 2; i++) {
        const struct rec_ev *g = rec_find(n.r, 'g', 0, i);
        ck_assert_ptr_nonnull(g);
        ck_assert_uint_eq(g->a, want[i].off);
        ck_assert_uint_eq(g->b, want[i].len);
    }
    assert_client_stream(&n, "0123??????abcde?????klmno", 25);
    const struct tw_ev_tcp *e = &n.r->closed[0].tcp;
    ck_assert_uint_eq(e->snap_lost[TW_DIR_C2S], 6);
    ck_assert_uint_eq(e->gaps[TW_DIR_C2S], 2);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_live, 0);
    net_free(&n);
}
END_TEST

/* max_ooo_bytes_per_dir = 20: a third held piece would pass it, so the first hole is given
 * up; a single piece larger than the cap is dropped (and becomes a gap). */
START_TEST(per_direction_cap)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_ooo_bytes_per_dir = 20;
    struct net n;
    net_init(&n, &lim, 40000, 443, 4);
    handshake(&n, 100, 0);
    cdata(&n, 100, 10, 10);
    cdata(&n, 100, 20, 10);
    ck_assert_uint_eq(rec_count(n.r, 'g', 0), 0);
    cdata(&n, 100, 30, 10);
    const struct rec_ev *g = rec_find(n.r, 'g', 0, 0);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->a, 0);
    ck_assert_uint_eq(g->b, 10);
    ck_assert_uint_eq(n.r->len[1][TW_DIR_C2S], 40);
    ck_assert_uint_le(tw_flow_stats(n.t)->ooo_bytes_peak, 20);
    cdata(&n, 100, 50, 25); /* 25 > cap: dropped */
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_dropped_segs, 1);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_live, 0);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->closed[0].tcp.ooo_dropped[TW_DIR_C2S], 1);
    net_free(&n);
}
END_TEST

/* max_ooo_bytes_total = 30: the connection that buffered least recently gives up its holes. */
START_TEST(total_cap_evicts_least_recent)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_ooo_bytes_total = 30;
    struct net n;
    net_init(&n, &lim, 40000, 443, 4);
    handshake(&n, 100, 0);  /* conn 1 */
    cdata(&n, 100, 10, 20); /* holds 20 */
    n.a.port = 40001;
    handshake(&n, 100, 0);  /* conn 2 */
    cdata(&n, 100, 10, 5);  /* holds 5 */
    cdata(&n, 100, 20, 10); /* would be 35: conn 1 gives up */
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_evicted, 1);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_live, 15);
    const struct rec_ev *g = rec_find(n.r, 'g', 0, 0);
    ck_assert_uint_eq(g->conn, 1);
    ck_assert_uint_eq(g->b, 10);
    ck_assert_uint_eq(n.r->len[1][TW_DIR_C2S], 30);
    ck_assert_uint_le(tw_flow_stats(n.t)->ooo_bytes_peak, 30);
    net_free(&n);
}
END_TEST

/* A consumer done with a direction: nothing more is held or delivered for it, but its bytes
 * are still counted and its FIN still reported. */
START_TEST(done_direction_stops_buffering)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    n.r->done_after[TW_DIR_C2S] = 10;
    handshake(&n, 100, 0);
    cdata(&n, 100, 0, 10);
    cdata(&n, 100, 30, 10); /* would be held */
    cdata(&n, 100, 10, 10);
    ck_assert_uint_eq(tw_flow_stats(n.t)->ooo_bytes_peak, 0);
    ck_assert_uint_eq(n.r->len[1][TW_DIR_C2S], 10);
    seg(&n, false, F_A | F_F, 141, 1, NULL, 0);
    seg(&n, true, F_A | F_F, 1, 142, NULL, 0);
    ck_assert_uint_eq(rec_count(n.r, 'd', 0), 1);
    ck_assert_uint_eq(rec_count(n.r, 'g', 0), 0);
    const struct rec_ev *fin = rec_find(n.r, 'e', TW_TCP_EV_FIN, 0);
    ck_assert_ptr_nonnull(fin);
    ck_assert_uint_eq(fin->a, 40);
    ck_assert_int_eq(n.r->closed[0].tcp.close_reason, TW_CLOSE_FIN);
    ck_assert_uint_eq(n.r->closed[0].tcp.bytes[TW_DIR_C2S], 40);
    net_free(&n);
}
END_TEST

/* ---- random segments: whatever arrives, the callbacks keep their contract ---- */

struct fuzz_conn {
    uint64_t seen[2]; /* bytes delivered or gapped so far */
    bool done[2];
};

struct fuzz {
    uint64_t opened, closed;
    uint64_t s; /* xorshift state */
};

static uint64_t fuzz_rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void f_open(void *ctx, struct tw_conn *c, const struct tw_pkt *p)
{
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(tw_conn_app(c));
    struct fuzz_conn *fc = calloc(1, sizeof *fc);
    ck_assert_ptr_nonnull(fc);
    tw_conn_set_app(c, fc);
    ((struct fuzz *)ctx)->opened++;
}

static int f_data(void *ctx, struct tw_conn *c, enum tw_dir d, const uint8_t *data, size_t len,
                  uint64_t frame, int64_t ts)
{
    struct fuzz_conn *fc = tw_conn_app(c);
    (void)frame, (void)ts;
    ck_assert_ptr_nonnull(fc);
    ck_assert(!fc->done[d]);
    ck_assert_uint_gt(len, 0);
    volatile uint8_t sink = data[0] ^ data[len - 1]; /* ASan: the whole view is readable */
    (void)sink;
    fc->seen[d] += len;
    if (fuzz_rnd(&((struct fuzz *)ctx)->s) % 50 == 0) {
        fc->done[d] = true;
        return TW_STREAM_DONE;
    }
    return TW_STREAM_MORE;
}

static void f_gap(void *ctx, struct tw_conn *c, enum tw_dir d, uint64_t off, uint64_t len,
                  uint64_t frame, int64_t ts)
{
    struct fuzz_conn *fc = tw_conn_app(c);
    (void)ctx, (void)frame, (void)ts;
    ck_assert_ptr_nonnull(fc);
    ck_assert(!fc->done[d]);
    ck_assert_uint_eq(off, fc->seen[d]);
    ck_assert_uint_gt(len, 0);
    fc->seen[d] += len;
}

static void f_event(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e)
{
    (void)ctx, (void)e;
    ck_assert_ptr_nonnull(tw_conn_app(c));
}

static void f_close(void *ctx, struct tw_conn *c)
{
    struct fuzz_conn *fc = tw_conn_app(c);
    ck_assert_ptr_nonnull(fc);
    for (int d = 0; d < 2; d++)
        if (!fc->done[d]) /* every byte counted was delivered or gapped */
            ck_assert_uint_eq(tw_conn_tcp(c)->bytes[d], fc->seen[d]);
    free(fc);
    tw_conn_set_app(c, NULL);
    ((struct fuzz *)ctx)->closed++;
}

/* 5000 random segments on 3 tuples (random flags, sequence numbers near a few bases, lengths,
 * window 0 now and then, snaplen cuts), tight caps and max_conns 2: callbacks keep their
 * contract (open first, gaps at the delivered offset, nothing after DONE, bytes accounted),
 * and after finish nothing is held: held bytes 0, memory back to the bare table. */
START_TEST(random_segments_keep_the_contract) /* _i = seed */
{
    static const struct tw_stream_ops ops = {f_open, f_data, f_gap, f_event, f_close};
    static const uint8_t FLAGS[] = {F_A,       F_A,       F_A, F_A | F_P, F_S,
                                    F_S | F_A, F_A | F_F, F_R, F_R | F_A};
    static uint8_t payload[3000];
    struct fuzz z = {.s = 0x1234567ULL + (uint64_t)_i * 7919};
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(fuzz_rnd(&z.s) % 4);
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_conns = 2;
    lim.max_ooo_bytes_per_dir = 4000;
    lim.max_ooo_bytes_total = 6000;
    struct tw_flow_table *t = tw_flow_new(&lim, &ops, &z);
    ck_assert_ptr_nonnull(t);
    uint64_t bare = tw_flow_stats(t)->mem_bytes;
    struct tw_frame f = {.ts_us = 1700000000LL * 1000000};
    uint32_t base[4] = {0, 0xfffff000u, 0xfffff800u, 4000}; /* near and across 2^32 */
    for (uint32_t k = 0; k < 5000; k++) {
        struct tw_pkt p = {.frame = &f, .ip_version = 4};
        f.no = k + 1;
        f.ts_us += (int64_t)(fuzz_rnd(&z.s) % 3000000); /* up to 3 s, and now and then */
        if (fuzz_rnd(&z.s) % 400 == 0)                  /* a silence: timeouts happen */
            f.ts_us += 200 * 1000000LL;
        bool rev = fuzz_rnd(&z.s) % 2;
        struct tw_endpoint a = {.ip = {.family = 4, .b = {10, 0, 0, 1}}, .port = 1000};
        struct tw_endpoint b = {.ip = {.family = 4, .b = {10, 0, 0, 2}}, .port = 443};
        a.port = (uint16_t)(1000 + fuzz_rnd(&z.s) % 3);
        p.src = rev ? b : a;
        p.dst = rev ? a : b;
        /* Mostly data; a SYN, FIN or RST one time in 25 lets connections live a while. */
        p.flags =
            fuzz_rnd(&z.s) % 25 ? FLAGS[fuzz_rnd(&z.s) % 4] : FLAGS[fuzz_rnd(&z.s) % sizeof FLAGS];
        p.seq = base[fuzz_rnd(&z.s) % 4] + (uint32_t)(fuzz_rnd(&z.s) % 6000);
        p.ack = base[fuzz_rnd(&z.s) % 4] + (uint32_t)(fuzz_rnd(&z.s) % 6000);
        p.window = (uint16_t)(fuzz_rnd(&z.s) % 8 == 0 ? 0 : 65535);
        uint32_t off = (uint32_t)(fuzz_rnd(&z.s) % sizeof payload);
        p.payload_len = (uint32_t)(fuzz_rnd(&z.s) % (sizeof payload - off));
        p.payload = p.payload_len ? payload + off : NULL;
        p.lost = fuzz_rnd(&z.s) % 10 == 0 ? (uint32_t)(fuzz_rnd(&z.s) % 2000) : 0;
        ck_assert_int_eq(tw_flow_packet(t, &p), TW_OK);
        const struct tw_flow_stats *st = tw_flow_stats(t);
        ck_assert_uint_le(st->conns_live, 2);
        ck_assert_uint_le(st->ooo_bytes_live, 6000);
    }
    tw_flow_finish(t);
    const struct tw_flow_stats *st = tw_flow_stats(t);
    ck_assert_uint_eq(z.opened, z.closed);
    ck_assert_uint_eq(st->conns_live, 0);
    ck_assert_uint_eq(st->ooo_bytes_live, 0);
    ck_assert_uint_eq(st->mem_bytes, bare);
    ck_assert_uint_le(st->ooo_bytes_peak, 6000);
    tw_flow_free(t);
}
END_TEST

Suite *tw_reasm_suite(void)
{
    Suite *s = suite_create("reasm");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, in_order_is_delivered_from_the_frame);
    tcase_add_test(tc, out_of_order_held_until_the_hole_fills);
    tcase_add_test(tc, retransmissions_and_overlaps_delivered_once);
    tcase_add_test(tc, conflicting_overlap_first_received_wins);
    tcase_add_test(tc, sequence_wraparound);
    tcase_add_test(tc, syn_and_fin_take_a_sequence_number);
    tcase_add_test(tc, keepalives_and_window_probes_ignored);
    tcase_add_test(tc, gap_given_up_when_the_receiver_acks_past_it);
    tcase_add_test(tc, gaps_at_close_and_snaplen);
    tcase_add_test(tc, per_direction_cap);
    tcase_add_test(tc, total_cap_evicts_least_recent);
    tcase_add_test(tc, done_direction_stops_buffering);
    tcase_add_loop_test(tc, random_segments_keep_the_contract, 0, 30);
    suite_add_tcase(s, tc);
    return s;
}
