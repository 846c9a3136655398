/* check_rep.c: the reporters. The text line for a known verdict, -q/-v/colour, hostile wire
 * strings kept away from the terminal, the JSON Lines object (valid JSON, field values), and
 * the summary table, including the run with no TLS attempt at all. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "corr_fixture.h"
#include "tlswhy/reporters.h"

/* Runs begin, emit for each verdict, end; returns what the reporter wrote (static buffer). */
static void run(struct tw_reporter *r, const struct tw_verdict *const *v, size_t n,
                const struct tw_run_info *info)
{
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->begin(r->self, info), TW_OK);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(r->emit(r->self, v[i]), TW_OK);
    ck_assert_int_eq(r->end(r->self, info), TW_OK);
}

static const char *capture(FILE *f)
{
    static char buf[65536];
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The brief's example: name mismatch, OpenSSL's 42, frame 9. */
static void name_mismatch(struct fx *f, const char *sni)
{
    fx_to_server_flight12(f, sni);
    fx_finding(f, TW_CAUSE_CERT_NAME_MISMATCH, 0,
               "certificate covers *.example.com, not "
               "example.com");
    fx_alert(f, TW_DIR_C2S, 9, 2, 42, true);
    fx_fin(f, TW_DIR_C2S, 10);
    fx_decide(f);
}

static void ok12(struct fx *f)
{
    fx_handshake12(f, "www.example.com");
    fx_app(f, TW_DIR_C2S, 10, 300);
    fx_app(f, TW_DIR_S2C, 11, 900);
    fx_decide(f);
}

static const char *text(const struct tw_verdict *v, int verbosity, bool colour)
{
    FILE *f = tmpfile();
    struct tw_rep_text_opts o = {.verbosity = verbosity, .colour = colour};
    struct tw_reporter *r = tw_rep_text_new(f, &o);
    run(r, &v, 1, NULL);
    tw_rep_free(r);
    return capture(f);
}

START_TEST(text_line_for_known_verdict)
{
    struct fx f;
    name_mismatch(&f, "example.com");
    ck_assert_str_eq(text(&f.v, 0, false),
                     "2026-11-21T01:00:00.001000Z 203.0.113.7:51234 > 10.0.1.5:443 "
                     "sni=example.com TLSv1.2 FAILED cert_name_mismatch: certificate covers "
                     "*.example.com, not example.com (client alert 42 bad_certificate, frame 9)\n");
}
END_TEST

START_TEST(text_ok_lists_warnings_and_quiet_hides_it)
{
    struct fx f;
    fx_handshake12(&f, "www.example.com");
    fx_finding(&f, TW_CAUSE_CERT_EXPIRES_SOON, 0, "notAfter in 6 days");
    fx_app(&f, TW_DIR_C2S, 10, 300);
    fx_app(&f, TW_DIR_S2C, 11, 900);
    fx_decide(&f);
    const char *out = text(&f.v, 0, false);
    ck_assert_ptr_nonnull(strstr(out, " TLSv1.2 OK: the handshake completed"));
    ck_assert_ptr_nonnull(strstr(out, " [warnings: cert_expires_soon]\n"));
    ck_assert_str_eq(text(&f.v, -1, false), "");
    struct fx g;
    name_mismatch(&g, "example.com");
    ck_assert_ptr_nonnull(strstr(text(&g.v, -1, false), "FAILED cert_name_mismatch"));
}
END_TEST

START_TEST(text_colour_only_when_asked)
{
    struct fx f;
    name_mismatch(&f, "example.com");
    ck_assert_ptr_null(strchr(text(&f.v, 0, false), '\033'));
    ck_assert_ptr_nonnull(strstr(text(&f.v, 0, true), "\033[1;31mFAILED\033[0m cert_name"));
}
END_TEST

START_TEST(text_hostile_sni_is_escaped)
{
    struct fx f;
    /* an SNI that would set the terminal title and clear the screen */
    name_mismatch(&f, "\033]0;pwned\007evil\033[2J\\x\xff");
    const char *out = text(&f.v, 1, false);
    ck_assert_ptr_null(strchr(out, '\033'));
    ck_assert_ptr_null(strchr(out, '\007'));
    ck_assert_ptr_null(strchr(out, '\xff'));
    ck_assert_ptr_nonnull(strstr(out, "sni=\\x1b]0;pwned\\x07evil\\x1b[2J\\\\x\\xff "));
    char e[64];
    ck_assert_uint_eq(tw_rep_escape("a\nb", 3, e, sizeof e), 6);
    ck_assert_str_eq(e, "a\\x0ab");
}
END_TEST

START_TEST(text_verbose_ladder_and_chain)
{
    struct fx f;
    name_mismatch(&f, "example.com");
    const char *out = text(&f.v, 1, false);
    ck_assert_ptr_nonnull(strstr(out, "\n    frame 1           +0.000 ms  C>S  SYN\n"
                                      "    frame 2           +1.000 ms  S>C  SYN-ACK\n"
                                      "    frame 4           +3.000 ms  C>S  ClientHello\n"
                                      "    frame 6           +5.000 ms  S>C  ServerHello\n"
                                      "    frame 6           +5.000 ms  S>C  Certificate\n"
                                      "    frame 6           +5.000 ms  S>C  ServerHelloDone\n"
                                      "    frame 9           +8.000 ms  C>S  Alert fatal 42 "
                                      "bad_certificate\n"
                                      "    frame 10          +9.000 ms  C>S  FIN\n"));
    ck_assert_ptr_nonnull(strstr(out, "    cert[0] CN=*.example.com issuer CN=Example CA valid "
                                      "2026-01-01T00:00:00.000000Z .. "
                                      "2027-01-01T00:00:00.000000Z RSA 2048\n"));
    ck_assert_ptr_nonnull(strstr(out, "SAN *.example.com, www.example.com\n"));
    /* Every finding cites the frame that carried the Certificate (6 in the fixture). */
    ck_assert_ptr_nonnull(strstr(out, "    finding cert_name_mismatch (cert 0, Certificate frame 6): "
                                      "certificate covers"));
}
END_TEST

START_TEST(irrelevant_verdicts_are_not_reported)
{
    struct fx f;
    fx_init(&f);
    fx_connect(&f);
    f.ev.server.port = 80;
    fx_decide(&f);
    ck_assert(!f.v.relevant);
    ck_assert_str_eq(text(&f.v, 1, false), "");
    FILE *j = tmpfile();
    struct tw_reporter *r = tw_rep_json_new(j);
    const struct tw_verdict *vp = &f.v;
    run(r, &vp, 1, NULL);
    tw_rep_free(r);
    ck_assert_str_eq(capture(j), "");
}
END_TEST

static const char *json(const struct tw_verdict *v)
{
    FILE *f = tmpfile();
    struct tw_reporter *r = tw_rep_json_new(f);
    run(r, &v, 1, NULL);
    tw_rep_free(r);
    return capture(f);
}

#define JHAS(out, s) ck_assert_msg(strstr((out), (s)) != NULL, "no %s in %s", (s), (out))

START_TEST(json_object_fields)
{
    struct fx f;
    name_mismatch(&f, "example.com");
    const char *out = json(&f.v);
    ck_assert_msg(fx_json_line_valid(out), "invalid JSON line: %s", out);
    ck_assert_ptr_null(strchr(out, '\n') == out + strlen(out) - 1 ? NULL : out);
    JHAS(out, "{\"conn\":1,\"ts\":\"2026-11-21T01:00:00.001000Z\",\"first_frame\":1,"
              "\"last_frame\":10,\"client\":{\"ip\":\"203.0.113.7\",\"port\":51234},"
              "\"server\":{\"ip\":\"10.0.1.5\",\"port\":443},\"sni\":\"example.com\","
              "\"alpn\":\"h2\",\"alpn_offered\":[\"h2\",\"http/1.1\"],");
    JHAS(out, "\"versions_offered\":[\"0x3a3a\",\"TLSv1.3\",\"TLSv1.2\"],\"version\":\"TLSv1.2\"");
    JHAS(out, "\"cipher_suites_offered\":[\"0x0a0a\",\"0x1301\",\"0x1302\",\"0xc02f\"],"
              "\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"");
    JHAS(out,
         "\"outcome\":\"failed\",\"cause\":\"cert_name_mismatch\",\"stage\":"
         "\"server_flight\",\"explanation\":\"certificate covers *.example.com, not "
         "example.com (client alert 42 bad_certificate, frame 9)\",\"incomplete_reason\":null");
    JHAS(out, "\"alert\":{\"from\":\"client\",\"level\":\"fatal\",\"code\":42,\"name\":"
              "\"bad_certificate\",\"encrypted\":false,\"frame\":9},\"alerts\":[{");
    JHAS(out, "\"frames\":[4,6,9]");
    JHAS(out, "\"cert\":{\"parsed\":true,\"subject_cn\":\"*.example.com\"");
    JHAS(out, "\"sans\":[\"*.example.com\",\"www.example.com\"],\"issuer_cn\":\"Example CA\"");
    JHAS(out, "\"not_after\":\"2027-01-01T00:00:00.000000Z\"");
    JHAS(out, "\"findings\":[{\"code\":\"cert_name_mismatch\",\"cert_index\":0,");
    JHAS(out, "\"timing\":{\"syn_to_synack_ms\":1.000,\"hello_to_server_hello_ms\":2.000,"
              "\"handshake_ms\":null}");
    JHAS(out, "\"timestamps\":{\"first\":\"2026-11-21T01:00:00.001000Z\"");
    JHAS(out,
         "\"tcp\":{\"syn_count\":1,\"syn_frame\":1,\"synack_frame\":2,\"client_fin_frame\":10");
    JHAS(out, "\"warnings\":[]");
}
END_TEST

START_TEST(json_hostile_strings_stay_valid)
{
    struct fx f;
    name_mismatch(&f, "a\"b\\c\001\033[2J\xc3\xa9\xff");
    const char *out = json(&f.v);
    ck_assert_msg(fx_json_line_valid(out), "invalid JSON line: %s", out);
    JHAS(out, "\"sni\":\"a\\\"b\\\\c\\u0001\\u001b[2J\xc3\xa9\\u00ff\"");
    ck_assert_ptr_null(strchr(out, '\033'));
}
END_TEST

START_TEST(json_incomplete_and_refused)
{
    struct fx f;
    fx_init(&f);
    fx_syn(&f, 1, 1);
    fx_rst(&f, TW_DIR_S2C, 2);
    fx_decide(&f);
    f.ev.tls = NULL; /* no payload byte at all */
    const char *out = json(&f.v);
    ck_assert_msg(fx_json_line_valid(out), "invalid JSON line: %s", out);
    JHAS(out, "\"sni\":null,\"alpn\":null,\"alpn_offered\":null,\"versions_offered\":null,"
              "\"version\":null,\"cipher_suites_offered\":null,\"cipher\":null,\"name\":null,"
              "\"outcome\":\"failed\",\"cause\":\"tcp_refused\",\"stage\":\"tcp_connect\"");
    JHAS(out, "\"alert\":null,\"alerts\":[]");
    JHAS(out, "\"cert\":null,\"chain\":[],\"findings\":[]");
    fx_init(&f);
    fx_syn(&f, 1, 1);
    f.tcp.close_reason = TW_CLOSE_END;
    fx_decide(&f);
    out = json(&f.v);
    JHAS(out, "\"outcome\":\"incomplete\",\"cause\":null,\"stage\":\"tcp_connect\"");
    JHAS(out, "\"incomplete_reason\":\"the capture ended");
}
END_TEST

static const char *summary(const struct tw_verdict *const *v, size_t n,
                           const struct tw_run_info *info)
{
    FILE *f = tmpfile();
    struct tw_reporter *r = tw_rep_summary_new(f);
    run(r, v, n, info);
    tw_rep_free(r);
    return capture(f);
}

START_TEST(summary_table)
{
    struct fx a, b, c, d;
    name_mismatch(&a, "example.com");
    name_mismatch(&b, "example.com");
    b.tcp.first_frame = 20; /* a later connection: frames 20..30 */
    b.tcp.last_frame = 30;
    ok12(&c);
    fx_init(&d);
    fx_syn(&d, 40, 1);
    fx_rst(&d, TW_DIR_S2C, 41);
    fx_decide(&d);
    const struct tw_verdict *v[] = {&a.v, &b.v, &c.v, &d.v};
    const char *out = summary(v, 4, NULL);
    JHAS(out, "== tlswhy summary: 4 TLS connections (1 ok, 3 failed, 0 incomplete), frames 1-41\n");
    JHAS(out, "\nfailed cert_name_mismatch                 2          1         30\n"
              "ok -                                      1          1         11\n"
              "failed tcp_refused                        1         40         41\n");
    JHAS(out, "\nserver name                         conns     ok failed incompl      first   "
              "    last  causes\n"
              "example.com                             2      0      2       0          1     "
              "    30  cert_name_mismatch\n"
              "www.example.com                         1      1      0       0          1     "
              "    11  -\n"
              "10.0.1.5                                1      0      1       0         40     "
              "    41  tcp_refused  (no SNI)\n");
    JHAS(out, "\n0000000000000000000000000000000000000000000000000000000000000007      3      1"
              "      2       0          1         30  cert_name_mismatch  *.example.com\n");
    ck_assert_ptr_null(strstr(out, "No TLS connection attempt"));
}
END_TEST

/* Failures grouped by client JA4, only when more than one client fingerprint was seen. */
START_TEST(summary_by_client_ja4)
{
    static struct fx a, b, c; /* static: a verdict carries the raw JA4 strings */
    name_mismatch(&a, "example.com");
    name_mismatch(&b, "example.com");
    b.tcp.first_frame = 20;
    b.tcp.last_frame = 30;
    ok12(&c);
    snprintf(a.v.fp.ja4, sizeof a.v.fp.ja4, "t12d190800_d83cc789557e_7af1ed941c26");
    snprintf(b.v.fp.ja4, sizeof b.v.fp.ja4, "t12d190800_d83cc789557e_7af1ed941c26");
    snprintf(c.v.fp.ja4, sizeof c.v.fp.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    const struct tw_verdict *v[] = {&a.v, &b.v, &c.v};
    const char *out = summary(v, 3, NULL);
    JHAS(out, "\nclient ja4                            conns     ok failed incompl      first"
              "       last  causes\n"
              "t12d190800_d83cc789557e_7af1ed941c26      2      0      2       0          1"
              "         30  cert_name_mismatch\n"
              "t13d1516h2_8daaf6152771_e5627efa2ab1      1      1      0       0          1"
              "         11  -\n");
    snprintf(c.v.fp.ja4, sizeof c.v.fp.ja4, "t12d190800_d83cc789557e_7af1ed941c26");
    out = summary(v, 3, NULL);
    ck_assert_ptr_null(strstr(out, "client ja4"));
}
END_TEST

START_TEST(summary_without_any_tls_attempt)
{
    struct tw_run_info info = {0};
    info.frames = 1234;
    info.conns = 7;
    const char *out = summary(NULL, 0, &info);
    JHAS(out, "0 TLS connections");
    JHAS(out, "No TLS connection attempt");
    JHAS(out, "in 1234 frames (7 TCP connections)");
    JHAS(out, "DNS failure at the edge");
    JHAS(out, "edge function");
    JHAS(out, "wrong origin address");
    info.frames = 0;
    out = summary(NULL, 0, &info);
    JHAS(out, "No frame was read");
    JHAS(out, "DNS failure at the edge");
}
END_TEST

/* Evidence with every field scrambled (counts past capacities, odd frames, unterminated
 * wire-string buffers aside) must still give a verdict whose frames ascend and whose JSON
 * parses: the diagnosis and the reporters bound every loop by the containers' capacity. */
static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 17;
}

/* Bytes 0 or 1 only, so every bool stays a valid bool; the counts are pushed past their
 * capacities by hand. */
static void scramble(void *p, size_t n, uint64_t *seed)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(lcg(seed) & 1);
}

START_TEST(scrambled_evidence_never_breaks_output)
{
    uint64_t seed = 0x5eed0000u + (uint64_t)_i;
    struct fx f;
    fx_init(&f);
    fx_chain(&f);
    scramble(&f.tcp, sizeof f.tcp, &seed);
    scramble(&f.tls, sizeof f.tls, &seed);
    scramble(f.chain.findings, sizeof f.chain.findings, &seed);
    f.chain.finding_count = (uint16_t)(lcg(&seed) % 40);
    for (int i = 0; i < TW_CERT_MAX_FINDINGS; i++) {
        f.chain.findings[i].code = (int)(lcg(&seed) % (TW_CAUSE_COUNT + 3)) - 1;
        f.chain.findings[i].text[sizeof f.chain.findings[i].text - 1] = '\0';
    }
    f.tls.alert_count = (uint16_t)(lcg(&seed) % 3 ? lcg(&seed) % 12 : 0xffff);
    f.tls.step_count = (uint16_t)(lcg(&seed) % 3 ? lcg(&seed) % 60 : 0xffff);
    f.tls.ch.cipher_suites.n = (uint16_t)(lcg(&seed) % 1000);
    f.tls.ch.versions.n = (uint16_t)(lcg(&seed) % 40);
    f.tls.ch.alpn_len = (uint16_t)(lcg(&seed) % 300);
    f.tls.d[0].probe.len = (uint16_t)(lcg(&seed) % 100);
    f.tls.d[1].probe.len = (uint16_t)(lcg(&seed) % 100);
    f.tls.d[1].probe.kind = (enum tw_probe_kind)(lcg(&seed) % 7);
    f.tcp.close_reason = (enum tw_close_reason)(lcg(&seed) % 7);
    f.tls.sh.version = lcg(&seed) & 1 ? 0x0304 : (uint16_t)(0x0300 + lcg(&seed) % 5);
    f.tls.ch.sni[TW_SNI_MAX] = '\0';
    f.tls.sh.alpn[sizeof f.tls.sh.alpn - 1] = '\0';
    f.tls.malformed.what = "record";
    f.tls.malformed.why = "short read";
    memset(f.tls.cert.der, 0, sizeof f.tls.cert.der);
    memset(f.tls.client_cert.der, 0, sizeof f.tls.client_cert.der);
    f.has_chain = lcg(&seed) & 1;
    fx_decide(&f);
    ck_assert(f.v.relevant);
    ck_assert_uint_lt(strlen(f.v.explanation), sizeof f.v.explanation);
    ck_assert(f.v.outcome <= TW_OUTCOME_INCOMPLETE);
    ck_assert(f.v.outcome == TW_OUTCOME_FAILED ? f.v.cause != TW_CAUSE_NONE
                                               : f.v.cause == TW_CAUSE_NONE);
    for (uint16_t i = 1; i < f.v.frame_count; i++)
        ck_assert_uint_lt(f.v.frames[i - 1], f.v.frames[i]);
    const char *out = json(&f.v);
    ck_assert_msg(fx_json_line_valid(out), "invalid JSON line: %s", out);
    out = text(&f.v, 1, true);
    ck_assert_ptr_nonnull(strstr(out, "10.0.1.5:443"));
}
END_TEST

Suite *tw_rep_suite(void)
{
    Suite *s = suite_create("rep");
    TCase *tc = tcase_create("reporters");
    tcase_add_test(tc, text_line_for_known_verdict);
    tcase_add_test(tc, text_ok_lists_warnings_and_quiet_hides_it);
    tcase_add_test(tc, text_colour_only_when_asked);
    tcase_add_test(tc, text_hostile_sni_is_escaped);
    tcase_add_test(tc, text_verbose_ladder_and_chain);
    tcase_add_test(tc, irrelevant_verdicts_are_not_reported);
    tcase_add_test(tc, json_object_fields);
    tcase_add_test(tc, json_hostile_strings_stay_valid);
    tcase_add_test(tc, json_incomplete_and_refused);
    tcase_add_test(tc, summary_table);
    tcase_add_test(tc, summary_without_any_tls_attempt);
    tcase_add_test(tc, summary_by_client_ja4);
    tcase_add_loop_test(tc, scrambled_evidence_never_breaks_output, 0, 300);
    suite_add_tcase(s, tc);
    return s;
}
