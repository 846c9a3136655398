/* check_probe.c: the failing ClientHello turned into OpenSSL settings (probe_offer.c): versions
 * become the protocol range, known suites and groups are offered, the others are named. The
 * probes themselves run against real servers in tests/t_probe.sh. */
#include <check.h>
#include <string.h>

#include "../src/probe_int.h"

START_TEST(offer_maps_and_names_what_it_cannot)
{
    struct tw_client_hello ch;
    memset(&ch, 0, sizeof ch);
    ch.present = true;
    ch.legacy_version = 0x0303;
    TW_LIST_PUSH(ch.versions, 0x0a0a); /* GREASE: ignored */
    TW_LIST_PUSH(ch.versions, 0x0303);
    TW_LIST_PUSH(ch.versions, 0x0302);
    TW_LIST_PUSH(ch.cipher_suites, 0xc02f);
    TW_LIST_PUSH(ch.cipher_suites, 0x1234); /* unassigned */
    TW_LIST_PUSH(ch.cipher_suites, 0x00ff); /* SCSV: not a suite, not reported */
    TW_LIST_PUSH(ch.groups, 29);
    TW_LIST_PUSH(ch.groups, 0x11ec); /* X25519MLKEM768: not in OpenSSL 3.0 */
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char no[256];
    tw_probe_offer(ctx, &ch, no, sizeof no);
    ck_assert_int_eq(SSL_CTX_get_min_proto_version(ctx), TLS1_1_VERSION);
    ck_assert_int_eq(SSL_CTX_get_max_proto_version(ctx), TLS1_2_VERSION);
    ck_assert_ptr_nonnull(strstr(no, "cipher suite 0x1234"));
    ck_assert_ptr_nonnull(strstr(no, "group 0x11ec"));
    ck_assert_ptr_null(strstr(no, "0x00ff"));
    ck_assert_ptr_null(strstr(no, "0xc02f"));
    SSL *ssl = SSL_new(ctx);
    STACK_OF(SSL_CIPHER) *cs = SSL_get1_supported_ciphers(ssl);
    bool found = false;
    for (int i = 0; cs && i < sk_SSL_CIPHER_num(cs); i++)
        found |= SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(cs, i)) == 0xc02f;
    ck_assert(found);
    sk_SSL_CIPHER_free(cs);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}
END_TEST

START_TEST(offer_without_hello_keeps_defaults)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char no[64] = "x";
    tw_probe_offer(ctx, NULL, no, sizeof no);
    ck_assert_str_eq(no, "");
    ck_assert_str_eq(tw_probe_status_name(TW_PROBE_CONNECT_FAILED), "connect_failed");
    SSL_CTX_free(ctx);
}
END_TEST

Suite *tw_probe_suite(void)
{
    Suite *s = suite_create("probe");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, offer_maps_and_names_what_it_cannot);
    tcase_add_test(tc, offer_without_hello_keeps_defaults);
    suite_add_tcase(s, tc);
    return s;
}
