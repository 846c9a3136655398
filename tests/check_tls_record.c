/* check_tls_record.c: the record and handshake framers on real openssl handshakes (fixtures
 * from scripts/make-tls-fixtures.sh): what each scenario must show, TLS 1.3 classification
 * without keys, and that any way of cutting the stream gives the same evidence. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tls_fixture.h"
#include "tlswhy/dissector.h"

static bool has_u16(const uint16_t *v, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

START_TEST(tls12_ok)
{
    struct fx_conn c;
    fx_run(&c, "tls12-ok");
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_int_eq(x->d[TW_DIR_C2S].probe.kind, TW_PROBE_TLS);
    ck_assert_int_eq(x->d[TW_DIR_S2C].probe.kind, TW_PROBE_TLS);
    ck_assert(x->ch.present && !x->ch2.present && !x->hrr.present);
    ck_assert_uint_eq(x->ch.frame, 4);
    ck_assert_str_eq(x->ch.sni, "www.example.com");
    ck_assert_uint_eq(x->ch.legacy_version, 0x0303);
    ck_assert_uint_eq(x->ch.cipher_suites.v[0], 0xc02c); /* tshark: first suite offered */
    ck_assert(has_u16(x->ch.cipher_suites.v, x->ch.cipher_suites.n, 0x00ff));
    ck_assert_uint_eq(x->ch.alpn_count, 2);
    ck_assert_mem_eq(x->ch.alpn, "\x02h2\x08http/1.1", 12);
    ck_assert(x->sh.present);
    ck_assert_uint_eq(x->sh.frame, 6);
    ck_assert_uint_eq(x->sh.version, 0x0303);
    ck_assert_uint_eq(x->sh.cipher_suite, 0xc030);
    ck_assert_str_eq(x->sh.alpn, "h2");
    ck_assert_uint_eq(x->sh.downgrade, 0); /* openssl built without TLS 1.3 on the server */
    ck_assert(x->cert.present && !x->cert.tls13);
    ck_assert_uint_eq(x->cert.count, 2);
    ck_assert_uint_eq(x->cert.kept, 2);
    ck_assert_uint_eq(x->cert.der[0].der[0], 0x30); /* DER SEQUENCE */
    ck_assert_uint_eq(x->server_kx_frame, 6);
    ck_assert_uint_eq(x->server_kx_group, 0x001d); /* x25519 */
    ck_assert_uint_eq(x->server_hello_done_frame, 6);
    ck_assert_uint_eq(x->client_kx_frame, 8);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].ccs_frame, 8);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].ccs_frame, 9);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].finished_frame, 8);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].finished_frame, 9);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].encrypted_from, 8);
    ck_assert_uint_eq(x->new_session_ticket_frame, 9);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].first_app_frame, 10);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].first_app_frame, 11);
    /* the server's answer after the client's request ends the interest in both directions */
    ck_assert_int_eq(c.rc[TW_DIR_C2S], TW_STREAM_DONE);
    ck_assert_int_eq(c.rc[TW_DIR_S2C], TW_STREAM_DONE);
    ck_assert_uint_eq(x->alert_count, 0);
    ck_assert_uint_eq(x->malformed_count, 0);
    fx_conn_clear(&c);
}
END_TEST

START_TEST(tls12_ocsp_and_dhe)
{
    struct fx_conn c;
    fx_run(&c, "tls12-ocsp");
    ck_assert(c.ev.tls->ch.has_status_request);
    ck_assert_uint_eq(c.ev.tls->cert_status_frame, 6);
    ck_assert_uint_gt(c.ev.tls->cert_status_len, 100);
    ck_assert_uint_eq(c.ev.tls->malformed_count, 0);
    fx_conn_clear(&c);

    fx_run(&c, "tls12-dhe");
    ck_assert_uint_eq(c.ev.tls->sh.cipher_suite, 0x009e);
    ck_assert_uint_eq(c.ev.tls->server_kx_dh_bits, 2048);
    ck_assert_uint_eq(c.ev.tls->server_kx_group, 0);
    ck_assert_uint_eq(c.ev.tls->malformed_count, 0);
    fx_conn_clear(&c);
}
END_TEST

