/* check_cert_chain.c: chain checks: self-signed, order, completeness, trust, weak keys and
 * signatures, serverAuth, unparseable DER (data: see check_cert.h). */
#include "check_cert.h"

START_TEST(self_signed_leaf)
{
    static const char *const names[] = {"leaf-self", NULL};
    struct tw_chain_report *r = run(names, "self.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_SELF_SIGNED, 0,
         "cert 0 (CN=self.example.com) is self-signed (issuer = subject = "
         "'CN=self.example.com,O=tlswhy test') and not in the trust store");
    ck_assert(r->certs[0].self_signed);
    ck_assert(!r->trusted);
    ck_assert_str_eq(r->verify_error_text, "self-signed certificate");
    tw_chain_report_free(r);
}
END_TEST

/* Several findings on one chain: all are kept, the trust problem first. */
START_TEST(self_signed_and_expired_gives_both)
{
    static const char *const names[] = {"leaf-self", NULL};
    struct tw_chain_report *r = run(names, "self.example.com", AT_2050);
    ck_assert_uint_eq(r->finding_count, 2);
    ck_assert_int_eq(r->findings[0].code, TW_CAUSE_CERT_SELF_SIGNED);
    ck_assert_int_eq(r->findings[1].code, TW_CAUSE_CERT_EXPIRED);
    ck_assert_str_eq(r->findings[1].text,
                     "cert 0 (CN=self.example.com): notAfter 2049-12-31T23:59:59Z < capture "
                     "time 2050-06-01T00:00:00Z");
    tw_chain_report_free(r);
}
END_TEST

START_TEST(misordered_chain_is_reported_even_though_it_verifies)
{
    static const char *const names[] = {"leaf-good", "root", "int", NULL};
    struct tw_chain_report *r = run(names, "www.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_CHAIN_MISORDERED, 0,
         "cert 0 (CN=www.example.com) is issued by cert 2 (CN=tlswhy Test Intermediate), but "
         "the next certificate is cert 1 (CN=tlswhy Test Root)");
    ck_assert(r->trusted);
    ck_assert(r->certs[1].self_signed && r->certs[1].is_ca);
    tw_chain_report_free(r);
}
END_TEST

START_TEST(missing_intermediate_names_the_missing_issuer)
{
    static const char *const names[] = {"leaf-good", NULL};
    struct tw_chain_report *r = run(names, "www.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_CHAIN_INCOMPLETE, 0,
         "the issuer 'CN=tlswhy Test Intermediate,O=tlswhy test' of cert 0 "
         "(CN=www.example.com) is missing: the server did not send it and the trust store "
         "does not hold it");
    ck_assert(!r->trusted);
    ck_assert_int_ne(r->verify_error, 0);
    tw_chain_report_free(r);
}
END_TEST

/* Against a store that holds only the other root, the good chain stops at the intermediate,
 * whose issuer (the test root) nobody supplies. */
