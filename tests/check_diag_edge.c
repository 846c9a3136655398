/* check_diag_edge.c: the edge judgements on synthetic connections (corr_fixture.h): the
 * keep-alive race (and the nginx idle drop that is not one), what each profile tolerates in a
 * chain, the uncertain negotiation rules and the timeouts. Frame N is captured at N ms. */
#include <check.h>
#include <string.h>

#include "corr_fixture.h"
#include "tlswhy/edge.h"

static struct tw_profile prof(const char *name)
{
    struct tw_profile p;
    struct tw_profile_err e;
    ck_assert_msg(tw_profile_load(name, &p, &e) == TW_OK, "%s: %s", name, e.msg);
    return p;
}

/* The flow layer's data times: dir spoke at frame (late: after the other side's FIN). */
static void spoke(struct fx *f, int dir, uint64_t frame, bool late)
{
    struct tw_ev_tcp *t = &f->tcp;
    if (late) {
        t->late_data_frame[dir] = frame;
        t->late_data_ts[dir] = fx_ts(frame);
        fx_bytes(f, dir, 100, frame);
        return;
    }
    t->prev_data_frame[dir] = t->last_data_frame[dir];
    t->prev_data_ts[dir] = t->last_data_ts[dir];
    t->last_data_frame[dir] = frame;
    t->last_data_ts[dir] = fx_ts(frame);
}

/* TLS 1.2 keep-alive connection: request 10, answer 11, the origin's close_notify 1010 and FIN
 * 1011 (idle 1.000 s). */
static void kept_alive(struct fx *f)
{
    fx_handshake12(f, "www.example.com");
    fx_app(f, 0, 10, 80);
    spoke(f, 0, 10, false);
    fx_app(f, 1, 11, 200);
    spoke(f, 1, 11, false);
    fx_alert(f, 1, 1010, 1, 0, false);
    spoke(f, 1, 1010, false);
    fx_fin(f, 1, 1011);
}

START_TEST(keepalive_race_is_a_failure)
{
    struct fx f;
    kept_alive(&f);
    spoke(&f, 0, 2012, true); /* the next request, 1.001 s after the FIN */
    fx_rst(&f, 1, 2013);
    fx_decide(&f);
    failed(&f, TW_CAUSE_ORIGIN_KEEPALIVE_SHORTER, TW_STAGE_AFTER_HANDSHAKE);
    HAS(&f, "after 1.000 s idle (last exchange frame 11)");
    HAS(&f, "next request (frame 2012) came 1.001 s after that FIN and met a RST (frame 2013)");
    ck_assert_ptr_null(strstr(f.v.explanation, "keeps idle origin connections"));
    struct tw_keepalive_race k;
    ck_assert(tw_diag_keepalive_race(&f.ev, &k));
    ck_assert_int_eq(k.idle_us, 1000000);
}
END_TEST

START_TEST(keepalive_race_quotes_the_profile)
{
    struct fx f;
    struct tw_profile p = prof("cloudfront");
    kept_alive(&f);
    spoke(&f, 0, 2012, true);
    fx_rst(&f, 1, 2013);
    f.o.profile = &p;
    fx_decide(&f);
    failed(&f, TW_CAUSE_ORIGIN_KEEPALIVE_SHORTER, TW_STAGE_AFTER_HANDSHAKE);
    HAS(&f, "cloudfront keeps idle origin connections 5.000 s (keepalive_timeout, source: https://");
    HAS(&f, "longer than the origin's 1.000 s");
}
END_TEST

/* nginx as the edge: it saw the FIN, sent nothing after it, and dropped the connection with a
 * RST of its own. Normal: ok, no warning. */
START_TEST(edge_that_dropped_the_idle_connection_is_fine)
{
    struct fx f;
    kept_alive(&f);
    fx_rst(&f, 0, 1012);
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
    ck_assert(!warned(&f.v, TW_CAUSE_ORIGIN_KEEPALIVE_SHORTER));
}
END_TEST

START_TEST(data_after_fin_without_reset_is_no_race)
{
    struct fx f;
    kept_alive(&f);
    spoke(&f, 0, 2012, true);
    fx_fin(&f, 0, 2014);
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
    struct tw_keepalive_race k;
    ck_assert(!tw_diag_keepalive_race(&f.ev, &k));
}
END_TEST

