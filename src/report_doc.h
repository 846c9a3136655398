/* report_doc.h: the ticket report (--report FILE.html / FILE.md), private to its files.
 * report_doc.c drives it; report_agg.c keeps a bounded aggregate of the verdicts (counts per
 * cause, names, certificate chains, one example per cause, time buckets); report_ladder.c
 * turns one connection into ladder rungs; report_fixes.c holds the headline and the usual fix
 * per cause; report_esc.c escapes for HTML and Markdown; report_svg.c draws the chart, the
 * ladders and the validity bars; report_html.c and report_md.c write the two formats. Memory
 * does not grow with the number of connections: everything below has a fixed cap. */
#ifndef TLSWHY_REPORT_DOC_H
#define TLSWHY_REPORT_DOC_H

#include <stdio.h>

#include "tlswhy/fingerprint.h"
#include "tlswhy/report.h"

/* Groups: one per failure cause (index = cause), then "ok" and "incomplete". */
#define DOC_GROUP_OK TW_CAUSE_COUNT
#define DOC_GROUP_INCOMPLETE (TW_CAUSE_COUNT + 1)
#define DOC_GROUPS (TW_CAUSE_COUNT + 2)

#define DOC_NAMES 8        /* server names listed per group; the rest are counted */
#define DOC_GROUP_CHAINS 6 /* certificate cards referenced per group */
#define DOC_CHAINS 24      /* certificate cards in the whole report */
#define DOC_CHAIN_CERTS 4  /* certificates shown per card (leaf first) */
#define DOC_CHAIN_NAMES 4  /* names a chain was presented for, listed per card */
#define DOC_SANS 12        /* SANs shown per certificate */
#define DOC_FINDINGS 8     /* findings shown per card and per example */
#define DOC_RUNGS (TW_MAX_STEPS + 8)
#define DOC_BUCKETS 48           /* bars in the chart */
#define DOC_CLIENTS (DOC_GROUPS) /* anonymized addresses: one per example at most */
#define DOC_FPS 16               /* client JA4 rows; the rest are counted */
#define DOC_FP_CAUSES 3          /* most frequent failure causes listed per JA4 row */

/* ---- the ladder of one connection (report_ladder.c) ------------------------------------ */
enum doc_mark { DOC_MARK_NONE = 0, DOC_MARK_ALERT, DOC_MARK_CERT, DOC_MARK_RESET };
struct doc_rung {
    uint64_t frame;
    double ms;      /* since the connection's first packet */
    uint8_t dir;    /* enum tw_dir */
    uint8_t mark;   /* enum doc_mark: drawn highlighted */
    char what[112]; /* printable ASCII (tw_rep_escape): still needs the format's escaping */
};
struct doc_ladder {
    uint16_t n;
    uint16_t dropped; /* TLS records the evidence did not keep */
    struct doc_rung r[DOC_RUNGS];
};
/* Fills l from the verdict's evidence, sorted by frame (ties in wire order). */
void doc_ladder_build(const struct tw_verdict *v, struct doc_ladder *l);

/* ---- headline and usual fix per cause (report_fixes.c) ---------------------------------- */
/* A sentence about the cause, with "{name}" where the server name goes; and the fix that
 * usually applies. Both are static; never NULL. */
const char *doc_fix_headline(int cause);
const char *doc_fix_action(int cause);
/* Copies template into out (NUL-terminated, truncated to n) with every "{name}" replaced by
 * name (report_doc.c). */
void doc_fix_fill(char *out, size_t n, const char *template, const char *name);

/* ---- escaping (report_esc.c) ------------------------------------------------------------ */
/* Writes s for HTML text or a quoted attribute: & < > " ' as entities, well-formed UTF-8 as is,
 * control characters (C0, DEL, C1) and ill-formed bytes as the visible text \xHH. */
void doc_html(FILE *f, const char *s);
/* Writes s for Markdown text and table cells (never at the start of a line): \ ` * _ [ ] | ~ #
 * backslash-escaped and < > & as entities, so nothing in s can start emphasis, code, a link,
 * an HTML tag or end a table cell; bytes as doc_html. */
void doc_md(FILE *f, const char *s);
/* Markdown inside a fenced code block: printable ASCII as is except '`' (written \x60, so a
 * fence can never close early); other bytes as \xHH. */
void doc_md_code(FILE *f, const char *s);

