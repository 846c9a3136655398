/* report_md.c: the ticket report as Markdown, for ticket systems that take text: the same
 * content as the HTML page, with tables instead of the chart and validity bars, and each
 * ladder as a fenced text diagram. Wire strings go through doc_md (text, table cells) or
 * doc_md_code (inside a fence), so none can start markup, end a cell or close the fence. */
#include "report_doc.h"

#include <string.h>

#include "tlswhy/json.h"

static void when(FILE *f, int64_t us)
{
    char t[TW_JSON_TIME_LEN];
    if (!us) {
        fputs("-", f);
        return;
    }
    tw_json_time(us, t, sizeof t);
    fprintf(f, "%.10s %.12s", t, strlen(t) > 11 ? t + 11 : "");
}

static void headline(FILE *f, const struct doc_agg *a, const struct doc_headline *h,
                     const struct tw_run_info *run)
{
    fputs("# Why TLS failed: tlswhy report\n\nFrom ", f);
    for (size_t i = 0; i < run->input_count && run->inputs; i++) {
        fputs(i ? ", " : "", f);
        doc_md(f, run->inputs[i]);
    }
    if (!run->input_count)
        fputs("the capture", f);
    fputs(", by tlswhy " TLSWHY_VERSION ".", f);
    if (a->anonymize)
        fputs(" Client addresses are anonymized (client-1, client-2, ... in order of "
              "appearance, the same number for the same address within this report); server "
              "names and certificates are shown as captured.",
              f);
    fputs("\n\n> **", f);
    doc_md(f, h->what);
    fputs("**\n", f);
    if (h->cause[0]) {
        fputs(">\n> ", f);
        doc_md(f, h->cause);
        fputs("\n", f);
    }
    if (h->fix[0]) {
        fputs(">\n> **Usual fix:** ", f);
        doc_md(f, h->fix);
        fputs(".\n", f);
    }
}

/* The chart as a table: one row per non-empty time bucket, one column per outcome or cause. */
static void over_time(FILE *f, const struct doc_agg *a)
{
    int from, to;
    bool used[DOC_GROUPS] = {false};
    if (!doc_agg_span(a, &from, &to))
        return;
    for (int i = from; i < to; i++)
        for (int g = 0; g < DOC_GROUPS; g++)
            used[g] |= a->bucket[i][g] != 0;
    fprintf(f,
            "\n## Connections over time\n\nOne row per %.3f s with connections (start "
            "time, UTC).\n\n| start |",
            (double)a->width_us / 1e6);
    for (int g = 0; g < DOC_GROUPS; g++)
        if (used[g]) {
            fputc(' ', f);
            doc_md(f, doc_group_name(g));
            fputs(" |", f);
        }
    fputs("\n|---|", f);
    for (int g = 0; g < DOC_GROUPS; g++)
        if (used[g])
            fputs("---:|", f);
    fputc('\n', f);
    for (int i = from; i < to; i++) {
        uint64_t sum = 0;
        for (int g = 0; g < DOC_GROUPS; g++)
            sum += a->bucket[i][g];
        if (!sum)
            continue;
        fputs("| ", f);
        when(f, (a->lo + i) * a->width_us);
        fputs(" |", f);
        for (int g = 0; g < DOC_GROUPS; g++)
            if (used[g])
                fprintf(f, " %u |", (unsigned)a->bucket[i][g]);
        fputc('\n', f);
    }
}

static void overview(FILE *f, const struct doc_agg *a, const int *order, size_t n)
{
    if (!n)
        return;
    fputs("\n## Outcomes\n\n| outcome or cause | connections | share | first seen | last seen "
          "|\n|---|---:|---:|---|---|\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const struct doc_group *g = &a->g[order[i]];
        fputs("| ", f);
        doc_md(f, doc_group_name(order[i]));
        fprintf(f, " | %llu | %.1f%% | ", (unsigned long long)g->count,
                100.0 * (double)g->count / (double)a->total);
        when(f, g->first_us);
        fputs(" | ", f);
        when(f, g->last_us);
        fputs(" |\n", f);
    }
    over_time(f, a);
}

static void findings(FILE *f, const struct doc_finding *x, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++) {
        fputs("- **", f);
        doc_md(f, tw_cause_name(x[i].code));
        if (x[i].cert_index >= 0)
            fprintf(f, "** (certificate %d): ", x[i].cert_index);
        else
            fputs("** (the chain): ", f);
        doc_md(f, x[i].text ? x[i].text : "");
        fputc('\n', f);
    }
}

