/* check_flow_settle.c: the post-verdict form of a connection (tw_conn_settle, flow_after.c).
 * The same packets are fed to a consumer that settles at its first payload and to one that
 * does not: at the close, every fact the form keeps must be the same, the facts it drops must
 * read 0, and the settled connection must hold less memory while it is open. A settled
 * connection's plain segments are applied to the form in place (tw_flow_after_segment): random
 * segment sequences and the sample captures must give the same callbacks, facts and memory
 * with that in-place path as with every packet unpacked and packed again. */
#include "check_flow_rec.h"

#include <dirent.h>
#include <stdio.h>

#include "../src/reasm.h"
#include "test_util.h"
#include "tlswhy/capture.h"

/* The keep-alive race of check_flow_after.c, with a long idle time before the origin's FIN
 * when idle_us is large (past what 32 bits of microseconds hold). */
static void race(struct net *n, bool settle, int64_t idle_us, uint64_t *mem_open)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.idle_timeout_us = 24LL * 3600 * 1000000; /* the idle time is not a timeout here */
    net_init(n, &lim, 40000, 443, 4);
    n->r->done_after[TW_DIR_C2S] = n->r->done_after[TW_DIR_S2C] = settle ? 1 : 0;
    n->r->settle = settle;
    handshake(n, 1000, 5000);                          /* frames 1-3 */
    seg(n, false, F_A | F_P, 1001, 5001, "hello", 5);  /* 4 */
    seg(n, true, F_A | F_P, 5001, 1006, "world!", 6);  /* 5 */
    seg(n, false, F_A, 1006, 5007, NULL, 0);           /* 6: ACK */
    seg(n, true, F_A | F_P, 5007, 1006, "again", 5);   /* 7 */
    seg(n, true, F_A | F_P, 5007, 1006, "again", 5);   /* 8: a retransmission */
    *mem_open = tw_flow_stats(n->t)->mem_bytes;
    n->now_us += idle_us;
    seg(n, true, F_A | F_F, 5012, 1006, NULL, 0);      /* 9: the origin's FIN */
    seg(n, false, F_A | F_P, 1006, 5013, "next", 4);   /* 10: the edge's next request */
    seg(n, true, F_R, 5013, 0, NULL, 0);               /* 11: RST */
    ck_assert_uint_eq(n->r->nclosed, 1);
}

static void same_kept_facts(int64_t idle_us)
{
    struct net full, set;
    uint64_t mem_full, mem_set;
    race(&full, false, idle_us, &mem_full);
    race(&set, true, idle_us, &mem_set);
    const struct tw_ev_tcp *a = &full.r->closed[0].tcp, *b = &set.r->closed[0].tcp;
    ck_assert_uint_eq(a->first_frame, b->first_frame);
    ck_assert_int_eq(a->first_ts, b->first_ts);
    ck_assert_uint_eq(a->last_frame, b->last_frame);
    ck_assert_int_eq(a->last_ts, b->last_ts);
    ck_assert_uint_eq(a->syn_count, b->syn_count);
    ck_assert_uint_eq(a->syn_frame, b->syn_frame);
    ck_assert_int_eq(a->syn_ts, b->syn_ts);
    ck_assert_uint_eq(a->synack_frame, b->synack_frame);
    ck_assert_int_eq(a->synack_ts, b->synack_ts);
    ck_assert(a->mid_stream == b->mid_stream);
    for (int d = 0; d < 2; d++) {
        ck_assert_uint_eq(a->fin_frame[d], b->fin_frame[d]);
        ck_assert_int_eq(a->fin_ts[d], b->fin_ts[d]);
        ck_assert_uint_eq(a->rst_frame[d], b->rst_frame[d]);
        ck_assert_int_eq(a->rst_ts[d], b->rst_ts[d]);
        ck_assert_uint_eq(a->bytes[d], b->bytes[d]);
        ck_assert_uint_eq(a->last_data_frame[d], b->last_data_frame[d]);
        ck_assert_int_eq(a->last_data_ts[d], b->last_data_ts[d]);
        ck_assert_uint_eq(a->prev_data_frame[d], b->prev_data_frame[d]);
        ck_assert_int_eq(a->prev_data_ts[d], b->prev_data_ts[d]);
        ck_assert_uint_eq(a->late_data_frame[d], b->late_data_frame[d]);
        ck_assert_int_eq(a->late_data_ts[d], b->late_data_ts[d]);
        ck_assert_uint_eq(a->data_after_fin[d], b->data_after_fin[d]);
    }
    ck_assert_int_eq(a->close_reason, b->close_reason);
    ck_assert_uint_eq(a->close_frame, b->close_frame);
    ck_assert_int_eq(a->close_ts, b->close_ts);
    /* what the race check reads, as check_flow_after.c has it */
    ck_assert_uint_eq(b->late_data_frame[TW_DIR_C2S], 10);
    ck_assert_uint_eq(b->fin_frame[TW_DIR_S2C], 9);
    ck_assert_uint_eq(b->rst_frame[TW_DIR_S2C], 11);
    ck_assert_uint_eq(b->last_data_frame[TW_DIR_S2C], 8); /* the retransmission */
    ck_assert_uint_eq(b->prev_data_frame[TW_DIR_S2C], 7);
    ck_assert_uint_eq(a->retransmits[TW_DIR_S2C], 1);
    if (idle_us < 1000000000LL) {
        /* settled for the whole idle time: the form, which drops the retransmission count */
        ck_assert_uint_eq(b->retransmits[TW_DIR_S2C], 0);
        ck_assert_uint_lt(mem_set + 300, mem_full);
    } else {
        /* the FIN came too long after the first frame for the form: the full record again */
        ck_assert_uint_eq(b->retransmits[TW_DIR_S2C], 0); /* dropped while it was packed */
        ck_assert_uint_eq(b->first_data_frame[TW_DIR_C2S], 10);
    }
    net_free(&full);
    net_free(&set);
}

