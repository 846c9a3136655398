/* check_fingerprint.c: JA4 (and its _r, _o, _ro forms), JA3 and JA3S (fingerprint.h) on
 * ClientHellos built field by field: the FoxIO specification's worked example, GREASE, no SNI,
 * no ALPN, non-alphanumeric ALPN bytes, empty lists, lists longer than tlswhy keeps; JA3/JA3S
 * on hellos whose fingerprints Arkime published; and a ClientHello split across TCP segments,
 * delivered out of order, through the real capture, reassembly and dissectors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "tlswhy/fingerprint.h"

#define PUSH(list, ...)                                                                            \
    do {                                                                                           \
        const uint16_t v_[] = {__VA_ARGS__};                                                       \
        for (size_t i_ = 0; i_ < sizeof v_ / sizeof v_[0]; i_++)                                   \
            TW_LIST_PUSH(list, v_[i_]);                                                            \
    } while (0)

/* The ALPN list as sent: <len><name>..., from NUL-terminated names. */
static void set_alpn(struct tw_client_hello *ch, const char *first, const char *second)
{
    ch->alpn_len = 0;
    ch->alpn_count = 0;
    for (const char *n = first; n; n = n == first ? second : NULL) {
        size_t len = strlen(n);
        ch->alpn[ch->alpn_len++] = (uint8_t)len;
        memcpy(ch->alpn + ch->alpn_len, n, len);
        ch->alpn_len = (uint16_t)(ch->alpn_len + len);
        ch->alpn_count++;
    }
}

/* FoxIO technical_details/JA4.md "Example": 15 ciphers, 16 extensions, h2, 8 signature
 * algorithms, TLS 1.3 in supported_versions. */
static void foxio_example(struct tw_client_hello *ch)
{
    memset(ch, 0, sizeof *ch);
    ch->present = true;
    ch->legacy_version = 0x0303;
    PUSH(ch->cipher_suites, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
         0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035);
    PUSH(ch->extensions, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
         0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015);
    PUSH(ch->sig_algs, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601);
    PUSH(ch->versions, 0x0304, 0x0303);
    ch->has_sni = true;
    set_alpn(ch, "h2", "http/1.1");
}

static struct tw_fingerprints fp;
static char raw_buf[TW_JA4_RAW_MAX];

/* ja4_r, or ja4_ro with original_order, of ch. */
static const char *raw(const struct tw_client_hello *ch, bool original_order)
{
    tw_fp_ja4_raw(ch, original_order, raw_buf, sizeof raw_buf);
    return raw_buf;
}

static const char *ja4_of(const struct tw_client_hello *ch)
{
    tw_fp_client(ch, &fp);
    return fp.ja4;
}

/* Removes every occurrence of v from a list. */
#define DROP(list, x)                                                                              \
    do {                                                                                           \
        uint16_t k_ = 0;                                                                           \
        for (uint16_t i_ = 0; i_ < (list).n; i_++)                                                 \
            if ((list).v[i_] != (x))                                                               \
                (list).v[k_++] = (list).v[i_];                                                     \
        (list).n = k_;                                                                             \
    } while (0)

START_TEST(foxio_example_all_forms)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    tw_fp_client(&ch, &fp);
    ck_assert_str_eq(fp.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    ck_assert_str_eq(raw(&ch, false),
                     "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,"
                     "c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,"
                     "0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,"
                     "0601");
    ck_assert_str_eq(fp.ja4_o, "t13d1516h2_acb858a92679_18f69afefd3d");
    ck_assert_str_eq(raw(&ch, true),
                     "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,"
                     "c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,"
                     "000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,"
                     "0805,0501,0806,0601");
}
END_TEST

