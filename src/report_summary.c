/* report_summary.c: the end-of-run table. Counts per outcome and cause, per server name and
 * per certificate, with the first and last frame of each; per client JA4 when there is more
 * than one (failures that split by client population); and, when the run saw no TLS attempt at
 * all, the causes that leave no packet at the origin. */
#include "tlswhy/reporters.h"

#include <stdlib.h>
#include <string.h>

#include "tlswhy/rd.h"

/* Rows beyond this many per table are counted in one "(other)" row: memory stays bounded on a
 * long live capture with many distinct names. */
#define MAX_ROWS 65536

struct row {
    char *key;         /* what the row groups by (cause name, server name, certificate SHA-256) */
    char *label;       /* shown next to it (certificate subject CN), or NULL */
    uint64_t count[3]; /* per enum tw_outcome */
    uint64_t first, last;
    uint64_t causes; /* bit per failure cause seen */
};

/* Rows in insertion order, with an open-addressing index over them. */
struct table {
    struct row *rows;
    size_t n, cap;
    size_t *slots; /* row index + 1; 0 = empty */
    size_t nslots;
    bool full;
};

struct summary {
    FILE *out;
    struct table outcomes, names, certs, warnings, ja4s;
    uint64_t total[3], first, last;
};

/* FNV-1a over a key (a server name from the wire, an address or a certificate hash). */
static uint64_t fnv1a(const char *s)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make((const uint8_t *)s, strlen(s), &e);
    uint64_t h = 1469598103934665603ull;
    while (tw_rd_left(&r) > 0)
        h = (h ^ tw_rd_u8(&r)) * 1099511628211ull;
    return h;
}

/* Rebuilds the index with ns slots (after growing, or after print_table sorted the rows). */
static bool reindex(struct table *t, size_t ns)
{
    size_t *slots = ns == t->nslots ? t->slots : calloc(ns, sizeof *slots);
    if (!slots)
        return false;
    if (slots == t->slots)
        memset(slots, 0, ns * sizeof *slots); /* same size: no allocation, cannot fail */
    for (size_t i = 0; i < t->n; i++) {
        size_t h = (size_t)fnv1a(t->rows[i].key) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = i + 1;
    }
    if (slots != t->slots)
        free(t->slots);
    t->slots = slots;
    t->nslots = ns;
    return true;
}

static bool grow(struct table *t)
{
    return reindex(t, t->nslots ? t->nslots * 2 : 64);
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The row for key, created when new; NULL on allocation failure. */
static struct row *find(struct table *t, const char *key, const char *label)
{
    if ((t->n + 1) * 10 > t->nslots * 7 && !grow(t))
        return NULL;
    size_t h = (size_t)fnv1a(key) & (t->nslots - 1);
    for (; t->slots[h]; h = (h + 1) & (t->nslots - 1))
        if (strcmp(t->rows[t->slots[h] - 1].key, key) == 0)
            return &t->rows[t->slots[h] - 1];
    if (t->n >= MAX_ROWS && strcmp(key, "(other)") != 0) {
        t->full = true;
        return find(t, "(other)", NULL);
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        struct row *r = realloc(t->rows, nc * sizeof *r);
        if (!r)
            return NULL;
        t->rows = r;
        t->cap = nc;
    }
    struct row *r = &t->rows[t->n];
    memset(r, 0, sizeof *r);
    r->key = dup(key);
    r->label = label ? dup(label) : NULL;
    if (!r->key || (label && !r->label)) {
        free(r->key);
        free(r->label);
        return NULL;
    }
    t->slots[h] = ++t->n;
    return r;
}

static void count(struct table *t, const char *key, const char *label, const struct tw_verdict *v,
                  uint64_t first, uint64_t last)
{
    struct row *r = find(t, key, label);
    if (!r)
        return;
    r->count[v->outcome]++;
    if (v->outcome == TW_OUTCOME_FAILED && v->cause < 64)
        r->causes |= 1ull << v->cause;
    if (!r->first || (first && first < r->first))
        r->first = first;
    if (last > r->last)
        r->last = last;
}

static void clear(struct table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].key);
        free(t->rows[i].label);
    }
    free(t->rows);
    free(t->slots);
}