/* A chain sent out of order that the client dropped silently (FIN, no alert). */
static void silent_misordered(struct fx *f)
{
    fx_to_server_flight12(f, "www.example.com");
    fx_finding(f, TW_CAUSE_CERT_CHAIN_MISORDERED, -1, "cert 0 is issued by cert 2");
    fx_fin(f, 0, 8);
}

START_TEST(profile_decides_whether_the_order_explains_a_rejection)
{
    struct fx f;
    struct tw_profile cf = prof("cloudfront"), os = prof("openssl");
    silent_misordered(&f);
    fx_decide(&f); /* no --edge: as before */
    failed(&f, TW_CAUSE_CERT_CHAIN_MISORDERED, TW_STAGE_SERVER_FLIGHT);
    ck_assert_ptr_null(f.v.edge.profile);
    silent_misordered(&f);
    f.o.profile = &cf;
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_CHAIN_MISORDERED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "[cloudfront rejects a chain in the wrong order: chain_order, source: https://");
    ck_assert(warned(&f.v, TW_CAUSE_CERT_CHAIN_MISORDERED) == false); /* it is the cause */
    silent_misordered(&f);
    f.o.profile = &os; /* OpenSSL builds its own path: the order cannot be why it left */
    fx_decide(&f);
    failed(&f, TW_CAUSE_CLIENT_REJECTED, TW_STAGE_SERVER_FLIGHT);
    ck_assert(warned(&f.v, TW_CAUSE_CERT_CHAIN_MISORDERED));
}
END_TEST

START_TEST(edge_judges_the_chain_for_certain)
{
    struct fx f;
    struct tw_profile cf = prof("cloudfront"), os = prof("openssl");
    fx_handshake12(&f, "www.example.com");
    fx_finding(&f, TW_CAUSE_CERT_CHAIN_MISORDERED, -1, "cert 0 is issued by cert 2");
    f.o.profile = &os;
    fx_decide(&f);
    ck_assert_str_eq(f.v.edge.profile, "openssl");
    ck_assert_int_eq(f.v.edge.accepts, 1);
    ck_assert_uint_eq(f.v.edge.rule_count, 0);
    f.o.profile = &cf;
    fx_decide(&f);
    ck_assert_int_eq(f.v.edge.accepts, 0);
    ck_assert_uint_eq(f.v.edge.rule_count, 1);
    ck_assert_str_eq(f.v.edge.rules[0].rule, "chain_order");
    ck_assert(f.v.edge.rules[0].certain);
    ck_assert(strstr(f.v.edge.rules[0].source, "http-502-bad-gateway"));
}
END_TEST

START_TEST(origin_choices_are_questions)
{
    struct fx f;
    struct tw_profile cf = prof("cloudfront"), st = prof("strict");
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "www.example.com");
    fx_server_hello(&f, 6, 0x0304, 0x1302);
    f.tls.sh.key_share_group = 0x001d;
    f.o.profile = &cf;
    fx_decide(&f);
    ck_assert_int_eq(f.v.edge.accepts, -1);
    ck_assert_uint_eq(f.v.edge.rule_count, 1); /* versions only: no cipher rule for TLS 1.3 */
    ck_assert_str_eq(f.v.edge.rules[0].rule, "versions");
    ck_assert_int_eq(f.v.edge.rules[0].code, TW_CAUSE_PROTOCOL_MISMATCH);
    ck_assert(!f.v.edge.rules[0].certain);
    ck_assert(strstr(f.v.edge.rules[0].text, "TLSv1.3"));
    f.o.profile = &st;
    fx_decide(&f);
    ck_assert_uint_eq(f.v.edge.rule_count, 0);
    ck_assert_int_eq(f.v.edge.accepts, -1); /* the certificate was not seen */
    /* TLS 1.2 with ChaCha20 and an RSA-PSS signature: two questions for cloudfront. */
    fx_handshake12(&f, "www.example.com");
    f.tls.sh.cipher_suite = 0xcca8;
    f.tls.server_kx_group = 0x001d;
    f.tls.server_kx_sig_alg = 0x0804;
    f.o.profile = &cf;
    fx_decide(&f);
    ck_assert_uint_eq(f.v.edge.rule_count, 2);
    ck_assert_str_eq(f.v.edge.rules[0].rule, "ciphers");
    ck_assert_str_eq(f.v.edge.rules[1].rule, "signature_schemes");
    ck_assert_int_eq(f.v.edge.accepts, -1);
}
END_TEST