START_TEST(settled_keeps_post_verdict_facts)
{
    same_kept_facts(2000000); /* 2 s idle */
}
END_TEST

START_TEST(settled_past_32_bit_times_falls_back)
{
    same_kept_facts(3LL * 3600 * 1000000); /* 3 hours idle: past 2^31 microseconds */
}
END_TEST

/* A connection settled and then closed by the idle timeout, the end of the capture or the
 * table being full still reports its facts at on_close. */
START_TEST(settled_closed_by_timeout_and_end)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_conns = 1;
    struct net n;
    net_init(&n, &lim, 40000, 443, 4);
    n.r->done_after[TW_DIR_C2S] = n.r->done_after[TW_DIR_S2C] = 1;
    n.r->settle = true;
    handshake(&n, 1000, 5000);
    seg(&n, false, F_A | F_P, 1001, 5001, "hello", 5);
    seg(&n, true, F_A | F_P, 5001, 1006, "world!", 6);
    seg(&n, false, F_A, 1006, 5007, NULL, 0);
    /* another connection evicts it (max_conns 1) */
    n.a.port = 40001;
    handshake(&n, 7000, 9000);
    ck_assert_uint_eq(n.r->nclosed, 1);
    const struct tw_ev_tcp *t = &n.r->closed[0].tcp;
    ck_assert_int_eq(t->close_reason, TW_CLOSE_EVICTED);
    ck_assert_uint_eq(t->bytes[TW_DIR_C2S], 5);
    ck_assert_uint_eq(t->bytes[TW_DIR_S2C], 6);
    ck_assert_uint_eq(t->syn_frame, 1);
    ck_assert_uint_eq(t->last_data_frame[TW_DIR_S2C], 5);
    ck_assert_uint_eq(t->last_frame, 6);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->nclosed, 2);
    net_free(&n);
}
END_TEST

/* ---- the in-place path against unpack + general path + pack ---------------------------- */

static void same_tcp(const struct tw_ev_tcp *a, const struct tw_ev_tcp *b, const char *what)
{
#define SAME(f) ck_assert_msg(a->f == b->f, "%s: " #f " %lld vs %lld", what, (long long)a->f, \
                              (long long)b->f)
    SAME(first_frame); SAME(last_frame); SAME(first_ts); SAME(last_ts);
    SAME(syn_frame); SAME(syn_ts); SAME(syn_count); SAME(synack_frame); SAME(synack_ts);
    SAME(synack_count); SAME(mid_stream);
    SAME(close_reason); SAME(close_frame); SAME(close_ts);
    for (int d = 0; d < 2; d++) {
        SAME(fin_frame[d]); SAME(fin_ts[d]); SAME(rst_frame[d]); SAME(rst_ts[d]);
        SAME(rst_after[d]); SAME(bytes[d]); SAME(first_data_frame[d]); SAME(first_data_ts[d]);
        SAME(gaps[d]); SAME(gap_bytes[d]); SAME(first_gap_frame[d]); SAME(retransmits[d]);
        SAME(overlap_conflicts[d]); SAME(partial_overlaps[d]); SAME(ooo_dropped[d]);
        SAME(snap_lost[d]); SAME(last_data_frame[d]); SAME(last_data_ts[d]);
        SAME(prev_data_frame[d]); SAME(prev_data_ts[d]); SAME(late_data_frame[d]);
        SAME(late_data_ts[d]); SAME(data_after_fin[d]);
    }
#undef SAME
}

