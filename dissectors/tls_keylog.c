/* tls_keylog.c: the NSS key log format (https://firefox-source-docs.mozilla.org/security/nss/
 * legacy/key_log_format/): "<LABEL> <ClientHello.random, 64 hex> <secret, hex>" per line, '#'
 * comments. Secrets are kept per client random in a chained hash table whose size is capped. */
#include "tlswhy/keylog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tlswhy/rd.h"

#define BUCKETS 4096

struct entry {
    struct entry *next;
    uint8_t cr[32];
    uint8_t len[TW_SEC_COUNT]; /* 0: not known */
    uint8_t sec[TW_SEC_COUNT][TW_SECRET_MAX];
};

struct tw_keylog {
    struct entry *b[BUCKETS];
    size_t max;
    struct tw_keylog_stats st;
    char *follow;    /* tw_keylog_follow's file, or NULL */
    FILE *follow_f;  /* kept open: -i drops privileges (-Z) after the key log is opened */
    uint64_t offset; /* bytes of it read (whole lines) */
};

static const char *const labels[TW_SEC_COUNT] = {
    [TW_SEC_CLIENT_RANDOM] = "CLIENT_RANDOM",
    [TW_SEC_CLIENT_HS] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [TW_SEC_SERVER_HS] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [TW_SEC_CLIENT_AP] = "CLIENT_TRAFFIC_SECRET_0",
    [TW_SEC_SERVER_AP] = "SERVER_TRAFFIC_SECRET_0",
};

const char *tw_secret_label(enum tw_secret s)
{
    return (unsigned)s < TW_SEC_COUNT ? labels[s] : "?";
}

struct tw_keylog *tw_keylog_new(size_t max_randoms)
{
    struct tw_keylog *k = calloc(1, sizeof *k);
    if (k)
        k->max = max_randoms ? max_randoms : TW_KEYLOG_DEFAULT_MAX;
    return k;
}

void tw_keylog_free(struct tw_keylog *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct entry *e = k->b[i], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    free(k->follow);
    if (k->follow_f)
        fclose(k->follow_f);
    free(k);
}

static size_t bucket_of(const uint8_t cr[32])
{
    /* client randoms are random (the first 4 bytes were once a time: use the last ones) */
    return (size_t)((cr[28] << 8 | cr[29]) ^ (cr[30] << 4 | cr[31])) % BUCKETS;
}

