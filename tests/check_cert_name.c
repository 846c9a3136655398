/* check_cert_name.c: RFC 6125 name matching (tw_cert_name_matches), one pattern/host pair
 * per row, with the rule each row pins down. */
#include <check.h>
#include <stdio.h>

#include "tlswhy/cert.h"

struct row {
    const char *pattern, *host;
    bool match;
    const char *why;
};

static const struct row rows[] = {
    {"www.example.com", "www.example.com", true, "exact"},
    {"www.example.com", "WWW.Example.COM", true, "case-insensitive host"},
    {"WWW.EXAMPLE.COM", "www.example.com", true, "case-insensitive pattern"},
    {"www.example.com", "www.example.com.", true, "trailing dot on the host"},
    {"www.example.com.", "www.example.com", true, "trailing dot on the pattern"},
    {"www.example.com", "www.example.com..", false, "only one trailing dot"},
    {"www.example.com", "example.com", false, "different names"},
    {"www.example.com", "ww.example.com", false, "prefix of a label"},
    {"example.com", "www.example.com", false, "a name does not cover its subdomains"},
    {"*.example.com", "example.com", false, "a wildcard never covers the apex"},
    {"*.example.com", "a.example.com", true, "a wildcard covers one label"},
    {"*.example.com", "A.EXAMPLE.COM.", true, "wildcard, case and trailing dot"},
    {"*.example.com", "a.b.example.com", false, "a wildcard covers exactly one label"},
    {"*.example.com", ".example.com", false, "an empty label is not a label"},
    {"*.example.com", "a.example.org", false, "different parent"},
    {"*.com", "example.com", false, "never over a one-label (public) suffix"},
    {"*", "example", false, "a bare * covers nothing"},
    {"*.co.uk", "example.co.uk", false, "never over a listed public suffix"},
    {"*.github.io", "someone.github.io", false, "never over a listed private suffix"},
    {"*.example.co.uk", "www.example.co.uk", true, "fine below a public suffix"},
    {"f*.example.com", "foo.example.com", false, "partial wildcards are rejected (our choice)"},
    {"*o.example.com", "foo.example.com", false, "partial wildcards are rejected (suffix)"},
    {"www.*.example.com", "www.a.example.com", false, "* only in the left-most label"},
    {"*.*.example.com", "a.b.example.com", false, "only one *"},
    {"xn--bcher-kva.example", "xn--bcher-kva.example", true, "A-labels compare as ASCII"},
    {"xn--bcher-kva.example", "XN--BCHER-KVA.example", true, "A-labels are case-insensitive"},
    {"xn--bcher-kva.example",
     "b\xc3\xbc"
     "cher.example",
     false, "a U-label host is not converted: it never matches"},
    {"*.example.com", "xn--bcher-kva.example.com", true, "a wildcard covers an A-label"},
    {"xn--*.example.com", "xn--bcher-kva.example.com", false, "no wildcard inside an A-label"},
    {"evil.example.org\\x00.example.com", "evil.example.org", false,
     "an escaped embedded NUL never matches"},
    {"www.example.com ", "www.example.com", false, "no stray bytes"},
    {"192.0.2.1", "192.0.2.1", true, "IP literal"},
    {"192.0.2.1", "192.0.2.2", false, "other IP"},
    {"2001:db8::1", "2001:DB8:0:0:0:0:0:1", true, "IPv6 compares as an address"},
    {"*.0.2.1", "192.0.2.1", false, "wildcards never cover IP addresses"},
    {"192.0.2.1", "::ffff:192.0.2.1", false, "v4-mapped v6 is another family"},
    {"", "example.com", false, "empty pattern"},
    {"example.com", "", false, "empty host"},
    {"a..example.com", "a..example.com", false, "empty label"},
};

START_TEST(name_matching_row)
{
    const struct row *r = &rows[_i];
    ck_assert_msg(tw_cert_name_matches(r->pattern, r->host) == r->match, "%s vs %s: %s", r->pattern,
                  r->host, r->why);
}
END_TEST

START_TEST(null_and_overlong_never_match)
{
    char longname[300];
    for (size_t i = 0; i < sizeof longname - 1; i++)
        longname[i] = (i % 50 == 49) ? '.' : 'a';
    longname[sizeof longname - 1] = '\0';
    ck_assert(!tw_cert_name_matches(NULL, "example.com"));
    ck_assert(!tw_cert_name_matches("example.com", NULL));
    ck_assert(!tw_cert_name_matches(longname, longname)); /* 299 bytes > 253 */
    char label64[80];
    for (size_t i = 0; i < 64; i++)
        label64[i] = 'a';
    snprintf(label64 + 64, sizeof label64 - 64, ".example.com");
    ck_assert(!tw_cert_name_matches(label64, label64)); /* a 64-byte label */
    label64[0] = '.';
    ck_assert(tw_cert_name_matches(label64 + 1, label64 + 1)); /* 63 bytes is fine */
}
END_TEST

Suite *tw_cert_name_suite(void)
{
    Suite *s = suite_create("cert_name");
    TCase *tc = tcase_create("rfc6125");
    tcase_add_loop_test(tc, name_matching_row, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, null_and_overlong_never_match);
    suite_add_tcase(s, tc);
    return s;
}
