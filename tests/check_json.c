/* check_json.c: the streaming JSON writer: the escape of every byte 0..255, well-formed and
 * ill-formed UTF-8, structure (commas, nesting), numbers, nulls and UTC timestamps. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "corr_fixture.h"
#include "tlswhy/json.h"

static char *esc(const void *s, size_t n)
{
    static char out[4096];
    size_t need = tw_json_escape(s, n, out, sizeof out);
    ck_assert_uint_lt(need, sizeof out);
    ck_assert_uint_eq(need, strlen(out));
    return out;
}

/* A lone byte: ASCII printable stays (but " and \), controls and DEL are \u00XX, and every
 * byte >= 0x80 alone is ill-formed UTF-8, so \u00XX too. */
START_TEST(every_single_byte)
{
    uint8_t b = (uint8_t)_i;
    char want[8];
    if (b == '"')
        snprintf(want, sizeof want, "\\\"");
    else if (b == '\\')
        snprintf(want, sizeof want, "\\\\");
    else if (b < 0x20 || b >= 0x7f)
        snprintf(want, sizeof want, "\\u%04x", (unsigned)b);
    else
        snprintf(want, sizeof want, "%c", (char)b);
    ck_assert_str_eq(esc(&b, 1), want);
}
END_TEST

/* Decodes our own escapes back to bytes (\u00XX -> one byte): the escape is lossless. */
static size_t unescape(const char *s, uint8_t *out)
{
    size_t n = 0;
    while (*s) {
        if (*s != '\\') {
            out[n++] = (uint8_t)*s++;
            continue;
        }
        s++;
        if (*s == 'u') {
            char hex[5] = {s[1], s[2], s[3], s[4], 0};
            ck_assert(s[1] == '0' && s[2] == '0');
            out[n++] = (uint8_t)strtoul(hex, NULL, 16);
            s += 5;
        } else {
            out[n++] = (uint8_t)*s++;
        }
    }
    return n;
}

START_TEST(all_bytes_round_trip)
{
    uint8_t in[256], back[256];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    const char *e = esc(in, sizeof in);
    for (const char *p = e; *p; p++)
        ck_assert((uint8_t)*p >= 0x20 && (uint8_t)*p < 0x80); /* all bytes escaped to ASCII */
    ck_assert_uint_eq(unescape(e, back), 256);
    ck_assert_mem_eq(in, back, 256);
}
END_TEST

START_TEST(valid_utf8_passes_through)
{
    static const char s[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf "
                            "\xed\x9f\xbf \xee\x80\x80";
    ck_assert_str_eq(esc(s, strlen(s)), s);
}
END_TEST

START_TEST(ill_formed_utf8_is_escaped_per_byte)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"\xc0\x80", "\\u00c0\\u0080"},                       /* overlong NUL */
        {"\xc1\xbf", "\\u00c1\\u00bf"},                       /* overlong */
        {"\xe0\x80\xaf", "\\u00e0\\u0080\\u00af"},            /* overlong 3-byte */
        {"\xed\xa0\x80", "\\u00ed\\u00a0\\u0080"},            /* surrogate U+D800 */
        {"\xf0\x8f\xbf\xbf", "\\u00f0\\u008f\\u00bf\\u00bf"}, /* overlong 4-byte */
        {"\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080"}, /* above U+10FFFF */
        {"\xf5\x80\x80\x80", "\\u00f5\\u0080\\u0080\\u0080"},
        {"a\xe2\x82", "a\\u00e2\\u0082"},    /* truncated at the end */
        {"\xe2\x82z", "\\u00e2\\u0082z"},    /* truncated by ASCII */
        {"\x80", "\\u0080"},                 /* lone continuation */
        {"\xc3\xa9\xa9", "\xc3\xa9\\u00a9"}, /* valid, then a stray continuation */
        {"\xff\xfe", "\\u00ff\\u00fe"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_str_eq(esc(cases[i].in, strlen(cases[i].in)), cases[i].out);
}
END_TEST

START_TEST(escape_truncates_safely)
{
    char small[8];
    size_t need = tw_json_escape("\x01\x02\x03", 3, small, sizeof small);
    ck_assert_uint_eq(need, 18);
    ck_assert_uint_lt(strlen(small), sizeof small);
    ck_assert_str_eq(small, "\\u0001");
    ck_assert_uint_eq(tw_json_escape("abc", 3, NULL, 0), 3);
}
END_TEST