static int sum_emit(void *self, const struct tw_verdict *v)
{
    struct summary *s = self;
    char key[96], ip[TW_ENDPOINT_STRLEN];
    if (!v || !v->ev || !v->relevant)
        return TW_OK;
    const struct tw_ev_tcp *c = v->ev->tcp;
    uint64_t first = c && c->first_frame ? c->first_frame : (v->frame_count ? v->frames[0] : 0);
    uint64_t last =
        c && c->last_frame ? c->last_frame : (v->frame_count ? v->frames[v->frame_count - 1] : 0);
    s->total[v->outcome]++;
    if (!s->first || (first && first < s->first))
        s->first = first;
    if (last > s->last)
        s->last = last;
    snprintf(key, sizeof key, "%s %s", tw_outcome_name(v->outcome),
             v->outcome == TW_OUTCOME_FAILED ? tw_cause_name(v->cause) : "-");
    count(&s->outcomes, key, NULL, v, first, last);
    if (v->name)
        count(&s->names, v->name, NULL, v, first, last);
    else
        count(&s->names, tw_ip_format(&v->ev->server.ip, ip, sizeof ip), "(no SNI)", v, first,
              last);
    if (v->chain && v->chain->n > 0 && v->chain->certs)
        count(&s->certs, v->chain->certs[0].sha256, v->chain->certs[0].subject_cn, v, first, last);
    if (v->fp.ja4[0])
        count(&s->ja4s, v->fp.ja4, NULL, v, first, last);
    for (uint16_t i = 0; i < v->warning_count; i++)
        count(&s->warnings, tw_cause_name(v->warnings[i]), NULL, v, first, last);
    return TW_OK;
}

static int by_first(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

static void causes_of(uint64_t bits, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < 64 && c < TW_CAUSE_COUNT; c++) {
        if (!(bits >> c & 1))
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", tw_cause_name(c));
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
    if (!used)
        snprintf(buf, n, "-");
}

/* Width of the first column: the longest escaped key, within [34, 80]. */
static int key_width(const struct table *t)
{
    size_t w = 34;
    for (size_t i = 0; i < t->n; i++) {
        size_t k = tw_rep_escape(t->rows[i].key, strlen(t->rows[i].key), NULL, 0);
        w = k > w ? k : w;
    }
    return (int)(w < 80 ? w : 80);
}

static void print_table(struct summary *s, struct table *t, const char *title, bool outcomes)
{
    char key[4 * 256 + 1], label[4 * 256 + 1], causes[512];
    if (t->n == 0)
        return;
    qsort(t->rows, t->n, sizeof t->rows[0], by_first);
    (void)reindex(t, t->nslots); /* same size, cannot fail: a running summary (SIGUSR1) goes on */
    int kw = key_width(t);
    if (outcomes)
        fprintf(s->out, "\n%-*s %8s %10s %10s\n", kw, title, "count", "first", "last");
    else
        fprintf(s->out, "\n%-*s %6s %6s %6s %7s %10s %10s  %s\n", kw, title, "conns", "ok",
                "failed", "incompl", "first", "last", "causes");
    for (size_t i = 0; i < t->n; i++) {
        const struct row *r = &t->rows[i];
        uint64_t n = r->count[0] + r->count[1] + r->count[2];
        tw_rep_escape(r->key, strlen(r->key), key, sizeof key);
        if (outcomes) {
            fprintf(s->out, "%-*s %8llu %10llu %10llu\n", kw, key, (unsigned long long)n,
                    (unsigned long long)r->first, (unsigned long long)r->last);
            continue;
        }
        if (r->label)
            tw_rep_escape(r->label, strlen(r->label), label, sizeof label);
        causes_of(r->causes, causes, sizeof causes);
        fprintf(s->out, "%-*s %6llu %6llu %6llu %7llu %10llu %10llu  %s%s%s\n", kw, key,
                (unsigned long long)n, (unsigned long long)r->count[TW_OUTCOME_OK],
                (unsigned long long)r->count[TW_OUTCOME_FAILED],
                (unsigned long long)r->count[TW_OUTCOME_INCOMPLETE], (unsigned long long)r->first,
                (unsigned long long)r->last, causes, r->label ? "  " : "", r->label ? label : "");
    }
    if (t->full)
        fprintf(s->out, "(more than %d rows: the rest are counted as \"(other)\")\n", MAX_ROWS);
}

static void print_nothing(struct summary *s, const struct tw_run_info *run)
{
    if (run && run->input_errors) {
        /* The packets may be there, in what could not be read: no hints about the edge. */
        fprintf(s->out, "\nNo TLS connection found in what could be read (%llu input error%s: "
                        "see the messages above).\n",
                (unsigned long long)run->input_errors, run->input_errors == 1 ? "" : "s");
        return;
    }
    if (run && run->frames == 0)
        fprintf(s->out, "\nNo frame was read (or the filter matched none): no TLS connection "
                        "attempt at all");
    else
        fprintf(s->out, "\nNo TLS connection attempt: no ClientHello and no connection to a "
                        "TLS port (443, 8443 or --tls-port)");
    if (run && run->frames)
        fprintf(s->out, " in %llu frames (%llu TCP connections)", (unsigned long long)run->frames,
                (unsigned long long)run->conns);
    fprintf(s->out, ".\nIf clients saw errors such as 502, the failure left no packet at the "
                    "origin. Possibilities:\n"
                    "  - DNS failure at the edge: it could not resolve the origin's name;\n"
                    "  - an edge function (worker, Lambda@Edge, ...) failed before connecting;\n"
                    "  - wrong origin address: the edge connects somewhere other than the "
                    "captured host (check the origin setting and where the capture ran).\n");
}

/* What the memory caps and the decoder dropped, so a verdict on a capture that was cut is
 * never read as the whole story. Nothing is printed when nothing was dropped. */
static void print_drops(struct summary *s, const struct tw_run_info *run)
{
    const struct {
        uint64_t n;
        const char *what;
    } drops[] = {
        {run->evicted, "connections evicted: more were open at once than --max-conns"},
        {run->malformed, "frames not decoded: malformed (e.g. tunnels nested too deep)"},
        {run->truncated, "frames cut by the snaplen"},
        {run->ooo_dropped_segs, "out-of-order segments dropped: per-connection buffer full"},
        {run->ooo_given_up, "out-of-order buffers given up (as gaps): all buffers full"},
    };
    bool any = false;
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
        if (!drops[i].n)
            continue;
        if (!any)
            fprintf(s->out, "dropped:\n");
        any = true;
        fprintf(s->out, "  %10llu %s\n", (unsigned long long)drops[i].n, drops[i].what);
    }
}

