/* check_diag_profile.c: the edge-profile parser (tw_profile_parse/load): the shipped profiles
 * say what their sources say, every value has a source, and bad input fails on the right line. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/profile.h"

static int parse(const char *text, struct tw_profile *p, struct tw_profile_err *e)
{
    return tw_profile_parse(text, strlen(text), p, e);
}

START_TEST(shipped_profiles_parse_with_sources)
{
    size_t n = 0;
    for (const char *const *name = tw_profile_builtin_names; *name; name++, n++) {
        struct tw_profile p;
        struct tw_profile_err e;
        ck_assert_msg(tw_profile_load(*name, &p, &e) == TW_OK, "%s line %u: %s", *name, e.line,
                      e.msg);
        ck_assert_str_eq(p.name, *name);
        for (int k = 0; k < TW_PK_COUNT; k++)
            if (p.set[k])
                ck_assert_msg(p.source[k][0], "%s: %s has no '# source:'", *name,
                              tw_profile_key_name((enum tw_profile_key)k));
    }
    ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(cloudfront_says_what_its_documentation_says)
{
    struct tw_profile p;
    ck_assert_int_eq(tw_profile_load("cloudfront", &p, NULL), TW_OK);
    ck_assert(tw_profile_list_has(&p.versions, 0x0303));
    ck_assert(tw_profile_list_has(&p.versions, 0x0300));
    ck_assert(!tw_profile_list_has(&p.versions, 0x0304)); /* no TLS 1.3 to origins */
    ck_assert_uint_eq(p.ciphers.n, 16);
    ck_assert(tw_profile_list_has(&p.ciphers, 0xc02f));
    ck_assert(!tw_profile_list_has(&p.ciphers, 0xcca8)); /* no ChaCha20 */
    ck_assert_uint_eq(p.groups.n, 3);
    ck_assert(!tw_profile_list_has(&p.sig_schemes, 0x0804)); /* no RSA-PSS */
    ck_assert(p.chain_order_strict && p.full_chain && !p.alerts);
    ck_assert_int_eq(p.trust_store, TW_TRUST_MOZILLA);
    ck_assert_int_eq(p.connect_timeout_us, 10000000);
    ck_assert_uint_eq(p.connect_attempts, 3);
    ck_assert_int_eq(p.response_timeout_us, 30000000);
    ck_assert_int_eq(p.keepalive_timeout_us, 5000000);
}
END_TEST

START_TEST(openssl_tolerates_order_and_strict_does_not)
{
    struct tw_profile o, s;
    ck_assert_int_eq(tw_profile_load("openssl", &o, NULL), TW_OK);
    ck_assert_int_eq(tw_profile_load("strict", &s, NULL), TW_OK);
    ck_assert(!o.chain_order_strict && o.ciphers.any && o.keepalive_timeout_us == 0);
    ck_assert(s.chain_order_strict && s.full_chain && tw_profile_list_has(&s.versions, 0x0304));
    ck_assert(!tw_profile_list_has(&s.versions, 0x0301));
}
END_TEST

START_TEST(defaults_and_values)
{
    struct tw_profile p;
    struct tw_profile_err e;
    ck_assert_int_eq(parse("# a comment\n\nname = mine\r\nconnect_timeout = 0.25 # why\n"
                           "groups = 0x001d,0x0017  0x001d\nname_check = none\n",
                           &p, &e),
                     TW_OK);
    ck_assert_str_eq(p.name, "mine");
    ck_assert_int_eq(p.connect_timeout_us, 250000);
    ck_assert_str_eq(p.source[TW_PK_CONNECT_TIMEOUT], ""); /* a comment that is not a source */
    ck_assert_uint_eq(p.groups.n, 2);                      /* duplicates kept once */
    ck_assert(p.versions.any && p.ciphers.any && p.alerts && !p.chain_order_strict);
    ck_assert_int_eq(p.name_check, TW_NAME_CHECK_NONE);
    ck_assert_int_eq(parse("name = x\nkeepalive_timeout = none", &p, &e), TW_OK);
    ck_assert_int_eq(p.keepalive_timeout_us, 0);
}
END_TEST

struct bad {
    const char *text;
    unsigned line;
    const char *says;
};