START_TEST(tls13_ok_without_keys)
{
    struct fx_conn c;
    fx_run(&c, "tls13-ok");
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert(has_u16(x->ch.versions.v, x->ch.versions.n, 0x0304));
    ck_assert_uint_eq(x->ch.key_share_groups.n, 1);
    ck_assert_uint_eq(x->ch.key_share_groups.v[0], 0x001d);
    ck_assert_uint_eq(x->ch.session_id_len, 32); /* middlebox compatibility mode */
    ck_assert_uint_eq(x->sh.legacy_version, 0x0303);
    ck_assert_uint_eq(x->sh.version, 0x0304);
    ck_assert_uint_eq(x->sh.cipher_suite, 0x1302);
    ck_assert_uint_eq(x->sh.key_share_group, 0x001d);
    ck_assert(!x->cert.present); /* encrypted */
    /* server flight: 4 records in frame 6 after its CCS; client: CCS + Finished in frame 8 */
    ck_assert_uint_eq(x->d[TW_DIR_S2C].enc_hs_records, 4);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].encrypted_from, 6);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].enc_hs_records, 1);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].finished_frame, 8);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].ccs_frame, 8);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].first_app_frame, 12);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].first_app_frame, 9); /* NewSessionTicket records */
    ck_assert_int_eq(c.rc[TW_DIR_C2S], TW_STREAM_DONE);
    ck_assert_uint_eq(x->alert_count, 0);
    ck_assert_uint_eq(x->malformed_count, 0);
    fx_conn_clear(&c);
}
END_TEST

START_TEST(tls13_hrr_and_second_client_hello)
{
    struct fx_conn c;
    fx_run(&c, "tls13-hrr");
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert(x->hrr.present && x->hrr.is_hrr);
    ck_assert_uint_eq(x->hrr.random[0], 0xcf); /* the RFC 8446 §4.1.3 special value */
    ck_assert_uint_eq(x->hrr.random[31], 0x9c);
    ck_assert(memcmp(x->ch.random, x->ch2.random, 32) == 0); /* the second hello repeats it */
    ck_assert_uint_eq(x->hrr.frame, 6);
    ck_assert_uint_eq(x->hrr.key_share_group, 0x0017); /* asks for secp256r1 */
    ck_assert_uint_eq(x->hrr.version, 0x0304);
    ck_assert_uint_eq(x->ch.key_share_groups.v[0], 0x001d);
    /* the second ClientHello follows a plaintext CCS and is still parsed */
    ck_assert(x->ch2.present);
    ck_assert_uint_eq(x->ch2.frame, 8);
    ck_assert_str_eq(x->ch2.sni, "www.example.com");
    ck_assert_uint_eq(x->ch2.key_share_groups.v[0], 0x0017);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].ccs_frame, 8);
    ck_assert(x->sh.present && !x->sh.is_hrr);
    ck_assert_uint_eq(x->sh.frame, 9);
    ck_assert_uint_eq(x->sh.key_share_group, 0x0017);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].encrypted_from, 10);
    ck_assert_uint_eq(x->malformed_count, 0);
    fx_conn_clear(&c);
}
END_TEST