/* GREASE (RFC 8701) values anywhere change nothing: not counted, not hashed, not a version. */
START_TEST(grease_ignored_everywhere)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    struct tw_client_hello g = ch;
    g.cipher_suites.n = g.extensions.n = g.sig_algs.n = g.versions.n = 0;
    PUSH(g.cipher_suites, 0x0a0a);
    for (uint16_t i = 0; i < ch.cipher_suites.n; i++)
        TW_LIST_PUSH(g.cipher_suites, ch.cipher_suites.v[i]);
    PUSH(g.extensions, 0x1a1a);
    for (uint16_t i = 0; i < ch.extensions.n; i++)
        TW_LIST_PUSH(g.extensions, ch.extensions.v[i]);
    PUSH(g.extensions, 0xfafa);
    PUSH(g.sig_algs, 0x3a3a);
    for (uint16_t i = 0; i < ch.sig_algs.n; i++)
        TW_LIST_PUSH(g.sig_algs, ch.sig_algs.v[i]);
    PUSH(g.versions, 0xeaea, 0x0304, 0x0303); /* 0xeaea > 0x0304: must not be "the highest" */
    PUSH(g.groups, 0x4a4a, 0x001d);
    PUSH(ch.groups, 0x001d);
    tw_fp_client(&g, &fp);
    struct tw_fingerprints with = fp;
    tw_fp_client(&ch, &fp);
    ck_assert_str_eq(with.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    char r_with[TW_JA4_RAW_MAX];
    snprintf(r_with, sizeof r_with, "%s", raw(&g, false));
    ck_assert_str_eq(r_with, raw(&ch, false));
    snprintf(r_with, sizeof r_with, "%s", raw(&g, true));
    ck_assert_str_eq(r_with, raw(&ch, true));
    ck_assert_str_eq(with.ja4_o, fp.ja4_o);
    ck_assert_str_eq(with.ja3, fp.ja3);
}
END_TEST

START_TEST(no_sni_is_i)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    DROP(ch.extensions, 0x0000);
    ch.has_sni = false;
    /* One extension fewer; the extension hash leaves SNI out anyway. */
    ck_assert_str_eq(ja4_of(&ch), "t13i1515h2_8daaf6152771_e5627efa2ab1");
}
END_TEST

START_TEST(no_alpn_is_00)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    DROP(ch.extensions, 0x0010);
    ch.alpn_len = ch.alpn_count = 0;
    ck_assert_str_eq(ja4_of(&ch), "t13d151500_8daaf6152771_e5627efa2ab1");
}
END_TEST

/* First and last byte of the first value; the hex rule when either is not [0-9A-Za-z]. */
START_TEST(alpn_characters)
{
    static const struct {
        const char *first, *want;
    } cases[] = {
        {"http/1.1", "h1"},
        {"h", "hh"},
        {"H2", "H2"},
        {"\xab", "ab"},
        {"\xab\xcd", "ad"},
        {"0\xab", "3b"},
        {"01\xab\xcd", "3d"},
        {"0\xab\xcd\x31", "01"},
        {"\xba\xad", "bd"},
        {"-x", "28"},
        {"anydesk/6.2.0/linux", "ax"},
    };
    struct tw_client_hello ch;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        foxio_example(&ch);
        set_alpn(&ch, cases[i].first, "h2");
        const char *j = ja4_of(&ch);
        ck_assert_msg(strlen(j) == 36 && strncmp(j + 8, cases[i].want, 2) == 0,
                      "ALPN case %zu: %s, want ..%s..", i, j, cases[i].want);
    }
}
END_TEST

/* Empty lists: "000000000000" instead of a hash of nothing; no signature algorithms: no "_". */
START_TEST(empty_lists)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    ch.sig_algs.n = 0;
    ck_assert_str_eq(ja4_of(&ch), "t13d1516h2_8daaf6152771_6d807ffa2a79"); /* JA4.md */
    ck_assert_ptr_null(strstr(raw(&ch, false) + 11 + 15 * 5, "_"));
    memset(&ch, 0, sizeof ch);
    ch.present = true;
    ch.legacy_version = 0x0300;
    PUSH(ch.cipher_suites, 0x0005, 0x0004);
    /* SSLv3 without extensions (the shape of Arkime's openssl-ssl3.pcap); the cipher hash is
     * sha256("0004,0005"), computed with Python's hashlib */
    ck_assert_str_eq(ja4_of(&ch), "ts3i020000_6e254592683c_000000000000");
    ck_assert_str_eq(raw(&ch, false), "ts3i020000_0004,0005_");
    /* only SNI: the original-order form lists 0000 but its hash is zeros too (FoxIO) */
    PUSH(ch.extensions, 0x0000);
    tw_fp_client(&ch, &fp);
    ck_assert_str_eq(raw(&ch, true), "ts3d020100_0005,0004_0000");
    ck_assert_str_eq(fp.ja4_o + 24, "000000000000");
    ch.cipher_suites.n = 0;
    ck_assert_str_eq(ja4_of(&ch), "ts3d000100_000000000000_000000000000");
}
END_TEST