static char *run_writer(void (*fn)(struct tw_json *j))
{
    static char buf[4096];
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    struct tw_json j;
    tw_json_init(&j, f);
    fn(&j);
    ck_assert_int_eq(tw_json_line_end(&j), TW_OK);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void structure(struct tw_json *j)
{
    tw_json_obj_begin(j);
    tw_json_key(j, "a");
    tw_json_int(j, -12);
    tw_json_key(j, "b");
    tw_json_arr_begin(j);
    tw_json_bool(j, true);
    tw_json_null(j);
    tw_json_str(j, "x\"y");
    tw_json_arr_begin(j);
    tw_json_arr_end(j);
    tw_json_uint(j, 18446744073709551615ull);
    tw_json_arr_end(j);
    tw_json_key(j, "c\n");
    tw_json_obj_begin(j);
    tw_json_key(j, "ms");
    tw_json_num(j, 1.5, 3, true);
    tw_json_key(j, "neg");
    tw_json_num(j, -1.0, 3, true);
    tw_json_key(j, "nan");
    tw_json_num(j, 0.0 / 0.0, 3, false);
    tw_json_key(j, "nul");
    tw_json_strn(j, "a\0b", 3);
    tw_json_key(j, "none");
    tw_json_str(j, NULL);
    tw_json_obj_end(j);
    tw_json_obj_end(j);
}

START_TEST(writer_structure)
{
    const char *out = run_writer(structure);
    ck_assert_str_eq(out, "{\"a\":-12,\"b\":[true,null,\"x\\\"y\",[],18446744073709551615],"
                          "\"c\\u000a\":{\"ms\":1.500,\"neg\":null,\"nan\":null,"
                          "\"nul\":\"a\\u0000b\",\"none\":null}}\n");
    ck_assert(fx_json_line_valid(out));
}
END_TEST

static void all_bytes_value(struct tw_json *j)
{
    uint8_t in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    tw_json_obj_begin(j);
    tw_json_key(j, "s");
    tw_json_strn(j, in, sizeof in);
    tw_json_obj_end(j);
}

START_TEST(all_bytes_make_valid_json)
{
    ck_assert(fx_json_line_valid(run_writer(all_bytes_value)));
    ck_assert(!fx_json_line_valid("{\"s\":\"a\x01\"}\n")); /* the checker itself can fail */
    ck_assert(!fx_json_line_valid("{\"s\":1,}\n"));
}
END_TEST

static void too_deep(struct tw_json *j)
{
    for (int i = 0; i < TW_JSON_MAX_DEPTH + 2; i++)
        tw_json_arr_begin(j);
    ck_assert_int_eq(j->err, TW_E_USAGE);
    j->err = TW_OK;
}

START_TEST(nesting_is_bounded)
{
    run_writer(too_deep);
}
END_TEST

START_TEST(utc_timestamps)
{
    char b[TW_JSON_TIME_LEN];
    ck_assert_str_eq(tw_json_time(0, b, sizeof b), "1970-01-01T00:00:00.000000Z");
    ck_assert_str_eq(tw_json_time(FX_T0 + 123456, b, sizeof b), "2026-11-21T01:00:00.123456Z");
    ck_assert_str_eq(tw_json_time(-1, b, sizeof b), "1969-12-31T23:59:59.999999Z");
    /* 2024-02-29T23:59:59.5Z: a leap day */
    ck_assert_str_eq(tw_json_time(1709251199500000LL, b, sizeof b), "2024-02-29T23:59:59.500000Z");
    ck_assert_str_eq(tw_json_time(4102444800LL * 1000000, b, sizeof b),
                     "2100-01-01T00:00:00.000000Z");
}
END_TEST

static void keys_by_name(struct tw_json *j)
{
    tw_json_obj_begin(j);
    tw_json_key(j, "conn");
    tw_json_uint(j, 1);
    tw_json_key(j, "cipher_suites_offered");
    tw_json_arr_begin(j);
    tw_json_arr_end(j);
    tw_json_key(j, "x");
    tw_json_obj_begin(j);
    tw_json_key(j, "y");
    tw_json_null(j);
    tw_json_obj_end(j);
    tw_json_obj_end(j);
}

static void keys_quoted(struct tw_json *j)
{
    tw_json_obj_begin(j);
    TW_JSON_KEY(j, "conn");
    tw_json_uint(j, 1);
    TW_JSON_KEY(j, "cipher_suites_offered");
    tw_json_arr_begin(j);
    tw_json_arr_end(j);
    TW_JSON_KEY(j, "x");
    tw_json_obj_begin(j);
    TW_JSON_KEY(j, "y");
    tw_json_null(j);
    tw_json_obj_end(j);
    tw_json_obj_end(j);
}

/* A literal key quoted by the compiler writes what tw_json_key writes, commas included. */
START_TEST(literal_keys_as_named_keys)
{
    char by_name[4096];
    snprintf(by_name, sizeof by_name, "%s", run_writer(keys_by_name));
    ck_assert_str_eq(by_name, "{\"conn\":1,\"cipher_suites_offered\":[],\"x\":{\"y\":null}}\n");
    ck_assert_str_eq(run_writer(keys_quoted), by_name);
}
END_TEST

/* The escape of one byte that stands alone (its neighbours ASCII), as every_single_byte. */
static size_t lone_escape(uint8_t b, char *o)
{
    if (b == '"' || b == '\\')
        return (size_t)sprintf(o, "\\%c", (char)b);
    if (b < 0x20 || b >= 0x7f)
        return (size_t)sprintf(o, "\\u%04x", (unsigned)b);
    o[0] = (char)b;
    return 1;
}

/* s written by the writer as a value, through a FILE (in memory): the path connections
 * take. */
static const char *written(const uint8_t *s, size_t n)
{
    static char buf[8192];
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f)
        ck_abort_msg("open_memstream failed");
    struct tw_json j;
    tw_json_init(&j, f);
    tw_json_strn(&j, s, n);
    if (tw_json_line_end(&j) != TW_OK || fclose(f) != 0 || len >= sizeof buf)
        ck_abort_msg("writing %zu bytes failed", n);
    memcpy(buf, mem, len + 1);
    free(mem);
    return buf;
}

