/* check_corr_cert.c: the diagnosis from the server's flight on: certificate causes chosen by
 * the client's alert (or by its silent close), client_rejected, the close after a completed
 * handshake (nginx), ok with warnings, and timing. */
#include <check.h>
#include <string.h>

#include "corr_fixture.h"

static const char *const MISMATCH = "certificate covers *.example.com, not example.com";
static const char *const EXPIRED = "notAfter 2026-11-15T23:59:59Z < capture time "
                                   "2026-11-21T01:00:00Z";

/* The brief's headline: a CDN edge asks an origin for example.com, the origin's certificate
 * only covers *.example.com, and OpenSSL answers 42 bad_certificate. */
START_TEST(name_mismatch_with_alert_42)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_finding(&f, TW_CAUSE_CERT_NAME_MISMATCH, 0, MISMATCH);
    fx_alert(&f, TW_DIR_C2S, 9, 2, 42, true);
    fx_fin(&f, TW_DIR_C2S, 10);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_NAME_MISMATCH, TW_STAGE_SERVER_FLIGHT);
    ck_assert_str_eq(f.v.explanation, "certificate covers *.example.com, not example.com (client "
                                      "alert 42 bad_certificate, frame 9)");
    ck_assert_ptr_eq(f.v.alert, &f.tls.alerts[0]);
    FRAMES(&f.v, 4, 6, 9);
}
END_TEST

/* OpenSSL sends 48 unknown_ca for a self-signed certificate that has also expired: the alert
 * picks self-signed; the expiry stays as a warning. */
START_TEST(unknown_ca_prefers_trust_over_expiry)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_finding(&f, TW_CAUSE_CERT_EXPIRED, 0, EXPIRED);
    fx_finding(&f, TW_CAUSE_CERT_SELF_SIGNED, 0, "self-signed: CN=example.com");
    fx_alert(&f, TW_DIR_C2S, 9, 2, 48, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_SELF_SIGNED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "self-signed: CN=example.com (client alert 48 unknown_ca, frame 9)");
    ck_assert(warned(&f.v, TW_CAUSE_CERT_EXPIRED));
}
END_TEST

START_TEST(certificate_expired_alert_45)
{
    struct fx f;
    fx_to_server_flight12(&f, "www.example.com");
    fx_finding(&f, TW_CAUSE_CERT_SELF_SIGNED, 0, "self-signed");
    fx_finding(&f, TW_CAUSE_CERT_EXPIRED, 0, EXPIRED);
    fx_alert(&f, TW_DIR_C2S, 9, 2, 45, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_EXPIRED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "notAfter 2026-11-15T23:59:59Z < capture time");
    HAS(&f, "alert 45 certificate_expired, frame 9");
    ck_assert(warned(&f.v, TW_CAUSE_CERT_SELF_SIGNED));
}
END_TEST

START_TEST(not_yet_valid_alert_45)
{
    struct fx f;
    fx_to_server_flight12(&f, "www.example.com");
    fx_finding(&f, TW_CAUSE_CERT_NOT_YET_VALID, 0, "notBefore 2027-01-01T00:00:00Z > capture time");
    fx_alert(&f, TW_DIR_C2S, 9, 2, 45, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_NOT_YET_VALID, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "notBefore 2027");
}
END_TEST

/* Each certificate alert and the defect it points to when the chain has only that defect. */
START_TEST(each_defect_from_its_alert)
{
    static const struct {
        int code, alert;
    } cases[] = {
        {TW_CAUSE_CERT_UNTRUSTED, 48},        {TW_CAUSE_CERT_CHAIN_INCOMPLETE, 48},
        {TW_CAUSE_CERT_CHAIN_MISORDERED, 48}, {TW_CAUSE_CERT_WEAK_KEY, 71},
        {TW_CAUSE_CERT_NOT_SERVER_AUTH, 43},  {TW_CAUSE_CERT_NAME_MISMATCH, 46},
        {TW_CAUSE_CERT_NAME_MISMATCH, 80},    {TW_CAUSE_CERT_WEAK_KEY, 42},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx f;
        fx_to_server_flight12(&f, "example.com");
        fx_finding(&f, cases[i].code, 0, "the defect's own words");
        fx_alert(&f, TW_DIR_C2S, 9, 2, cases[i].alert, true);
        fx_decide(&f);
        failed(&f, cases[i].code, TW_STAGE_SERVER_FLIGHT);
        HAS(&f, "the defect's own words (client alert");
    }
}
END_TEST

