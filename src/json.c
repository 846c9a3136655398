/* json.c: streaming JSON writer (RFC 8259) whose strings survive any byte the wire can carry;
 * see json.h for the escaping rules. */
#include "tlswhy/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "tlswhy/rd.h"

/* The writer runs on one thread and writes its FILE alone: the _unlocked stdio calls skip a
 * lock per character that cost a fifth of the reporter's time. */

/* Escaped text goes through a small buffer, flushed to a FILE or kept in memory. */
struct sink {
    char *buf;
    size_t cap, len, need; /* need: bytes the whole text takes, even past cap */
    FILE *f;
    int err;
};

static void flush(struct sink *s)
{
    if (s->f && s->len) {
        if (fwrite_unlocked(s->buf, 1, s->len, s->f) != s->len)
            s->err = TW_E_IO;
        s->len = 0;
    }
}

/* Writes n bytes (one character or escape) whole or not at all: a memory sink that runs out
 * of room stops there, so the text is never cut inside an escape. */
static void put(struct sink *s, const char *p, size_t n)
{
    s->need += n;
    if (s->len + n + 1 > s->cap) {
        if (!s->f) {
            s->cap = s->len + 1; /* full: nothing more goes in */
            return;
        }
        flush(s);
    }
    if (n <= 6) { /* one character or escape: a loop beats a memcpy call */
        for (size_t i = 0; i < n; i++)
            s->buf[s->len + i] = p[i];
    } else {
        memcpy(s->buf + s->len, p, n);
    }
    s->len += n;
}

/* Bytes written as they are: printable ASCII but the quote and the backslash. A bitmap (bit c
 * of the 256), because this test runs for every byte of output. */
static bool plain(uint8_t c)
{
    static const uint64_t map[4] = {
        0xfffffffb00000000ULL, /* 0x20..0x3f but '"' (0x22) */
        0x7fffffffefffffffULL, /* 0x40..0x7e but '\\' (0x5c) */
        0, 0,
    };
    return (map[c >> 6] >> (c & 63)) & 1;
}

/* Eight bytes at once (SWAR): whether every byte of x is plain. Each test below sets the top
 * bit of some lane only if some byte of x matches (borrows can mark lanes above a match,
 * never a word without one), so the answer for the word is exact. */
#define ONES 0x0101010101010101ULL
#define TOPS 0x8080808080808080ULL
static uint64_t some_zero(uint64_t x)
{
    return (x - ONES) & ~x & TOPS;
}

static inline bool plain8(uint64_t x)
{
    uint64_t bad = x                            /* >= 0x80 */
                   | ((x - 0x20 * ONES) & ~x)   /* < 0x20 */
                   | some_zero(x ^ 0x22 * ONES) /* '"' */
                   | some_zero(x ^ 0x5c * ONES) /* '\\' */
                   | some_zero(x ^ 0x7f * ONES); /* DEL */
    return !(bad & TOPS);
}

/* How many bytes at the start of p[0..n) are plain: whole words first (the last one ending
 * at p + n, overlapping the one before), then byte by byte from the first word that holds
 * another byte. */
static size_t plain_run(const uint8_t *p, size_t n)
{
    size_t i = 0;
    uint64_t x;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, p + i, 8);
        if (!plain8(x))
            break;
    }
    if (i < n && n >= 8 && i + 8 > n) { /* a tail shorter than a word, after plain words */
        memcpy(&x, p + n - 8, 8);
        if (plain8(x))
            return n;
    }
    while (i < n && plain(p[i]))
        i++;
    return i;
}

/* Puts a run of plain bytes in pieces that fit the sink's buffer (a memory sink still stops
 * at the first byte that does not fit, as put does per byte). */
static void put_run(struct sink *s, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t room = s->cap > 64 ? s->cap - 64 : 1; /* whole pieces for a FILE sink */
        size_t k = n < room ? n : room;
        if (!s->f && s->len + k + 1 > s->cap) {
            for (size_t i = 0; i < k; i++) /* memory sink: byte by byte up to the end */
                put(s, (const char *)p + i, 1);
        } else {
            put(s, (const char *)p, k);
        }
        p += k;
        n -= k;
    }
}

/* Continuation bytes a lead byte promises (RFC 3629 §4), with the allowed range of the first
 * one; 0 for bytes that cannot start a sequence: continuation bytes, overlong leads (C0, C1)
 * and leads beyond U+10FFFF (F5..FF). */
