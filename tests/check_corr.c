/* check_corr.c: the diagnosis up to the first server bytes: the cause table, relevance,
 * tcp_refused, tcp_no_answer, server_silent, server_closed_early, plaintext_server/client, and
 * the incomplete cases (capture end, lost bytes, eviction, mid-stream, malformed). Alerts and
 * the hellos are in check_corr_hello.c, certificate causes and the handshake's end in
 * check_corr_cert.c. */
#include <check.h>
#include <string.h>

#include "corr_fixture.h"

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
    fx_init(&f); /* one SYN, then the idle timeout */
    fx_syn(&f, 1, 1);
    f.tcp.close_reason = TW_CLOSE_TIMEOUT;
    f.tcp.close_ts = FX_T0 + 30001000;
    fx_decide(&f);
    failed(&f, TW_CAUSE_TCP_NO_ANSWER, TW_STAGE_TCP_CONNECT);
    HAS(&f, "1 SYN to 10.0.1.5:443 (frame 1) got no SYN-ACK in 30.000 s");
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
    HAS(&f, "RST, frame 5) 1.000 ms after the ClientHello (frame 4)");
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
    HAS(&f, "HTTPS sent to a plain-HTTP port (port 80)");
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

/* A SYN flood fills the table: a SYN evicted before its answer could arrive is not a server
 * that did not answer. Two SYNs (a retransmission) are evidence of no answer all the same. */
START_TEST(syn_evicted_is_incomplete)
{
    struct fx f;
    fx_init(&f);
    fx_syn(&f, 1, 1);
    f.tcp.close_reason = TW_CLOSE_EVICTED;
    f.tcp.close_ts = FX_T0 + 262000;
    fx_decide(&f);
    incomplete(&f, "tlswhy evicted the connection 261.000 ms after the SYN to 10.0.1.5:443 "
                   "(frame 1), before any answer: the connection table was full (max_conns)");
    ck_assert_str_eq(tw_stage_name(f.v.stage), "tcp_connect");
    fx_init(&f);
    fx_syn(&f, 1, 2);
    f.tcp.close_reason = TW_CLOSE_EVICTED;
    f.tcp.close_ts = FX_T0 + 1100000;
    fx_decide(&f);
    failed(&f, TW_CAUSE_TCP_NO_ANSWER, TW_STAGE_TCP_CONNECT);
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

/* Binary non-TLS bytes are shown in hex; a capture that starts mid-stream proves nothing. */
START_TEST(binary_first_bytes_and_mid_stream)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_client_hello(&f, 4, "example.com");
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_OTHER, "\x01\x02\xff\x7f abc", 5);
    fx_decide(&f);
    failed(&f, TW_CAUSE_PLAINTEXT_SERVER, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "non-TLS bytes 01 02 ff 7f 20 61 62 63 (frame 5): the server does not speak TLS on "
            "this port (port 443)");
    fx_init(&f);
    f.tcp.mid_stream = true;
    fx_probe(&f, TW_DIR_C2S, TW_PROBE_OTHER, "\x8a\x17", 6);
    fx_decide(&f);
    incomplete(&f, "middle of the connection");
}
END_TEST

/* HTTP CONNECT through a proxy: plaintext both ways, then TLS. The proxy's "200" is not a
 * plaintext answer to the ClientHello. */
START_TEST(plaintext_before_client_hello_is_not_the_answer)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    fx_probe(&f, TW_DIR_C2S, TW_PROBE_HTTP_REQUEST, "CONNECT example.com:443 HTTP/1.1\r\n", 4);
    fx_probe(&f, TW_DIR_S2C, TW_PROBE_HTTP_RESPONSE, "HTTP/1.1 200 Connection established\r\n", 5);
    f.tls.d[TW_DIR_C2S].tls_after_plaintext_frame = 6;
    fx_client_hello(&f, 6, "example.com");
    fx_rst(&f, TW_DIR_S2C, 7);
    fx_decide(&f);
    failed(&f, TW_CAUSE_SERVER_CLOSED_EARLY, TW_STAGE_CLIENT_HELLO);
    HAS(&f, "(RST, frame 7)");
}
END_TEST

Suite *tw_corr_suite(void)
{
    Suite *s = suite_create("corr");
    TCase *tc = tcase_create("connect_and_first_bytes");
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
    tcase_add_test(tc, lost_bytes_make_it_incomplete);
    tcase_add_test(tc, capture_ends_after_server_flight);
    tcase_add_test(tc, evicted_is_incomplete);
    tcase_add_test(tc, syn_evicted_is_incomplete);
    tcase_add_test(tc, malformed_server_hello);
    tcase_add_test(tc, client_alert_after_server_close_is_closed_early);
    tcase_add_test(tc, binary_first_bytes_and_mid_stream);
    tcase_add_test(tc, plaintext_before_client_hello_is_not_the_answer);
    suite_add_tcase(s, tc);
    return s;
}