START_TEST(slow_origin_against_the_timeouts)
{
    struct fx f;
    struct tw_profile p;
    struct tw_profile_err e;
    const char *text = "name = tight\nconnect_timeout = 0.5\nresponse_timeout = 0.5\n";
    ck_assert_int_eq(tw_profile_parse(text, strlen(text), &p, &e), TW_OK);
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "www.example.com");
    fx_server_flight12(&f, 704, 0x0303); /* 700 ms after the ClientHello */
    fx_chain(&f);
    fx_client_kx(&f, 706);
    fx_finished(&f, 0, 706);
    fx_finished(&f, 1, 707);
    fx_app(&f, 0, 708, 80);
    fx_app(&f, 1, 1109, 200); /* 401 ms: within 0.5 s */
    f.o.profile = &p;
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
    ck_assert(warned(&f.v, TW_CAUSE_ORIGIN_CONNECT_SLOW));
    ck_assert(!warned(&f.v, TW_CAUSE_ORIGIN_RESPONSE_SLOW));
    ck_assert_int_eq(f.v.edge.accepts, 0);
    ck_assert_str_eq(f.v.edge.rules[0].rule, "connect_timeout");
    f.tls.d[1].first_app_frame = 1209; /* 501 ms */
    f.tls.d[1].first_app_ts = fx_ts(1209);
    fx_decide(&f);
    ck_assert(warned(&f.v, TW_CAUSE_ORIGIN_RESPONSE_SLOW));
    f.o.profile = NULL; /* without --edge nothing is judged */
    fx_decide(&f);
    ck_assert(!warned(&f.v, TW_CAUSE_ORIGIN_CONNECT_SLOW));
    ck_assert_ptr_null(f.v.edge.profile);
}
END_TEST

/* SYN 1, SYN-ACK 602 (after a retransmitted SYN): longer than cloudfront's 10 s? No; than 0.5 s:
 * yes. */
START_TEST(slow_connect_against_the_connect_timeout)
{
    struct fx f;
    struct tw_profile cf = prof("cloudfront"), tight;
    const char *text = "name = tight\nconnect_timeout = 0.5\n";
    ck_assert_int_eq(tw_profile_parse(text, strlen(text), &tight, NULL), TW_OK);
    fx_handshake12(&f, "www.example.com");
    f.tcp.synack_frame = 602;
    f.tcp.synack_ts = fx_ts(602);
    f.o.profile = &cf;
    fx_decide(&f);
    ck_assert(!warned(&f.v, TW_CAUSE_ORIGIN_CONNECT_SLOW));
    f.o.profile = &tight;
    fx_decide(&f);
    ck_assert(warned(&f.v, TW_CAUSE_ORIGIN_CONNECT_SLOW));
    ck_assert(strstr(f.v.edge.rules[0].text, "the TCP connect took 0.601 s"));
}
END_TEST

Suite *tw_diag_edge_suite(void)
{
    Suite *s = suite_create("diag_edge");
    TCase *tc = tcase_create("edge");
    tcase_add_test(tc, keepalive_race_is_a_failure);
    tcase_add_test(tc, keepalive_race_quotes_the_profile);
    tcase_add_test(tc, edge_that_dropped_the_idle_connection_is_fine);
    tcase_add_test(tc, data_after_fin_without_reset_is_no_race);
    tcase_add_test(tc, profile_decides_whether_the_order_explains_a_rejection);
    tcase_add_test(tc, edge_judges_the_chain_for_certain);
    tcase_add_test(tc, origin_choices_are_questions);
    tcase_add_test(tc, slow_origin_against_the_timeouts);
    tcase_add_test(tc, slow_connect_against_the_connect_timeout);
    suite_add_tcase(s, tc);
    return s;
}