/* Plain runs are found eight bytes at a time: every byte value at every place of the first
 * three words of strings 1..24 long, and random strings of the bytes where a word-wise test
 * could go wrong (the quote, the backslash, controls, DEL, high bytes and their neighbours),
 * escape exactly as byte by byte, both through tw_json_escape and the writer. */
static void check_bytes(const uint8_t *in, size_t n)
{
    char want[8 * 64 + 4], *w = want;
    for (size_t i = 0; i < n; i++)
        w += lone_escape(in[i], w);
    *w = '\0';
    char got[sizeof want];
    size_t need = tw_json_escape(in, n, got, sizeof got);
    char quoted[sizeof want + 4];
    snprintf(quoted, sizeof quoted, "\"%s\"\n", want);
    const char *line = written(in, n);
    /* plain tests, not ck_assert: Check writes to a pipe for every assertion it passes */
    if (need != strlen(want) || strcmp(got, want) != 0)
        ck_abort_msg("tw_json_escape: %s, want %s", got, want);
    if (strcmp(line, quoted) != 0)
        ck_abort_msg("writer: %s, want %s", line, quoted);
}

START_TEST(word_scan_matches_bytes)
{
    uint8_t in[64];
    for (size_t n = 1; n <= 24; n++)
        for (size_t at = 0; at < n; at++) {
            for (size_t i = 0; i < n; i++)
                in[i] = (uint8_t)('a' + i % 26);
            in[at] = (uint8_t)_i;
            check_bytes(in, n);
        }
    static const uint8_t risky[] = {0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c,
                                    0x5d, 0x7e, 0x7f, 0x80, 0xff, 'a', 'z'};
    srand(1234 + _i);
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)rand() % sizeof in;
        for (size_t i = 0; i < n; i++) /* mostly plain, so long runs meet the odd byte */
            in[i] = rand() % 4 ? (uint8_t)(0x20 + rand() % 0x5f) : risky[rand() % sizeof risky];
        /* a lead byte followed by a continuation would be valid UTF-8: keep high bytes lone */
        for (size_t i = 0; i + 1 < n; i++)
            if (in[i] >= 0x80 && in[i + 1] >= 0x80)
                in[i + 1] = 'x';
        check_bytes(in, n);
    }
}
END_TEST

