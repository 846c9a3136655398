/* check_flow.c: the connection table with hand-built segments: handshake and close, RST, port
 * reuse, SYN retransmissions, idle timeout, mid-stream orientation, eviction, finish order. */
#include <check.h>

#include "check_flow_rec.h"
#include "tlswhy/flow.h"

/* Handshake, one request and one answer, FIN each way: every callback in order, with frames. */
START_TEST(handshake_data_fin)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, _i == 0 ? 4 : 6);
    handshake(&n, 1000, 5000);                         /* frames 1-3 */
    seg(&n, false, F_A | F_P, 1001, 5001, "hello", 5); /* 4 */
    seg(&n, true, F_A | F_P, 5001, 1006, "world!", 6); /* 5 */
    seg(&n, false, F_A | F_F, 1006, 5007, NULL, 0);    /* 6: FIN at client byte 5 */
    seg(&n, true, F_A | F_F, 5007, 1007, NULL, 0);     /* 7: FIN at server byte 6 */
    seg(&n, false, F_A, 1007, 5008, NULL, 0);          /* 8: last ACK, absorbed */

    struct rec *r = n.r;
    static const char kinds[] = "oeeddeec";
    ck_assert_uint_eq(r->n, sizeof kinds - 1);
    for (size_t i = 0; i < r->n; i++)
        ck_assert_int_eq(r->ev[i].kind, kinds[i]);
    ck_assert_int_eq(r->ev[1].sub, TW_TCP_EV_SYN);
    ck_assert_uint_eq(r->ev[1].frame, 1);
    ck_assert_int_eq(r->ev[2].sub, TW_TCP_EV_SYNACK);
    ck_assert_int_eq(r->ev[2].dir, TW_DIR_S2C);
    ck_assert_int_eq(r->ev[5].sub, TW_TCP_EV_FIN);
    ck_assert_uint_eq(r->ev[5].a, 5);
    ck_assert_uint_eq(r->ev[6].a, 6);
    ck_assert_int_eq(r->ev[7].sub, TW_CLOSE_FIN);
    ck_assert_uint_eq(r->ev[7].frame, 7);
    ck_assert_mem_eq(r->stream[1][TW_DIR_C2S], "hello", 5);
    ck_assert_mem_eq(r->stream[1][TW_DIR_S2C], "world!", 6);

    ck_assert_uint_eq(r->nclosed, 1);
    const struct rec_close *c = &r->closed[0];
    ck_assert(tw_ip_equal(&c->cli.ip, &n.a.ip) && c->cli.port == 40000);
    ck_assert(tw_ip_equal(&c->srv.ip, &n.b.ip) && c->srv.port == 443);
    ck_assert_uint_eq(c->tcp.syn_frame, 1);
    ck_assert_uint_eq(c->tcp.synack_frame, 2);
    ck_assert_uint_eq(c->tcp.first_data_frame[TW_DIR_C2S], 4);
    ck_assert_uint_eq(c->tcp.first_data_frame[TW_DIR_S2C], 5);
    ck_assert_uint_eq(c->tcp.fin_frame[TW_DIR_C2S], 6);
    ck_assert_uint_eq(c->tcp.bytes[TW_DIR_S2C], 6);
    ck_assert(!c->tcp.mid_stream);
    ck_assert_uint_eq(c->tcp.first_frame, 1);
    ck_assert_uint_eq(c->tcp.last_frame, 7);
    ck_assert_uint_eq(tw_flow_stats(n.t)->conns_live, 0);
    ck_assert_uint_eq(tw_flow_stats(n.t)->conns_total, 1);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(r->nclosed, 1); /* the lingering record is not closed twice */
    net_free(&n);
}
END_TEST

