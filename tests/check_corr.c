/* check_corr.c: the diagnosis, TCP and first-bytes rules: relevance, tcp_refused,
 * tcp_no_answer, server_silent, server_closed_early, plaintext_server/client, protocol and
 * cipher mismatch, sni_unrecognized, client_cert_required, alert_other and the incomplete
 * cases. Certificate causes and the handshake's end are in check_corr_cert.c. */
#include <check.h>
#include <string.h>

#include "corr_fixture.h"

#define HAS(f, s)                                                                              \
    ck_assert_msg(strstr((f)->v.explanation, (s)) != NULL, "explanation lacks \"%s\": %s", (s), \
                  (f)->v.explanation)

static void frames_are(const struct tw_verdict *v, const uint64_t *want, size_t n)
{
    char got[256] = "";
    for (uint16_t i = 0; i < v->frame_count; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), " %llu",
                 (unsigned long long)v->frames[i]);
    ck_assert_msg(v->frame_count == n, "frames:%s", got);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(v->frames[i] == want[i], "frames:%s", got);
}
#define FRAMES(v, ...)                                                                         \
    frames_are((v), (const uint64_t[]){__VA_ARGS__},                                           \
               sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

static bool warned(const struct tw_verdict *v, int code)
{
    for (uint16_t i = 0; i < v->warning_count; i++)
        if (v->warnings[i] == code)
            return true;
    return false;
}

static void failed(const struct fx *f, int cause, enum tw_stage st)
{
    ck_assert_msg(f->v.outcome == TW_OUTCOME_FAILED, "outcome %s: %s",
                  tw_outcome_name(f->v.outcome), f->v.explanation);
    ck_assert_msg((int)f->v.cause == cause, "cause %s, want %s: %s", tw_cause_name(f->v.cause),
                  tw_cause_name(cause), f->v.explanation);
    ck_assert_str_eq(tw_stage_name(f->v.stage), tw_stage_name(st));
    ck_assert(f->v.relevant);
}

static void incomplete(const struct fx *f, const char *reason_word)
{
    ck_assert_msg(f->v.outcome == TW_OUTCOME_INCOMPLETE, "outcome %s: %s",
                  tw_outcome_name(f->v.outcome), f->v.explanation);
    ck_assert_int_eq(f->v.cause, TW_CAUSE_NONE);
    ck_assert_msg(strstr(f->v.incomplete_reason, reason_word), "reason: %s",
                  f->v.incomplete_reason);
}

START_TEST(cause_table_is_stable)
{
    ck_assert_int_eq(TW_CAUSE_NONE, 0);
    ck_assert_str_eq(tw_cause_name(TW_CAUSE_TCP_REFUSED), "tcp_refused");
    ck_assert_str_eq(tw_cause_name(TW_CAUSE_CERT_NAME_MISMATCH), "cert_name_mismatch");
    ck_assert_str_eq(tw_cause_name(TW_CAUSE_PLAINTEXT_CLIENT), "plaintext_client");
    ck_assert_str_eq(tw_cause_name(TW_CAUSE_COUNT), "unknown");
    ck_assert_str_eq(tw_cause_name(-1), "unknown");
    for (int c = 0; c < TW_CAUSE_COUNT; c++) {
        ck_assert_int_eq(tw_cause_from_name(tw_cause_name(c)), c);
        ck_assert(strchr("FWB", tw_cause_kind(c)) != NULL);
        ck_assert(strlen(tw_cause_text(c)) > 10);
    }
    ck_assert_int_eq(tw_cause_kind(TW_CAUSE_CERT_EXPIRED), 'B');
    ck_assert_int_eq(tw_cause_kind(TW_CAUSE_CLIENT_REJECTED), 'F');
    ck_assert_int_eq(tw_cause_kind(TW_CAUSE_CERT_EXPIRES_SOON), 'W');
    ck_assert_int_eq(tw_cause_from_name("no_such_cause"), -1);
    ck_assert_int_eq(tw_cause_from_name(NULL), -1);
    ck_assert_ptr_null(tw_stage_name(TW_STAGE_NONE));
    ck_assert_str_eq(tw_stage_name(TW_STAGE_AFTER_HANDSHAKE), "after_handshake");
    ck_assert_str_eq(tw_outcome_name(TW_OUTCOME_INCOMPLETE), "incomplete");
}
END_TEST

START_TEST(relevance_by_port_or_client_hello)
{
    static const uint16_t extra[] = {10443};
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    f.ev.server.port = 80;
    fx_decide(&f);
    ck_assert(!f.v.relevant);
    f.ev.server.port = 8443;
    fx_decide(&f);
    ck_assert(f.v.relevant);
    f.ev.server.port = 10443;
    fx_decide(&f);
    ck_assert(!f.v.relevant);
    f.o.tls_ports = extra;
    f.o.tls_port_count = 1;
    fx_decide(&f);
    ck_assert(f.v.relevant);
    ck_assert(tw_corr_is_tls_port(NULL, 443));
    ck_assert(!tw_corr_is_tls_port(NULL, 80));
    fx_init(&f);
    f.ev.server.port = 4433; /* TLS on an odd port: the ClientHello makes it relevant */
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_decide(&f);
    ck_assert(f.v.relevant);
    ck_assert_int_eq(tw_corr_decide(NULL, NULL, NULL, &f.v), TW_E_USAGE);
}
END_TEST

START_TEST(tcp_refused)
{
    struct fx f;
    fx_init(&f);
    fx_syn(&f, 1, 1);
    fx_rst(&f, TW_DIR_S2C, 2);
    fx_decide(&f);
    failed(&f, TW_CAUSE_TCP_REFUSED, TW_STAGE_TCP_CONNECT);
    HAS(&f, "10.0.1.5:443 (frame 1) was answered by RST (frame 2)");
    HAS(&f, "port 443");
    FRAMES(&f.v, 1, 2);
    ck_assert_ptr_null(f.v.alert);
}
END_TEST

START_TEST(tcp_no_answer)
{
    struct fx f;
    fx_init(&f);
    fx_syn(&f, 1, 3);
    f.tcp.close_reason = TW_CLOSE_TIMEOUT;
    f.tcp.close_ts = FX_T0 + 30000000;
    fx_decide(&f);
    failed(&f, TW_CAUSE_TCP_NO_ANSWER, TW_STAGE_TCP_CONNECT);
    HAS(&f, "3 SYNs");
    HAS(&f, "frames 1-3");
    HAS(&f, "29.999 s");
    FRAMES(&f.v, 1, 3);
    ck_assert(f.v.syn_to_synack_ms < 0);
}
END_TEST

START_TEST(syn_then_capture_end_is_incomplete)
{
    struct fx f;
    fx_init(&f);
    fx_syn(&f, 1, 1);
    f.tcp.close_reason = TW_CLOSE_END;
    fx_decide(&f);
    incomplete(&f, "capture ended");
    ck_assert_str_eq(tw_stage_name(f.v.stage), "tcp_connect");
}
END_TEST

START_TEST(server_silent_until_client_gives_up)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_fin(&f, TW_DIR_C2S, 5004); /* 5 s later */
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_SILENT, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "nothing in 5.000 s after the ClientHello (frame 4)");
    HAS(&f, "FIN, frame 5004");
    FRAMES(&f.v, 4, 5004);
    ck_assert(f.v.syn_to_synack_ms > 0.999 && f.v.syn_to_synack_ms < 1.001);
    ck_assert(f.v.hello_to_server_hello_ms < 0);
}
END_TEST

