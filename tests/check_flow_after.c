/* check_flow_after.c: the TCP facts kept for the checks made after an early verdict: last
 * payload per direction and payload sent after the peer's FIN (a keep-alive race). */
#include "check_flow_rec.h"

/* The origin closes an idle keep-alive connection; the edge's next request crosses its FIN;
 * the origin answers the request with a RST. */
START_TEST(request_after_server_fin)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 1000, 5000);                          /* frames 1-3 */
    seg(&n, false, F_A | F_P, 1001, 5001, "hello", 5);  /* 4 */
    seg(&n, true, F_A | F_P, 5001, 1006, "world!", 6);  /* 5 */
    seg(&n, true, F_A | F_F, 5007, 1006, NULL, 0);      /* 6: the origin's FIN */
    seg(&n, false, F_A | F_P, 1006, 5008, "next", 4);   /* 7: the edge's next request */
    seg(&n, true, F_R, 5008, 0, NULL, 0);               /* 8: RST */

    struct rec *r = n.r;
    ck_assert_uint_eq(r->nclosed, 1);
    const struct tw_ev_tcp *t = &r->closed[0].tcp;
    ck_assert_uint_eq(t->last_data_frame[TW_DIR_C2S], 4); /* before the origin's FIN */
    ck_assert_uint_eq(t->last_data_frame[TW_DIR_S2C], 5);
    ck_assert_uint_eq(t->late_data_frame[TW_DIR_C2S], 7); /* after it */
    ck_assert_int_eq(t->late_data_ts[TW_DIR_C2S], n.now_us - 1000);
    ck_assert_uint_eq(t->data_after_fin[TW_DIR_C2S], 4);
    ck_assert_uint_eq(t->data_after_fin[TW_DIR_S2C], 0);
    ck_assert_uint_eq(t->fin_frame[TW_DIR_S2C], 6);
    ck_assert_uint_eq(t->rst_frame[TW_DIR_S2C], 8);
    net_free(&n);
}
END_TEST

/* A normal close: nothing after either FIN, and the last payload frames. */
START_TEST(normal_close_has_nothing_after_fin)
{
    struct net n;
    net_init(&n, NULL, 40000, 443, 4);
    handshake(&n, 1000, 5000);
    seg(&n, false, F_A | F_P, 1001, 5001, "hello", 5); /* 4 */
    seg(&n, true, F_A | F_P, 5001, 1006, "world!", 6); /* 5 */
    seg(&n, false, F_A | F_F, 1006, 5007, NULL, 0);    /* 6 */
    seg(&n, true, F_A | F_F, 5007, 1007, NULL, 0);     /* 7 */
    const struct tw_ev_tcp *t = &n.r->closed[0].tcp;
    ck_assert_uint_eq(t->last_data_frame[TW_DIR_C2S], 4);
    ck_assert_uint_eq(t->last_data_frame[TW_DIR_S2C], 5);
    ck_assert_uint_eq(t->data_after_fin[TW_DIR_C2S] + t->data_after_fin[TW_DIR_S2C], 0);
    net_free(&n);
}
END_TEST

Suite *tw_flow_after_suite(void)
{
    Suite *s = suite_create("flow_after");
    TCase *tc = tcase_create("facts");
    tcase_add_test(tc, request_after_server_fin);
    tcase_add_test(tc, normal_close_has_nothing_after_fin);
    suite_add_tcase(s, tc);
    return s;
}