/* The server resets right after the ClientHello: which side, after which byte. */
START_TEST(rst_after_client_bytes)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 1000, 5000);
    uint8_t ch[100];
    memset(ch, 0x16, sizeof ch);
    seg(&n, false, F_A | F_P, 1001, 5001, ch, sizeof ch); /* 4 */
    seg(&n, true, F_R | F_A, 5001, 1101, "diag", 4);      /* 5: RST with a diagnostic */
    seg(&n, false, F_A, 1101, 5001, NULL, 0);             /* absorbed */
    struct rec *r = n.r;
    const struct rec_ev *e = rec_find(r, 'e', TW_TCP_EV_RST, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->dir, TW_DIR_S2C);
    ck_assert_uint_eq(e->frame, 5);
    ck_assert_uint_eq(r->nclosed, 1);
    const struct tw_ev_tcp *t = &r->closed[0].tcp;
    ck_assert_int_eq(t->close_reason, TW_CLOSE_RST);
    ck_assert_uint_eq(t->rst_frame[TW_DIR_S2C], 5);
    ck_assert_uint_eq(t->rst_frame[TW_DIR_C2S], 0);
    ck_assert_uint_eq(t->rst_after[TW_DIR_S2C], 0);
    ck_assert_uint_eq(t->bytes[TW_DIR_C2S], 100);
    ck_assert_uint_eq(r->len[1][TW_DIR_S2C], 0); /* the RST's payload is not stream data */
    ck_assert_uint_eq(rec_count(r, 'o', 0), 1);
    net_free(&n);
}
END_TEST

/* The client resets after sending 100 bytes, 50 of which the capture missed: its sequence
 * number says where its stream stood. */
START_TEST(rst_position_counts_missed_bytes)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 1000, 5000);
    seg(&n, false, F_A, 1001, 5001, "0123456789012345678901234567890123456789012345678", 50);
    seg(&n, false, F_R, 1101, 0, NULL, 0);
    const struct tw_ev_tcp *t = &n.r->closed[0].tcp;
    ck_assert_uint_eq(t->rst_after[TW_DIR_C2S], 100);
    ck_assert_uint_eq(t->gaps[TW_DIR_C2S], 1);
    ck_assert_uint_eq(t->gap_bytes[TW_DIR_C2S], 50);
    const struct rec_ev *g = rec_find(n.r, 'g', 0, 0);
    ck_assert_uint_eq(g->a, 50);
    ck_assert_uint_eq(rec_find(n.r, 'e', TW_TCP_EV_RST, 0)->a, 100);
    net_free(&n);
}
END_TEST

/* A RST after the side's own FIN carries the FIN's sequence number + 1: not a missing byte.
 * The lingering record goes once the linger time (capture time) has passed. */
START_TEST(rst_after_fin_is_not_a_gap)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 1000, 5000);
    seg(&n, false, F_A, 1001, 5001, "abc", 3);
    seg(&n, true, F_A | F_F, 5001, 1004, "xyz", 3); /* server FIN at byte 3 */
    seg(&n, true, F_R, 5005, 0, NULL, 0);           /* then RST at FIN + 1 */
    const struct tw_ev_tcp *t = &n.r->closed[0].tcp;
    ck_assert_int_eq(t->close_reason, TW_CLOSE_RST);
    ck_assert_uint_eq(t->gaps[TW_DIR_S2C], 0);
    ck_assert_uint_eq(t->rst_after[TW_DIR_S2C], 3);
    /* FIN before RST, in that order. */
    const struct rec_ev *fin = rec_find(n.r, 'e', TW_TCP_EV_FIN, 0);
    const struct rec_ev *rst = rec_find(n.r, 'e', TW_TCP_EV_RST, 0);
    ck_assert_ptr_nonnull(fin);
    ck_assert_ptr_nonnull(rst);
    ck_assert(fin < rst);
    ck_assert_uint_eq(tw_flow_stats(n.t)->lingering, 1);
    tw_flow_expire(n.t, n.now_us + 61 * 1000000LL);
    ck_assert_uint_eq(tw_flow_stats(n.t)->lingering, 0);
    ck_assert_uint_eq(n.r->nclosed, 1);
    net_free(&n);
}
END_TEST

/* Mid-stream, the first thing to report is a gap (the capture missed the client's first
 * bytes, and the server's ACK says so): on_open still comes first. */
START_TEST(mid_stream_gap_opens_first)
{
    struct net n;
    net_init(&n, NULL, 50000, 443, 4);
    seg(&n, false, F_A, 7000, 9000, NULL, 0); /* client pure ACK: its stream is at 7000 */
    seg(&n, true, F_A, 9000, 7100, NULL, 0);  /* server acks 100 bytes never seen */
    ck_assert_uint_ge(n.r->n, 2);
    ck_assert_int_eq(n.r->ev[0].kind, 'o');
    ck_assert_int_eq(n.r->ev[1].kind, 'g');
    ck_assert_uint_eq(n.r->ev[1].b, 100);
    ck_assert_uint_eq(n.r->ev[0].frame, 2); /* the packet that needed it */
    net_free(&n);
}
END_TEST