/* HAProxy aborts with 80 internal_error on a name mismatch; the chain also expires soon. */
START_TEST(haproxy_internal_error_is_name_mismatch)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_finding(&f, TW_CAUSE_CERT_CHAIN_MISORDERED, -1, "intermediate sent before the leaf");
    fx_finding(&f, TW_CAUSE_CERT_NAME_MISMATCH, 0, MISMATCH);
    fx_finding(&f, TW_CAUSE_CERT_EXPIRES_SOON, 0, "notAfter in 5 days");
    fx_alert(&f, TW_DIR_C2S, 9, 2, 80, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_NAME_MISMATCH, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "alert 80 internal_error");
    ck_assert(warned(&f.v, TW_CAUSE_CERT_CHAIN_MISORDERED));
    ck_assert(warned(&f.v, TW_CAUSE_CERT_EXPIRES_SOON));
}
END_TEST

START_TEST(unknown_ca_on_locally_clean_chain_is_untrusted)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_alert(&f, TW_DIR_C2S, 9, 2, 48, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_UNTRUSTED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "another store");
}
END_TEST

START_TEST(client_alert_on_clean_chain_is_alert_other)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_alert(&f, TW_DIR_C2S, 9, 2, 40, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_ALERT_OTHER, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "alert 40 handshake_failure (frame 9)");
    HAS(&f, "shows no defect");
}
END_TEST

START_TEST(client_refuses_server_version)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_server_flight12(&f, 6, 0x0301);
    fx_alert(&f, TW_DIR_C2S, 7, 2, 70, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PROTOCOL_MISMATCH, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "the server chose TLSv1 (ServerHello, frame 6)");
    HAS(&f, "offering TLSv1.3, TLSv1.2");
}
END_TEST

/* curl, Go, .NET and CloudFront close right after the Certificate without an alert: the
 * captured chain names the defect. */
START_TEST(silent_close_after_certificate_names_the_defect)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_finding(&f, TW_CAUSE_CERT_NAME_MISMATCH, 0, MISMATCH);
    fx_rst(&f, TW_DIR_C2S, 7);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_NAME_MISMATCH, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "certificate covers *.example.com, not example.com (the client answered the "
            "server's Certificate, frame 6, with RST (frame 7))");
    ck_assert_ptr_null(f.v.alert);
    FRAMES(&f.v, 4, 6, 7);
}
END_TEST

START_TEST(silent_close_on_clean_chain_is_client_rejected)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_fin(&f, TW_DIR_C2S, 7);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CLIENT_REJECTED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "FIN (frame 7)");
    HAS(&f, "trust store");
    HAS(&f, "--host");
    /* An unparseable certificate is a defect the client surely refused: it becomes the cause. */
    fx_finding(&f, TW_CAUSE_CERT_UNPARSEABLE, 0, "cert 0: DER does not parse");
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_UNPARSEABLE, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "cert 0: DER does not parse");
    HAS(&f, "FIN (frame 7)");
}
END_TEST

/* TLS 1.3 without keys: the certificate is encrypted, the client's alert is a probable
 * encrypted alert (alert-sized record) followed by FIN. */
START_TEST(tls13_rejection_without_keys)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_server_hello(&f, 5, 0x0304, 0x1301);
    f.tls.d[TW_DIR_S2C].encrypted_from = 5;
    f.tls.d[TW_DIR_S2C].enc_hs_records = 4;
    f.tls.d[TW_DIR_S2C].finished_frame = 5;
    fx_alert(&f, TW_DIR_C2S, 7, 0, 0, false);
    f.tls.alerts[0].probable = true;
    fx_fin(&f, TW_DIR_C2S, 8);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CLIENT_REJECTED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "an encrypted alert (frame 7), FIN (frame 8)");
    HAS(&f, "SSLKEYLOGFILE");
    ck_assert(!f.v.handshake_done);
}
END_TEST

