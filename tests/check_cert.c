/* check_cert.c: certificate summaries, validity at capture time, name checks on real
 * certificates, the cache, and every prefix of a certificate (data: see check_cert.h). */
#include "check_cert.h"

START_TEST(good_chain_has_no_finding_and_a_full_summary)
{
    static const char *const names[] = {"leaf-good", "int", NULL};
    struct tw_chain_report *r = run(names, "www.example.com", AT_2030);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(r->finding_count, 0);
    ck_assert(r->trusted);
    ck_assert_int_eq(r->verify_error, 0);
    ck_assert(r->name_checked && r->name_ok);
    const struct tw_cert_summary *s = &r->certs[0];
    ck_assert(s->parsed);
    ck_assert_str_eq(s->subject_cn, "www.example.com");
    ck_assert_str_eq(s->subject_dn, "CN=www.example.com,O=tlswhy test");
    ck_assert_str_eq(s->issuer_cn, "tlswhy Test Intermediate");
    ck_assert_str_eq(s->issuer_dn, "CN=tlswhy Test Intermediate,O=tlswhy test");
    ck_assert_uint_eq(s->san_count, 2);
    ck_assert_uint_eq(s->dns_san_count, 2);
    ck_assert_str_eq(s->sans[0], "www.example.com");
    ck_assert_str_eq(s->sans[1], "example.com");
    ck_assert_str_eq(s->serial, "1003"); /* the script's 4th certificate (serials from 1000) */
    ck_assert_int_eq(s->not_before, 1577836800); /* 2020-01-01T00:00:00Z */
    ck_assert_int_eq(s->not_after, 2524607999);  /* 2049-12-31T23:59:59Z */
    ck_assert_str_eq(s->not_after_text, "2049-12-31T23:59:59Z");
    ck_assert_str_eq(s->key_type, "RSA");
    ck_assert_int_eq(s->key_bits, 2048);
    ck_assert_str_eq(s->sig_alg, "sha256WithRSAEncryption");
    ck_assert_uint_eq(strlen(s->sha256), 64);
    ck_assert_uint_eq(strspn(s->sha256, "0123456789abcdef"), 64);
    ck_assert_str_ne(s->sha256, r->certs[1].sha256);
    ck_assert(!s->is_ca && !s->self_signed);
    ck_assert(s->has_eku && s->eku_server_auth);
    ck_assert_str_eq(s->eku, "serverAuth");
    ck_assert(s->has_key_usage);
    const struct tw_cert_summary *i = &r->certs[1];
    ck_assert(i->is_ca && !i->self_signed && !i->has_eku);
    ck_assert_str_eq(i->subject_cn, "tlswhy Test Intermediate");
    ck_assert_str_eq(i->issuer_cn, "tlswhy Test Root");
    ck_assert_uint_eq(i->san_count, 0);
    tw_chain_report_free(r);
}
END_TEST

START_TEST(expired_leaf_at_capture_time)
{
    static const char *const names[] = {"leaf-expired", "int", NULL};
    struct tw_chain_report *r = run(names, "expired.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_EXPIRED, 0,
         "cert 0 (CN=expired.example.com): notAfter 2002-01-01T00:00:00Z < capture time "
         "2030-06-01T00:00:00Z");
    ck_assert(!r->trusted);
    ck_assert_str_eq(r->verify_error_text, "certificate has expired");
    tw_chain_report_free(r);
}
END_TEST

/* The same bytes at three capture times give three answers, from one verification: the dates
 * are judged per call, with that call's capture time, not cached. */