/* After a close, a new SYN on the same tuple is a new connection; late packets are not. A SYN
 * with a new ISN on a connection that never closed ends it as "reused". */
START_TEST(port_reuse)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 1000, 5000);
    seg(&n, false, F_A | F_F, 1001, 5001, NULL, 0);
    seg(&n, true, F_A | F_F, 5001, 1002, NULL, 0);
    seg(&n, false, F_A, 1002, 5002, NULL, 0);
    seg(&n, true, F_A | F_F, 5001, 1002, NULL, 0); /* retransmitted FIN: absorbed */
    ck_assert_uint_eq(n.r->opened, 1);
    ck_assert_uint_eq(tw_flow_stats(n.t)->lingering, 1);

    handshake(&n, 777777, 888888); /* same tuple, new ISN: connection 2 */
    ck_assert_uint_eq(n.r->opened, 2);
    seg(&n, false, F_A, 777778, 888889, "x", 1);
    seg(&n, false, F_S, 123, 0, NULL, 0); /* and again, without any close: 3 */
    ck_assert_uint_eq(n.r->nclosed, 2);
    ck_assert_uint_eq(n.r->closed[1].id, 2);
    ck_assert_int_eq(n.r->closed[1].tcp.close_reason, TW_CLOSE_REUSED);
    ck_assert_uint_eq(n.r->closed[1].tcp.close_frame, n.no);
    ck_assert_uint_eq(n.r->len[2][TW_DIR_C2S], 1);
    ck_assert_uint_eq(tw_flow_stats(n.t)->conns_total, 3);
    tw_flow_finish(n.t); /* connection 3 saw only its SYN: reported at its close */
    ck_assert_uint_eq(n.r->opened, 3);
    ck_assert_uint_eq(n.r->closed[2].id, 3);
    ck_assert_uint_eq(n.r->closed[2].tcp.syn_frame, n.no);
    ck_assert_int_eq(n.r->closed[2].tcp.close_reason, TW_CLOSE_END);
    net_free(&n);
}
END_TEST

/* A SYN retransmitted twice with no answer, then silence: the SYN list's timeout ends it. Such
 * an entry stays compact and is reported at its close: on_open (with its SYN), the SYN event,
 * one SYN_RETX with the last SYN's frame, on_close. */
START_TEST(syn_retransmissions_then_timeout)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.syn_timeout_us = 30 * 1000000LL;
    struct net n;
    net_init(&n, &lim, 40000, 443, 4);
    seg(&n, false, F_S, 42, 0, NULL, 0);
    n.now_us += 1000000;
    seg(&n, false, F_S, 42, 0, NULL, 0);
    n.now_us += 2000000;
    seg(&n, false, F_S, 42, 0, NULL, 0);
    ck_assert_uint_eq(n.r->n, 0);
    tw_flow_expire(n.t, n.now_us + 29 * 1000000LL);
    ck_assert_uint_eq(n.r->nclosed, 0);
    tw_flow_expire(n.t, n.now_us + 31 * 1000000LL);
    ck_assert_uint_eq(n.r->nclosed, 1);
    static const char kinds[] = "oeec";
    ck_assert_uint_eq(n.r->n, 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(n.r->ev[i].kind, kinds[i]);
    ck_assert_uint_eq(n.r->ev[0].frame, 1);
    ck_assert_int_eq(n.r->ev[1].sub, TW_TCP_EV_SYN);
    ck_assert_uint_eq(n.r->ev[1].frame, 1);
    ck_assert_int_eq(n.r->ev[2].sub, TW_TCP_EV_SYN_RETX);
    ck_assert_uint_eq(n.r->ev[2].frame, 3);
    ck_assert_uint_eq(n.r->closed[0].tcp.first_frame, 1);
    ck_assert_uint_eq(n.r->closed[0].tcp.last_frame, 3);
    const struct tw_ev_tcp *t = &n.r->closed[0].tcp;
    ck_assert_int_eq(t->close_reason, TW_CLOSE_TIMEOUT);
    ck_assert_uint_eq(t->syn_count, 3);
    ck_assert_uint_eq(t->synack_frame, 0);
    ck_assert_uint_eq(t->close_frame, 0);
    ck_assert_uint_eq(tw_flow_stats(n.t)->timeouts, 1);
    net_free(&n);
}
END_TEST

