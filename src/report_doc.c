/* report_doc.c: the ticket report as a reporter (--report FILE.html or FILE.md). emit adds
 * each verdict to a bounded aggregate; end writes the whole document at once. Also the
 * headline both formats open with. */
#include "report_doc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlswhy/json.h"
#include "tlswhy/reporters.h"

struct doc {
    FILE *out;
    struct tw_rep_doc_opts o;
    struct doc_agg a;
};

int tw_rep_doc_format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return -1;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
        return TW_DOC_HTML;
    if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
        return TW_DOC_MD;
    return -1;
}

/* "2026-11-21 01:02:03 UTC" */
static const char *when(int64_t us, char *buf, size_t n)
{
    char full[TW_JSON_TIME_LEN];
    tw_json_time(us, full, sizeof full);
    snprintf(buf, n, "%.10s %.8s UTC", full, strlen(full) > 11 ? full + 11 : "");
    return buf;
}

void doc_fix_fill(char *out, size_t n, const char *template, const char *name)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = template; *p && used + 1 < n;) {
        if (strncmp(p, "{name}", 6) == 0) {
            int w = snprintf(out + used, n - used, "%s", name);
            used = w < 0 ? used : used + (size_t)w < n ? used + (size_t)w : n - 1;
            p += 6;
        } else {
            out[used++] = *p++;
            out[used] = '\0';
        }
    }
}

const char *doc_group_top_name(const struct doc_group *g)
{
    const struct doc_name *best = NULL;
    for (uint16_t i = 0; i < g->name_count; i++)
        if (!best || g->names[i].count > best->count)
            best = &g->names[i];
    return best ? best->name : "the server";
}

/* "a, b and c" (up to 4 distinct names over the failure groups, most frequent group first). */
static void failure_names(const struct doc_agg *a, const int *order, size_t n, char *out,
                          size_t cap)
{
    const char *names[4];
    size_t k = 0;
    bool more = false;
    for (size_t i = 0; i < n; i++) {
        const struct doc_group *g = &a->g[order[i]];
        if (order[i] >= TW_CAUSE_COUNT)
            continue;
        more |= g->names_other > 0;
        for (uint16_t j = 0; j < g->name_count; j++) {
            bool seen = false;
            for (size_t s = 0; s < k; s++)
                seen |= strcmp(names[s], g->names[j].name) == 0;
            if (seen)
                continue;
            if (k == 4) {
                more = true;
                continue;
            }
            names[k++] = g->names[j].name;
        }
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == k && !more) ? " and " : ", ";
        int w = snprintf(out + used, cap - used, "%s%s", sep, names[i]);
        if (w < 0 || (size_t)w >= cap - used)
            return;
        used += (size_t)w;
    }
    if (more)
        snprintf(out + used, cap - used, " and others");
}

void doc_headline(const struct doc_agg *a, struct doc_headline *h)
{
    int order[DOC_GROUPS];
    size_t n = doc_agg_order(a, order);
    uint64_t failed = a->by_outcome[TW_OUTCOME_FAILED];
    char t1[40], t2[40], names[600], sentence[800];
    memset(h, 0, sizeof *h);
    if (a->total == 0) {
        snprintf(h->what, sizeof h->what, "No TLS connection attempt was found in the capture.");
        return;
    }
    if (failed == 0) {
        uint64_t inc = a->by_outcome[TW_OUTCOME_INCOMPLETE];
        if (inc)
            snprintf(h->what, sizeof h->what,
                     "No TLS handshake failed; %llu of %llu connections are incomplete (the "
                     "capture does not show how they ended).",
                     (unsigned long long)inc, (unsigned long long)a->total);
        else
            snprintf(h->what, sizeof h->what, "All %llu TLS connection%s succeeded.",
                     (unsigned long long)a->total, a->total == 1 ? "" : "s");
        int worst = -1;
        for (int w = 1; w < TW_CAUSE_COUNT; w++)
            if (a->warnings[w] && (worst < 0 || a->warnings[w] > a->warnings[worst]))
                worst = w;
        if (worst > 0) {
            const char *name = doc_group_top_name(&a->g[DOC_GROUP_OK]);
            doc_fix_fill(sentence, sizeof sentence, doc_fix_headline(worst), name);
            snprintf(h->cause, sizeof h->cause, "Still worth fixing (%llu connection%s): %s.",
                     (unsigned long long)a->warnings[worst], a->warnings[worst] == 1 ? "" : "s",
                     sentence);
            doc_fix_fill(h->fix, sizeof h->fix, doc_fix_action(worst), name);
        }
        return;
    }
    const struct doc_group *top = &a->g[order[0]];
    int64_t first = 0, last = 0;
    for (int g = 0; g < TW_CAUSE_COUNT; g++) {
        const struct doc_group *x = &a->g[g];
        if (x->count && x->first_us && (!first || x->first_us < first))
            first = x->first_us;
        if (x->last_us > last)
            last = x->last_us;
    }
    failure_names(a, order, n, names, sizeof names);
    snprintf(h->what, sizeof h->what,
             "%llu of %llu TLS connections failed (%.0f%%), from %s to %s, for %s.",
             (unsigned long long)failed, (unsigned long long)a->total,
             100.0 * (double)failed / (double)a->total, when(first, t1, sizeof t1),
             when(last, t2, sizeof t2), names);
    doc_fix_fill(sentence, sizeof sentence, doc_fix_headline(order[0]), doc_group_top_name(top));
    snprintf(h->cause, sizeof h->cause, "Most likely cause (%llu of %llu failures): %s.",
             (unsigned long long)top->count, (unsigned long long)failed, sentence);
    doc_fix_fill(h->fix, sizeof h->fix, doc_fix_action(order[0]), doc_group_top_name(top));
}

static int doc_begin(void *self, const struct tw_run_info *run)
{
    (void)self;
    (void)run;
    return TW_OK;
}

static int doc_emit(void *self, const struct tw_verdict *v)
{
    struct doc *d = self;
    doc_agg_add(&d->a, v);
    return TW_OK;
}

static int doc_end(void *self, const struct tw_run_info *run)
{
    struct doc *d = self;
    struct tw_run_info shown = run ? *run : (struct tw_run_info){0};
    char *scrubbed = NULL;
    if (d->o.anonymize && shown.command_line) {
        scrubbed = doc_scrub_command(shown.command_line);
        shown.command_line = scrubbed ? scrubbed : "(hidden by --anonymize)";
    }
    if (d->o.format == TW_DOC_MD)
        doc_write_md(d->out, &d->a, &shown);
    else
        doc_write_html(d->out, &d->a, &shown);
    free(scrubbed);
    if (d->a.alloc_failed)
        return TW_E_NOMEM;
    return fflush(d->out) == 0 && !ferror(d->out) ? TW_OK : TW_E_IO;
}

static void doc_free(void *self)
{
    struct doc *d = self;
    if (!d)
        return;
    doc_agg_free(&d->a);
    if (d->o.own_out && d->out)
        fclose(d->out);
    free(d);
}

struct tw_reporter *tw_rep_doc_new(FILE *out, const struct tw_rep_doc_opts *o)
{
    struct doc *d = malloc(sizeof *d); /* ~1 MB with the example ladders: not on the stack */
    if (d) {
        d->out = out;
        d->o = o ? *o : (struct tw_rep_doc_opts){0};
        doc_agg_init(&d->a, d->o.anonymize);
    } else if (o && o->own_out && out) {
        fclose(out);
    }
    return tw_rep_new(d, doc_begin, doc_emit, doc_end, doc_free);
}
