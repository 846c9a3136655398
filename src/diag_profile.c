/* diag_profile.c: the edge-profile parser. Profiles come from users, so this is a parser of
 * untrusted text: the bytes are read through the bounded reader into one capped line at a
 * time, every value is range-checked, and the first error names its line. */
#include "tlswhy/profile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/rd.h"

static const char *const key_names[TW_PK_COUNT] = {
    "name",     "description",  "versions",        "ciphers",          "groups",
    "signature_schemes", "chain_order", "full_chain", "trust_store",   "name_check",
    "connect_timeout", "connect_attempts", "response_timeout", "keepalive_timeout", "alerts",
};

const char *tw_profile_key_name(enum tw_profile_key k)
{
    return (unsigned)k < TW_PK_COUNT ? key_names[k] : NULL;
}

bool tw_profile_list_has(const struct tw_profile_list *l, uint16_t code)
{
    if (l->any)
        return true;
    for (uint16_t i = 0; i < l->n && i < TW_PROFILE_LIST_MAX; i++)
        if (l->v[i] == code)
            return true;
    return false;
}

struct parse {
    struct tw_profile *p;
    struct tw_profile_err *err;
    unsigned line;
};

static int fail(struct parse *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse *s, const char *fmt, ...)
{
    va_list ap;
    s->err->line = s->line;
    va_start(ap, fmt);
    vsnprintf(s->err->msg, sizeof s->err->msg, fmt, ap);
    va_end(ap);
    return TW_E_MALFORMED;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool parse_hex16(const char *t, uint16_t *out)
{
    if (t[0] != '0' || (t[1] != 'x' && t[1] != 'X') || !t[2] || strlen(t) > 6)
        return false;
    unsigned v = 0;
    for (const char *c = t + 2; *c; c++) {
        int d = *c >= '0' && *c <= '9'   ? *c - '0'
                : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10
                : *c >= 'A' && *c <= 'F' ? *c - 'A' + 10
                                         : -1;
        if (d < 0)
            return false;
        v = v * 16 + (unsigned)d;
    }
    *out = (uint16_t)v;
    return true;
}

static bool parse_version(const char *t, uint16_t *out)
{
    static const struct {
        const char *name;
        uint16_t v;
    } names[] = {{"SSLv3", 0x0300},   {"TLSv1", 0x0301},   {"TLSv1.0", 0x0301},
                 {"TLSv1.1", 0x0302}, {"TLSv1.2", 0x0303}, {"TLSv1.3", 0x0304}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(t, names[i].name)) {
            *out = names[i].v;
            return true;
        }
    return parse_hex16(t, out);
}

/* A list of codes separated by spaces or commas, or "any". */
static int parse_list(struct parse *s, char *v, struct tw_profile_list *l, bool versions)
{
    memset(l, 0, sizeof *l);
    if (!strcmp(v, "any")) {
        l->any = true;
        return TW_OK;
    }
    char *save = NULL;
    for (char *t = strtok_r(v, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
        uint16_t code;
        if (!(versions ? parse_version(t, &code) : parse_hex16(t, &code)))
            return fail(s,
                        versions ? "'%s' is not a version (SSLv3, TLSv1 ... TLSv1.3 or 0xNNNN)"
                                 : "'%s' is not a 16-bit IANA code (0xNNNN)",
                        t);
        if (l->n >= TW_PROFILE_LIST_MAX)
            return fail(s, "more than %s values", "64");
        if (!tw_profile_list_has(l, code))
            l->v[l->n++] = code;
    }
    if (l->n == 0)
        return fail(s, "an empty list (write %s to judge nothing)", "'any'");
    return TW_OK;
}

/* Seconds with up to 6 decimals, at most one day; "none" (or 0) is 0: not judged. */
static int parse_seconds(struct parse *s, const char *v, int64_t *out)
{
    int64_t us = 0, scale = 1000000;
    const char *c = v;
    if (!strcmp(v, "none")) {
        *out = 0;
        return TW_OK;
    }
    if (*c < '0' || *c > '9')
        return fail(s, "'%s' is not a number of seconds (or 'none')", v);
    for (; *c >= '0' && *c <= '9'; c++) {
        us = us * 10 + (*c - '0') * 1000000;
        if (us > 86400LL * 1000000)
            return fail(s, "'%s' is longer than a day", v);
    }
    if (*c == '.') {
        if (c[1] < '0' || c[1] > '9')
            return fail(s, "'%s' is not a number of seconds (or 'none')", v);
        for (c++; *c >= '0' && *c <= '9'; c++) {
            scale /= 10;
            if (scale == 0)
                return fail(s, "'%s' has more than 6 decimals", v);
            us += (*c - '0') * scale;
        }
    }
    if (*c)
        return fail(s, "'%s' is not a number of seconds (or 'none')", v);
    *out = us;
    return TW_OK;
}

static int parse_choice(struct parse *s, const char *v, const char *a, const char *b,
                        const char *c, int *out)
{
    if (!strcmp(v, a))
        *out = 0;
    else if (!strcmp(v, b))
        *out = 1;
    else if (c && !strcmp(v, c))
        *out = 2;
    else
        return fail(s, "'%s' is not one of the allowed values (see docs/profiles.md)", v);
    return TW_OK;
}

static int parse_text(struct parse *s, const char *v, char *dst, size_t n, bool is_name)
{
    if (strlen(v) >= n)
        return fail(s, "'%s' is too long", is_name ? "name" : "description");
    for (const char *c = v; is_name && *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
              *c == '.'))
            return fail(s, "name '%s' may hold only a-z, 0-9, '_', '-' and '.'", v);
    if (is_name && !*v)
        return fail(s, "%s is empty", "name");
    memcpy(dst, v, strlen(v) + 1);
    return TW_OK;
}

static int set_value(struct parse *s, enum tw_profile_key k, char *v)
{
    struct tw_profile *p = s->p;
    int choice = 0, rc = TW_OK;
    int64_t n = 0;
    switch (k) {
    case TW_PK_NAME:
        return parse_text(s, v, p->name, sizeof p->name, true);
    case TW_PK_DESCRIPTION:
        return parse_text(s, v, p->description, sizeof p->description, false);
    case TW_PK_VERSIONS:
        return parse_list(s, v, &p->versions, true);
    case TW_PK_CIPHERS:
        return parse_list(s, v, &p->ciphers, false);
    case TW_PK_GROUPS:
        return parse_list(s, v, &p->groups, false);
    case TW_PK_SIGNATURE_SCHEMES:
        return parse_list(s, v, &p->sig_schemes, false);
    case TW_PK_CHAIN_ORDER:
        rc = parse_choice(s, v, "any", "strict", NULL, &choice);
        p->chain_order_strict = choice == 1;
        return rc;
    case TW_PK_FULL_CHAIN:
        rc = parse_choice(s, v, "no", "yes", NULL, &choice);
        p->full_chain = choice == 1;
        return rc;
    case TW_PK_TRUST_STORE:
        rc = parse_choice(s, v, "system", "mozilla", NULL, &choice);
        p->trust_store = (enum tw_trust_store)choice;
        return rc;
    case TW_PK_NAME_CHECK:
        rc = parse_choice(s, v, "sni", "host", "none", &choice);
        p->name_check = (enum tw_name_check)choice;
        return rc;
    case TW_PK_CONNECT_TIMEOUT:
        return parse_seconds(s, v, &p->connect_timeout_us);
    case TW_PK_RESPONSE_TIMEOUT:
        return parse_seconds(s, v, &p->response_timeout_us);
    case TW_PK_KEEPALIVE_TIMEOUT:
        return parse_seconds(s, v, &p->keepalive_timeout_us);
    case TW_PK_CONNECT_ATTEMPTS:
        rc = parse_seconds(s, v, &n);
        if (rc == TW_OK && (n % 1000000 || n > 100 * 1000000LL))
            return fail(s, "connect_attempts '%s' is not a whole number up to 100", v);
        p->connect_attempts = (unsigned)(n / 1000000);
        return rc;
    case TW_PK_ALERTS:
        rc = parse_choice(s, v, "no", "yes", NULL, &choice);
        p->alerts = choice == 1;
        return rc;
    case TW_PK_COUNT:
        break;
    }
    return fail(s, "%s", "internal: unknown key");
}

/* One line: blank, a comment, or `key = value  [# comment]`. A comment that starts with
 * "source:" is kept as the value's source. */
static int parse_line(struct parse *s, char *line)
{
    char *hash = strchr(line, '#'), *src = NULL;
    if (hash) {
        *hash = '\0';
        src = trim(hash + 1);
        if (strncmp(src, "source:", 7) != 0)
            src = NULL;
        else
            src = trim(src + 7);
    }
    char *body = trim(line);
    if (!*body)
        return TW_OK;
    char *eq = strchr(body, '=');
    if (!eq)
        return fail(s, "'%s' is not `key = value`", body);
    *eq = '\0';
    char *key = trim(body), *val = trim(eq + 1);
    int k = -1;
    for (int i = 0; i < TW_PK_COUNT; i++)
        if (!strcmp(key, key_names[i]))
            k = i;
    if (k < 0)
        return fail(s, "unknown key '%s' (see docs/profiles.md)", key);
    if (s->p->set[k])
        return fail(s, "'%s' is given twice", key);
    if (!*val)
        return fail(s, "'%s' has no value", key);
    int rc = set_value(s, (enum tw_profile_key)k, val);
    if (rc != TW_OK)
        return rc;
    s->p->set[k] = true;
    if (src) {
        if (strlen(src) >= TW_PROFILE_SOURCE_MAX)
            return fail(s, "the source of '%s' is too long", key);
        memcpy(s->p->source[k], src, strlen(src) + 1);
    }
    return TW_OK;
}

static void defaults(struct tw_profile *p)
{
    memset(p, 0, sizeof *p);
    p->versions.any = p->ciphers.any = p->groups.any = p->sig_schemes.any = true;
    p->alerts = true;
}

int tw_profile_parse(const char *text, size_t len, struct tw_profile *out,
                     struct tw_profile_err *err)
{
    struct tw_profile_err scratch;
    struct parse s = {out, err ? err : &scratch, 1};
    struct tw_rd_err re;
    char line[TW_PROFILE_LINE_MAX + 1];
    size_t n = 0;
    int rc = TW_OK;
    memset(s.err, 0, sizeof *s.err);
    defaults(out);
    if (!text || len > TW_PROFILE_MAX_BYTES) {
        s.line = 0;
        rc = fail(&s, "%s", "the profile is larger than 64 KiB");
        goto out;
    }
    struct tw_rd r = tw_rd_make((const uint8_t *)text, len, &re);
    while (rc == TW_OK && tw_rd_left(&r) > 0) {
        uint8_t c = tw_rd_u8(&r);
        if (c == '\0') {
            rc = fail(&s, "%s", "a NUL byte: not a text file");
        } else if (c != '\n') {
            if (n >= TW_PROFILE_LINE_MAX)
                rc = fail(&s, "the line is longer than %s bytes", "1024");
            else
                line[n++] = (char)c;
        } else {
            line[n] = '\0';
            rc = parse_line(&s, line);
            n = 0;
            s.line++;
        }
    }
    if (rc == TW_OK && n) {
        line[n] = '\0';
        rc = parse_line(&s, line);
    }
    if (rc == TW_OK && !out->set[TW_PK_NAME]) {
        s.line = 0;
        rc = fail(&s, "%s", "no 'name = ...' line");
    }
out:
    if (rc != TW_OK)
        defaults(out);
    return rc;
}

int tw_profile_load(const char *name_or_file, struct tw_profile *out, struct tw_profile_err *err)
{
    struct tw_profile_err scratch;
    size_t len;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    const char *text = name_or_file ? tw_profile_builtin(name_or_file, &len) : NULL;
    if (text)
        return tw_profile_parse(text, len, out, err);
    defaults(out);
    FILE *f = name_or_file ? fopen(name_or_file, "rb") : NULL;
    if (!f) {
        snprintf(err->msg, sizeof err->msg,
                 "no shipped profile of that name and no readable file (shipped: cloudfront, "
                 "strict, openssl)");
        return TW_E_IO;
    }
    char *buf = malloc(TW_PROFILE_MAX_BYTES + 1);
    len = buf ? fread(buf, 1, TW_PROFILE_MAX_BYTES + 1, f) : 0;
    bool bad = !buf || ferror(f) != 0;
    fclose(f);
    int rc = TW_E_IO;
    if (bad || len > TW_PROFILE_MAX_BYTES)
        snprintf(err->msg, sizeof err->msg,
                 bad ? "cannot read the file" : "the profile is larger than 64 KiB");
    else
        rc = tw_profile_parse(buf, len, out, err);
    free(buf);
    return rc;
}

/* Written by CMake from profiles/NAME.profile (build dir, profiles_embedded.c). */
struct tw_profile_blob {
    const char *name, *text;
    size_t len;
};
extern const struct tw_profile_blob tw_profile_blobs[];

const char *tw_profile_builtin(const char *name, size_t *len)
{
    for (const struct tw_profile_blob *b = tw_profile_blobs; name && b->name; b++)
        if (!strcmp(b->name, name)) {
            if (len)
                *len = b->len;
            return b->text;
        }
    return NULL;
}
