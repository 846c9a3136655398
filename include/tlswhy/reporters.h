/* reporters.h: the reporters tlswhy ships (report_text.c, report_json.c, report_summary.c).
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
};

/* One line per connection, tcpdump style. out is not owned; o may be NULL (defaults). Returns
 * NULL on allocation failure. */
struct tw_reporter *tw_rep_text_new(FILE *out, const struct tw_rep_text_opts *o);
/* JSON Lines: one object per connection, flushed per line (docs/json.md). */
struct tw_reporter *tw_rep_json_new(FILE *out);
/* The end-of-run table: counts per outcome and cause, per server name and per certificate,
 * with the first and last frame of each. Prints at end(). */
struct tw_reporter *tw_rep_summary_new(FILE *out);
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