START_TEST(validity_follows_the_capture_time_not_the_cache)
{
    static const char *const names[] = {"leaf-soon", "int", NULL};
    struct chain ch;
    struct tw_cert_ctx *c = test_ctx();
    load(&ch, names);
    const uint8_t *const *der = (const uint8_t *const *)ch.der;
    struct tw_chain_report *early = tw_cert_analyse(c, der, ch.len, ch.n, NULL, AT_2025);
    struct tw_chain_report *soon = tw_cert_analyse(c, der, ch.len, ch.n, NULL, AT_2030);
    struct tw_chain_report *late =
        tw_cert_analyse(c, der, ch.len, ch.n, NULL, AT_2030 + 30 * 86400);
    ck_assert_uint_eq(early->finding_count, 0);
    only(soon, TW_CAUSE_CERT_EXPIRES_SOON, 0,
         "cert 0 (CN=soon.example.com): notAfter 2030-06-15T00:00:00Z is 14 days after capture "
         "time 2030-06-01T00:00:00Z (warning window 30 days)");
    only(late, TW_CAUSE_CERT_EXPIRED, 0,
         "cert 0 (CN=soon.example.com): notAfter 2030-06-15T00:00:00Z < capture time "
         "2030-07-01T00:00:00Z");
    ck_assert(early->trusted && soon->trusted && !late->trusted);
    ck_assert_uint_eq(tw_cert_stats(c)->verifications, 1);
    ck_assert_uint_eq(tw_cert_stats(c)->cache_hits, 2);
    tw_chain_report_free(early);
    tw_chain_report_free(soon);
    tw_chain_report_free(late);
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

START_TEST(not_yet_valid_leaf)
{
    static const char *const names[] = {"leaf-notyet", "int", NULL};
    struct tw_chain_report *r = run(names, "notyet.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_NOT_YET_VALID, 0,
         "cert 0 (CN=notyet.example.com): notBefore 2060-01-01T00:00:00Z > capture time "
         "2030-06-01T00:00:00Z");
    ck_assert_str_eq(r->verify_error_text, "certificate is not yet valid");
    tw_chain_report_free(r);
}
END_TEST

START_TEST(expires_soon_is_a_warning_within_the_window)
{
    static const char *const names[] = {"leaf-soon", "int", NULL};
    struct tw_chain_report *r = run(names, "soon.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_EXPIRES_SOON, 0,
         "cert 0 (CN=soon.example.com): notAfter 2030-06-15T00:00:00Z is 14 days after capture "
         "time 2030-06-01T00:00:00Z (warning window 30 days)");
    ck_assert(r->trusted); /* a warning, not a failure */
    tw_chain_report_free(r);

    struct chain ch;
    load(&ch, names);
    const uint8_t *const *der = (const uint8_t *const *)ch.der;
    struct tw_cert_ctx *week = ctx_with("tests/data/certs/root.pem", 7, 0);
    struct tw_cert_ctx *off = ctx_with("tests/data/certs/root.pem", -1, 0);
    r = tw_cert_analyse(week, der, ch.len, ch.n, "soon.example.com", AT_2030);
    ck_assert_uint_eq(r->finding_count, 0);
    tw_chain_report_free(r);
    r = tw_cert_analyse(off, der, ch.len, ch.n, "soon.example.com", AT_2030 + 13 * 86400);
    ck_assert_uint_eq(r->finding_count, 0);
    tw_chain_report_free(r);
    tw_cert_ctx_free(week);
    tw_cert_ctx_free(off);
    unload(&ch);
}
END_TEST

START_TEST(wildcard_does_not_cover_the_apex)
{
    static const char *const names[] = {"leaf-wildcard", "int", NULL};
    struct tw_chain_report *r = run(names, "example.com", AT_2030);
    only(r, TW_CAUSE_CERT_NAME_MISMATCH, 0,
         "name 'example.com' is not covered by cert 0 (CN=*.example.com): it covers "
         "DNS:*.example.com; a wildcard never covers the bare domain it sits on");
    ck_assert(r->name_checked && !r->name_ok);
    ck_assert(r->trusted); /* the chain is fine: only the name is wrong */
    ck_assert_str_eq(r->certs[0].key_type, "EC");
    ck_assert_int_eq(r->certs[0].key_bits, 256);
    ck_assert_str_eq(r->certs[0].key_curve, "prime256v1");
    ck_assert_str_eq(r->certs[0].sig_alg, "sha256WithRSAEncryption");
    tw_chain_report_free(r);
}
END_TEST

START_TEST(wildcard_covers_one_label_only)
{
    static const char *const names[] = {"leaf-wildcard", "int", NULL};
    struct tw_chain_report *r = run(names, "a.example.com", AT_2030);
    ck_assert_uint_eq(r->finding_count, 0);
    ck_assert(r->name_ok);
    tw_chain_report_free(r);
    r = run(names, "a.b.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_NAME_MISMATCH, 0,
         "name 'a.b.example.com' is not covered by cert 0 (CN=*.example.com): it covers "
         "DNS:*.example.com; a wildcard covers exactly one label");
    tw_chain_report_free(r);
}
END_TEST

START_TEST(ip_sans_match_ip_names_only)
{
    static const char *const names[] = {"leaf-ip", "int", NULL};
    static const char *const ok[] = {"192.0.2.10", "2001:db8::1", "2001:DB8:0:0::1",
                                     "ip.example.com", "IP.example.com."};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct tw_chain_report *r = run(names, ok[i], AT_2030);
        ck_assert_msg(r->name_ok, "%s", ok[i]);
        ck_assert_uint_eq(r->finding_count, 0);
        tw_chain_report_free(r);
    }
    struct tw_chain_report *r = run(names, "192.0.2.11", AT_2030);
    only(r, TW_CAUSE_CERT_NAME_MISMATCH, 0,
         "name '192.0.2.11' is not covered by cert 0 (CN=ip.example.com): it covers "
         "IP:192.0.2.10, IP:2001:db8::1, DNS:ip.example.com");
    ck_assert(r->certs[0].san_ip[0] && r->certs[0].san_ip[1] && !r->certs[0].san_ip[2]);
    ck_assert_uint_eq(r->certs[0].dns_san_count, 1);
    tw_chain_report_free(r);
}
END_TEST