START_TEST(plaintext_alerts)
{
    static const struct {
        const char *name;
        enum tw_dir dir;
        uint64_t frame;
        uint8_t desc;
    } cases[] = {
        {"tls-version-mismatch", TW_DIR_S2C, 6, 70},   /* protocol_version */
        {"tls12-no-shared-cipher", TW_DIR_S2C, 6, 40}, /* handshake_failure */
        {"tls12-bad-name", TW_DIR_C2S, 8, 42},         /* bad_certificate */
        {"tls13-bad-name", TW_DIR_C2S, 8, 42},         /* still plaintext from openssl */
        {"tls12-client-cert-missing", TW_DIR_S2C, 9, 40},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx_conn c;
        fx_run(&c, cases[i].name);
        const struct tw_ev_tls *x = c.ev.tls;
        ck_assert_msg(x->alert_count == 1, "%s: %u alerts", cases[i].name, x->alert_count);
        ck_assert_uint_eq(x->alerts[0].dir, cases[i].dir);
        ck_assert_uint_eq(x->alerts[0].frame, cases[i].frame);
        ck_assert_uint_eq(x->alerts[0].level, 2);
        ck_assert_uint_eq(x->alerts[0].desc, cases[i].desc);
        ck_assert(x->alerts[0].visible && !x->alerts[0].encrypted && !x->alerts[0].probable);
        ck_assert_uint_eq(x->malformed_count, 0);
        fx_conn_clear(&c);
    }
}
END_TEST

START_TEST(tls12_cert_request_and_empty_client_cert)
{
    struct fx_conn c;
    fx_run(&c, "tls12-client-cert-missing");
    ck_assert_uint_eq(c.ev.tls->cert_request_frame, 6);
    ck_assert(c.ev.tls->client_cert.present);
    ck_assert_uint_eq(c.ev.tls->client_cert.count, 0);
    ck_assert_uint_eq(c.ev.tls->client_cert.frame, 8);
    fx_conn_clear(&c);
}
END_TEST

/* TLS 1.3, server requires a client certificate, client has none: the client's flight is an
 * empty Certificate (25-byte record) and Finished in frame 8; the server's 19-byte record in
 * frame 9 followed by its FIN (frame 10) is a probable encrypted alert (certificate_required). */
START_TEST(tls13_encrypted_alert_before_fin)
{
    struct fx_conn c;
    fx_run(&c, "tls13-client-cert-missing");
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_uint_eq(x->d[TW_DIR_C2S].enc_hs_records, 2);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].app_records, 0);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].app_records, 0);
    ck_assert_uint_eq(x->alert_count, 1);
    ck_assert_uint_eq(x->alerts[0].dir, TW_DIR_S2C);
    ck_assert_uint_eq(x->alerts[0].frame, 9);
    ck_assert_uint_eq(x->alerts[0].record_len, 19);
    ck_assert(x->alerts[0].encrypted && !x->alerts[0].visible && x->alerts[0].probable);
    fx_conn_clear(&c);
}
END_TEST

/* Without the FIN the same record stays application data: timing is part of the rule. */
START_TEST(tls13_alert_needs_fin_or_rst)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls13-client-cert-missing");
    for (size_t i = 0; i < f.n; i++)
        if (f.ev[i].kind != FX_DATA)
            f.ev[i].dir = TW_DIR_C2S; /* only the client closes */
    fx_conn_init(&c);
    fx_replay(&c, &f, 0, SIZE_MAX, 0);
    ck_assert_uint_eq(c.ev.tls->alert_count, 0);
    ck_assert_uint_eq(c.ev.tls->d[TW_DIR_S2C].app_records, 1);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* The client's first encrypted record, alert-sized, cannot be a Finished: a made-up TLS 1.3
 * exchange reusing the real server flight of tls13-ok and a 19-byte client record. */
START_TEST(tls13_client_rejects_server_flight)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls13-ok");
    fx_conn_init(&c);
    for (size_t i = 0; i < f.n && f.ev[i].frame <= 6; i++)
        if (f.ev[i].kind == FX_DATA)
            tw_tls_data(c.t, &c.ev, f.ev[i].dir, f.ev[i].data, f.ev[i].len, f.ev[i].frame, 0);
    /* CCS record; then an application_data record of 19 bytes (zeros stand for ciphertext) */
    uint8_t rec[6 + 5 + 19] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 19};
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, rec, sizeof rec, 7, 0);
    tw_tls_end(c.t, &c.ev);
    ck_assert_uint_eq(c.ev.tls->alert_count, 1);
    ck_assert_uint_eq(c.ev.tls->alerts[0].dir, TW_DIR_C2S);
    ck_assert(c.ev.tls->alerts[0].probable);
    ck_assert_uint_eq(c.ev.tls->d[TW_DIR_C2S].enc_hs_records, 0);
    ck_assert_uint_eq(c.ev.tls->d[TW_DIR_C2S].finished_frame, 0);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

