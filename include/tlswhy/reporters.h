/* reporters.h: the reporters tlswhy ships (report_text.c, report_json.c, report_summary.c,
 * report_doc.c).
 * Each constructor returns a struct tw_reporter (report.h) the caller drives with begin, emit
 * per verdict, and end, then releases with tw_rep_free. Reporters only format: they skip
 * verdicts with relevant == false and never decide anything. */
#ifndef TLSWHY_REPORTERS_H
#define TLSWHY_REPORTERS_H

#include <stdio.h>

#include "tlswhy/report.h"

struct tw_rep_text_opts {
    int verbosity; /* < 0 (-q): failures only; 0: one line each; > 0 (-v): ladder and chain */
    bool colour;   /* ANSI colours; the caller decides (isatty) */
    bool ja4_raw;  /* -v also prints ja4_r, ja4_o and ja4_ro (--ja4-raw) */
};

/* One line per connection, tcpdump style. out is not owned; o may be NULL (defaults). Returns
 * NULL on allocation failure. */
struct tw_reporter *tw_rep_text_new(FILE *out, const struct tw_rep_text_opts *o);
/* JSON Lines: one object per connection, flushed per line (docs/json.md). */
struct tw_reporter *tw_rep_json_new(FILE *out);
struct tw_rep_json_opts {
    bool ja4_raw; /* add ja4_r, ja4_o and ja4_ro (--ja4-raw) */
};
/* The same, with options (o may be NULL: the defaults of tw_rep_json_new). */
struct tw_reporter *tw_rep_json_new_with(FILE *out, const struct tw_rep_json_opts *o);
/* `tlswhy probe`: one probe's result as text, with the chain and its findings. */
struct tw_probe_result;
int tw_rep_text_probe(FILE *out, const struct tw_probe_result *r, int verbosity);

/* The end-of-run table: counts per outcome and cause, per server name and per certificate,
 * with the first and last frame of each. Prints at end(). */
struct tw_reporter *tw_rep_summary_new(FILE *out);
/* The ticket report (--report): one self-contained HTML page or Markdown document written at
 * end(): headline, chart over time, each cause with one example ladder, certificate cards and
 * the capture's facts. Memory is bounded whatever the number of connections (docs/report.md).
 * anonymize replaces client addresses ("client-N", stable within the report) and IP addresses
 * in the command line; own_out makes the reporter fclose out when freed. */
enum tw_doc_format { TW_DOC_HTML = 0, TW_DOC_MD = 1 };
struct tw_rep_doc_opts {
    enum tw_doc_format format;
    bool anonymize;
    bool own_out;
};
struct tw_reporter *tw_rep_doc_new(FILE *out, const struct tw_rep_doc_opts *o);
/* The format a report file name asks for: .html/.htm -> TW_DOC_HTML, .md/.markdown ->
 * TW_DOC_MD (any case); -1 for any other name. */
int tw_rep_doc_format_of(const char *path);
/* The summary so far, to out instead of its own stream, and counting goes on (live mode's
 * SIGUSR1). r must come from tw_rep_summary_new. */
int tw_rep_summary_print(struct tw_reporter *r, FILE *out, const struct tw_run_info *run);
/* Wraps a reporter's state and callbacks (for the constructors above and any new reporter).
 * Takes ownership of self: on allocation failure releases it with free_self and returns NULL
 * (self == NULL, a failed allocation of the caller's, also returns NULL). */
struct tw_reporter *tw_rep_new(void *self, int (*begin)(void *, const struct tw_run_info *),
                               int (*emit)(void *, const struct tw_verdict *),
                               int (*end)(void *, const struct tw_run_info *),
                               void (*free_self)(void *));
/* Frees a reporter from any constructor above (NULL is fine). */
void tw_rep_free(struct tw_reporter *r);

/* Escapes n bytes for a terminal: printable ASCII stays, '\' becomes "\\", every other byte
 * (controls, ESC, DEL, bytes >= 0x80) becomes \xHH. Writes at most cap bytes NUL included;
 * returns the length the whole escape needs. */
size_t tw_rep_escape(const void *s, size_t n, char *out, size_t cap);

#endif