/* nginx (proxy_ssl_verify) completes the handshake, sends close_notify and no request, and
 * closes: with a defect in the chain that is a failure after the handshake. */
START_TEST(nginx_close_after_handshake_with_defect)
{
    struct fx f;
    fx_handshake12(&f, "example.com");
    fx_finding(&f, TW_CAUSE_CERT_NAME_MISMATCH, 0, MISMATCH);
    fx_alert(&f, TW_DIR_C2S, 10, 0, 0, false);
    fx_fin(&f, TW_DIR_C2S, 11);
    fx_fin(&f, TW_DIR_S2C, 12);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_NAME_MISMATCH, TW_STAGE_AFTER_HANDSHAKE);
    HAS(&f, MISMATCH);
    HAS(&f, "completed the handshake, then closed without a request");
    HAS(&f, "an encrypted alert (frame 10), FIN (frame 11)");
    ck_assert(f.v.handshake_done);
    FRAMES(&f.v, 4, 6, 8, 9, 10, 11);
}
END_TEST

START_TEST(close_after_handshake_on_clean_chain_is_a_warning)
{
    struct fx f;
    fx_handshake12(&f, "example.com");
    fx_alert(&f, TW_DIR_C2S, 10, 0, 0, false);
    fx_fin(&f, TW_DIR_C2S, 11);
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
    ck_assert(warned(&f.v, TW_CAUSE_CLOSED_WITHOUT_REQUEST));
    HAS(&f, "without sending a request");
}
END_TEST

START_TEST(tls12_ok_with_timing)
{
    struct fx f;
    fx_handshake12(&f, "example.com");
    fx_app(&f, TW_DIR_C2S, 10, 300);
    fx_app(&f, TW_DIR_S2C, 11, 1400);
    fx_fin(&f, TW_DIR_C2S, 12);
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
    ck_assert_int_eq(f.v.cause, TW_CAUSE_NONE);
    ck_assert_ptr_null(tw_stage_name(f.v.stage));
    ck_assert_str_eq(f.v.explanation, "the handshake completed (TLSv1.2, "
                                      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) and application "
                                      "data flowed both ways");
    ck_assert_int_eq(f.v.warning_count, 0);
    ck_assert(f.v.syn_to_synack_ms > 0.999 && f.v.syn_to_synack_ms < 1.001); /* 1 -> 2 */
    ck_assert(f.v.hello_to_server_hello_ms > 1.999 && f.v.hello_to_server_hello_ms < 2.001);
    ck_assert(f.v.handshake_ms > 7.999 && f.v.handshake_ms < 8.001); /* SYN 1 -> Finished 9 */
    FRAMES(&f.v, 4, 6, 8, 9, 10, 11);
}
END_TEST

START_TEST(tls13_ok)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_server_hello(&f, 5, 0x0304, 0x1301);
    f.tls.d[TW_DIR_S2C].enc_hs_records = 4;
    f.tls.d[TW_DIR_C2S].enc_hs_records = 1; /* the client's Finished flight */
    f.tls.d[TW_DIR_C2S].encrypted_from = 7;
    f.tls.d[TW_DIR_C2S].finished_frame = 7;
    fx_step(&f, TW_DIR_C2S, TW_STEP_ENC_HANDSHAKE, 0, 7, 53);
    fx_app(&f, TW_DIR_C2S, 8, 120);
    fx_app(&f, TW_DIR_S2C, 9, 900);
    fx_decide(&f);
    ck_assert_msg(f.v.outcome == TW_OUTCOME_OK, "%s", f.v.explanation);
    HAS(&f, "TLSv1.3, TLS_AES_128_GCM_SHA256");
    ck_assert(f.v.handshake_ms > 5.999 && f.v.handshake_ms < 6.001); /* SYN 1 -> frame 7 */
}
END_TEST

