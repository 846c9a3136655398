/* check_tls_names.c: IANA name tables (versions, the whole alert registry, suites, extensions,
 * groups, signature schemes, handshake types), GREASE, and the dissector registry. */
#include <check.h>
#include <string.h>

#include "tlswhy/dissector.h"

START_TEST(versions)
{
    ck_assert_str_eq(tw_tls_version_name(0x0002), "SSLv2");
    ck_assert_str_eq(tw_tls_version_name(0x0300), "SSLv3");
    ck_assert_str_eq(tw_tls_version_name(0x0301), "TLSv1");
    ck_assert_str_eq(tw_tls_version_name(0x0302), "TLSv1.1");
    ck_assert_str_eq(tw_tls_version_name(0x0303), "TLSv1.2");
    ck_assert_str_eq(tw_tls_version_name(0x0304), "TLSv1.3");
    ck_assert_str_eq(tw_tls_version_name(0x7f17), "TLSv1.3-draft23");
    ck_assert_str_eq(tw_tls_version_name(0x7f1c), "TLSv1.3-draft28");
    ck_assert_ptr_null(tw_tls_version_name(0x7f1d));
    ck_assert_ptr_null(tw_tls_version_name(0x0305));
    ck_assert_ptr_null(tw_tls_version_name(0x0a0a)); /* GREASE */
}
END_TEST

/* The whole IANA TLS Alerts registry: every assigned code has its name, the rest none. */
START_TEST(alerts_full_registry)
{
    static const struct {
        uint8_t code;
        const char *name;
    } want[] = {
        {0, "close_notify"},
        {1, "end_of_early_data"},
        {10, "unexpected_message"},
        {20, "bad_record_mac"},
        {21, "decryption_failed"},
        {22, "record_overflow"},
        {30, "decompression_failure"},
        {40, "handshake_failure"},
        {41, "no_certificate"},
        {42, "bad_certificate"},
        {43, "unsupported_certificate"},
        {44, "certificate_revoked"},
        {45, "certificate_expired"},
        {46, "certificate_unknown"},
        {47, "illegal_parameter"},
        {48, "unknown_ca"},
        {49, "access_denied"},
        {50, "decode_error"},
        {51, "decrypt_error"},
        {52, "too_many_cids_requested"},
        {60, "export_restriction"},
        {70, "protocol_version"},
        {71, "insufficient_security"},
        {80, "internal_error"},
        {86, "inappropriate_fallback"},
        {90, "user_canceled"},
        {100, "no_renegotiation"},
        {109, "missing_extension"},
        {110, "unsupported_extension"},
        {111, "certificate_unobtainable"},
        {112, "unrecognized_name"},
        {113, "bad_certificate_status_response"},
        {114, "bad_certificate_hash_value"},
        {115, "unknown_psk_identity"},
        {116, "certificate_required"},
        {117, "general_error"},
        {120, "no_application_protocol"},
        {121, "ech_required"},
    };
    size_t n = sizeof want / sizeof want[0], named = 0;
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(tw_tls_alert_name(want[i].code), want[i].name);
    for (int c = 0; c < 256; c++)
        named += tw_tls_alert_name((uint8_t)c) != NULL;
    ck_assert_uint_eq(named, n);
}
END_TEST