/* Both recorders heard the same callbacks in the same order, and closed the same facts. */
static void same_rec(const struct rec *x, const struct rec *y, const char *what)
{
    ck_assert_msg(x->n == y->n, "%s: %zu vs %zu callbacks", what, x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        const struct rec_ev *a = &x->ev[i], *b = &y->ev[i];
        ck_assert_msg(a->kind == b->kind && a->dir == b->dir && a->sub == b->sub &&
                          a->conn == b->conn && a->a == b->a && a->b == b->b &&
                          a->frame == b->frame,
                      "%s: callback %zu differs ('%c' frame %llu vs '%c' frame %llu)", what, i,
                      a->kind, (unsigned long long)a->frame, b->kind,
                      (unsigned long long)b->frame);
    }
    ck_assert_uint_eq(x->nclosed, y->nclosed);
    for (size_t i = 0; i < x->nclosed; i++)
        same_tcp(&x->closed[i].tcp, &y->closed[i].tcp, what);
}

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* One connection settled at its first byte (each way, or one way only), then random segments: mostly in-order
 * data and ACKs, sometimes retransmissions, holes, ACKs past what was seen, lost bytes, a
 * keep-alive, a frame number or time jump past the form's 32 bits, a FIN, a RST, a SYN. */
static uint64_t random_run(struct net *n, uint32_t seed, bool in_place, uint64_t *mem)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.idle_timeout_us = 24LL * 3600 * 1000000;
    net_init(n, &lim, 40000, 443, seed % 3 ? 4 : 6);
    n->t->no_after_segment = !in_place;
    /* one run in four has a direction that never stops delivering (settled by the other) */
    n->r->done_after[TW_DIR_C2S] = seed % 4 == 1 ? 0 : 1;
    n->r->done_after[TW_DIR_S2C] = seed % 4 == 2 ? 0 : 1;
    n->r->settle = true;
    static const uint8_t bytes[1500];
    uint32_t isn[2] = {1000 + seed, 5000 + seed * 7}, next[2];
    handshake(n, isn[0], isn[1]);
    next[0] = isn[0] + 1;
    next[1] = isn[1] + 1;
    seg(n, false, F_A | F_P, next[0], next[1], "hello", 5);
    next[0] += 5;
    seg(n, true, F_A | F_P, next[1], next[0], "world!", 6);
    next[1] += 6;
    uint32_t s = seed;
    int steps = 20 + (int)(rnd(&s) % 60);
    for (int i = 0; i < steps; i++) {
        bool b = rnd(&s) % 2;
        int me = b ? 1 : 0, peer = 1 - me;
        uint32_t k = rnd(&s) % 100, len = rnd(&s) % 3 ? rnd(&s) % 1400 + 1 : 0;
        uint32_t seq = next[me], ack = next[peer], lost = 0;
        uint8_t flags = F_A | (len ? F_P : 0);
        if (k < 6)
            seq -= rnd(&s) % 3000; /* a retransmission, or partly one */
        else if (k < 10)
            seq += rnd(&s) % 3000; /* ahead: a hole */
        else if (k < 13)
            ack += rnd(&s) % 5000; /* acknowledges what was never seen */
        else if (k < 15)
            lost = rnd(&s) % 200 + 1;
        else if (k < 17)
            flags = F_A, seq -= 1, len = rnd(&s) % 2; /* a keep-alive */
        else if (k < 19)
            n->now_us += 3LL * 3600 * 1000000; /* past 2^31 us after the first frame */
        else if (k < 20)
            n->no += 0x100000000ULL; /* past 2^32 frames */
        else if (k < 23)
            flags |= F_F;
        else if (k == 23)
            flags = F_R;
        else if (k == 24)
            flags = F_S, seq = isn[0], b = false, len = 0;
        else if (k == 25)
            flags = 0; /* no ACK bit */
        seg_lost(n, b, flags, seq, ack, bytes, len, lost, 65535);
        if (!(flags & F_R) && (int32_t)(seq + len + lost - next[me]) > 0)
            next[me] = seq + len + lost;
        if (flags & F_F)
            next[me]++;
        if (n->r->nclosed) /* closed: a new connection may follow on the tuple; stop here */
            break;
    }
    *mem = tw_flow_stats(n->t)->mem_bytes;
    tw_flow_finish(n->t);
    return n->t->after_segments;
}

START_TEST(in_place_equals_unpacked_random)
{
    uint64_t in_place = 0;
    for (uint32_t seed = 1; seed <= 3000; seed++) {
        struct net x, y;
        uint64_t mx, my;
        char what[64];
        snprintf(what, sizeof what, "seed %u", seed);
        ck_assert_uint_eq(random_run(&x, seed, false, &mx), 0);
        in_place += random_run(&y, seed, true, &my);
        same_rec(x.r, y.r, what);
        ck_assert_msg(mx == my, "%s: memory %llu vs %llu", what, (unsigned long long)mx,
                      (unsigned long long)my);
        net_free(&x);
        net_free(&y);
    }
    ck_assert_uint_gt(in_place, 3000 * 5); /* most segments of most runs */
}
END_TEST