START_TEST(cn_is_used_only_without_sans)
{
    static const char *const names[] = {"leaf-cnonly", "int", NULL};
    struct tw_chain_report *r = run(names, "cnonly.example.com", AT_2030);
    ck_assert(r->name_ok);
    ck_assert_uint_eq(r->finding_count, 0);
    tw_chain_report_free(r);
    r = run(names, "www.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_NAME_MISMATCH, 0,
         "name 'www.example.com' is not covered by cert 0 (CN=cnonly.example.com): it covers "
         "CN:cnonly.example.com (no subjectAltName)");
    tw_chain_report_free(r);
    /* with SANs present the CN is ignored: see embedded_nul_in_a_san_never_matches */
}
END_TEST

START_TEST(no_sni_checks_no_name)
{
    static const char *const names[] = {"leaf-wildcard", "int", NULL};
    struct tw_chain_report *r = run(names, NULL, AT_2030);
    ck_assert(!r->name_checked);
    ck_assert_uint_eq(r->finding_count, 0);
    ck_assert_str_eq(r->certs[0].sans[0], "*.example.com"); /* what would have matched */
    tw_chain_report_free(r);
}
END_TEST

/* A NUL inside a dNSName must neither cut the name short ("evil.example.org") nor let the CN
 * stand in for it. */
START_TEST(embedded_nul_in_a_san_never_matches)
{
    static const char *const names[] = {"leaf-nul", "int", NULL};
    struct tw_chain_report *r = run(names, "evil.example.org", AT_2030);
    ck_assert_uint_eq(r->certs[0].san_count, 1);
    ck_assert_str_eq(r->certs[0].sans[0], "evil.example.org\\x00.example.com");
    only(r, TW_CAUSE_CERT_NAME_MISMATCH, 0,
         "name 'evil.example.org' is not covered by cert 0 (CN=nul.example.com): it covers "
         "DNS:evil.example.org\\x00.example.com");
    tw_chain_report_free(r);
    r = run(names, "nul.example.com", AT_2030);
    ck_assert(!r->name_ok);
    tw_chain_report_free(r);
}
END_TEST