START_TEST(server_silent_until_timeout)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    f.tcp.close_reason = TW_CLOSE_TIMEOUT;
    f.tcp.close_ts = fx_ts(4) + 120000000;
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_SILENT, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "went idle");
    HAS(&f, "120.000 s");
}
END_TEST

START_TEST(no_answer_yet_when_capture_ends)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    f.tcp.close_reason = TW_CLOSE_END;
    fx_decide(&f);
    incomplete(&f, "capture ended");
    HAS(&f, "no answer from the server yet");
}
END_TEST

START_TEST(server_closed_early)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_rst(&f, TW_DIR_S2C, 5);
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "RST, frame 5");
    HAS(&f, "without an alert");
    FRAMES(&f.v, 4, 5);
}
END_TEST

START_TEST(plaintext_server)
{
    struct fx f;
    fx_init(&f);
    f.ev.server.port = 80;
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_HTTP_RESPONSE,
             "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n", 5);
    fx_fin(&f, TW_DIR_S2C, 6);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PLAINTEXT_SERVER, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "\"HTTP/1.1 400 Bad Request\" (frame 5)");
    HAS(&f, "plain-HTTP port 80");
    ck_assert_ptr_null(strchr(f.v.explanation, '\r'));
    FRAMES(&f.v, 4, 5);
}
END_TEST

START_TEST(server_speaks_first_on_tls_port)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_SSH, "SSH-2.0-OpenSSH_9.2\r\n", 3);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PLAINTEXT_SERVER, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "spoke first");
    HAS(&f, "SSH-2.0-OpenSSH_9.2");
}
END_TEST