/* One value both ways: tw_json_fixed must handle it (|v| < 2^40) and match printf. */
static void fixed_as_printf(double v, int d)
{
    char want[512], got[TW_JSON_FIXED_LEN];
    snprintf(want, sizeof want, "%.*f", d, v);
    size_t n = tw_json_fixed(v, d, got);
    /* a plain test, not ck_assert: Check writes to a pipe for every assertion it passes */
    if (n == 0 || strcmp(got, want) != 0 || n != strlen(want))
        ck_abort_msg("%.17g with %d decimals: printf %s, tw_json_fixed %s", v, d, want,
                     n ? got : "(not handled)");
}

/* Integer formatting of milliseconds gives printf's correctly rounded digits: 3.6 million
 * values per decimals 0..3: exact halves (j / 2^k: ties go to the even neighbour), the
 * doubles nearest to each decimal half and their neighbours, k / 1000 as run_conn computes
 * milliseconds, random doubles from 2^-1074 to 2^40 of both signs, and the edges. */
START_TEST(fixed_matches_printf)
{
    int d = _i;
    for (int k = 1; k <= 12; k++)
        for (int64_t j = 0; j < 100000; j++)
            fixed_as_printf(ldexp((double)j, -k), d);
    double scale = pow(10, d);
    for (int64_t k = 0; k < 300000; k++) {
        double h = ((double)k + 0.5) / scale;
        fixed_as_printf(h, d);
        fixed_as_printf(nextafter(h, 0), d);
        fixed_as_printf(nextafter(h, INFINITY), d);
        fixed_as_printf(-h, d);
        fixed_as_printf((double)k / 1000.0, d);
        fixed_as_printf((double)(k * 997) / 1000.0, d);
    }
    uint64_t x = 0x9e3779b97f4a7c15ULL + (uint64_t)d;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        double v = ldexp((double)(x >> 11), (int)(x % 100) - 113); /* 2^-113 .. 2^39 */
        fixed_as_printf(x & 1 ? -v : v, d);
    }
    static const double edges[] = {0.0, -0.0, 5e-324, 1e-300, 0x1p-64, 0x1p-65, 0x1.8p-64,
                                   0.0005, 0.5, 1.5, 2.5, 0x1p40 - 0x1p-13, 999.9995,
                                   1099511627775.9998};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        fixed_as_printf(edges[i], d);
        fixed_as_printf(-edges[i], d);
    }
    char b[TW_JSON_FIXED_LEN];
    ck_assert_uint_eq(tw_json_fixed(0x1p40, d, b), 0); /* left to printf */
    ck_assert_uint_eq(tw_json_fixed(NAN, d, b), 0);
    ck_assert_uint_eq(tw_json_fixed(INFINITY, d, b), 0);
    ck_assert_uint_eq(tw_json_fixed(1.0, 4, b), 0);
}
END_TEST

/* Timestamps written with the cached date and time of day: the same text as the string of
 * tw_json_time, for runs of times within a second, across seconds, days, years, before 1970
 * and beyond 9999 (not cached), in one line as a connection's object has them: more seconds
 * than the cache holds, coming back to earlier ones. */