/* The in-place path is taken at all: a settled bulk transfer's segments leave the form packed
 * (no record allocated between packets) and only advance its bytes and last frames. */
START_TEST(in_place_taken_for_bulk)
{
    struct net n;
    struct tw_limits lim;
    tw_limits_default(&lim);
    net_init(&n, &lim, 40000, 443, 4);
    n.r->done_after[TW_DIR_C2S] = n.r->done_after[TW_DIR_S2C] = 1;
    n.r->settle = true;
    static const uint8_t bytes[1000];
    handshake(&n, 1000, 5000);
    seg(&n, false, F_A | F_P, 1001, 5001, "hello", 5);
    seg(&n, true, F_A | F_P, 5001, 1006, "world!", 6);
    seg(&n, false, F_A, 1006, 5007, NULL, 0);
    uint64_t mem = tw_flow_stats(n.t)->mem_bytes;
    for (uint32_t i = 0; i < 50; i++) {
        seg(&n, true, F_A, 5007 + i * 1000, 1006, bytes, 1000);
        seg(&n, false, F_A, 1006, 5007 + (i + 1) * 1000, NULL, 0);
    }
    ck_assert_uint_eq(tw_flow_stats(n.t)->mem_bytes, mem);
    ck_assert_uint_eq(n.t->after_segments, 1 + 100); /* the ACK above and the loop */
    seg(&n, true, F_A | F_F, 55007, 1006, NULL, 0);
    seg(&n, false, F_A | F_F, 1006, 55008, NULL, 0);
    ck_assert_uint_eq(n.r->nclosed, 1);
    const struct tw_ev_tcp *t = &n.r->closed[0].tcp;
    ck_assert_uint_eq(t->bytes[TW_DIR_S2C], 6 + 50 * 1000);
    ck_assert_uint_eq(t->last_data_frame[TW_DIR_S2C], 6 + 2 * 49 + 1);
    ck_assert_uint_eq(t->prev_data_frame[TW_DIR_S2C], 6 + 2 * 48 + 1);
    net_free(&n);
}
END_TEST

/* Every sample capture, decoded and fed to two tables whose consumer settles every connection
 * at its first byte each way: one applies plain segments in place, one unpacks every packet. */
START_TEST(in_place_equals_unpacked_samples)
{
    DIR *dir = opendir(tw_test_src("samples"));
    ck_assert_ptr_nonnull(dir);
    size_t files = 0;
    uint64_t in_place = 0;
    const char *path;
    while ((path = tw_test_next_pcap(dir)) != NULL) {
        char err[256];
        struct tw_cap *c = NULL;
        ck_assert_int_eq(tw_cap_open_file(path, NULL, &c, err, sizeof err), TW_OK);
        struct net x, y;
        net_init(&x, NULL, 1, 2, 4);
        net_init(&y, NULL, 1, 2, 4);
        x.t->no_after_segment = true;
        struct net *both[2] = {&x, &y};
        for (int i = 0; i < 2; i++) {
            both[i]->r->done_after[TW_DIR_C2S] = both[i]->r->done_after[TW_DIR_S2C] = 1;
            both[i]->r->settle = true;
        }
        struct tw_frame f;
        struct tw_dec_stats st = {0};
        while (tw_cap_next(c, &f) == 1) {
            struct tw_pkt p;
            struct tw_rd_err why;
            if (tw_dec_frame(&f, &p, &st, &why) != TW_OK)
                continue;
            ck_assert_int_eq(tw_flow_packet(x.t, &p), tw_flow_packet(y.t, &p));
        }
        ck_assert_uint_eq(tw_flow_stats(x.t)->mem_bytes, tw_flow_stats(y.t)->mem_bytes);
        ck_assert_uint_eq(x.t->after_segments, 0);
        in_place += y.t->after_segments;
        tw_flow_finish(x.t);
        tw_flow_finish(y.t);
        same_rec(x.r, y.r, path);
        net_free(&x);
        net_free(&y);
        tw_cap_close(c);
        files++;
    }
    closedir(dir);
    ck_assert_uint_gt(files, 50);
    ck_assert_uint_gt(in_place, 100);
}
END_TEST

Suite *tw_flow_settle_suite(void)
{
    Suite *s = suite_create("flow_settle");
    TCase *tc = tcase_create("settle");
    tcase_add_test(tc, settled_keeps_post_verdict_facts);
    tcase_add_test(tc, settled_past_32_bit_times_falls_back);
    tcase_add_test(tc, settled_closed_by_timeout_and_end);
    tcase_add_test(tc, in_place_taken_for_bulk);
    tcase_add_test(tc, in_place_equals_unpacked_random);
    tcase_add_test(tc, in_place_equals_unpacked_samples);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