/* ---- the aggregate (report_agg.c) -------------------------------------------------------- */
struct doc_cert {
    bool parsed;
    char *subject, *issuer; /* DNs */
    char *sans[DOC_SANS];
    uint16_t san_count; /* as in the certificate (may exceed DOC_SANS) */
    int64_t not_before, not_after;
    char sha256[65];
    char key[48]; /* "RSA 2048", "EC prime256v1" */
    char sig_alg[64];
    bool self_signed;
};
struct doc_finding {
    int code;
    int cert_index;
    char *text;
};
struct doc_chain {
    char key[65 + 8]; /* leaf SHA-256 + chain length: the card's identity */
    uint64_t conns, failed;
    uint16_t n;    /* certificates in the chain */
    uint16_t kept; /* of them, in certs[] */
    struct doc_cert certs[DOC_CHAIN_CERTS];
    uint16_t finding_count;
    struct doc_finding findings[DOC_FINDINGS];
    bool trusted;
    char *names[DOC_CHAIN_NAMES];
    uint16_t name_count;
    uint64_t names_other;
};
struct doc_example {
    bool present;
    uint64_t conn_id, first_frame;
    int64_t start_us;
    char client[TW_ENDPOINT_STRLEN + 16]; /* anonymized when asked */
    char server[TW_ENDPOINT_STRLEN];
    char *sni;  /* NULL: none sent */
    char *name; /* the name judged, or NULL */
    char version[16];
    char *explanation;
    char stage[24];
    int chain; /* index into chains, or -1 */
    uint16_t finding_count;
    struct doc_finding findings[DOC_FINDINGS];
    struct doc_ladder ladder;
};
struct doc_name {
    char *name;
    uint64_t count;
};
struct doc_group {
    uint64_t count;
    int64_t first_us, last_us;
    struct doc_name names[DOC_NAMES];
    uint16_t name_count;
    uint64_t names_other;
    int chains[DOC_GROUP_CHAINS];
    uint16_t chain_count;
    uint64_t chains_other;
    struct doc_example ex;
};
struct doc_client {
    struct tw_ip ip;
    unsigned no;
};
/* Connections per client JA4: failures often split by client population (issue 13). */
struct doc_fp {
    char ja4[TW_JA4_LEN]; /* "" for connections without a fingerprint */
    uint64_t conns, failed;
    uint32_t cause[TW_CAUSE_COUNT];
};
struct doc_agg {
    bool anonymize;
    uint64_t total, by_outcome[3], relevant_skipped;
    uint64_t warnings[TW_CAUSE_COUNT];
    struct doc_group g[DOC_GROUPS];
    struct doc_chain chains[DOC_CHAINS];
    uint16_t chain_count;
    uint64_t chains_other; /* connections whose chain had no card left */
    /* Connections over time: bucket i covers [(lo + i) * width, (lo + i + 1) * width) us. */
    int64_t width_us, lo;
    bool any_bucket;
    uint32_t bucket[DOC_BUCKETS][DOC_GROUPS];
    struct doc_client clients[DOC_CLIENTS];
    unsigned client_count;
    struct doc_fp fps[DOC_FPS];
    uint16_t fp_count;
    uint64_t fps_other; /* connections whose JA4 had no row left */
    bool alloc_failed;
};

void doc_agg_init(struct doc_agg *a, bool anonymize);
void doc_agg_add(struct doc_agg *a, const struct tw_verdict *v);
void doc_agg_free(struct doc_agg *a);
/* The client JA4 rows worth a table: true when more than one fingerprint was seen. Fills
 * top[] with row's most frequent failure causes (up to DOC_FP_CAUSES, -1 ends). */
bool doc_agg_fp_split(const struct doc_agg *a);
void doc_fp_top_causes(const struct doc_fp *r, int top[DOC_FP_CAUSES]);
/* The group's most frequent server name, or "the server". */
const char *doc_group_top_name(const struct doc_group *g);
/* The groups with a count, failures first by count (descending), then incomplete, then ok.
 * Writes up to DOC_GROUPS indices into order; returns how many. */
size_t doc_agg_order(const struct doc_agg *a, int *order);
/* The group's label: the cause's JSON name, "ok" or "incomplete". */
const char *doc_group_name(int g);
/* Buckets in use: first and one past the last non-empty bucket; false when none. */
bool doc_agg_span(const struct doc_agg *a, int *from, int *to);
/* The command line with every argument that is an IP address (or address/prefix) replaced
 * by "ADDRESS", for --anonymize (a BPF filter may name a client). Caller frees. */
char *doc_scrub_command(const char *cmd);

/* ---- drawing (report_svg.c) --------------------------------------------------------------- */
/* A fill colour per group (#rrggbb, static). */
const char *doc_group_colour(int g);
void doc_svg_chart(FILE *f, const struct doc_agg *a);
/* cert_note (a finding, or NULL) is drawn next to the server's Certificate, highlighted. */
void doc_svg_ladder(FILE *f, const struct doc_ladder *l, const char *client, const char *server,
                    const char *cert_note);
/* The certificate's validity against the capture window [from_us, to_us]. */
void doc_svg_validity(FILE *f, const struct doc_cert *c, int64_t from_us, int64_t to_us);

/* ---- the two formats (report_html.c, report_md.c) ----------------------------------------- */
void doc_write_html(FILE *f, const struct doc_agg *a, const struct tw_run_info *run);
void doc_write_md(FILE *f, const struct doc_agg *a, const struct tw_run_info *run);
/* The headline: one plain sentence per line, shared by both formats. The caller escapes. */
struct doc_headline {
    char what[900];   /* "3 of 10 TLS connections failed (30%) from ... to ..., for a, b." */
    char cause[1000]; /* the most likely cause in one sentence, or "" */
    char fix[900];    /* the fix that usually applies, or "" */
};
void doc_headline(const struct doc_agg *a, struct doc_headline *h);
/* The stylesheet and its Content-Security-Policy hash (report_html_style.c). */
extern const char doc_html_style[];
extern const char doc_html_style_sha256[]; /* base64, as CSP's 'sha256-...' wants it */

#endif