static int sum_end(void *self, const struct tw_run_info *run)
{
    struct summary *s = self;
    uint64_t all = s->total[0] + s->total[1] + s->total[2];
    fprintf(s->out,
            "\n== tlswhy summary: %llu TLS connection%s (%llu ok, %llu failed, %llu "
            "incomplete)",
            (unsigned long long)all, all == 1 ? "" : "s",
            (unsigned long long)s->total[TW_OUTCOME_OK],
            (unsigned long long)s->total[TW_OUTCOME_FAILED],
            (unsigned long long)s->total[TW_OUTCOME_INCOMPLETE]);
    if (all)
        fprintf(s->out, ", frames %llu-%llu", (unsigned long long)s->first,
                (unsigned long long)s->last);
    fputc('\n', s->out);
    if (run)
        print_drops(s, run);
    if (all == 0)
        print_nothing(s, run);
    print_table(s, &s->outcomes, "outcome cause", true);
    print_table(s, &s->names, "server name", false);
    print_table(s, &s->certs, "certificate sha256", false);
    if (s->ja4s.n > 1) /* one client fingerprint splits nothing */
        print_table(s, &s->ja4s, "client ja4", false);
    print_table(s, &s->warnings, "warning", true);
    return fflush(s->out) == 0 && !ferror(s->out) ? TW_OK : TW_E_IO;
}

static int sum_begin(void *self, const struct tw_run_info *run)
{
    (void)self;
    (void)run;
    return TW_OK;
}

static void sum_free(void *self)
{
    struct summary *s = self;
    if (!s)
        return;
    clear(&s->outcomes);
    clear(&s->names);
    clear(&s->certs);
    clear(&s->warnings);
    clear(&s->ja4s);
    free(s);
}

struct tw_reporter *tw_rep_summary_new(FILE *out)
{
    struct summary *s = calloc(1, sizeof *s);
    if (s)
        s->out = out;
    return tw_rep_new(s, sum_begin, sum_emit, sum_end, sum_free);
}

int tw_rep_summary_print(struct tw_reporter *r, FILE *out, const struct tw_run_info *run)
{
    struct summary *s = r->self;
    FILE *keep = s->out;
    s->out = out;
    int rc = sum_end(s, run);
    s->out = keep;
    return rc;
}