/* Idle timeout in capture time, from the limits: a packet of another connection 11 s later
 * ends a connection silent for 10 s; one at 9 s does not. */
START_TEST(idle_timeout_from_capture_time)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.idle_timeout_us = 10 * 1000000LL;
    struct net n;
    net_init(&n, &lim, 40000, 443, 4);
    handshake(&n, 1, 2);
    seg(&n, false, F_A, 2, 3, "abc", 3);
    n.now_us += 9 * 1000000LL;
    n.a.port = 40001;
    handshake(&n, 100, 200);
    ck_assert_uint_eq(n.r->nclosed, 0);
    n.now_us += 2 * 1000000LL;
    n.a.port = 40002;
    seg(&n, false, F_S, 300, 0, NULL, 0);
    ck_assert_uint_eq(n.r->nclosed, 1);
    ck_assert_uint_eq(n.r->closed[0].id, 1);
    ck_assert_int_eq(n.r->closed[0].tcp.close_reason, TW_CLOSE_TIMEOUT);
    ck_assert_int_eq(n.r->closed[0].tcp.close_ts, n.now_us);
    net_free(&n);
}
END_TEST

/* TLS record header + handshake header of a ClientHello: type 22, version 3.1, length 512,
 * msg_type 1, uint24 length 508. */
static const uint8_t CH_HDR[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc};
/* ServerHello: type 22, version 3.3, length 90, msg_type 2, length 86. */
static const uint8_t SH_HDR[] = {0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56};
/* SSLv2 CLIENT-HELLO: msg_length 0x802e (2-byte header), msg_type 1, version 3.1. */
static const uint8_t V2_HDR[] = {0x80, 0x2e, 0x01, 0x03, 0x01};

/* Mid-stream: the ClientHello's sender is the client even from the lower port; a ServerHello's
 * receiver is; without either, the higher port. */
START_TEST(mid_stream_orientation)
{
    struct net n;
    net_init(&n, NULL, 443, 50000, 4);       /* A has the lower port */
    seg(&n, true, F_A, 9000, 7000, NULL, 0); /* B: pure ACK, opens nothing yet */
    ck_assert_uint_eq(n.r->opened, 0);
    seg(&n, false, F_A | F_P, 7000, 9000, CH_HDR, sizeof CH_HDR);
    seg(&n, true, F_A, 9000, 7000 + sizeof CH_HDR, NULL, 0);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->nclosed, 1);
    const struct rec_close *c = &n.r->closed[0];
    ck_assert_uint_eq(c->cli.port, 443);
    ck_assert(c->tcp.mid_stream);
    ck_assert_int_eq(c->tcp.close_reason, TW_CLOSE_END);
    ck_assert_uint_eq(n.r->len[1][TW_DIR_C2S], sizeof CH_HDR);
    ck_assert_uint_eq(c->tcp.gaps[TW_DIR_C2S], 0);
    net_free(&n);

    net_init(&n, NULL, 443, 50000, 4); /* a ServerHello from the higher port */
    seg(&n, true, F_A | F_P, 9000, 7000, SH_HDR, sizeof SH_HDR);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->closed[0].cli.port, 443);
    net_free(&n);

    net_init(&n, NULL, 443, 50000, 4); /* plain bytes: the higher port */
    seg(&n, false, F_A | F_P, 7000, 9000, "GET /", 5);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->closed[0].cli.port, 50000);
    ck_assert_uint_eq(n.r->len[1][TW_DIR_S2C], 5);
    net_free(&n);

    net_init(&n, NULL, 443, 50000, 4); /* SSLv2-format hello */
    seg(&n, false, F_A | F_P, 7000, 9000, V2_HDR, sizeof V2_HDR);
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->closed[0].cli.port, 443);
    net_free(&n);
}
END_TEST

START_TEST(hello_side_every_prefix_is_safe) /* _i = prefix length */
{
    size_t k = (size_t)_i;
    ck_assert_int_eq(tw_flow_hello_side(CH_HDR, k), k >= 6 ? 1 : 0);
    ck_assert_int_eq(tw_flow_hello_side(SH_HDR, k), k >= 6 ? -1 : 0);
    if (k <= sizeof V2_HDR)
        ck_assert_int_eq(tw_flow_hello_side(V2_HDR, k), k >= 5 ? 1 : 0);
    ck_assert_int_eq(tw_flow_hello_side(NULL, 0), 0);
}
END_TEST

