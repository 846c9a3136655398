/* json.h: a small streaming JSON writer to a FILE* (json.c), for the JSON Lines reporter.
 *
 * Strings may hold any byte the wire can carry. They are written as follows:
 *   - '"' and '\' as \" and \\;
 *   - control characters U+0000..U+001F and DEL (0x7f) as \u00XX;
 *   - well-formed UTF-8 (RFC 3629: shortest form, no surrogates, at most U+10FFFF) as is;
 *   - every byte of an ill-formed UTF-8 sequence as \u00XX of that byte, i.e. the byte is
 *     read as Latin-1. The output is always valid UTF-8 and valid JSON; a consumer that
 *     needs the raw bytes back can map U+0080..U+00FF that came from escapes to bytes.
 * The writer inserts commas and colons itself and never writes a newline inside a value. */
#ifndef TLSWHY_JSON_H
#define TLSWHY_JSON_H

#include <stdio.h>

#include "tlswhy/base.h"

#define TW_JSON_MAX_DEPTH 16
/* A line is built in the writer and handed to the FILE in one piece (many small stdio calls
 * were a third of the reporter's time); a longer line goes out in pieces of this size. */
#define TW_JSON_BUF 8192
#define TW_JSON_TIMES 8

struct tw_json {
    FILE *f;
    int depth;
    bool first[TW_JSON_MAX_DEPTH]; /* no element written yet at this depth */
    bool after_key;                /* a key was written: the value needs no comma */
    int err;                       /* TW_OK, TW_E_IO (write failed) or TW_E_USAGE (nesting) */
    size_t len;                    /* bytes in buf, not yet given to f */
    char buf[TW_JSON_BUF];
    /* tw_json_time_value: the date and time of day of the last seconds written, as most
     * timestamps of a connection share their second and its certificates' dates repeat */
    struct {
        bool used;
        int64_t secs;
        char head[20]; /* "2026-11-21T01:02:03." */
    } times[TW_JSON_TIMES];
    unsigned time_next; /* the slot to replace next */
};

/* Starts a writer on f (not owned). */
void tw_json_init(struct tw_json *j, FILE *f);
/* Starts a new line on the same FILE as if just initialised, keeping the timestamp cache. */
void tw_json_restart(struct tw_json *j);
/* Objects and arrays; nesting deeper than TW_JSON_MAX_DEPTH sets TW_E_USAGE. */
void tw_json_obj_begin(struct tw_json *j);
void tw_json_obj_end(struct tw_json *j);
void tw_json_arr_begin(struct tw_json *j);
void tw_json_arr_end(struct tw_json *j);
/* An object key (escaped like a string). */
void tw_json_key(struct tw_json *j, const char *key);
/* A key written as given: n bytes of quoted, which holds the quotes and the colon. For keys
 * that are string literals needing no escape, quoted by the compiler: TW_JSON_KEY(j, "conn")
 * writes what tw_json_key(j, "conn") does, without a strlen and a scan per key. */
void tw_json_key_quoted(struct tw_json *j, const char *quoted, size_t n);
#define TW_JSON_QKEY(lit) "\"" lit "\":", sizeof(lit) + 2
#define TW_JSON_KEY(j, lit) tw_json_key_quoted((j), TW_JSON_QKEY(lit))
/* A string from a NUL-terminated s (NULL writes null), or from n bytes that may hold NUL. */
void tw_json_str(struct tw_json *j, const char *s);
void tw_json_strn(struct tw_json *j, const void *s, size_t n);
void tw_json_int(struct tw_json *j, int64_t v);
void tw_json_uint(struct tw_json *j, uint64_t v);
/* A number with `decimals` digits after the point; NaN, infinities and negative values when
 * negative_is_null is set write null. */
void tw_json_num(struct tw_json *j, double v, int decimals, bool negative_is_null);
void tw_json_bool(struct tw_json *j, bool v);
/* A string the caller built from characters that need no escape (hex digits, "0x"): written
 * as given, without the scan. */
void tw_json_strn_plain(struct tw_json *j, const char *s, size_t n);
/* A capture time as a string, as tw_json_str(j, tw_json_time(us, ...)) writes it. */
void tw_json_time_value(struct tw_json *j, int64_t us);
void tw_json_null(struct tw_json *j);
/* Ends a JSON Lines record: writes '\n' and flushes (the writer's buffer and f). Returns
 * j->err (or TW_E_IO). */
int tw_json_line_end(struct tw_json *j);

/* Escapes n bytes of s as the body of a JSON string (without quotes) into out[0..cap), NUL
 * terminated; returns the length the full escape needs (like snprintf). For tests and for
 * writers that build strings. */
size_t tw_json_escape(const void *s, size_t n, char *out, size_t cap);

/* v with `decimals` digits after the point, exactly as printf's "%.*f" writes it (rounded to
 * nearest, ties to even, from the exact binary value), into buf (TW_JSON_FIXED_LEN bytes, NUL
 * terminated); returns the length, or 0 for what it does not handle (decimals beyond 3,
 * |v| >= 2^40, NaN, infinities), for which the caller uses printf. */
#define TW_JSON_FIXED_LEN 24
size_t tw_json_fixed(double v, int decimals, char *buf);

/* Capture time in microseconds since the epoch as "2026-11-21T01:02:03.123456Z" (UTC, never
 * the local timezone). buf needs TW_JSON_TIME_LEN bytes; returns buf. */
#define TW_JSON_TIME_LEN 32
const char *tw_json_time(int64_t us, char *buf, size_t n);

#endif