START_TEST(http_answer_to_tls)
{
    struct fx_conn c;
    fx_run(&c, "tls-to-http");
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_int_eq(x->d[TW_DIR_C2S].probe.kind, TW_PROBE_TLS);
    ck_assert_int_eq(x->d[TW_DIR_S2C].probe.kind, TW_PROBE_HTTP_RESPONSE);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].probe.frame, 6);
    ck_assert_uint_ge(x->d[TW_DIR_S2C].probe.len, 24);
    ck_assert_mem_eq(x->d[TW_DIR_S2C].probe.first, "HTTP/1.1 400 Bad Request", 24);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].records, 0);
    ck_assert(x->ch.present && !x->sh.present);
    fx_conn_clear(&c);
}
END_TEST

static const char *const scenarios[] = {
    "tls12-ok",
    "tls13-ok",
    "tls13-hrr",
    "tls12-dhe",
    "tls12-ocsp",
    "tls12-client-cert-missing",
    "tls13-client-cert-missing",
    "tls12-bad-name",
    "tls13-bad-name",
    "tls-version-mismatch",
    "tls12-no-shared-cipher",
    "tls-to-http",
};
#define N_SCENARIOS (int)(sizeof scenarios / sizeof scenarios[0])

/* Every segment of every scenario cut at every byte boundary (two tw_tls_data calls), and the
 * whole stream fed one byte at a time, give the same evidence as whole segments. _i picks the
 * scenario. */
START_TEST(any_cut_gives_same_evidence)
{
    static char want[16384], got[16384];
    struct fx f;
    struct fx_conn c;
    fx_load(&f, scenarios[_i]);
    fx_conn_init(&c);
    fx_replay(&c, &f, 0, SIZE_MAX, 0);
    fx_summary(c.ev.tls, want, sizeof want);
    fx_conn_clear(&c);
    fx_conn_init(&c);
    fx_replay(&c, &f, 1, SIZE_MAX, 0);
    fx_summary(c.ev.tls, got, sizeof got);
    fx_conn_clear(&c);
    ck_assert_str_eq(got, want);
    for (size_t e = 0; e < f.n; e++) {
        for (size_t k = 1; k < f.ev[e].len; k++) {
            fx_conn_init(&c);
            fx_replay(&c, &f, 0, e, k);
            fx_summary(c.ev.tls, got, sizeof got);
            fx_conn_clear(&c);
            ck_assert_msg(strcmp(got, want) == 0, "%s: event %zu cut at %zu:\n%s\nvs\n%s",
                          scenarios[_i], e, k, got, want);
        }
    }
    fx_free(&f);
}
END_TEST

Suite *tw_tls_record_suite(void)
{
    Suite *s = suite_create("tls_record");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, tls12_ok);
    tcase_add_test(tc, tls12_ocsp_and_dhe);
    tcase_add_test(tc, tls13_ok_without_keys);
    tcase_add_test(tc, tls13_hrr_and_second_client_hello);
    tcase_add_test(tc, plaintext_alerts);
    tcase_add_test(tc, tls12_cert_request_and_empty_client_cert);
    tcase_add_test(tc, tls13_encrypted_alert_before_fin);
    tcase_add_test(tc, tls13_alert_needs_fin_or_rst);
    tcase_add_test(tc, tls13_client_rejects_server_flight);
    tcase_add_test(tc, http_answer_to_tls);
    suite_add_tcase(s, tc);
    TCase *cuts = tcase_create("cuts");
    tcase_set_timeout(cuts, 300);
    tcase_add_loop_test(cuts, any_cut_gives_same_evidence, 0, N_SCENARIOS);
    suite_add_tcase(s, cuts);
    return s;
}