START_TEST(cached_times_as_strings)
{
    static const int64_t starts[] = {0, -1, -999999, -1000000, FX_T0, 1709251199000000LL,
                                     253402300799000000LL, 253402300800000000LL,
                                     -62167219200000000LL, -62167219200000001LL};
    static const int64_t steps[] = {1, 7, 999, 250000, 999999, 1000000, 86399999999LL};
    char *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    FILE *fa = open_memstream(&a, &an), *fb = open_memstream(&b, &bn);
    ck_assert(fa && fb);
    struct tw_json ja, jb;
    tw_json_init(&ja, fa);
    tw_json_init(&jb, fb);
    tw_json_arr_begin(&ja);
    tw_json_arr_begin(&jb);
    int written = 0;
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++)
        for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
            for (int i = -3; i < 40; i++) {
                char t[TW_JSON_TIME_LEN];
                int64_t us = starts[s] + i * steps[k];
                tw_json_time_value(&ja, us);
                tw_json_str(&jb, tw_json_time(us, t, sizeof t));
                written++;
            }
    tw_json_arr_end(&ja);
    tw_json_arr_end(&jb);
    ck_assert_int_eq(tw_json_line_end(&ja), TW_OK);
    ck_assert_int_eq(tw_json_line_end(&jb), TW_OK);
    fclose(fa);
    fclose(fb);
    ck_assert_int_gt(written, 3000);
    ck_assert_uint_gt(an, 3000 * 29);
    ck_assert_str_eq(a, b);
    /* a restarted writer keeps its cache: the second written last is a hit, no slot taken */
    tw_json_restart(&ja);
    unsigned next = ja.time_next;
    tw_json_time_value(&ja, starts[sizeof starts / sizeof starts[0] - 1] +
                                 39 * steps[sizeof steps / sizeof steps[0] - 1]);
    ck_assert_uint_eq(ja.time_next, next);
    ck_assert(strstr(a, "\"9999-12-31T23:59:59.") != NULL); /* the edges were reached */
    ck_assert(strstr(a, "\"10000-01-01T00:00:00.") != NULL);
    ck_assert(strstr(a, "\"0000-01-01T00:00:00.000000Z\"") != NULL);
    free(a);
    free(b);
}
END_TEST

/* A line longer than the writer's buffer, of plain and escaped strings of every length
 * around its size: drained in pieces, in order, as the escapes of each string joined. */
START_TEST(long_lines_drain_in_order)
{
    static uint8_t in[3 * TW_JSON_BUF];
    static char want[4 * 6 * TW_JSON_BUF], piece[6 * 3 * TW_JSON_BUF + 1];
    char *mem = NULL;
    size_t len = 0, wn = 0;
    FILE *f = open_memstream(&mem, &len);
    ck_assert_ptr_nonnull(f);
    struct tw_json j;
    tw_json_init(&j, f);
    tw_json_arr_begin(&j);
    want[wn++] = '[';
    static const size_t sizes[] = {1, 7, TW_JSON_BUF - 3, TW_JSON_BUF - 2, TW_JSON_BUF,
                                   TW_JSON_BUF + 1, 2 * TW_JSON_BUF + 5};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++) /* odd strings plain, even ones with escapes */
            in[i] = (uint8_t)(k % 2 ? 'a' + i % 26 : (i % 5 == 0 ? '"' : 'A' + i % 26));
        tw_json_strn(&j, in, n);
        size_t pn = tw_json_escape(in, n, piece, sizeof piece);
        ck_assert_uint_lt(pn, sizeof piece);
        ck_assert_uint_lt(wn + pn + 4, sizeof want);
        if (k)
            want[wn++] = ',';
        want[wn++] = '"';
        memcpy(want + wn, piece, pn);
        wn += pn;
        want[wn++] = '"';
    }
    tw_json_arr_end(&j);
    memcpy(want + wn, "]\n", 3);
    wn += 2;
    ck_assert_int_eq(tw_json_line_end(&j), TW_OK);
    fclose(f);
    ck_assert_uint_eq(len, wn);
    ck_assert(memcmp(mem, want, wn) == 0);
    free(mem);
}
END_TEST

Suite *tw_json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("writer");
    tcase_add_loop_test(tc, every_single_byte, 0, 256);
    tcase_add_test(tc, all_bytes_round_trip);
    tcase_add_test(tc, valid_utf8_passes_through);
    tcase_add_test(tc, ill_formed_utf8_is_escaped_per_byte);
    tcase_add_test(tc, escape_truncates_safely);
    tcase_add_test(tc, writer_structure);
    tcase_add_test(tc, all_bytes_make_valid_json);
    tcase_add_test(tc, nesting_is_bounded);
    tcase_add_test(tc, utc_timestamps);
    tcase_add_loop_test(tc, word_scan_matches_bytes, 0, 256);
    tcase_add_test(tc, literal_keys_as_named_keys);
    tcase_add_loop_test(tc, fixed_matches_printf, 0, 4);
    tcase_add_test(tc, cached_times_as_strings);
    tcase_add_test(tc, long_lines_drain_in_order);
    suite_add_tcase(s, tc);
    return s;
}
