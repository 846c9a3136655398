/* check_rep_doc.c: the ticket report (--report). Which file names choose which format; the
 * headline naming the cause, the server name and the fix; hostile wire strings kept inert in
 * HTML and Markdown (no tag, no cell break, no early end of a fence); --anonymize; and a
 * report over many connections staying small. The samples are covered by tests/t_report*.sh. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "corr_fixture.h"
#include "tlswhy/reporters.h"

static char *report_of(struct tw_verdict *const *v, size_t n, enum tw_doc_format fmt,
                       bool anonymize, const char *cmd)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    struct tw_rep_doc_opts o = {.format = fmt, .anonymize = anonymize};
    struct tw_reporter *r = tw_rep_doc_new(f, &o);
    const char *inputs[] = {"capture.pcap"};
    struct tw_run_info info = {.inputs = inputs,
                               .input_count = 1,
                               .command_line = cmd,
                               .frames = 10,
                               .first_ts_us = FX_T0,
                               .last_ts_us = FX_T0 + 60000};
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->begin(r->self, &info), TW_OK);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(r->emit(r->self, v[i]), TW_OK);
    ck_assert_int_eq(r->end(r->self, &info), TW_OK);
    tw_rep_free(r);
    long len = ftell(f);
    ck_assert_int_gt(len, 0);
    char *buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    rewind(f);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static void name_mismatch(struct fx *f, const char *sni)
{
    fx_to_server_flight12(f, sni);
    fx_finding(f, TW_CAUSE_CERT_NAME_MISMATCH, 0, "certificate covers *.example.com, not it");
    fx_alert(f, TW_DIR_C2S, 9, 2, 42, true);
    fx_fin(f, TW_DIR_C2S, 10);
    fx_decide(f);
}

static void ok12(struct fx *f, const char *sni)
{
    fx_handshake12(f, sni);
    fx_app(f, TW_DIR_C2S, 10, 300);
    fx_app(f, TW_DIR_S2C, 11, 900);
    fx_decide(f);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

START_TEST(format_from_file_name)
{
    ck_assert_int_eq(tw_rep_doc_format_of("out/report.html"), TW_DOC_HTML);
    ck_assert_int_eq(tw_rep_doc_format_of("R.HTM"), TW_DOC_HTML);
    ck_assert_int_eq(tw_rep_doc_format_of("ticket.md"), TW_DOC_MD);
    ck_assert_int_eq(tw_rep_doc_format_of("ticket.Markdown"), TW_DOC_MD);
    ck_assert_int_eq(tw_rep_doc_format_of("report.txt"), -1);
    ck_assert_int_eq(tw_rep_doc_format_of("report"), -1);
    ck_assert_int_eq(tw_rep_doc_format_of("dir.html/report"), -1);
    ck_assert_int_eq(tw_rep_doc_format_of(NULL), -1);
}
END_TEST

START_TEST(headline_says_cause_name_and_fix)
{
    struct fx bad, good;
    name_mismatch(&bad, "mydomain.test");
    ok12(&good, "www.example.com");
    struct tw_verdict *v[] = {&bad.v, &good.v};
    char *html = report_of(v, 2, TW_DOC_HTML, false, "tlswhy -r capture.pcap");
    ck_assert_ptr_nonnull(strstr(html, "1 of 2 TLS connections failed (50%)"));
    ck_assert_ptr_nonnull(strstr(html, "the certificate on the origin does not cover "
                                       "mydomain.test"));
    ck_assert_ptr_nonnull(strstr(html, "Usual fix: reissue it with mydomain.test as a SAN"));
    ck_assert_ptr_nonnull(strstr(html, "id=\"g-cert_name_mismatch\""));
    ck_assert_ptr_nonnull(strstr(html, "Alert fatal 42 bad_certificate"));
    ck_assert_ptr_nonnull(strstr(html, "finding: cert_name_mismatch"));
    ck_assert_ptr_nonnull(strstr(html, "tlswhy -r capture.pcap"));
    ck_assert_ptr_null(strstr(html, "://"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "{name}")); /* every template filled */
    ck_assert_uint_eq(count(html, "reissue it with mydomain.test as a SAN"), 2);
    free(html);
    char *md = report_of(v, 2, TW_DOC_MD, false, "tlswhy -r capture.pcap");
    ck_assert_ptr_nonnull(strstr(md, "does not cover mydomain.test"));
    ck_assert_ptr_nonnull(strstr(md, "**Usual fix:** reissue it with mydomain.test as a SAN"));
    ck_assert_ptr_nonnull(strstr(md, "  <== ALERT\n"));
    ck_assert_ptr_nonnull(strstr(md, "  <== finding: cert_name_mismatch\n"));
    ck_assert_uint_eq(count(md, "\n```"), 4); /* two ladders, each opened and closed */
    ck_assert_ptr_null(strstr(md, "{name}"));
    free(md);
}
END_TEST