/* max_conns = 2: a third connection evicts the least recently active one. */
START_TEST(eviction_least_recently_active)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_conns = 2;
    struct net n;
    net_init(&n, &lim, 40000, 443, 4);
    handshake(&n, 1, 2); /* conn 1 */
    n.a.port = 40001;
    handshake(&n, 10, 20); /* conn 2 */
    n.a.port = 40000;
    seg(&n, false, F_A, 2, 3, "a", 1); /* conn 1 active again */
    n.a.port = 40002;
    seg(&n, false, F_S, 30, 0, NULL, 0); /* conn 3: evicts conn 2 */
    ck_assert_uint_eq(n.r->nclosed, 1);
    ck_assert_uint_eq(n.r->closed[0].id, 2);
    ck_assert_int_eq(n.r->closed[0].tcp.close_reason, TW_CLOSE_EVICTED);
    ck_assert_uint_eq(tw_flow_stats(n.t)->evicted, 1);
    ck_assert_uint_eq(tw_flow_stats(n.t)->conns_live, 2);
    ck_assert_uint_eq(tw_flow_stats(n.t)->conns_peak, 2);
    net_free(&n);
}
END_TEST

/* tw_flow_finish closes in order of first frame, whatever the activity order. */
START_TEST(finish_in_first_frame_order)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    for (uint16_t i = 0; i < 4; i++) {
        n.a.port = (uint16_t)(40000 + i);
        handshake(&n, i * 100u, i * 1000u);
    }
    for (int i = 3; i >= 0; i--) {
        n.a.port = (uint16_t)(40000 + i);
        seg(&n, false, F_A, (uint32_t)i * 100u + 1, (uint32_t)i * 1000u + 1, "z", 1);
    }
    tw_flow_finish(n.t);
    ck_assert_uint_eq(n.r->nclosed, 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(n.r->closed[i].id, i + 1);
        ck_assert_int_eq(n.r->closed[i].tcp.close_reason, TW_CLOSE_END);
    }
    ck_assert_uint_eq(tw_flow_stats(n.t)->conns_live, 0);
    net_free(&n);
}
END_TEST

/* A SYN-ACK without the SYN (the capture began one packet late) still orients the connection. */
START_TEST(synack_first)
{
    struct net n;
    net_init(&n, NULL, 443, 50000, 4);
    seg(&n, false, F_S | F_A, 5000, 1001, NULL, 0); /* A (port 443) answers */
    seg(&n, true, F_A, 1001, 5001, "hi", 2);
    tw_flow_finish(n.t);
    const struct rec_close *c = &n.r->closed[0];
    ck_assert_uint_eq(c->cli.port, 50000);
    ck_assert(!c->tcp.mid_stream);
    ck_assert_uint_eq(c->tcp.syn_frame, 0);
    ck_assert_uint_eq(c->tcp.synack_frame, 1);
    ck_assert_mem_eq(n.r->stream[1][TW_DIR_C2S], "hi", 2);
    net_free(&n);
}
END_TEST

Suite *tw_flow_suite(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("table");
    tcase_add_loop_test(tc, handshake_data_fin, 0, 2); /* IPv4, IPv6 */
    tcase_add_test(tc, rst_after_client_bytes);
    tcase_add_test(tc, rst_position_counts_missed_bytes);
    tcase_add_test(tc, rst_after_fin_is_not_a_gap);
    tcase_add_test(tc, mid_stream_gap_opens_first);
    tcase_add_test(tc, port_reuse);
    tcase_add_test(tc, syn_retransmissions_then_timeout);
    tcase_add_test(tc, idle_timeout_from_capture_time);
    tcase_add_test(tc, mid_stream_orientation);
    tcase_add_loop_test(tc, hello_side_every_prefix_is_safe, 0, (int)sizeof CH_HDR + 1);
    tcase_add_test(tc, eviction_least_recently_active);
    tcase_add_test(tc, finish_in_first_frame_order);
    tcase_add_test(tc, synack_first);
    suite_add_tcase(s, tc);
    return s;
}
