/* report_esc.c: escaping for the ticket report. Wire strings (SNI, certificate names, the
 * explanation that quotes them) reach HTML and Markdown only through these functions. */
#include "report_doc.h"

#include <string.h>

#include "tlswhy/rd.h"

/* Length of the well-formed UTF-8 sequence (RFC 3629) starting at the reader's position, or
 * 0 when it is not one or encodes a C1 control (U+0080..U+009F: U+009B is a terminal's CSI
 * when someone cats the Markdown). Peeks only. */
static size_t utf8_len(const struct tw_rd *r)
{
    size_t left = tw_rd_left(r);
    const uint8_t *p = r->p;
    if (left == 0 || p[0] < 0xc2 || p[0] > 0xf4)
        return 0;
    size_t n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (p[0] == 0xc2 && p[1] < 0xa0) /* C1 control: shown as \xHH like the C0 ones */
        return 0;
    if (p[0] == 0xe0 && p[1] < 0xa0) /* overlong */
        return 0;
    if (p[0] == 0xed && p[1] >= 0xa0) /* surrogates */
        return 0;
    if (p[0] == 0xf0 && p[1] < 0x90) /* overlong */
        return 0;
    if (p[0] == 0xf4 && p[1] >= 0x90) /* > U+10FFFF */
        return 0;
    return n;
}

/* The common walk: special() maps a printable ASCII byte to its replacement (or NULL). */
static void put(FILE *f, const char *s, const char *(*special)(uint8_t c), bool utf8)
{
    struct tw_rd_err e = {0};
    struct tw_rd r = tw_rd_make((const uint8_t *)s, s ? strlen(s) : 0, &e);
    while (tw_rd_left(&r) > 0) {
        size_t n = utf8 ? utf8_len(&r) : 0;
        if (n) {
            fwrite(tw_rd_take(&r, n), 1, n, f);
            continue;
        }
        uint8_t c = tw_rd_u8(&r);
        const char *rep = c >= 0x20 && c < 0x7f ? special(c) : NULL;
        if (rep)
            fputs(rep, f);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, f);
        else
            fprintf(f, "\\x%02x", (unsigned)c);
    }
}

static const char *html_special(uint8_t c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

static const char *md_special(uint8_t c)
{
    static const char esc[][3] = {"\\\\", "\\`", "\\*", "\\_", "\\[", "\\]", "\\|", "\\~", "\\#"};
    static const char chars[] = "\\`*_[]|~#";
    const char *hit = c ? strchr(chars, c) : NULL;
    if (hit)
        return esc[hit - chars];
    if (c == '<' || c == '>' || c == '&')
        return html_special(c); /* no raw HTML in the Markdown */
    return NULL;
}

static const char *code_special(uint8_t c)
{
    return c == '`' ? "\\x60" : NULL;
}

void doc_html(FILE *f, const char *s)
{
    put(f, s, html_special, true);
}

void doc_md(FILE *f, const char *s)
{
    put(f, s, md_special, true);
}

void doc_md_code(FILE *f, const char *s)
{
    put(f, s, code_special, false);
}