static void repeat(FILE *f, char c, int n)
{
    for (int i = 0; i < n; i++)
        fputc(c, f);
}

/* The ladder as text: "|---- label --->|" between the client and server columns. */
static void ladder(FILE *f, const struct doc_example *x)
{
    const struct doc_ladder *l = &x->ladder;
    int w = 40;
    for (uint16_t i = 0; i < l->n; i++) {
        int len = (int)strlen(l->r[i].what) + 8;
        w = len > w ? len : w;
    }
    fputs("\n```text\n  frame          ms  ", f);
    doc_md_code(f, "client ");
    doc_md_code(f, x->client);
    repeat(f, ' ', w - 7 - (int)strlen(x->client) > 1 ? w - 7 - (int)strlen(x->client) : 1);
    doc_md_code(f, "server ");
    doc_md_code(f, x->server);
    fputc('\n', f);
    for (uint16_t i = 0; i < l->n; i++) {
        const struct doc_rung *r = &l->r[i];
        int len = (int)strlen(r->what), dashes = w - 2 - len - 2;
        int left = dashes / 2, right = dashes - left;
        bool c2s = r->dir == TW_DIR_C2S;
        fprintf(f, "%7llu %+11.3f  |%s", (unsigned long long)r->frame, r->ms, c2s ? "" : "<");
        repeat(f, '-', left - (c2s ? 0 : 1));
        fputc(' ', f);
        doc_md_code(f, r->what);
        fputc(' ', f);
        repeat(f, '-', right - (c2s ? 1 : 0));
        fputs(c2s ? ">|" : "|", f);
        if (r->mark == DOC_MARK_ALERT)
            fputs("  <== ALERT", f);
        else if (r->mark == DOC_MARK_RESET)
            fputs("  <== RESET", f);
        else if (r->mark == DOC_MARK_CERT && x->finding_count) {
            fputs("  <== finding:", f);
            for (uint16_t k = 0; k < x->finding_count; k++)
                fprintf(f, " %s", tw_cause_name(x->findings[k].code));
        }
        fputc('\n', f);
    }
    if (l->dropped)
        fprintf(f, "  (%u more TLS records not drawn)\n", (unsigned)l->dropped);
    fputs("```\n", f);
}

static void example(FILE *f, const struct doc_example *x)
{
    if (!x->present)
        return;
    fprintf(f, "\nExample: connection %llu from frame %llu, ", (unsigned long long)x->conn_id,
            (unsigned long long)x->first_frame);
    doc_md(f, x->client);
    fputs(" to ", f);
    doc_md(f, x->server);
    fputs(", SNI ", f);
    doc_md(f, x->sni ? x->sni : "none");
    if (x->version[0]) {
        fputs(", ", f);
        doc_md(f, x->version);
    }
    if (x->stage[0]) {
        fputs(", stopped at ", f);
        doc_md(f, x->stage);
    }
    fputs(".\n\n**", f);
    doc_md(f, x->explanation ? x->explanation : "");
    fputs("**\n", f);
    ladder(f, x);
    if (x->finding_count)
        fputc('\n', f);
    findings(f, x->findings, x->finding_count);
}

static void group(FILE *f, const struct doc_agg *a, int gi)
{
    const struct doc_group *g = &a->g[gi];
    char fix[800];
    fputs("\n### ", f);
    doc_md(f, doc_group_name(gi));
    fprintf(f, ": %llu connection%s\n\n", (unsigned long long)g->count, g->count == 1 ? "" : "s");
    if (gi < TW_CAUSE_COUNT) {
        doc_md(f, tw_cause_text(gi));
        fputs(".\n\n**Usual fix:** ", f);
        doc_fix_fill(fix, sizeof fix, doc_fix_action(gi), doc_group_top_name(g));
        doc_md(f, fix);
        fputs(".\n\n", f);
    } else if (gi == DOC_GROUP_INCOMPLETE) {
        fputs("The capture does not show how these connections ended (it began or stopped in "
              "the middle, or lost packets).\n\n",
              f);
    }
    fputs("Server names: ", f);
    for (uint16_t i = 0; i < g->name_count; i++) {
        fputs(i ? ", " : "", f);
        doc_md(f, g->names[i].name);
        fprintf(f, " (%llu)", (unsigned long long)g->names[i].count);
    }
    if (g->names_other)
        fprintf(f, " and %llu connections to other names", (unsigned long long)g->names_other);
    fputs("\n", f);
    if (g->chain_count) {
        fputs("\nCertificates: ", f);
        for (uint16_t i = 0; i < g->chain_count; i++) {
            const struct doc_chain *c = &a->chains[g->chains[i]];
            fprintf(f, "%schain %d (", i ? ", " : "", g->chains[i] + 1);
            doc_md(f, c->kept && c->certs[0].parsed ? c->certs[0].subject : "unparseable");
            fputs(")", f);
        }
        if (g->chains_other)
            fprintf(f, "; %llu more not shown", (unsigned long long)g->chains_other);
        fputs("\n", f);
    }
    example(f, &g->ex);
}