START_TEST(suites_and_friends)
{
    ck_assert_str_eq(tw_tls_suite_name(0x0000), "TLS_NULL_WITH_NULL_NULL");
    ck_assert_str_eq(tw_tls_suite_name(0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
    ck_assert_str_eq(tw_tls_suite_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    ck_assert_str_eq(tw_tls_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
    ck_assert_str_eq(tw_tls_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
    ck_assert_str_eq(tw_tls_suite_name(0x5600), "TLS_FALLBACK_SCSV");
    ck_assert_str_eq(tw_tls_suite_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    ck_assert_str_eq(tw_tls_suite_name(0xcca9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    ck_assert_ptr_null(tw_tls_suite_name(0x0a0a));
    ck_assert_ptr_null(tw_tls_suite_name(0x1399));
    ck_assert_str_eq(tw_tls_ext_name(0), "server_name");
    ck_assert_str_eq(tw_tls_ext_name(16), "application_layer_protocol_negotiation");
    ck_assert_str_eq(tw_tls_ext_name(43), "supported_versions");
    ck_assert_str_eq(tw_tls_ext_name(0xff01), "renegotiation_info");
    ck_assert_str_eq(tw_tls_ext_name(0xfe0d), "encrypted_client_hello");
    ck_assert_str_eq(tw_tls_group_name(0x001d), "x25519");
    ck_assert_str_eq(tw_tls_group_name(0x0017), "secp256r1");
    ck_assert_str_eq(tw_tls_group_name(0x0100), "ffdhe2048");
    ck_assert_str_eq(tw_tls_group_name(0x11ec), "X25519MLKEM768");
    ck_assert_str_eq(tw_tls_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
    ck_assert_str_eq(tw_tls_sigalg_name(0x0403), "ecdsa_secp256r1_sha256");
    ck_assert_str_eq(tw_tls_hs_name(1), "ClientHello");
    ck_assert_str_eq(tw_tls_hs_name(22), "CertificateStatus");
    ck_assert_ptr_null(tw_tls_hs_name(99));
}
END_TEST

/* Binary search over the generated table finds every entry: the count of named codes matches
 * a table of the expected size, and lookups are stable. */
START_TEST(suite_table_is_searchable)
{
    size_t named = 0;
    for (uint32_t c = 0; c <= 0xffff; c++) {
        const char *n = tw_tls_suite_name((uint16_t)c);
        if (!n)
            continue;
        named++;
        ck_assert_ptr_eq(tw_tls_suite_name((uint16_t)c), n);
    }
    ck_assert_uint_gt(named, 300); /* Wireshark 4.0 knows ~400 suites */
}
END_TEST

START_TEST(grease)
{
    size_t n = 0;
    for (uint32_t v = 0; v <= 0xffff; v++)
        n += tw_tls_is_grease((uint16_t)v);
    ck_assert_uint_eq(n, 16);
    ck_assert(tw_tls_is_grease(0x0a0a));
    ck_assert(tw_tls_is_grease(0xfafa));
    ck_assert(!tw_tls_is_grease(0x0a1a));
    ck_assert(!tw_tls_is_grease(0x1301));
}
END_TEST

START_TEST(registry)
{
    size_t n = tw_tls_dissector_count();
    ck_assert_uint_ge(n, 15);
    for (size_t i = 0; i < n; i++) {
        const struct tw_dissector *d = tw_tls_dissector_at(i);
        ck_assert_ptr_nonnull(d);
        ck_assert(d->fn != NULL);
        ck_assert_ptr_nonnull(d->name);
        ck_assert_ptr_eq(tw_tls_lookup(d->content_type, d->hs_type < 0 ? 0 : (uint8_t)d->hs_type),
                         d);
    }
    ck_assert_ptr_null(tw_tls_dissector_at(n));
    ck_assert_str_eq(tw_tls_lookup(TW_CT_HANDSHAKE, TW_HS_CLIENT_HELLO)->name, "client_hello");
    ck_assert_str_eq(tw_tls_lookup(TW_CT_ALERT, 0)->name, "alert");
    ck_assert_ptr_null(tw_tls_lookup(TW_CT_HANDSHAKE, 99));
    ck_assert_ptr_null(tw_tls_lookup(TW_CT_APPLICATION_DATA, 0));
}
END_TEST

Suite *tw_tls_names_suite(void)
{
    Suite *s = suite_create("tls_names");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, versions);
    tcase_add_test(tc, alerts_full_registry);
    tcase_add_test(tc, suites_and_friends);
    tcase_add_test(tc, suite_table_is_searchable);
    tcase_add_test(tc, grease);
    tcase_add_test(tc, registry);
    suite_add_tcase(s, tc);
    return s;
}
