/* cert_name.c: does the certificate cover the name the client asked for? RFC 6125 section 6.4
 * (DNS-ID matching, wildcards), RFC 6066 section 3 (SNI is an A-label host name, no IP). */
#include "cert_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Suffixes under which anyone can register names, so "*.<suffix>" would span unrelated
 * owners. Single-label suffixes ("com", "uk") are rejected by label count; this list adds the
 * common two-label ones. It is deliberately small (not the Public Suffix List): a wildcard
 * certificate over any of these is already refused by every CA and browser. */
static const char *const public_suffixes[] = {
    "co.uk",     "org.uk",    "ac.uk",     "gov.uk",  "me.uk",   "net.uk",   "ltd.uk",
    "plc.uk",    "com.au",    "net.au",    "org.au",  "edu.au",  "gov.au",   "co.nz",
    "org.nz",    "co.jp",     "ne.jp",     "or.jp",   "ac.jp",   "go.jp",    "com.br",
    "net.br",    "com.cn",    "net.cn",    "org.cn",  "com.tw",  "com.hk",   "com.sg",
    "co.in",     "co.kr",     "co.za",     "com.mx",  "com.tr",  "co.il",    "com.ar",
    "github.io", "gitlab.io", "appspot.com", "herokuapp.com", "cloudfront.net",
    "azurewebsites.net", "blogspot.com", "pages.dev", "workers.dev", "netlify.app",
    "vercel.app", "fly.dev",
};

/* Lower-cases in into out (n bytes), dropping one trailing dot. Accepts LDH labels (letters,
 * digits, '-', and '_', which real internal names use), each 1..63 bytes, 253 in all; '*'
 * only when star is set. Returns false for anything else (non-ASCII, escapes, spaces). */
static bool normalise(const char *in, char *out, size_t n, bool star)
{
    size_t len = strlen(in);
    if (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > 253 || len >= n)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                   (star && c == '*')) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
        out[i] = c;
    }
    out[len] = '\0';
    return label > 0;
}

static bool public_suffix(const char *s)
{
    if (!strchr(s, '.'))
        return true;
    for (size_t i = 0; i < sizeof public_suffixes / sizeof public_suffixes[0]; i++)
        if (strcmp(s, public_suffixes[i]) == 0)
            return true;
    return false;
}

/* family and address of an IP literal, or 0. */
static int ip_parse(const char *s, unsigned char out[16])
{
    if (inet_pton(AF_INET, s, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, s, out) == 1)
        return 6;
    return 0;
}

bool tw_cert_name_matches(const char *pattern, const char *host)
{
    char p[256], h[256];
    unsigned char pa[16], ha[16];
    if (!pattern || !host)
        return false;
    int hf = ip_parse(host, ha);
    if (hf)
        return ip_parse(pattern, pa) == hf && memcmp(pa, ha, hf == 4 ? 4 : 16) == 0;
    if (!normalise(host, h, sizeof h, false) || !normalise(pattern, p, sizeof p, true))
        return false;
    const char *star = strchr(p, '*');
    if (!star)
        return strcmp(p, h) == 0;
    /* Only "*" as the whole left-most label: "f*.example.com", "*.*.example.com" and
     * "www.*.example.com" are all refused. */
    if (star != p || p[1] != '.' || strchr(p + 1, '*'))
        return false;
    const char *rest = p + 2;
    if (public_suffix(rest))
        return false;
    const char *hdot = strchr(h, '.');
    if (!hdot || hdot == h) /* the apex (no label to stand for) or an empty label */
        return false;
    return strcmp(hdot + 1, rest) == 0;
}

/* Why a wildcard near the name did not cover it, to make the finding self-explanatory. */
static const char *hint(const struct tw_cert_summary *s, const char *name)
{
    char h[256];
    if (!normalise(name, h, sizeof h, false))
        return "";
    for (uint16_t i = 0; i < s->san_count; i++) {
        const char *p = s->sans[i];
        if (s->san_ip[i] || strncmp(p, "*.", 2) != 0)
            continue;
        size_t pl = strlen(p + 2), hl = strlen(h);
        if (strcasecmp(p + 2, h) == 0)
            return "; a wildcard never covers the bare domain it sits on";
        if (hl > pl + 1 && strcasecmp(h + hl - pl, p + 2) == 0 && h[hl - pl - 1] == '.')
            return "; a wildcard covers exactly one label";
    }
    return "";
}

/* "DNS:a, DNS:b, IP:192.0.2.1", or the CN when the certificate has no subjectAltName. */
static void covered(const struct tw_cert_summary *s, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (uint16_t i = 0; i < s->san_count && o < n; i++) {
        int w = snprintf(buf + o, n - o, "%s%s:%s", i ? ", " : "", s->san_ip[i] ? "IP" : "DNS",
                         s->sans[i]);
        o += w > 0 ? (size_t)w : 0;
    }
    if (s->san_count == 0 && !s->has_san_ext && s->subject_cn[0])
        snprintf(buf, n, "CN:%s (no subjectAltName)", s->subject_cn);
    else if (s->san_count == 0)
        snprintf(buf, n, "no DNS or IP name");
}

void tw_cert_check_name(struct tw_chain_report *r, const char *name)
{
    r->name_checked = name != NULL;
    r->name_ok = false;
    if (!name || r->n == 0 || !r->certs[0].parsed)
        return; /* an unparseable leaf is its own finding */
    const struct tw_cert_summary *s = &r->certs[0];
    unsigned char a[16];
    bool is_ip = ip_parse(name, a) != 0;
    for (uint16_t i = 0; i < s->san_count && !r->name_ok; i++)
        r->name_ok = s->san_ip[i] == is_ip && tw_cert_name_matches(s->sans[i], name);
    /* RFC 6125 section 6.4.4: the CN only when there is no subjectAltName at all (a SAN
     * extension that did not decode counts as present: never fall back past it). */
    if (!r->name_ok && !is_ip && !s->has_san_ext)
        r->name_ok = tw_cert_name_matches(s->subject_cn, name);
    if (r->name_ok)
        return;
    char who[300], names[400];
    covered(s, names, sizeof names);
    tw_cert_add_finding(r, TW_CAUSE_CERT_NAME_MISMATCH, 0, "name '%s' is not covered by %s: it covers %s%s",
                        name, tw_cert_who(r, 0, who, sizeof who), names, hint(s, name));
}
