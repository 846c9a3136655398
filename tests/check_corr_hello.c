/* check_corr_hello.c: the diagnosis from the server's answer to the ClientHello to its answer
 * to the client's flight: protocol and cipher mismatch, sni_unrecognized, client_cert_required,
 * alert_other, and the server closing or going silent after the client's flight. */
#include <check.h>
#include <string.h>

#include "corr_fixture.h"

START_TEST(protocol_mismatch_alert_70)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "legacy.example.com");
    f.tls.ch.versions.n = 0; /* an old client: no supported_versions, TLS 1.1 in the hello */
    f.tls.ch.legacy_version = 0x0302;
    fx_alert(&f, TW_DIR_S2C, 5, 2, 70, true);
    fx_fin(&f, TW_DIR_S2C, 6);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PROTOCOL_MISMATCH, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "offered only TLSv1.1");
    HAS(&f, "alert 70 protocol_version (frame 5)");
    ck_assert_ptr_eq(f.v.alert, &f.tls.alerts[0]);
    FRAMES(&f.v, 4, 5);
}
END_TEST

START_TEST(protocol_mismatch_alert_40_old_client)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "legacy.example.com");
    f.tls.ch.versions.n = 0;
    f.tls.ch.legacy_version = 0x0301;
    fx_alert(&f, TW_DIR_S2C, 5, 2, 40, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PROTOCOL_MISMATCH, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "TLSv1 ");
    HAS(&f, "handshake_failure");
}
END_TEST

START_TEST(cipher_mismatch)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_alert(&f, TW_DIR_S2C, 5, 2, 40, true);
    fx_rst(&f, TW_DIR_S2C, 6);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CIPHER_MISMATCH, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "3 cipher suites"); /* the GREASE value is not counted */
    HAS(&f, "TLSv1.3, TLSv1.2");
    HAS(&f, "alert 40 handshake_failure (frame 5)");
    FRAMES(&f.v, 4, 5);
}
END_TEST

START_TEST(cipher_mismatch_after_hello_retry)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    f.tls.hrr.present = true;
    f.tls.hrr.is_hrr = true;
    f.tls.hrr.frame = 5;
    f.tls.hrr.key_share_group = 0x001d;
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_TLS, "\x16\x03\x03", 5);
    fx_fin(&f, TW_DIR_C2S, 6);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CIPHER_MISMATCH, TW_STAGE_SERVER_FLIGHT);
    HAS(&f, "x25519");
    HAS(&f, "HelloRetryRequest, frame 5");
    FRAMES(&f.v, 4, 5, 6);
}
END_TEST

START_TEST(sni_unrecognized)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "origin.example.net");
    fx_alert(&f, TW_DIR_S2C, 5, 2, 112, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_SNI_UNRECOGNIZED, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "does not serve \"origin.example.net\"");
    HAS(&f, "alert 112 unrecognized_name (frame 5)");
    FRAMES(&f.v, 4, 5);
    ck_assert_str_eq(f.v.name, "origin.example.net");
}
END_TEST

START_TEST(warning_112_is_not_decisive)
{
    struct fx f;
    fx_handshake12(&f, "example.com");
    fx_alert(&f, TW_DIR_S2C, 6, 1, 112, true);
    fx_app(&f, TW_DIR_C2S, 10, 300);
    fx_app(&f, TW_DIR_S2C, 11, 900);
    fx_decide(&f);
    ck_assert_int_eq(f.v.outcome, TW_OUTCOME_OK);
}
END_TEST

START_TEST(host_option_overrides_sni)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    f.o.host = "origin.example.com";
    fx_decide(&f);
    ck_assert_str_eq(f.v.name, "origin.example.com");
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, NULL);
    fx_alert(&f, TW_DIR_S2C, 5, 2, 112, true);
    fx_decide(&f);
    ck_assert_ptr_null(f.v.name);
    failed(&f, TW_CAUSE_SNI_UNRECOGNIZED, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "sent no SNI");
}
END_TEST

START_TEST(client_cert_required_tls12)
{
    struct fx f;
    fx_to_server_flight12(&f, "api.example.com");
    f.tls.cert_request_frame = 6;
    f.tls.client_cert.present = true; /* an empty Certificate message */
    f.tls.client_cert.first_frame = f.tls.client_cert.frame = 8;
    fx_client_kx(&f, 8);
    fx_finished(&f, TW_DIR_C2S, 8);
    fx_alert(&f, TW_DIR_S2C, 9, 2, 40, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CLIENT_CERT_REQUIRED, TW_STAGE_CLIENT_FLIGHT);
    HAS(&f, "CertificateRequest, frame 6");
    HAS(&f, "an empty Certificate (frame 8)");
    HAS(&f, "alert 40 handshake_failure");
    FRAMES(&f.v, 4, 6, 8, 9);
}
END_TEST