static struct entry *find(const struct tw_keylog *k, const uint8_t cr[32])
{
    for (struct entry *e = k->b[bucket_of(cr)]; e; e = e->next)
        if (memcmp(e->cr, cr, 32) == 0)
            return e;
    return NULL;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The next space-separated token of a line, as a sub-reader (empty at the end). */
static struct tw_rd token(struct tw_rd *line)
{
    struct tw_rd q = *line;
    while (tw_rd_left(&q) > 0 && blank(tw_rd_u8(&q)))
        tw_rd_skip(line, 1);
    size_t n = 0;
    q = *line;
    while (tw_rd_left(&q) > 0 && !blank(tw_rd_u8(&q)))
        n++;
    return tw_rd_sub(line, n);
}

/* Decodes a hex token of exactly 2 * out_max digits (exact) or at most that (!exact). Returns
 * the byte count, or 0 when the token is not hex of that size. */
static size_t unhex(struct tw_rd t, uint8_t *out, size_t out_max, bool exact)
{
    size_t n = tw_rd_left(&t);
    if (n == 0 || n % 2 || n / 2 > out_max || (exact && n / 2 != out_max))
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(tw_rd_u8(&t)), lo = hexval(tw_rd_u8(&t));
        if (hi < 0 || lo < 0)
            return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

static bool is_label(struct tw_rd t)
{
    if (tw_rd_left(&t) == 0)
        return false;
    while (tw_rd_left(&t) > 0) {
        uint8_t c = tw_rd_u8(&t);
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static int label_of(struct tw_rd t)
{
    size_t n = tw_rd_left(&t);
    const uint8_t *p = tw_rd_take(&t, n);
    for (int i = 0; i < TW_SEC_COUNT; i++)
        if (p && strlen(labels[i]) == n && memcmp(labels[i], p, n) == 0)
            return i;
    return -1;
}

static void junk(struct tw_keylog *k)
{
    k->st.junk++;
    if (!k->st.first_junk)
        k->st.first_junk = k->st.lines;
}

static int store(struct tw_keylog *k, const uint8_t cr[32], int lab, const uint8_t *sec,
                 size_t len)
{
    struct entry *e = find(k, cr);
    if (!e) {
        if (k->st.randoms >= k->max) {
            k->st.dropped++;
            return TW_OK;
        }
        e = calloc(1, sizeof *e);
        if (!e)
            return TW_E_NOMEM;
        memcpy(e->cr, cr, 32);
        size_t b = bucket_of(cr);
        e->next = k->b[b];
        k->b[b] = e;
        k->st.randoms++;
    }
    memcpy(e->sec[lab], sec, len); /* a later line for the same secret wins */
    e->len[lab] = (uint8_t)len;
    k->st.secrets++;
    return TW_OK;
}

/* One line, without its '\n'. */
static int parse_line(struct tw_keylog *k, struct tw_rd line)
{
    k->st.lines++;
    struct tw_rd lab = token(&line);
    if (tw_rd_left(&lab) == 0)
        return TW_OK; /* blank */
    struct tw_rd first = lab;
    if (tw_rd_u8(&first) == '#')
        return TW_OK;
    struct tw_rd f1 = token(&line), f2 = token(&line), rest = token(&line);
    if (!is_label(lab) || tw_rd_left(&f1) == 0 || tw_rd_left(&f2) == 0 ||
        tw_rd_left(&rest) != 0) {
        junk(k);
        return TW_OK;
    }
    int which = label_of(lab);
    uint8_t cr[32], sec[TW_SECRET_MAX];
    size_t crn = unhex(f1, cr, sizeof cr, true);
    size_t n = unhex(f2, sec, sizeof sec, false);
    if (which < 0) { /* EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET, RSA, ... */
        k->st.ignored++;
        return TW_OK;
    }
    if (crn != 32 || n == 0) {
        junk(k);
        return TW_OK;
    }
    return store(k, cr, which, sec, n);
}

int tw_keylog_add_text(struct tw_keylog *k, const uint8_t *text, size_t len)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(text, len, &e);
    while (tw_rd_left(&r) > 0) {
        struct tw_rd q = r;
        size_t n = 0;
        bool nl = false;
        while (tw_rd_left(&q) > 0 && !(nl = tw_rd_u8(&q) == '\n'))
            n++;
        struct tw_rd line = tw_rd_sub(&r, n);
        if (nl)
            tw_rd_skip(&r, 1);
        if (n > TW_KEYLOG_LINE_MAX) {
            k->st.lines++;
            junk(k);
            continue;
        }
        int rc = parse_line(k, line);
        if (rc != TW_OK)
            return rc;
    }
    return TW_OK;
}

/* Reads path from k->offset: every whole line, and the last one without a newline unless
 * following (a writer may be in the middle of it). k->offset ends after the last line read. */
static int load(struct tw_keylog *k, const char *path, bool follow, char *err, size_t errn)
{
    FILE *f = follow && k->follow_f ? k->follow_f : fopen(path, "rb");
    if (!f) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return TW_E_IO;
    }
    if (follow)
        k->follow_f = f;
    clearerr(f); /* a followed file's earlier EOF */
    /* A followed file is re-read from the end of its last whole line. */
    if ((k->offset || follow) && fseeko(f, (off_t)k->offset, SEEK_SET) != 0) {
        if (!follow)
            fclose(f);
        snprintf(err, errn, "%s: cannot seek", path);
        return TW_E_IO;
    }
    uint8_t line[TW_KEYLOG_LINE_MAX + 1];
    size_t n = 0, raw = 0; /* raw: bytes of the current line, newline excluded */
    bool too_long = false;
    int rc = TW_OK, c;
    while (rc == TW_OK && (c = getc(f)) != EOF) {
        if (c != '\n') {
            raw++;
            if (n < sizeof line)
                line[n++] = (uint8_t)c;
            else
                too_long = true;
            continue;
        }
        if (too_long) {
            k->st.lines++;
            junk(k);
        } else {
            rc = tw_keylog_add_text(k, line, n);
            if (n == 0)
                k->st.lines++;
        }
        k->offset += raw + 1;
        n = raw = 0;
        too_long = false;
    }
    if (rc == TW_OK && !follow && (n > 0 || too_long)) {
        if (too_long) {
            k->st.lines++;
            junk(k);
        } else {
            rc = tw_keylog_add_text(k, line, n);
        }
        k->offset += raw;
    }
    bool bad = ferror(f);
    if (!follow)
        fclose(f);
    if (bad) {
        snprintf(err, errn, "%s: read error", path);
        return TW_E_IO;
    }
    if (rc != TW_OK)
        snprintf(err, errn, "%s: out of memory", path);
    return rc;
}

int tw_keylog_load_file(struct tw_keylog *k, const char *path, char *err, size_t errn)
{
    k->offset = 0;
    return load(k, path, false, err, errn);
}

int tw_keylog_follow(struct tw_keylog *k, const char *path, char *err, size_t errn)
{
    free(k->follow);
    if (k->follow_f)
        fclose(k->follow_f);
    k->follow_f = NULL;
    k->follow = strdup(path);
    if (!k->follow)
        return TW_E_NOMEM;
    k->offset = 0;
    return load(k, path, true, err, errn);
}

bool tw_keylog_following(const struct tw_keylog *k)
{
    return k && k->follow;
}

/* Following: reads what was appended since the last read, if the file grew. */
static void refresh(struct tw_keylog *k)
{
    struct stat st;
    char err[16];
    if (!k->follow || !k->follow_f || fstat(fileno(k->follow_f), &st) != 0 ||
        (uint64_t)st.st_size <= k->offset)
        return;
    (void)load(k, k->follow, true, err, sizeof err);
}

bool tw_keylog_get(struct tw_keylog *k, const uint8_t cr[32], enum tw_secret s,
                   const uint8_t **secret, size_t *len)
{
    if (!k || (unsigned)s >= TW_SEC_COUNT)
        return false;
    const struct entry *e = find(k, cr);
    if ((!e || e->len[s] == 0) && k->follow) {
        refresh(k);
        e = find(k, cr);
    }
    if (!e || e->len[s] == 0)
        return false;
    *secret = e->sec[s];
    *len = e->len[s];
    return true;
}

const struct tw_keylog_stats *tw_keylog_stats(const struct tw_keylog *k)
{
    return &k->st;
}