static size_t utf8_need(uint8_t b0, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf)
        return 1;
    if (b0 >= 0xe0 && b0 <= 0xef) {
        if (b0 == 0xe0)
            *lo = 0xa0; /* overlong */
        else if (b0 == 0xed)
            *hi = 0x9f; /* surrogates */
        return 2;
    }
    if (b0 >= 0xf0 && b0 <= 0xf4) {
        if (b0 == 0xf0)
            *lo = 0x90; /* overlong */
        else if (b0 == 0xf4)
            *hi = 0x8f; /* beyond U+10FFFF */
        return 3;
    }
    return 0;
}

/* Whether the n continuation bytes at r are well formed. r is a copy: the caller's position
 * does not move. */
static bool utf8_tail_ok(struct tw_rd r, size_t n, uint8_t lo, uint8_t hi)
{
    if (n == 0 || tw_rd_left(&r) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = tw_rd_u8(&r);
        if (b < (i == 0 ? lo : 0x80) || b > (i == 0 ? hi : 0xbf))
            return false;
    }
    return true;
}

static void escape_into(struct sink *s, const void *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(str, n, &e);
    for (size_t left = n; left > 0; left--) {
        /* Most text (names, suites, explanations) is plain ASCII: copy each run at once. */
        struct tw_rd peek = r;
        const uint8_t *rest = tw_rd_take(&peek, left); /* a checked view of what is left */
        size_t run = rest ? plain_run(rest, left) : 0;
        if (run > 1) {
            put_run(s, tw_rd_take(&r, run), run);
            left -= run - 1;
            continue;
        }
        uint8_t c = tw_rd_u8(&r), lo, hi;
        size_t more = c >= 0x80 ? utf8_need(c, &lo, &hi) : 0;
        if (more && utf8_tail_ok(r, more, lo, hi)) {
            char seq[4] = {(char)c};
            memcpy(seq + 1, tw_rd_take(&r, more), more);
            put(s, seq, more + 1);
            left -= more;
        } else if (c == '"' || c == '\\') {
            char q[2] = {'\\', (char)c};
            put(s, q, 2);
        } else if (c < 0x20 || c >= 0x7f) {
            /* controls, DEL, and each byte of an ill-formed sequence */
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(s, u, 6);
        } else {
            char ch = (char)c;
            put(s, &ch, 1);
        }
    }
}

size_t tw_json_escape(const void *s, size_t n, char *out, size_t cap)
{
    struct sink k = {out, cap, 0, 0, NULL, TW_OK};
    escape_into(&k, s, n);
    if (cap)
        out[k.len] = '\0';
    return k.need;
}

void tw_json_init(struct tw_json *j, FILE *f)
{
    j->f = f;
    tw_json_restart(j);
    for (int i = 0; i < TW_JSON_TIMES; i++)
        j->times[i].used = false;
    j->time_next = 0;
}

void tw_json_restart(struct tw_json *j)
{
    j->depth = 0;
    memset(j->first, 0, sizeof j->first);
    j->first[0] = true;
    j->after_key = false;
    j->err = TW_OK;
    j->len = 0; /* buf itself needs no clearing */
}

/* Gives the buffered text to the FILE. */
static void drain(struct tw_json *j)
{
    if (j->len && fwrite_unlocked(j->buf, 1, j->len, j->f) != j->len)
        j->err = TW_E_IO;
    j->len = 0;
}

/* Room for n more bytes (n <= TW_JSON_BUF), draining first when they do not fit. */
static char *room(struct tw_json *j, size_t n)
{
    if (j->len + n > sizeof j->buf)
        drain(j);
    return j->buf + j->len;
}

static void out1(struct tw_json *j, char c)
{
    *room(j, 1) = c;
    j->len++;
}

static void out(struct tw_json *j, const void *p, size_t n)
{
    while (n > 0) {
        size_t k = n < sizeof j->buf ? n : sizeof j->buf;
        memcpy(room(j, k), p, k);
        j->len += k;
        p = (const char *)p + k;
        n -= k;
    }
}

/* Comma before every element but the first, none right after a key. */
static void sep(struct tw_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth])
        out1(j, ',');
    j->first[j->depth] = false;
}