START_TEST(client_cert_required_tls13_alert_116)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "api.example.com");
    fx_server_hello(&f, 5, 0x0304, 0x1301);
    fx_finished(&f, TW_DIR_C2S, 7);
    fx_alert(&f, TW_DIR_S2C, 8, 2, 116, true); /* decrypted with a key log */
    fx_decide(&f);
    failed(&f, TW_CAUSE_CLIENT_CERT_REQUIRED, TW_STAGE_CLIENT_FLIGHT);
    HAS(&f, "certificate_required");
}
END_TEST

START_TEST(client_cert_required_server_just_closes)
{
    struct fx f;
    fx_to_server_flight12(&f, "api.example.com");
    f.tls.cert_request_frame = 6;
    fx_client_kx(&f, 8);
    fx_finished(&f, TW_DIR_C2S, 8);
    fx_fin(&f, TW_DIR_S2C, 9);
    fx_decide(&f);
    failed(&f, TW_CAUSE_CLIENT_CERT_REQUIRED, TW_STAGE_CLIENT_FLIGHT);
    HAS(&f, "the client sent none");
    HAS(&f, "FIN (frame 9)");
}
END_TEST

START_TEST(alert_other_named)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_alert(&f, TW_DIR_S2C, 5, 2, 50, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_ALERT_OTHER, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "alert 50 decode_error (frame 5)");
}
END_TEST

START_TEST(server_closes_after_client_flight)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_client_kx(&f, 8);
    fx_finished(&f, TW_DIR_C2S, 8);
    fx_rst(&f, TW_DIR_S2C, 9);
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_FLIGHT);
    HAS(&f, "the server closed with RST (frame 9) after the client's flight (frame 8)");
    FRAMES(&f.v, 4, 6, 8, 9);
}
END_TEST

START_TEST(server_silent_after_client_flight)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    fx_client_kx(&f, 8);
    fx_finished(&f, TW_DIR_C2S, 8);
    fx_fin(&f, TW_DIR_C2S, 10008);
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_SILENT, TW_STAGE_CLIENT_FLIGHT);
    HAS(&f, "gave up (FIN, frame 10008)");
}
END_TEST

/* OpenSSL at security level 2 refuses a TLS 1.0-only hello with 80 internal_error. */
START_TEST(old_client_internal_error_is_protocol_mismatch)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "origin.test");
    f.tls.ch.versions.n = 0;
    f.tls.ch.legacy_version = 0x0301;
    fx_alert(&f, TW_DIR_S2C, 6, 2, 80, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PROTOCOL_MISMATCH, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "alert 80 internal_error (frame 6)");
    fx_init(&f); /* the same alert to a modern hello names the alert */
    fx_connect(&f);
    fx_client_hello(&f, 4, "origin.test");
    fx_alert(&f, TW_DIR_S2C, 6, 2, 80, true);
    fx_decide(&f);
    failed(&f, TW_CAUSE_ALERT_OTHER, TW_STAGE_CLIENT_HELLO);
}
END_TEST

START_TEST(server_refuses_malformed_client_hello)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_probe(&f, TW_DIR_C2S, TW_PROBE_TLS, "\x16\x03\x01", 4);
    f.tls.malformed_count = 1;
    f.tls.malformed = (struct tw_malformed){4, TW_DIR_C2S, "client_hello", "trailing bytes", 90};
    fx_alert(&f, TW_DIR_S2C, 6, 2, 50, true);
    fx_fin(&f, TW_DIR_S2C, 8);
    fx_decide(&f);
    failed(&f, TW_CAUSE_ALERT_OTHER, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "malformed ClientHello (frame 4, client_hello: trailing bytes) with alert 50 "
            "decode_error (frame 6)");
    FRAMES(&f.v, 4, 6);
}
END_TEST

Suite *tw_corr_hello_suite(void)
{
    Suite *s = suite_create("corr_hello");
    TCase *tc = tcase_create("hello_and_flights");
    tcase_add_test(tc, protocol_mismatch_alert_70);
    tcase_add_test(tc, protocol_mismatch_alert_40_old_client);
    tcase_add_test(tc, cipher_mismatch);
    tcase_add_test(tc, cipher_mismatch_after_hello_retry);
    tcase_add_test(tc, sni_unrecognized);
    tcase_add_test(tc, warning_112_is_not_decisive);
    tcase_add_test(tc, host_option_overrides_sni);
    tcase_add_test(tc, client_cert_required_tls12);
    tcase_add_test(tc, client_cert_required_tls13_alert_116);
    tcase_add_test(tc, client_cert_required_server_just_closes);
    tcase_add_test(tc, alert_other_named);
    tcase_add_test(tc, server_closes_after_client_flight);
    tcase_add_test(tc, server_silent_after_client_flight);
    tcase_add_test(tc, old_client_internal_error_is_protocol_mismatch);
    tcase_add_test(tc, server_refuses_malformed_client_hello);
    suite_add_tcase(s, tc);
    return s;
}