START_TEST(tls13_server_rejects_client_flight)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_server_hello(&f, 5, 0x0304, 0x1301);
    f.tls.d[TW_DIR_S2C].enc_hs_records = 4;
    f.tls.d[TW_DIR_S2C].encrypted_from = 5;
    f.tls.d[TW_DIR_C2S].enc_hs_records = 1;
    f.tls.d[TW_DIR_C2S].encrypted_from = 7;
    f.tls.d[TW_DIR_C2S].finished_frame = 7;
    fx_app(&f, TW_DIR_C2S, 7, 120);
    fx_alert(&f, TW_DIR_S2C, 8, 0, 0, false);
    fx_fin(&f, TW_DIR_S2C, 9);
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_FAILED);
    ck_assert_str_eq(tw_cause_name(f.v.cause), "client_cert_required");
    ck_assert_str_eq(tw_stage_name(f.v.stage), "client_flight");
    HAS(&f, "with an encrypted alert (frame 8), FIN (frame 9) before sending any data");
    HAS(&f, "certificate_required");
    ck_assert_ptr_eq(f.v.alert, &f.tls.alerts[0]);
}
END_TEST

START_TEST(ok_carries_warnings)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_server_flight12(&f, 6, 0x0302);
    fx_chain(&f);
    fx_finding(&f, TW_CAUSE_CERT_EXPIRES_SOON, 0, "notAfter in 6 days");
    fx_finding(&f, TW_CAUSE_CERT_NAME_MISMATCH, 0, MISMATCH);
    fx_finding(&f, TW_CAUSE_CERT_WEAK_KEY, 0, "RSA 1024");
    fx_finding(&f, TW_CAUSE_CERT_UNPARSEABLE, 1, "cert 1: DER does not parse");
    fx_client_kx(&f, 8);
    fx_finished(&f, TW_DIR_C2S, 8);
    fx_finished(&f, TW_DIR_S2C, 9);
    fx_app(&f, TW_DIR_C2S, 10, 300);
    fx_app(&f, TW_DIR_S2C, 11, 900);
    f.tcp.snap_lost[TW_DIR_S2C] = 100;
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
    ck_assert(warned(&f.v, TW_CAUSE_CERT_EXPIRES_SOON));
    ck_assert(warned(&f.v, TW_CAUSE_CERT_NAME_MISMATCH));
    ck_assert(warned(&f.v, TW_CAUSE_CERT_WEAK_KEY));
    ck_assert(warned(&f.v, TW_CAUSE_LEGACY_VERSION));
    ck_assert(warned(&f.v, TW_CAUSE_CAPTURE_LOST_DATA));
    ck_assert(warned(&f.v, TW_CAUSE_CERT_UNPARSEABLE));
    ck_assert_int_eq(f.v.warning_count, 6);
}
END_TEST

START_TEST(capture_ends_mid_tls13_data)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_server_hello(&f, 5, 0x0304, 0x1301);
    f.tls.d[TW_DIR_C2S].enc_hs_records = 1;
    f.tls.d[TW_DIR_C2S].finished_frame = 7;
    f.tls.d[TW_DIR_C2S].encrypted_from = 7;
    fx_app(&f, TW_DIR_C2S, 8, 120);
    f.tcp.close_reason = TW_CLOSE_END;
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_INCOMPLETE);
    ck_assert(strstr(f.v.incomplete_reason, "capture ended after the client's flight"));
}
END_TEST

/* TLS 1.3 without keys, but an OpenSSL client's alert is plain (sent before it switches to
 * handshake keys): 45 names expiry; 42 and 48 stay client_rejected, with what they can mean. */
static void tls13_plain_client_alert(struct fx *f, int desc)
{
    fx_init(f);
    fx_connect(f);
    fx_client_hello(f, 4, "origin.test");
    fx_server_hello(f, 6, 0x0304, 0x1302);
    f->tls.d[TW_DIR_S2C].enc_hs_records = 1;
    fx_alert(f, TW_DIR_C2S, 8, 2, desc, true);
    fx_fin(f, TW_DIR_C2S, 9);
    fx_decide(f);
}