START_TEST(version_rules)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    ch.versions.n = 0;
    ck_assert_int_eq(strncmp(ja4_of(&ch), "t12d", 4), 0); /* legacy_version */
    ch.legacy_version = 0x0301;
    ck_assert_int_eq(strncmp(ja4_of(&ch), "t10d", 4), 0);
    PUSH(ch.versions, 0x7f12); /* TLS 1.3 draft 18: unknown */
    ck_assert_int_eq(strncmp(ja4_of(&ch), "t00d", 4), 0);
    ch.versions.n = 0;
    ch.legacy_version = 0x0002;
    ck_assert_int_eq(strncmp(ja4_of(&ch), "ts2d", 4), 0);
}
END_TEST

/* 100 ciphers and extensions count as 99. */
START_TEST(counts_capped_at_99)
{
    struct tw_client_hello ch;
    memset(&ch, 0, sizeof ch);
    ch.present = true;
    ch.legacy_version = 0x0303;
    for (uint16_t i = 0; i < 100; i++) {
        TW_LIST_PUSH(ch.cipher_suites, 0x0100 + i);
        if (i < 64)
            TW_LIST_PUSH(ch.extensions, 0x0100 + i);
    }
    ck_assert_int_eq(strncmp(ja4_of(&ch), "t12i996400", 10), 0);
}
END_TEST