/* Every prefix of a real certificate: never a crash, always cert_unparseable (but the whole). */
START_TEST(every_prefix_is_safe)
{
    static const char *const names[] = {"leaf-good", NULL};
    struct chain ch;
    load(&ch, names);
    struct tw_cert_ctx *c = ctx_with("tests/data/certs/root.pem", 0, 4);
    uint32_t len = (uint32_t)_i;
    const uint8_t *der[] = {ch.der[0]};
    struct tw_chain_report *r = tw_cert_analyse(c, der, &len, 1, "www.example.com", AT_2030);
    ck_assert_ptr_nonnull(r);
    if (len < ch.len[0])
        ck_assert_int_eq(r->findings[0].code, TW_CAUSE_CERT_UNPARSEABLE);
    tw_chain_report_free(r);
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

START_TEST(thousand_analyses_of_one_chain_verify_once)
{
    static const char *const names[] = {"leaf-good", "int", NULL};
    struct chain ch;
    load(&ch, names);
    struct tw_cert_ctx *c = test_ctx();
    for (int i = 0; i < 1000; i++) {
        struct tw_chain_report *r = tw_cert_analyse(c, (const uint8_t *const *)ch.der, ch.len, ch.n,
                                                    i % 2 ? "example.com" : "x.test", AT_2030 + i);
        ck_assert_int_eq(r->name_ok, i % 2 == 1);
        tw_chain_report_free(r);
    }
    const struct tw_cert_stats *st = tw_cert_stats(c);
    ck_assert_uint_eq(st->analysed, 1000);
    ck_assert_uint_eq(st->verifications, 1);
    ck_assert_uint_eq(st->cache_hits, 999);
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

/* Three chains round-robin through a 2-entry LRU: every call misses; a 3-entry one misses 3. */
START_TEST(lru_is_bounded)
{
    static const char *const a[] = {"leaf-good", "int", NULL}, *const b[] = {"leaf-ip", NULL},
                             *const d[] = {"leaf-self", NULL};
    const char *const *all[] = {a, b, d};
    struct chain ch[3];
    for (int i = 0; i < 3; i++)
        load(&ch[i], all[i]);
    struct tw_cert_ctx *small = ctx_with("tests/data/certs/root.pem", 0, 2);
    struct tw_cert_ctx *big = ctx_with("tests/data/certs/root.pem", 0, 3);
    struct tw_chain_report *keep = NULL;
    for (int i = 0; i < 30; i++) {
        struct chain *k = &ch[i % 3];
        const uint8_t *const *der = (const uint8_t *const *)k->der;
        tw_chain_report_free(tw_cert_analyse(big, der, k->len, k->n, NULL, AT_2030));
        struct tw_chain_report *r = tw_cert_analyse(small, der, k->len, k->n, NULL, AT_2030);
        if (i == 0)
            keep = r; /* evicted from the cache many times over, still readable */
        else
            tw_chain_report_free(r);
    }
    ck_assert_uint_eq(tw_cert_stats(small)->verifications, 30);
    ck_assert_uint_eq(tw_cert_stats(small)->cache_evictions, 28);
    ck_assert_uint_eq(tw_cert_stats(big)->verifications, 3);
    ck_assert_uint_eq(tw_cert_stats(big)->cache_hits, 27);
    tw_cert_ctx_free(small);
    tw_cert_ctx_free(big);
    ck_assert_str_eq(keep->certs[0].subject_cn, "www.example.com");
    tw_chain_report_free(keep);
    for (int i = 0; i < 3; i++)
        unload(&ch[i]);
}
END_TEST

START_TEST(empty_chain_and_bad_trust_store)
{
    struct tw_cert_ctx *c = test_ctx();
    struct tw_chain_report *r = tw_cert_analyse(c, NULL, NULL, 0, "x.test", AT_2030);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->n, 0);
    ck_assert_uint_eq(r->finding_count, 0);
    ck_assert(!r->trusted && !r->name_ok);
    tw_chain_report_free(r);
    tw_cert_ctx_free(c);

    int err = 0;
    struct tw_cert_opts o = {.ca_file = tw_test_src("tests/data/certs/no-such.pem")};
    ck_assert_ptr_null(tw_cert_ctx_new(&o, &err));
    ck_assert_int_eq(err, TW_E_IO);
    struct tw_cert_opts p = {.ca_path = tw_test_src("tests/data/certs/no-such-dir")};
    err = 0;
    ck_assert_ptr_null(tw_cert_ctx_new(&p, &err));
    ck_assert_int_eq(err, TW_E_IO);
    struct tw_cert_opts q = {.ca_path = tw_test_src("tests/data/certs")};
    c = tw_cert_ctx_new(&q, &err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(err, TW_OK);
    tw_cert_ctx_free(c);
}
END_TEST

Suite *tw_cert_suite(void)
{
    Suite *s = suite_create("cert");
    TCase *tc = tcase_create("summary_dates_names_cache");
    tcase_add_test(tc, good_chain_has_no_finding_and_a_full_summary);
    tcase_add_test(tc, expired_leaf_at_capture_time);
    tcase_add_test(tc, validity_follows_the_capture_time_not_the_cache);
    tcase_add_test(tc, not_yet_valid_leaf);
    tcase_add_test(tc, expires_soon_is_a_warning_within_the_window);
    tcase_add_test(tc, wildcard_does_not_cover_the_apex);
    tcase_add_test(tc, wildcard_covers_one_label_only);
    tcase_add_test(tc, ip_sans_match_ip_names_only);
    tcase_add_test(tc, cn_is_used_only_without_sans);
    tcase_add_test(tc, no_sni_checks_no_name);
    tcase_add_test(tc, embedded_nul_in_a_san_never_matches);
    tcase_add_test(tc, thousand_analyses_of_one_chain_verify_once);
    tcase_add_test(tc, lru_is_bounded);
    tcase_add_test(tc, empty_chain_and_bad_trust_store);
    suite_add_tcase(s, tc);
    TCase *pre = tcase_create("prefixes");
    /* the loop's bound is the file's size (Check's asserts cannot run here, outside a test) */
    long len = 0;
    FILE *f = fopen(tw_test_src("tests/data/certs/leaf-good.der"), "rb");
    if (f && fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (f)
        fclose(f);
    tcase_add_loop_test(pre, every_prefix_is_safe, 0, len > 0 ? (int)len : 1);
    suite_add_tcase(s, pre);
    return s;
}