START_TEST(hostile_sni_is_inert_in_html)
{
    struct fx f;
    name_mismatch(&f, "<script>alert(1)</script>\"'&\x01\xff caf\xc3\xa9");
    struct tw_verdict *v[] = {&f.v};
    char *html = report_of(v, 1, TW_DOC_HTML, false, "tlswhy <i>");
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<i>"));
    ck_assert_ptr_null(strchr(html, '\x01'));
    ck_assert_ptr_null(strchr(html, '\xff'));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"
                                       "\\x01\\xff caf\xc3\xa9"));
    ck_assert_ptr_nonnull(strstr(html, "tlswhy &lt;i&gt;"));
    free(html);
}
END_TEST

START_TEST(hostile_strings_are_inert_in_markdown)
{
    struct fx f, p;
    name_mismatch(&f, "a|b`c*d_<img src=x>[l](j)");
    fx_init(&p); /* plain text with backticks to a TLS port: shown in the ladder's fence */
    fx_connect(&p);
    fx_probe(&p, TW_DIR_C2S, TW_PROBE_HTTP_REQUEST, "```\n# x", 4);
    fx_fin(&p, TW_DIR_C2S, 5);
    fx_decide(&p);
    struct tw_verdict *v[] = {&f.v, &p.v};
    char *md = report_of(v, 2, TW_DOC_MD, false, "tlswhy | x");
    ck_assert_ptr_null(strstr(md, "<img"));
    ck_assert_ptr_nonnull(strstr(md, "a\\|b\\`c\\*d\\_&lt;img src=x&gt;\\[l\\](j)"));
    ck_assert_ptr_nonnull(strstr(md, "| command line | tlswhy \\| x |"));
    ck_assert_ptr_nonnull(strstr(md, "non-TLS bytes \"\\x60\\x60\\x60\\x0a# x\""));
    ck_assert_uint_eq(count(md, "\n```"), 4); /* the bytes did not close a fence */
    free(md);
}
END_TEST

START_TEST(anonymize_replaces_client_addresses)
{
    struct fx a, b, c;
    name_mismatch(&a, "one.test");
    ok12(&b, "two.test");
    fx_init(&c); /* a second client, refused */
    c.ev.client.ip.b[3] = 99;
    fx_syn(&c, 1, 1);
    fx_rst(&c, TW_DIR_S2C, 2);
    fx_decide(&c);
    struct tw_verdict *v[] = {&a.v, &b.v, &c.v};
    const char *cmd = "tlswhy -r x.pcap host 203.0.113.7 or host 2001:db8::7";
    for (int fmt = TW_DOC_HTML; fmt <= TW_DOC_MD; fmt++) {
        char *out = report_of(v, 3, (enum tw_doc_format)fmt, true, cmd);
        ck_assert_ptr_null(strstr(out, "203.0.113"));
        ck_assert_ptr_null(strstr(out, "2001:db8::7"));
        ck_assert_uint_eq(count(out, "client-1:51234"), 4); /* two examples */
        ck_assert_ptr_nonnull(strstr(out, "client-2:51234"));
        ck_assert_ptr_nonnull(strstr(out, "10.0.1.5:443")); /* the server stays */
        ck_assert_ptr_nonnull(strstr(out, "one.test"));
        ck_assert_ptr_nonnull(strstr(out, "host ADDRESS or host ADDRESS"));
        ck_assert_ptr_nonnull(strstr(out, "Client addresses are anonymized"));
        free(out);
    }
    char *plain = report_of(v, 3, TW_DOC_HTML, false, cmd);
    ck_assert_ptr_nonnull(strstr(plain, "203.0.113.7:51234"));
    ck_assert_ptr_null(strstr(plain, "client-1"));
    free(plain);
}
END_TEST

/* 20000 connections over an hour, each to its own name: one example per cause, a few names
 * per cause, at most DOC_BUCKETS (48) bars, and a report about as small as for two. */