/* A list the dissector had to cut (dropped > 0) gives no fingerprint rather than a wrong one. */
START_TEST(truncated_lists_give_none)
{
    struct tw_client_hello ch;
    foxio_example(&ch);
    ch.cipher_suites.dropped = 1;
    tw_fp_client(&ch, &fp);
    ck_assert_str_eq(fp.ja4, "");
    ck_assert_str_eq(raw(&ch, false), "");
    ck_assert_str_eq(fp.ja3, "");
    foxio_example(&ch);
    ch.groups.dropped = 3; /* JA3 hashes the groups, JA4 does not */
    tw_fp_client(&ch, &fp);
    ck_assert_str_eq(fp.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    ck_assert_str_eq(fp.ja3, "");
    foxio_example(&ch);
    ch.alpn[0] = 200; /* first value longer than the bytes kept */
    ck_assert_str_eq(ja4_of(&ch), "");
    tw_fp_client(NULL, &fp);
    ck_assert_str_eq(fp.ja4, "");
}
END_TEST

/* Arkime tests/pcap/tls-split-client-hello.pcap: its ja3string and ja3sstring, with GREASE
 * added (JA3 removes it), give Arkime's ja3 and ja3s. */
START_TEST(ja3_ja3s_known_values)
{
    struct tw_client_hello ch;
    memset(&ch, 0, sizeof ch);
    ch.present = true;
    ch.legacy_version = 771;
    PUSH(ch.cipher_suites, 0x2a2a, 4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392,
         49171, 49172, 156, 157, 47, 53);
    PUSH(ch.extensions, 0x8a8a, 13, 18, 45, 27, 65037, 43, 51, 0, 11, 35, 5, 23, 16, 10, 65281,
         17513, 0x4a4a);
    PUSH(ch.groups, 0x9a9a, 4588, 29, 23, 24);
    PUSH(ch.ec_point_formats, 0);
    tw_fp_client(&ch, &fp);
    ck_assert_str_eq(fp.ja3, "35708a08e7be9f7aa5bce7f2d5c1cecb");
    struct tw_server_hello sh;
    memset(&sh, 0, sizeof sh);
    sh.present = true;
    sh.legacy_version = 771;
    sh.cipher_suite = 4865;
    PUSH(sh.extensions, 51, 43);
    tw_fp_server(&sh, &fp);
    ck_assert_str_eq(fp.ja3s, "eb1d94daa7e0344597e756a1fb6e7054");
    sh.present = false;
    tw_fp_server(&sh, &fp);
    ck_assert_str_eq(fp.ja3s, "");
}
END_TEST

/* ---- a ClientHello split across TCP segments, through the real pipeline ---- */

struct cap {
    uint8_t *frame[64];
    size_t len[64];
    size_t n;
};

static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Frames of a little-endian classic pcap (what the test captures are). */
static void read_cap(const char *path, struct cap *c)
{
    size_t n;
    uint8_t *b = tw_test_read_file(path, &n);
    ck_assert(n >= 24 && rd32le(b) == 0xa1b2c3d4);
    c->n = 0;
    for (size_t off = 24; off + 16 <= n && c->n < 64;) {
        size_t caplen = rd32le(b + off + 8);
        ck_assert(off + 16 + caplen <= n);
        c->frame[c->n] = malloc(caplen);
        memcpy(c->frame[c->n], b + off + 16, caplen);
        c->len[c->n++] = caplen;
        off += 16 + caplen;
    }
    free(b);
}

/* One JSON field of tlswhy --json on a capture (the first connection). */
static void field_of(const char *pcap, const char *key, char *out, size_t cap)
{
    char cmd[4096], line[65536], pat[64];
    snprintf(cmd, sizeof cmd, "'%s/tlswhy' --json --no-summary -r '%s'", TW_BINARY_DIR, pcap);
    FILE *p = popen(cmd, "r");
    ck_assert(p != NULL);
    ck_assert(fgets(line, sizeof line, p) != NULL);
    pclose(p);
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *s = strstr(line, pat);
    ck_assert_msg(s != NULL, "no %s in %s", key, line);
    s += strlen(pat);
    size_t k = strcspn(s, "\"");
    ck_assert(k < cap);
    memcpy(out, s, k);
    out[k] = '\0';
}

START_TEST(client_hello_split_across_segments)
{
    struct cap c;
    read_cap(tw_test_src("tests/data/tls/tls13-ok.pcap"), &c);
    ck_assert_uint_ge(c.n, 6);
    /* Frame 4 is the ClientHello: Ethernet, IPv4, TCP, 249 bytes of TLS. */
    const uint8_t *f = c.frame[3];
    size_t ip = 14, tcp = ip + (size_t)(f[ip] & 15) * 4,
           data = tcp + (size_t)(f[tcp + 12] >> 4) * 4;
    ck_assert(f[12] == 0x08 && f[13] == 0x00 && f[data] == 22 && f[data + 5] == 1);
    size_t total = c.len[3] - data;
    uint32_t seq = (uint32_t)f[tcp + 4] << 24 | (uint32_t)f[tcp + 5] << 16 |
                   (uint32_t)f[tcp + 6] << 8 | f[tcp + 7];
    /* Four pieces (the first cuts the record header), sent 3rd, 1st, 4th, 2nd. */
    const size_t cut[5] = {0, 3, 70, 160, total};
    const int order[4] = {2, 0, 3, 1};
    const uint8_t *frames[64 + 3];
    size_t lens[64 + 3], n = 0;
    uint8_t piece[4][2048];
    for (size_t i = 0; i < c.n; i++) {
        if (i != 3) {
            frames[n] = c.frame[i];
            lens[n++] = c.len[i];
            continue;
        }
        for (int k = 0; k < 4; k++) {
            int j = order[k];
            size_t plen = cut[j + 1] - cut[j];
            uint8_t *q = piece[k];
            memcpy(q, f, data);
            memcpy(q + data, f + data + cut[j], plen);
            size_t iplen = data - ip + plen;
            q[ip + 2] = (uint8_t)(iplen >> 8);
            q[ip + 3] = (uint8_t)iplen;
            uint32_t s = seq + (uint32_t)cut[j];
            q[tcp + 4] = (uint8_t)(s >> 24);
            q[tcp + 5] = (uint8_t)(s >> 16);
            q[tcp + 6] = (uint8_t)(s >> 8);
            q[tcp + 7] = (uint8_t)s;
            frames[n] = q;
            lens[n++] = data + plen;
        }
    }
    const char *split = tw_test_tmp(".pcap");
    tw_test_write_pcap(split, 1, frames, lens, n);
    char whole_ja4[64], split_ja4[64], whole_ja3[64], split_ja3[64];
    field_of(tw_test_src("tests/data/tls/tls13-ok.pcap"), "ja4", whole_ja4, sizeof whole_ja4);
    field_of(tw_test_src("tests/data/tls/tls13-ok.pcap"), "ja3", whole_ja3, sizeof whole_ja3);
    field_of(split, "ja4", split_ja4, sizeof split_ja4);
    field_of(split, "ja3", split_ja3, sizeof split_ja3);
    unlink(split);
    ck_assert_uint_eq(strlen(whole_ja4), 36);
    ck_assert_str_eq(split_ja4, whole_ja4);
    ck_assert_uint_eq(strlen(whole_ja3), 32);
    ck_assert_str_eq(split_ja3, whole_ja3);
    for (size_t i = 0; i < c.n; i++)
        free(c.frame[i]);
}
END_TEST

/* -v prints the fingerprints under the ladder; --ja4-raw adds the raw and original-order forms
 * (the same strings --json writes). */
START_TEST(text_output_under_v)
{
    const char *pcap = tw_test_src("tests/data/tls/tls13-ok.pcap");
    char ja4[64], ja3[64], ja3s[64], want[256], cmd[4096], out[16384];
    field_of(pcap, "ja4", ja4, sizeof ja4);
    field_of(pcap, "ja3", ja3, sizeof ja3);
    field_of(pcap, "ja3s", ja3s, sizeof ja3s);
    snprintf(cmd, sizeof cmd, "'%s/tlswhy' -v --ja4-raw --no-summary -r '%s'", TW_BINARY_DIR, pcap);
    FILE *p = popen(cmd, "r");
    ck_assert(p != NULL);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    snprintf(want, sizeof want, "\n    ja4 %s  ja3 %s  ja3s %s\n    ja4_r %.10s_", ja4, ja3, ja3s,
             ja4);
    ck_assert_msg(strstr(out, want) != NULL, "no '%s' in:\n%s", want, out);
    ck_assert_ptr_nonnull(strstr(out, "\n    ja4_o "));
    ck_assert_ptr_nonnull(strstr(out, "\n    ja4_ro "));
    snprintf(cmd, sizeof cmd, "'%s/tlswhy' --no-summary -r '%s'", TW_BINARY_DIR, pcap);
    p = popen(cmd, "r");
    ck_assert(p != NULL);
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    ck_assert_ptr_null(strstr(out, "ja4")); /* not without -v */
}
END_TEST

Suite *tw_fingerprint_suite(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *t = tcase_create("ja4_ja3");
    tcase_add_test(t, foxio_example_all_forms);
    tcase_add_test(t, grease_ignored_everywhere);
    tcase_add_test(t, no_sni_is_i);
    tcase_add_test(t, no_alpn_is_00);
    tcase_add_test(t, alpn_characters);
    tcase_add_test(t, empty_lists);
    tcase_add_test(t, version_rules);
    tcase_add_test(t, counts_capped_at_99);
    tcase_add_test(t, truncated_lists_give_none);
    tcase_add_test(t, ja3_ja3s_known_values);
    tcase_add_test(t, client_hello_split_across_segments);
    tcase_add_test(t, text_output_under_v);
    suite_add_tcase(s, t);
    return s;
}