START_TEST(trust_store_is_the_ca_file_only)
{
    static const char *const names[] = {"leaf-good", "int", NULL};
    struct chain ch;
    load(&ch, names);
    struct tw_cert_ctx *c = ctx_with("tests/data/certs/other-root.pem", 0, 0);
    struct tw_chain_report *r = tw_cert_analyse(c, (const uint8_t *const *)ch.der, ch.len, ch.n,
                                                "www.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_CHAIN_INCOMPLETE, 1,
         "the issuer 'CN=tlswhy Test Root,O=tlswhy test' of cert 1 (CN=tlswhy Test "
         "Intermediate) is missing: the server did not send it and the trust store does not "
         "hold it");
    tw_chain_report_free(r);
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

START_TEST(chain_to_an_unknown_root_is_untrusted)
{
    static const char *const names[] = {"leaf-other", "other-root", NULL};
    struct tw_chain_report *r = run(names, "www.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_UNTRUSTED, 1,
         "the chain ends at cert 1 (CN=tlswhy Other Root), a self-signed root "
         "'CN=tlswhy Other Root,O=tlswhy test' that is not in the trust store");
    ck_assert_str_eq(r->verify_error_text, "self-signed certificate in certificate chain");
    tw_chain_report_free(r);
}
END_TEST

START_TEST(rsa_1024_is_weak)
{
    static const char *const names[] = {"leaf-rsa1024", "int", NULL};
    struct tw_chain_report *r = run(names, "weak.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_WEAK_KEY, 0,
         "cert 0 (CN=weak.example.com) has a 1024-bit RSA key (< 2048 bits)");
    ck_assert_int_eq(r->certs[0].key_bits, 1024);
    tw_chain_report_free(r);
}
END_TEST

START_TEST(sha1_signature_is_weak)
{
    static const char *const names[] = {"leaf-sha1", "int", NULL};
    struct tw_chain_report *r = run(names, "sha1.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_WEAK_KEY, 0,
         "cert 0 (CN=sha1.example.com) is signed with sha1WithRSAEncryption (SHA1)");
    ck_assert_str_eq(r->certs[0].sig_alg, "sha1WithRSAEncryption");
    tw_chain_report_free(r);
}
END_TEST

START_TEST(client_auth_only_leaf_is_not_for_servers)
{
    static const char *const names[] = {"leaf-clientauth", "int", NULL};
    struct tw_chain_report *r = run(names, "client.example.com", AT_2030);
    only(r, TW_CAUSE_CERT_NOT_SERVER_AUTH, 0,
         "cert 0 (CN=client.example.com) has extendedKeyUsage clientAuth, without serverAuth");
    ck_assert(r->certs[0].has_eku && !r->certs[0].eku_server_auth);
    tw_chain_report_free(r);
}
END_TEST

START_TEST(unparseable_certificate_is_reported_with_its_position)
{
    static const char *const names[] = {"leaf-good", "int", NULL};
    struct chain ch;
    load(&ch, names);
    /* SEQUENCE { INTEGER 1 }: valid DER, but not a Certificate */
    uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    uint8_t *saved = ch.der[1];
    ch.der[1] = junk;
    ch.len[1] = sizeof junk;
    struct tw_cert_ctx *c = test_ctx();
    struct tw_chain_report *r =
        tw_cert_analyse(c, (const uint8_t *const *)ch.der, ch.len, 2, "www.example.com", AT_2030);
    ck_assert_int_eq(r->findings[0].code, TW_CAUSE_CERT_UNPARSEABLE);
    ck_assert_int_eq(r->findings[0].cert_index, 1);
    ck_assert_msg(
        strncmp(r->findings[0].text,
                "cert 1 (5 bytes): the DER does not parse as a certificate (OpenSSL: ", 68) == 0,
        "%s", r->findings[0].text);
    ck_assert(!r->certs[1].parsed);
    ck_assert_uint_eq(strlen(r->certs[1].sha256), 64);
    ck_assert_ptr_nonnull(find(r, TW_CAUSE_CERT_CHAIN_INCOMPLETE)); /* int never arrived */
    ck_assert(r->name_ok);
    tw_chain_report_free(r);
    ch.der[1] = saved;
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

START_TEST(trailing_bytes_make_a_certificate_unparseable)
{
    static const char *const names[] = {"leaf-good", NULL};
    struct chain ch;
    load(&ch, names);
    uint8_t *longer = malloc(ch.len[0] + 1);
    memcpy(longer, ch.der[0], ch.len[0]);
    longer[ch.len[0]] = 0x00; /* one byte past the certificate's own length */
    uint32_t len = ch.len[0] + 1;
    const uint8_t *der[] = {longer};
    struct tw_cert_ctx *c = test_ctx();
    struct tw_chain_report *r = tw_cert_analyse(c, der, &len, 1, "www.example.com", AT_2030);
    ck_assert_int_eq(r->finding_count, 1);
    ck_assert_int_eq(r->findings[0].code, TW_CAUSE_CERT_UNPARSEABLE);
    char want[100];
    snprintf(want, sizeof want, "cert 0 (%u bytes): 1 bytes follow the certificate's DER",
             (unsigned)len);
    ck_assert_str_eq(r->findings[0].text, want);
    ck_assert(r->name_checked && !r->name_ok);
    ck_assert(!r->trusted);
    tw_chain_report_free(r);
    tw_cert_ctx_free(c);
    free(longer);
    unload(&ch);
}
END_TEST

Suite *tw_cert_chain_suite(void)
{
    Suite *s = suite_create("cert_chain");
    TCase *tc = tcase_create("chain");
    tcase_add_test(tc, self_signed_leaf);
    tcase_add_test(tc, self_signed_and_expired_gives_both);
    tcase_add_test(tc, misordered_chain_is_reported_even_though_it_verifies);
    tcase_add_test(tc, missing_intermediate_names_the_missing_issuer);
    tcase_add_test(tc, trust_store_is_the_ca_file_only);
    tcase_add_test(tc, chain_to_an_unknown_root_is_untrusted);
    tcase_add_test(tc, rsa_1024_is_weak);
    tcase_add_test(tc, sha1_signature_is_weak);
    tcase_add_test(tc, client_auth_only_leaf_is_not_for_servers);
    tcase_add_test(tc, unparseable_certificate_is_reported_with_its_position);
    tcase_add_test(tc, trailing_bytes_make_a_certificate_unparseable);
    suite_add_tcase(s, tc);
    return s;
}