static const struct bad bads[] = {
    {"name = a\nversions = TLSv1.2\nfoo = 1\n", 3, "unknown key 'foo'"},
    {"name = a\nname = b\n", 2, "given twice"},
    {"name = a\nciphers = 0xc02f 0xzz\n", 2, "'0xzz' is not a 16-bit IANA code"},
    {"name = a\nciphers = 0x12345\n", 2, "not a 16-bit"},
    {"name = a\nversions = TLSv9\n", 2, "'TLSv9' is not a version"},
    {"name = a\nconnect_timeout = 1.5s\n", 2, "not a number of seconds"},
    {"name = a\nconnect_timeout = 90000\n", 2, "longer than a day"},
    {"name = a\nconnect_timeout = 0.1234567\n", 2, "more than 6 decimals"},
    {"name = a\nconnect_attempts = 2.5\n", 2, "whole number"},
    {"name = a\nchain_order = sometimes\n", 2, "not one of the allowed values"},
    {"name = a\nalerts =\n", 2, "has no value"},
    {"name = a\njust words\n", 2, "is not `key = value`"},
    {"name = A B\n", 1, "may hold only"},
    {"versions = TLSv1.2\n", 0, "no 'name = ...' line"},
    {"name = a\ngroups = ,\n", 2, "an empty list"},
};

START_TEST(bad_input_names_its_line)
{
    const struct bad *b = &bads[_i];
    struct tw_profile p;
    struct tw_profile_err e;
    ck_assert_int_eq(parse(b->text, &p, &e), TW_E_MALFORMED);
    ck_assert_uint_eq(e.line, b->line);
    ck_assert_msg(strstr(e.msg, b->says), "row %d: '%s' does not say '%s'", _i, e.msg, b->says);
    ck_assert_str_eq(p.name, ""); /* zeroed on error */
}
END_TEST

START_TEST(bounds)
{
    static char big[TW_PROFILE_MAX_BYTES + 2];
    struct tw_profile p;
    struct tw_profile_err e;
    memset(big, ' ', sizeof big);
    ck_assert_int_eq(tw_profile_parse(big, sizeof big, &p, &e), TW_E_MALFORMED);
    ck_assert_uint_eq(e.line, 0);
    memcpy(big, "name = a\n", 9); /* then a 1025-byte line */
    big[9 + 1025] = '\n';
    ck_assert_int_eq(tw_profile_parse(big, 9 + 1026, &p, &e), TW_E_MALFORMED);
    ck_assert_uint_eq(e.line, 2);
    ck_assert_int_eq(tw_profile_parse("name = a\0b", 10, &p, &e), TW_E_MALFORMED);
    ck_assert(strstr(e.msg, "NUL"));
    char many[600] = "name = a\nciphers =";
    for (int i = 0; i < 65; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), " 0x%04x", i);
    ck_assert_int_eq(parse(many, &p, &e), TW_E_MALFORMED);
    ck_assert(strstr(e.msg, "more than 64"));
}
END_TEST

START_TEST(load_file_or_name)
{
    struct tw_profile p;
    struct tw_profile_err e;
    ck_assert_int_eq(tw_profile_load("no-such-profile", &p, &e), TW_E_IO);
    ck_assert(strstr(e.msg, "cloudfront"));
    ck_assert_int_eq(tw_profile_load(tw_test_src("samples/edge-tight.profile"), &p, &e), TW_OK);
    ck_assert_str_eq(p.name, "tight");
    ck_assert_int_eq(p.connect_timeout_us, 500000);
    ck_assert(p.ciphers.any); /* absent keys are not judged */
}
END_TEST

Suite *tw_diag_profile_suite(void)
{
    Suite *s = suite_create("diag_profile");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, shipped_profiles_parse_with_sources);
    tcase_add_test(tc, cloudfront_says_what_its_documentation_says);
    tcase_add_test(tc, openssl_tolerates_order_and_strict_does_not);
    tcase_add_test(tc, defaults_and_values);
    tcase_add_loop_test(tc, bad_input_names_its_line, 0, (int)(sizeof bads / sizeof bads[0]));
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, load_file_or_name);
    suite_add_tcase(s, tc);
    return s;
}