static void open_(struct tw_json *j, char c)
{
    sep(j);
    if (j->depth + 1 >= TW_JSON_MAX_DEPTH) {
        j->err = TW_E_USAGE;
        return;
    }
    out1(j, c);
    j->first[++j->depth] = true;
}

static void close_(struct tw_json *j, char c)
{
    if (j->depth == 0) {
        j->err = TW_E_USAGE;
        return;
    }
    j->depth--;
    out1(j, c);
}

void tw_json_obj_begin(struct tw_json *j)
{
    open_(j, '{');
}

void tw_json_obj_end(struct tw_json *j)
{
    close_(j, '}');
}

void tw_json_arr_begin(struct tw_json *j)
{
    open_(j, '[');
}

void tw_json_arr_end(struct tw_json *j)
{
    close_(j, ']');
}

static void raw_string(struct tw_json *j, const void *s, size_t n)
{
    /* Keys and most values need no escape: copied whole. */
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(s, n, &e);
    const uint8_t *b = tw_rd_take(&r, n);
    if (b && plain_run(b, n) == n && n + 2 <= sizeof j->buf) {
        char *o = room(j, n + 2);
        o[0] = '"';
        memcpy(o + 1, b, n);
        o[n + 1] = '"';
        j->len += n + 2;
        return;
    }
    /* The escape goes on in the writer's buffer, through a sink that drains it when full. */
    struct sink k = {j->buf, sizeof j->buf, j->len, 0, j->f, TW_OK};
    put(&k, "\"", 1);
    escape_into(&k, s, n);
    put(&k, "\"", 1);
    j->len = k.len;
    if (k.err)
        j->err = k.err;
}

void tw_json_key(struct tw_json *j, const char *key)
{
    sep(j);
    raw_string(j, key, strlen(key));
    out1(j, ':');
    j->after_key = true;
}

void tw_json_key_quoted(struct tw_json *j, const char *quoted, size_t n)
{
    sep(j);
    out(j, quoted, n);
    j->after_key = true;
}

void tw_json_strn(struct tw_json *j, const void *s, size_t n)
{
    sep(j);
    raw_string(j, s, n);
}

void tw_json_strn_plain(struct tw_json *j, const char *s, size_t n)
{
    sep(j);
    if (n + 2 > sizeof j->buf) { /* not what it is for; still right */
        raw_string(j, s, n);
        return;
    }
    char *o = room(j, n + 2);
    o[0] = '"';
    memcpy(o + 1, s, n);
    o[n + 1] = '"';
    j->len += n + 2;
}

void tw_json_str(struct tw_json *j, const char *s)
{
    if (!s)
        tw_json_null(j);
    else
        tw_json_strn(j, s, strlen(s));
}

/* Decimal digits of v, written backwards from end; returns the first. printf's format parsing
 * was a tenth of the JSON reporter's time. */
