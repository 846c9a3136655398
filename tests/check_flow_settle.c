/* check_flow_settle.c: the post-verdict form of a connection (tw_conn_settle, flow_after.c).
 * The same packets are fed to a consumer that settles at its first payload and to one that
 * does not: at the close, every fact the form keeps must be the same, the facts it drops must
 * read 0, and the settled connection must hold less memory while it is open. */
#include "check_flow_rec.h"

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

Suite *tw_flow_settle_suite(void)
{
    Suite *s = suite_create("flow_settle");
    TCase *tc = tcase_create("settle");
    tcase_add_test(tc, settled_keeps_post_verdict_facts);
    tcase_add_test(tc, settled_past_32_bit_times_falls_back);
    tcase_add_test(tc, settled_closed_by_timeout_and_end);
    suite_add_tcase(s, tc);
    return s;
}