static void warnings(FILE *f, const struct doc_agg *a)
{
    char fix[800];
    bool any = false;
    for (int w = 1; w < TW_CAUSE_COUNT; w++) {
        if (!a->warnings[w])
            continue;
        if (!any)
            fputs("\n## Warnings\n\n| warning | connections | meaning | usual fix |\n"
                  "|---|---:|---|---|\n",
                  f);
        any = true;
        fputs("| ", f);
        doc_md(f, tw_cause_name(w));
        fprintf(f, " | %llu | ", (unsigned long long)a->warnings[w]);
        doc_md(f, tw_cause_text(w));
        fputs(" | ", f);
        doc_fix_fill(fix, sizeof fix, doc_fix_action(w), "the server's name");
        doc_md(f, fix);
        fputs(" |\n", f);
    }
}

/* Only when more than one client JA4 was seen: failures often split by client population. */
static void fingerprints(FILE *f, const struct doc_agg *a)
{
    if (!doc_agg_fp_split(a))
        return;
    fputs("\n## Client fingerprints (JA4)\n\n| client JA4 | connections | failed | causes |\n"
          "|---|---:|---:|---|\n",
          f);
    for (uint16_t i = 0; i < a->fp_count; i++) {
        const struct doc_fp *r = &a->fps[i];
        int top[DOC_FP_CAUSES];
        doc_fp_top_causes(r, top);
        fputs("| ", f);
        doc_md(f, r->ja4[0] ? r->ja4 : "(none)");
        fprintf(f, " | %llu | %llu | ", (unsigned long long)r->conns,
                (unsigned long long)r->failed);
        for (int k = 0; k < DOC_FP_CAUSES && top[k] >= 0; k++) {
            fputs(k ? ", " : "", f);
            doc_md(f, tw_cause_name(top[k]));
            fprintf(f, " %u", r->cause[top[k]]);
        }
        fputs(" |\n", f);
    }
    if (a->fps_other)
        fprintf(f, "| other fingerprints | %llu | | |\n", (unsigned long long)a->fps_other);
}

static void cell(FILE *f, const char *field, const char *value)
{
    fprintf(f, "| %s | ", field);
    doc_md(f, value ? value : "");
    fputs(" |\n", f);
}

static void cert(FILE *f, const struct doc_cert *c, int index, const struct tw_run_info *run)
{
    fprintf(f, "\nCertificate %d%s:\n\n| field | value |\n|---|---|\n", index,
            index == 0 ? " (the server's own)" : " (issuer chain)");
    if (!c->parsed) {
        cell(f, "parsed", "no: the DER could not be parsed");
        cell(f, "SHA-256", c->sha256);
        return;
    }
    cell(f, "subject", c->subject);
    fputs("| names (SAN) | ", f);
    for (uint16_t i = 0; i < c->san_count && i < DOC_SANS; i++) {
        fputs(i ? ", " : "", f);
        doc_md(f, c->sans[i] ? c->sans[i] : "");
    }
    if (c->san_count > DOC_SANS)
        fprintf(f, " and %u more", (unsigned)(c->san_count - DOC_SANS));
    fputs(c->san_count ? " |\n" : "none |\n", f);
    cell(f, "issuer", c->issuer);
    fputs("| valid | ", f);
    when(f, c->not_before * 1000000);
    fputs(" to ", f);
    when(f, c->not_after * 1000000);
    int64_t from = run->first_ts_us / 1000000, to = run->last_ts_us / 1000000;
    fputs(c->not_after < to      ? " (expired before the capture ended)"
          : c->not_before > from ? " (not yet valid when the capture began)"
                                 : " (covers the capture)",
          f);
    fputs(" |\n", f);
    fputs("| key, signature | ", f);
    doc_md(f, c->key);
    fputs(", ", f);
    doc_md(f, c->sig_alg);
    fprintf(f, "%s |\n| SHA-256 | %s |\n", c->self_signed ? ", self-signed" : "", c->sha256);
}