static char *digits(uint64_t v, char *end)
{
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

static void write_uint(struct tw_json *j, uint64_t v, bool minus)
{
    char b[24], *e = b + sizeof b, *p = digits(v, e);
    if (minus)
        *--p = '-';
    out(j, p, (size_t)(e - p));
}

void tw_json_int(struct tw_json *j, int64_t v)
{
    sep(j);
    write_uint(j, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void tw_json_uint(struct tw_json *j, uint64_t v)
{
    sep(j);
    write_uint(j, v, false);
}

/* round(v * 10^d) for 0 <= v < 2^40 and d <= 3, as printf rounds. v = m * 2^e exactly
 * (m < 2^53, e < 0), so v * 10^d = m * 10^d / 2^-e with m * 10^d < 2^63: an integer shift,
 * and the bits shifted out against one half decide the rounding. */
static uint64_t scaled_round(double v, int d)
{
    static const uint64_t pow10[] = {1, 10, 100, 1000};
    int e;
    double f = frexp(v, &e); /* v = f * 2^e, f in [0.5, 1) or 0 */
    uint64_t x = (uint64_t)ldexp(f, 53) * pow10[d];
    e -= 53; /* below 0: v < 2^40 < 2^53 */
    if (e <= -64)
        return 0; /* x < 2^63 <= one half */
    unsigned s = (unsigned)-e;
    uint64_t q = x >> s, rest = x & ((1ULL << s) - 1), half = 1ULL << (s - 1);
    if (rest > half || (rest == half && (q & 1)))
        q++;
    return q;
}

size_t tw_json_fixed(double v, int decimals, char *buf)
{
    bool minus = signbit(v);
    double a = minus ? -v : v;
    if (!(a < 1099511627776.0) || decimals < 0 || decimals > 3) /* NaN fails too */
        return 0;
    uint64_t q = scaled_round(a, decimals);
    char b[TW_JSON_FIXED_LEN], *e = b + sizeof b, *o = e;
    for (int i = 0; i < decimals; i++, q /= 10)
        *--o = (char)('0' + q % 10);
    if (decimals)
        *--o = '.';
    o = digits(q, o);
    if (minus)
        *--o = '-';
    size_t n = (size_t)(e - o);
    memcpy(buf, o, n);
    buf[n] = '\0';
    return n;
}

void tw_json_num(struct tw_json *j, double v, int decimals, bool negative_is_null)
{
    if (!isfinite(v) || (negative_is_null && v < 0)) {
        tw_json_null(j);
        return;
    }
    sep(j);
    char f[TW_JSON_FIXED_LEN];
    size_t fn = tw_json_fixed(v, decimals, f);
    if (fn) {
        out(j, f, fn);
        return;
    }
    char b[400]; /* any finite double with up to 80 decimals (309 digits before the point) */
    int n = snprintf(b, sizeof b, "%.*f", decimals, v); /* the C locale: never setlocale */
    if (n >= 0 && (size_t)n < sizeof b) {
        out(j, b, (size_t)n);
        return;
    }
    drain(j);
    if (fprintf(j->f, "%.*f", decimals, v) < 0)
        j->err = TW_E_IO;
}

void tw_json_bool(struct tw_json *j, bool v)
{
    sep(j);
    if (v)
        out(j, "true", 4);
    else
        out(j, "false", 5);
}

void tw_json_null(struct tw_json *j)
{
    sep(j);
    out(j, "null", 4);
}

int tw_json_line_end(struct tw_json *j)
{
    out1(j, '\n');
    drain(j);
    if (fflush(j->f) != 0)
        j->err = TW_E_IO;
    j->first[0] = true;
    j->after_key = false;
    return j->err;
}

/* Days since 1970-01-01 -> civil date (H. Hinnant's days_from_civil, inverted), so no libc
 * time zone can leak in. */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

const char *tw_json_time(int64_t us, char *buf, size_t n)
{
    int64_t secs = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    civil(days, &y, &m, &d);
    if (y >= 0 && y <= 9999 && n >= 28) { /* the usual case, without snprintf */
        unsigned f[] = {(unsigned)y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
                        (unsigned)(sod % 60), (unsigned)frac};
        static const char sepc[] = "--T::.Z";
        static const uint8_t width[] = {4, 2, 2, 2, 2, 2, 6};
        char *o = buf;
        for (int i = 0; i < 7; i++) {
            for (int k = width[i] - 1; k >= 0; k--, f[i] /= 10)
                o[k] = (char)('0' + f[i] % 10);
            o += width[i];
            *o++ = sepc[i];
        }
        *o = '\0';
        return buf;
    }
    snprintf(buf, n, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06uZ", y, m, d,
             (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
             (unsigned)frac);
    return buf;
}

void tw_json_time_value(struct tw_json *j, int64_t us)
{
    int64_t secs = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    int slot = 0;
    while (slot < TW_JSON_TIMES && !(j->times[slot].used && j->times[slot].secs == secs))
        slot++;
    if (slot == TW_JSON_TIMES) {
        char full[TW_JSON_TIME_LEN];
        tw_json_time(us, full, sizeof full);
        if (strlen(full) != 27) { /* a year beyond 0..9999: not cached */
            tw_json_str(j, full);
            return;
        }
        slot = (int)(j->time_next++ % TW_JSON_TIMES);
        memcpy(j->times[slot].head, full, sizeof j->times[slot].head);
        j->times[slot].secs = secs;
        j->times[slot].used = true;
    }
    sep(j);
    char *o = room(j, 29); /* "2026-11-21T01:02:03.123456Z" with its quotes */
    o[0] = '"';
    memcpy(o + 1, j->times[slot].head, sizeof j->times[slot].head);
    for (int k = 26; k >= 21; k--, frac /= 10)
        o[k] = (char)('0' + frac % 10);
    o[27] = 'Z';
    o[28] = '"';
    j->len += 29;
}