START_TEST(plaintext_client)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_probe(&f, TW_DIR_C2S, TW_PROBE_HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: example.com\r\n", 4);
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_HTTP_RESPONSE, "HTTP/1.1 400 Bad Request\r\n", 5);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PLAINTEXT_CLIENT, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "\"GET / HTTP/1.1\" (frame 4) to port 443");
    FRAMES(&f.v, 4, 5);
}
END_TEST

START_TEST(connected_but_client_silent)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_fin(&f, TW_DIR_C2S, 3);
    fx_fin(&f, TW_DIR_S2C, 4);
    fx_decide(&f);
    incomplete(&f, "sent no byte");
    ck_assert_str_eq(tw_stage_name(f.v.stage), "client_hello");
    fx_init(&f);
    fx_connect(&f);
    f.tcp.mid_stream = true;
    fx_app(&f, TW_DIR_C2S, 3, 100);
    fx_decide(&f);
    incomplete(&f, "middle of the connection");
}
END_TEST

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
    HAS(&f, "after the client's flight (frame 8)");
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

START_TEST(lost_bytes_make_it_incomplete)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_TLS, "\x16\x03\x03", 5);
    f.tcp.gaps[TW_DIR_S2C] = 1;
    f.tcp.gap_bytes[TW_DIR_S2C] = 1448;
    f.tcp.first_gap_frame[TW_DIR_S2C] = 6;
    fx_rst(&f, TW_DIR_C2S, 7);
    fx_decide(&f);
    incomplete(&f, "lost 1448 bytes");
    ck_assert(warned(&f.v, TW_CAUSE_CAPTURE_LOST_DATA));
}
END_TEST

START_TEST(capture_ends_after_server_flight)
{
    struct fx f;
    fx_to_server_flight12(&f, "example.com");
    f.tcp.close_reason = TW_CLOSE_END;
    fx_decide(&f);
    incomplete(&f, "capture ended after the server's flight (frame 6)");
    ck_assert_str_eq(tw_stage_name(f.v.stage), "server_flight");
}
END_TEST

START_TEST(evicted_is_incomplete)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    f.tcp.close_reason = TW_CLOSE_EVICTED;
    fx_decide(&f);
    incomplete(&f, "evicted");
}
END_TEST

START_TEST(malformed_server_hello)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_TLS, "\x16\x03\x03", 5);
    f.tls.malformed_count = 1;
    f.tls.malformed = (struct tw_malformed){5, TW_DIR_S2C, "server_hello", "short read", 38};
    fx_fin(&f, TW_DIR_S2C, 6);
    fx_decide(&f);
    incomplete(&f, "malformed (server_hello: short read)");
    ck_assert(warned(&f.v, TW_CAUSE_MALFORMED));
}
END_TEST

/* OpenSSL answers the server's unexpected EOF with 50 decode_error: the close is the story. */
START_TEST(client_alert_after_server_close_is_closed_early)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "origin.test");
    fx_fin(&f, TW_DIR_S2C, 6);
    fx_alert(&f, TW_DIR_C2S, 7, 2, 50, true);
    fx_rst(&f, TW_DIR_S2C, 8);
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "FIN, frame 6");
    FRAMES(&f.v, 4, 6);
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

Suite *tw_corr_suite(void)
{
    Suite *s = suite_create("corr");
    TCase *tc = tcase_create("connect_and_hello");
    tcase_add_test(tc, cause_table_is_stable);
    tcase_add_test(tc, relevance_by_port_or_client_hello);
    tcase_add_test(tc, tcp_refused);
    tcase_add_test(tc, tcp_no_answer);
    tcase_add_test(tc, syn_then_capture_end_is_incomplete);
    tcase_add_test(tc, server_silent_until_client_gives_up);
    tcase_add_test(tc, server_silent_until_timeout);
    tcase_add_test(tc, no_answer_yet_when_capture_ends);
    tcase_add_test(tc, server_closed_early);
    tcase_add_test(tc, plaintext_server);
    tcase_add_test(tc, server_speaks_first_on_tls_port);
    tcase_add_test(tc, plaintext_client);
    tcase_add_test(tc, connected_but_client_silent);
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
    tcase_add_test(tc, lost_bytes_make_it_incomplete);
    tcase_add_test(tc, capture_ends_after_server_flight);
    tcase_add_test(tc, evicted_is_incomplete);
    tcase_add_test(tc, malformed_server_hello);
    tcase_add_test(tc, client_alert_after_server_close_is_closed_early);
    tcase_add_test(tc, old_client_internal_error_is_protocol_mismatch);
    tcase_add_test(tc, server_refuses_malformed_client_hello);
    suite_add_tcase(s, tc);
    return s;
}