static void cards(FILE *f, const struct doc_agg *a, const struct tw_run_info *run)
{
    if (!a->chain_count)
        return;
    fputs("\n## Certificate chains seen\n", f);
    for (uint16_t i = 0; i < a->chain_count; i++) {
        const struct doc_chain *c = &a->chains[i];
        fprintf(f,
                "\n### Chain %u: %u certificate%s, %s, in %llu connection%s (%llu failed)\n\n"
                "Presented for: ",
                (unsigned)i + 1, (unsigned)c->n, c->n == 1 ? "" : "s",
                c->trusted ? "trusted" : "not trusted", (unsigned long long)c->conns,
                c->conns == 1 ? "" : "s", (unsigned long long)c->failed);
        for (uint16_t k = 0; k < c->name_count; k++) {
            fputs(k ? ", " : "", f);
            doc_md(f, c->names[k]);
        }
        if (c->names_other)
            fprintf(f, " and %llu more", (unsigned long long)c->names_other);
        fputs(c->finding_count ? "\n\nProblems found:\n\n"
                               : "\n\nNo problem found in this "
                                 "chain.\n",
              f);
        findings(f, c->findings, c->finding_count);
        for (uint16_t k = 0; k < c->kept; k++)
            cert(f, &c->certs[k], k, run);
        if (c->n > c->kept)
            fprintf(f, "\n%u more certificates in this chain are not shown.\n",
                    (unsigned)(c->n - c->kept));
    }
    if (a->chains_other)
        fprintf(f,
                "\n%llu connections presented other chains (only the first %d distinct "
                "chains are shown).\n",
                (unsigned long long)a->chains_other, DOC_CHAINS);
}

static void num(FILE *f, const char *what, unsigned long long v)
{
    fprintf(f, "| %s | %llu |\n", what, v);
}

static void facts(FILE *f, const struct doc_agg *a, const struct tw_run_info *run)
{
    fputs("\n## The capture\n\n| fact | value |\n|---|---|\n| input | ", f);
    for (size_t i = 0; i < run->input_count && run->inputs; i++) {
        fputs(i ? ", " : "", f);
        doc_md(f, run->inputs[i]);
    }
    fputs(" |\n| time span | ", f);
    when(f, run->first_ts_us);
    fputs(" to ", f);
    when(f, run->last_ts_us);
    if (run->last_ts_us >= run->first_ts_us && run->first_ts_us)
        fprintf(f, " (%.3f s)", (double)(run->last_ts_us - run->first_ts_us) / 1e6);
    fputs(" |\n", f);
    num(f, "packets read", run->frames);
    num(f, "TCP packets", run->tcp_packets);
    num(f, "TCP connections", run->conns);
    num(f, "TLS connections reported", a->total);
    num(f, "packets dropped by the kernel", run->kernel_drops);
    num(f, "packets dropped by the interface", run->if_drops);
    num(f, "connections evicted (table full)", run->evicted);
    num(f, "truncated frames", run->truncated);
    num(f, "malformed frames", run->malformed);
    num(f, "inputs that could not be read", run->input_errors);
    fputs("| tlswhy version | " TLSWHY_VERSION " |\n| command line | ", f);
    doc_md(f, run->command_line ? run->command_line : "");
    fputs(a->anonymize ? " (IP addresses replaced by ADDRESS) |\n" : " |\n", f);
}

void doc_write_md(FILE *f, const struct doc_agg *a, const struct tw_run_info *run)
{
    struct doc_headline h;
    int order[DOC_GROUPS];
    size_t n = doc_agg_order(a, order);
    doc_headline(a, &h);
    headline(f, a, &h, run);
    overview(f, a, order, n);
    if (n)
        fputs("\n## Each cause, with one example connection\n", f);
    for (size_t i = 0; i < n; i++)
        group(f, a, order[i]);
    warnings(f, a);
    fingerprints(f, a);
    cards(f, a, run);
    facts(f, a, run);
}