START_TEST(tls13_visible_alert_hidden_chain)
{
    struct fx f;
    tls13_plain_client_alert(&f, 45);
    failed(&f, TW_CAUSE_CERT_EXPIRED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "client alert 45 certificate_expired (frame 8)");
    HAS(&f, "key log");
    tls13_plain_client_alert(&f, 42);
    failed(&f, TW_CAUSE_CLIENT_REJECTED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "alert 42 bad_certificate (frame 8) (OpenSSL: name mismatch, dates or weak key)");
    tls13_plain_client_alert(&f, 48);
    failed(&f, TW_CAUSE_CLIENT_REJECTED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "missing intermediate");
    FRAMES(&f.v, 4, 6, 8);
}
END_TEST

/* The client closes after the expired Certificate without an alert; OpenSSL's server answers
 * the EOF with 50 decode_error. That alert is not the reason: the chain is. */
START_TEST(server_alert_after_client_close_is_not_the_cause)
{
    struct fx f;
    fx_to_server_flight12(&f, "origin.test");
    fx_finding(&f, TW_CAUSE_CERT_EXPIRED, 0, EXPIRED);
    fx_fin(&f, TW_DIR_C2S, 8);
    fx_alert(&f, TW_DIR_S2C, 9, 2, 50, true);
    fx_rst(&f, TW_DIR_C2S, 10);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_EXPIRED, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "(the client answered the server's Certificate, frame 6, with FIN (frame 8))");
    ck_assert_ptr_null(f.v.alert);
}
END_TEST

/* An unparseable certificate is warning-only, but it is named as the likely reason. */
START_TEST(unparseable_certificate_is_named)
{
    struct fx f;
    fx_to_server_flight12(&f, "origin.test");
    fx_finding(&f, TW_CAUSE_CERT_UNPARSEABLE, 0, "cert 0 (40 bytes): the DER does not parse");
    fx_alert(&f, TW_DIR_C2S, 8, 2, 42, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CERT_UNPARSEABLE, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "cert 0 (40 bytes): the DER does not parse (client alert 42 bad_certificate, frame 8)");
    ck_assert(!warned(&f.v, TW_CAUSE_CERT_UNPARSEABLE)); /* the cause is not repeated */
}
END_TEST

Suite *tw_corr_cert_suite(void)
{
    Suite *s = suite_create("corr_cert");
    TCase *tc = tcase_create("flight_and_after");
    tcase_add_test(tc, name_mismatch_with_alert_42);
    tcase_add_test(tc, unknown_ca_prefers_trust_over_expiry);
    tcase_add_test(tc, certificate_expired_alert_45);
    tcase_add_test(tc, not_yet_valid_alert_45);
    tcase_add_test(tc, each_defect_from_its_alert);
    tcase_add_test(tc, haproxy_internal_error_is_name_mismatch);
    tcase_add_test(tc, unknown_ca_on_locally_clean_chain_is_untrusted);
    tcase_add_test(tc, client_alert_on_clean_chain_is_alert_other);
    tcase_add_test(tc, client_refuses_server_version);
    tcase_add_test(tc, silent_close_after_certificate_names_the_defect);
    tcase_add_test(tc, silent_close_on_clean_chain_is_client_rejected);
    tcase_add_test(tc, tls13_rejection_without_keys);
    tcase_add_test(tc, nginx_close_after_handshake_with_defect);
    tcase_add_test(tc, close_after_handshake_on_clean_chain_is_a_warning);
    tcase_add_test(tc, tls12_ok_with_timing);
    tcase_add_test(tc, tls13_ok);
    tcase_add_test(tc, tls13_server_rejects_client_flight);
    tcase_add_test(tc, ok_carries_warnings);
    tcase_add_test(tc, capture_ends_mid_tls13_data);
    tcase_add_test(tc, tls13_visible_alert_hidden_chain);
    tcase_add_test(tc, server_alert_after_client_close_is_not_the_cause);
    tcase_add_test(tc, unparseable_certificate_is_named);
    suite_add_tcase(s, tc);
    return s;
}