START_TEST(many_connections_stay_small)
{
    enum { N = 20000 };
    struct fx bad, good;
    name_mismatch(&bad, "x");
    ok12(&good, "x");
    FILE *f = tmpfile();
    struct tw_rep_doc_opts o = {.format = TW_DOC_HTML};
    struct tw_reporter *r = tw_rep_doc_new(f, &o);
    struct tw_run_info info = {.first_ts_us = FX_T0, .last_ts_us = FX_T0 + 3600000000LL};
    ck_assert_int_eq(r->begin(r->self, &info), TW_OK);
    for (int i = 0; i < N; i++) {
        struct fx *x = i % 4 ? &good : &bad;
        snprintf(x->tls.ch.sni, sizeof x->tls.ch.sni, "host-%d.example.com", i);
        x->ev.conn_id = (uint64_t)i + 1;
        x->tcp.first_ts = FX_T0 + (int64_t)i * 180000; /* 0.18 s apart: one hour */
        ck_assert_int_eq(r->emit(r->self, &x->v), TW_OK);
    }
    ck_assert_int_eq(r->end(r->self, &info), TW_OK);
    tw_rep_free(r);
    long len = ftell(f);
    char *html = malloc((size_t)len + 1);
    rewind(f);
    ck_assert_uint_eq(fread(html, 1, (size_t)len, f), (size_t)len);
    html[len] = '\0';
    fclose(f);
    ck_assert_int_lt(len, 64 * 1024);
    ck_assert_ptr_nonnull(strstr(html, "5000 of 20000 TLS connections failed (25%)"));
    ck_assert_ptr_nonnull(strstr(html, "and 4992 connections to other names"));
    ck_assert_ptr_nonnull(strstr(html, "and 14992 connections to other names"));
    ck_assert_uint_eq(count(html, "class=\"ladder\""), 2);
    size_t bars = count(html, "<g><title>");
    ck_assert_uint_le(bars, 48);
    ck_assert_uint_ge(bars, 24); /* the hour fills at least half the chart */
    free(html);
}
END_TEST

/* Failures split by client population: the JA4 table appears only with two fingerprints. */
START_TEST(failures_grouped_by_client_ja4)
{
    struct fx bad, good;
    name_mismatch(&bad, "origin.test");
    ok12(&good, "origin.test");
    snprintf(bad.v.fp.ja4, sizeof bad.v.fp.ja4, "%s", "t12d1512h2_8daaf6152771_02713d6af862");
    snprintf(good.v.fp.ja4, sizeof good.v.fp.ja4, "%s", "t13d1516h2_8daaf6152771_e5627efa2ab1");
    struct tw_verdict *two[] = {&bad.v, &good.v, &good.v};
    char *html = report_of(two, 3, TW_DOC_HTML, false, "tlswhy");
    char *md = report_of(two, 3, TW_DOC_MD, false, "tlswhy");
    ck_assert_ptr_nonnull(strstr(html, "Client fingerprints (JA4)"));
    ck_assert_ptr_nonnull(strstr(html, "t12d1512h2_8daaf6152771_02713d6af862</code></td><td>1</td>"
                                       "<td>1</td><td>cert_name_mismatch 1</td>"));
    ck_assert_ptr_nonnull(strstr(html, "t13d1516h2_8daaf6152771_e5627efa2ab1</code></td><td>2</td>"
                                       "<td>0</td><td></td>"));
    ck_assert_ptr_nonnull(strstr(md, "| t12d1512h2\\_8daaf6152771\\_02713d6af862 | 1 | 1 | "
                                     "cert\\_name\\_mismatch 1 |"));
    free(html);
    free(md);
    snprintf(good.v.fp.ja4, sizeof good.v.fp.ja4, "%s", bad.v.fp.ja4);
    html = report_of(two, 3, TW_DOC_HTML, false, "tlswhy");
    ck_assert_ptr_null(strstr(html, "Client fingerprints"));
    free(html);
}
END_TEST

START_TEST(no_tls_at_all)
{
    char *html = report_of(NULL, 0, TW_DOC_HTML, false, "tlswhy -r empty.pcap");
    ck_assert_ptr_nonnull(strstr(html, "No TLS connection attempt was found in the capture."));
    ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
    free(html);
}
END_TEST

Suite *tw_rep_doc_suite(void)
{
    Suite *s = suite_create("rep_doc");
    TCase *tc = tcase_create("ticket report");
    tcase_add_test(tc, format_from_file_name);
    tcase_add_test(tc, headline_says_cause_name_and_fix);
    tcase_add_test(tc, hostile_sni_is_inert_in_html);
    tcase_add_test(tc, hostile_strings_are_inert_in_markdown);
    tcase_add_test(tc, anonymize_replaces_client_addresses);
    tcase_add_test(tc, many_connections_stay_small);
    tcase_add_test(tc, failures_grouped_by_client_ja4);
    tcase_add_test(tc, no_tls_at_all);
    suite_add_tcase(s, tc);
    return s;
}
