/* report_html.c: the ticket report as one self-contained HTML page: no script, no external
 * URL, font or image, and a Content-Security-Policy that would block them anyway. The page is
 * also well-formed XML (void elements closed, only XML's entities), so tests parse it
 * strictly. Every string that came from the wire goes through doc_html. */
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

static void head(FILE *f, const struct doc_headline *h)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n", f);
    fprintf(f,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'sha256-%s'; img-src 'none'; base-uri 'none'; form-action "
            "'none'\"/>\n",
            doc_html_style_sha256);
    fputs("<meta name=\"referrer\" content=\"no-referrer\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<meta name=\"generator\" content=\"tlswhy " TLSWHY_VERSION "\"/>\n<title>tlswhy: ",
          f);
    doc_html(f, h->what);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", doc_html_style);
}

static void headline(FILE *f, const struct doc_agg *a, const struct doc_headline *h,
                     const struct tw_run_info *run)
{
    fputs("<h1>Why TLS failed: tlswhy report</h1>\n<p class=\"note\">From ", f);
    for (size_t i = 0; i < run->input_count && run->inputs; i++) {
        fputs(i ? ", " : "", f);
        fputs("<code>", f);
        doc_html(f, run->inputs[i]);
        fputs("</code>", f);
    }
    if (!run->input_count)
        fputs("the capture", f);
    fputs(", by tlswhy " TLSWHY_VERSION ".", f);
    if (a->anonymize)
        fputs(" Client addresses are anonymized (client-1, client-2, ... in order of "
              "appearance, the same number for the same address within this report); server "
              "names and certificates are shown as captured.",
              f);
    fputs("</p>\n", f);
    bool bad = a->by_outcome[TW_OUTCOME_FAILED] > 0;
    fprintf(f, "<div class=\"headline%s\">\n<p>", bad ? "" : " ok");
    doc_html(f, h->what);
    fputs("</p>\n", f);
    if (h->cause[0]) {
        fputs("<p>", f);
        doc_html(f, h->cause);
        fputs("</p>\n", f);
    }
    if (h->fix[0]) {
        fputs("<p class=\"fix\">Usual fix: ", f);
        doc_html(f, h->fix);
        fputs(".</p>\n", f);
    }
    fputs("</div>\n", f);
}

static void overview(FILE *f, const struct doc_agg *a, const int *order, size_t n)
{
    if (!n)
        return;
    fputs("<h2>Connections over time</h2>\n", f);
    doc_svg_chart(f, a);
    fputs("<h2>Outcomes</h2>\n<table>\n<tr><th>outcome or cause</th><th>connections</th>"
          "<th>share</th><th>first seen</th><th>last seen</th></tr>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const struct doc_group *g = &a->g[order[i]];
        fprintf(f, "<tr><td><a href=\"#g-%s\">%s</a></td><td>%llu</td><td>%.1f%%</td><td>",
                doc_group_name(order[i]), doc_group_name(order[i]), (unsigned long long)g->count,
                100.0 * (double)g->count / (double)a->total);
        when(f, g->first_us);
        fputs("</td><td>", f);
        when(f, g->last_us);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void names(FILE *f, const struct doc_group *g)
{
    fputs("<p>Server names: ", f);
    for (uint16_t i = 0; i < g->name_count; i++) {
        fputs(i ? ", " : "", f);
        fputs("<code>", f);
        doc_html(f, g->names[i].name);
        fprintf(f, "</code> (%llu)", (unsigned long long)g->names[i].count);
    }
    if (g->names_other)
        fprintf(f, " and %llu connection%s to other names", (unsigned long long)g->names_other,
                g->names_other == 1 ? "" : "s");
    fputs("</p>\n", f);
}

static void chain_refs(FILE *f, const struct doc_agg *a, const struct doc_group *g)
{
    if (!g->chain_count && !g->chains_other)
        return;
    fputs("<p>Certificates: ", f);
    for (uint16_t i = 0; i < g->chain_count; i++) {
        const struct doc_chain *c = &a->chains[g->chains[i]];
        fprintf(f, "%s<a href=\"#cert-%d\">", i ? ", " : "", g->chains[i] + 1);
        if (c->kept && c->certs[0].parsed)
            doc_html(f, c->certs[0].subject);
        else
            fprintf(f, "unparseable %.16s", c->kept ? c->certs[0].sha256 : "");
        fputs("</a>", f);
    }
    if (g->chains_other)
        fprintf(f, "%s%llu more not shown", g->chain_count ? "; " : "",
                (unsigned long long)g->chains_other);
    fputs("</p>\n", f);
}

static void finding_list(FILE *f, const struct doc_finding *x, uint16_t n)
{
    if (!n)
        return;
    fputs("<ul>\n", f);
    for (uint16_t i = 0; i < n; i++) {
        fprintf(f, "<li class=\"finding\"><b>%s</b> (", tw_cause_name(x[i].code));
        if (x[i].cert_index >= 0)
            fprintf(f, "certificate %d", x[i].cert_index);
        else
            fputs("the chain", f);
        fputs("): ", f);
        doc_html(f, x[i].text ? x[i].text : "");
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static void cert_note(const struct doc_example *x, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint16_t i = 0; i < x->finding_count && used + 1 < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s",
                         i ? ", " : "finding: ", tw_cause_name(x->findings[i].code));
        used = w < 0 ? used : used + (size_t)w;
    }
}

static void example(FILE *f, const struct doc_example *x)
{
    char note[300];
    if (!x->present)
        return;
    fprintf(f, "<p>Example: connection %llu from frame %llu, <code>",
            (unsigned long long)x->conn_id, (unsigned long long)x->first_frame);
    doc_html(f, x->client);
    fputs("</code> to <code>", f);
    doc_html(f, x->server);
    fputs("</code>, SNI ", f);
    if (x->sni) {
        fputs("<code>", f);
        doc_html(f, x->sni);
        fputs("</code>", f);
    } else {
        fputs("none", f);
    }
    if (x->version[0])
        fprintf(f, ", %s", x->version);
    if (x->stage[0])
        fprintf(f, ", stopped at %s", x->stage);
    fputs(".</p>\n<p><b>", f);
    doc_html(f, x->explanation ? x->explanation : "");
    fputs("</b></p>\n", f);
    cert_note(x, note, sizeof note);
    doc_svg_ladder(f, &x->ladder, x->client, x->server, note);
    if (x->ladder.dropped)
        fprintf(f, "<p class=\"note\">%u more TLS records are not drawn.</p>\n",
                (unsigned)x->ladder.dropped);
    finding_list(f, x->findings, x->finding_count);
}

static void causes(FILE *f, const struct doc_agg *a, const int *order, size_t n)
{
    if (!n)
        return;
    fputs("<h2>Each cause, with one example connection</h2>\n", f);
    for (size_t i = 0; i < n; i++) {
        int gi = order[i];
        const struct doc_group *g = &a->g[gi];
        char fix[800];
        fprintf(f, "<section class=\"cause\" id=\"g-%s\">\n<h3>%s: %llu connection%s</h3>\n",
                doc_group_name(gi), doc_group_name(gi), (unsigned long long)g->count,
                g->count == 1 ? "" : "s");
        if (gi < TW_CAUSE_COUNT) {
            fputs("<p>", f);
            doc_html(f, tw_cause_text(gi));
            fputs(".</p>\n<p class=\"fix\">Usual fix: ", f);
            doc_fix_fill(fix, sizeof fix, doc_fix_action(gi), doc_group_top_name(g));
            doc_html(f, fix);
            fputs(".</p>\n", f);
        } else if (gi == DOC_GROUP_INCOMPLETE) {
            fputs("<p>The capture does not show how these connections ended (it began or "
                  "stopped in the middle, or lost packets).</p>\n",
                  f);
        }
        names(f, g);
        chain_refs(f, a, g);
        example(f, &g->ex);
        fputs("</section>\n", f);
    }
}

static void warnings(FILE *f, const struct doc_agg *a)
{
    char fix[800];
    bool any = false;
    for (int w = 1; w < TW_CAUSE_COUNT; w++) {
        if (!a->warnings[w])
            continue;
        if (!any)
            fputs("<h2>Warnings</h2>\n<table>\n<tr><th>warning</th><th>connections</th>"
                  "<th>meaning</th><th>usual fix</th></tr>\n",
                  f);
        any = true;
        fprintf(f, "<tr><td>%s</td><td>%llu</td><td>", tw_cause_name(w),
                (unsigned long long)a->warnings[w]);
        doc_html(f, tw_cause_text(w));
        fputs("</td><td>", f);
        doc_fix_fill(fix, sizeof fix, doc_fix_action(w), "the server's name");
        doc_html(f, fix);
        fputs("</td></tr>\n", f);
    }
    if (any)
        fputs("</table>\n", f);
}

static void cert_rows(FILE *f, const struct doc_cert *c, int index, const struct tw_run_info *run)
{
    fprintf(f, "<h4>Certificate %d%s</h4>\n", index,
            index == 0 ? " (the server's own)" : " (issuer chain)");
    if (!c->parsed) {
        fprintf(f,
                "<p class=\"finding\">Could not be parsed. SHA-256 <span class=\"mono\">%s"
                "</span></p>\n",
                c->sha256);
        return;
    }
    fputs("<table>\n<tr><th>subject</th><td class=\"mono\">", f);
    doc_html(f, c->subject);
    fputs("</td></tr>\n<tr><th>names (SAN)</th><td class=\"mono\">", f);
    for (uint16_t i = 0; i < c->san_count && i < DOC_SANS; i++) {
        fputs(i ? ", " : "", f);
        doc_html(f, c->sans[i] ? c->sans[i] : "");
    }
    if (c->san_count > DOC_SANS)
        fprintf(f, " and %u more", (unsigned)(c->san_count - DOC_SANS));
    if (!c->san_count)
        fputs("none", f);
    fputs("</td></tr>\n<tr><th>issuer</th><td class=\"mono\">", f);
    doc_html(f, c->issuer);
    fputs("</td></tr>\n<tr><th>valid</th><td>", f);
    when(f, c->not_before * 1000000);
    fputs(" to ", f);
    when(f, c->not_after * 1000000);
    fputs("<br/>", f);
    doc_svg_validity(f, c, run->first_ts_us, run->last_ts_us);
    fputs("<span class=\"note\">bar: validity (green: covers the capture); black mark: the "
          "capture</span></td></tr>\n<tr><th>key, signature</th><td>",
          f);
    doc_html(f, c->key);
    fputs(", ", f);
    doc_html(f, c->sig_alg);
    fprintf(f, "%s</td></tr>\n<tr><th>SHA-256</th><td class=\"mono\">%s</td></tr>\n</table>\n",
            c->self_signed ? ", self-signed" : "", c->sha256);
}

static void cards(FILE *f, const struct doc_agg *a, const struct tw_run_info *run)
{
    if (!a->chain_count)
        return;
    fputs("<h2>Certificate chains seen</h2>\n", f);
    for (uint16_t i = 0; i < a->chain_count; i++) {
        const struct doc_chain *c = &a->chains[i];
        fprintf(f,
                "<section class=\"card%s\" id=\"cert-%u\">\n<h3>Chain %u: %u certificate%s, "
                "%s, in %llu connection%s (%llu failed)</h3>\n",
                c->finding_count ? " bad" : "", (unsigned)i + 1, (unsigned)i + 1, (unsigned)c->n,
                c->n == 1 ? "" : "s", c->trusted ? "trusted" : "not trusted",
                (unsigned long long)c->conns, c->conns == 1 ? "" : "s",
                (unsigned long long)c->failed);
        fputs("<p>Presented for: ", f);
        for (uint16_t k = 0; k < c->name_count; k++) {
            fputs(k ? ", " : "", f);
            fputs("<code>", f);
            doc_html(f, c->names[k]);
            fputs("</code>", f);
        }
        if (c->names_other)
            fprintf(f, " and %llu more", (unsigned long long)c->names_other);
        fputs("</p>\n", f);
        if (c->finding_count) {
            fputs("<p><b>Problems found:</b></p>\n", f);
            finding_list(f, c->findings, c->finding_count);
        } else {
            fputs("<p>No problem found in this chain.</p>\n", f);
        }
        for (uint16_t k = 0; k < c->kept; k++)
            cert_rows(f, &c->certs[k], k, run);
        if (c->n > c->kept)
            fprintf(f, "<p class=\"note\">%u more certificates in this chain are not shown.</p>\n",
                    (unsigned)(c->n - c->kept));
        fputs("</section>\n", f);
    }
    if (a->chains_other)
        fprintf(f,
                "<p class=\"note\">%llu connections presented other chains (only the first "
                "%d distinct chains get a card).</p>\n",
                (unsigned long long)a->chains_other, DOC_CHAINS);
}

/* Only when more than one client JA4 was seen: failures often split by client population. */
static void fingerprints(FILE *f, const struct doc_agg *a)
{
    if (!doc_agg_fp_split(a))
        return;
    fputs("<h2>Client fingerprints (JA4)</h2>\n<table>\n<tr><th>client JA4</th>"
          "<th>connections</th><th>failed</th><th>causes</th></tr>\n",
          f);
    for (uint16_t i = 0; i < a->fp_count; i++) {
        const struct doc_fp *r = &a->fps[i];
        int top[DOC_FP_CAUSES];
        doc_fp_top_causes(r, top);
        fputs("<tr><td><code>", f);
        doc_html(f, r->ja4[0] ? r->ja4 : "(none)");
        fprintf(f, "</code></td><td>%llu</td><td>%llu</td><td>", (unsigned long long)r->conns,
                (unsigned long long)r->failed);
        for (int k = 0; k < DOC_FP_CAUSES && top[k] >= 0; k++)
            fprintf(f, "%s%s %u", k ? ", " : "", tw_cause_name(top[k]), r->cause[top[k]]);
        fputs("</td></tr>\n", f);
    }
    if (a->fps_other)
        fprintf(f, "<tr><td>other fingerprints</td><td>%llu</td><td></td><td></td></tr>\n",
                (unsigned long long)a->fps_other);
    fputs("</table>\n", f);
}

static void row(FILE *f, const char *what, unsigned long long v)
{
    fprintf(f, "<tr><th>%s</th><td>%llu</td></tr>\n", what, v);
}

static void facts(FILE *f, const struct doc_agg *a, const struct tw_run_info *run)
{
    fputs("<h2>The capture</h2>\n<table>\n<tr><th>input</th><td>", f);
    for (size_t i = 0; i < run->input_count && run->inputs; i++) {
        fputs(i ? "<br/>" : "", f);
        fputs("<code>", f);
        doc_html(f, run->inputs[i]);
        fputs("</code>", f);
    }
    fputs("</td></tr>\n<tr><th>time span</th><td>", f);
    when(f, run->first_ts_us);
    fputs(" to ", f);
    when(f, run->last_ts_us);
    if (run->last_ts_us >= run->first_ts_us && run->first_ts_us)
        fprintf(f, " (%.3f s)", (double)(run->last_ts_us - run->first_ts_us) / 1e6);
    fputs("</td></tr>\n", f);
    row(f, "packets read", run->frames);
    row(f, "TCP packets", run->tcp_packets);
    row(f, "TCP connections", run->conns);
    row(f, "TLS connections reported", a->total);
    row(f, "packets dropped by the kernel", run->kernel_drops);
    row(f, "packets dropped by the interface", run->if_drops);
    row(f, "connections evicted (table full)", run->evicted);
    row(f, "truncated frames", run->truncated);
    row(f, "malformed frames", run->malformed);
    row(f, "inputs that could not be read", run->input_errors);
    fputs("<tr><th>tlswhy version</th><td>" TLSWHY_VERSION "</td></tr>\n"
          "<tr><th>command line</th><td class=\"mono\">",
          f);
    doc_html(f, run->command_line ? run->command_line : "");
    fputs(a->anonymize ? " <span class=\"note\">(IP addresses replaced by ADDRESS)</span>" : "", f);
    fputs("</td></tr>\n</table>\n", f);
}

void doc_write_html(FILE *f, const struct doc_agg *a, const struct tw_run_info *run)
{
    struct doc_headline h;
    int order[DOC_GROUPS];
    size_t n = doc_agg_order(a, order);
    doc_headline(a, &h);
    head(f, &h);
    headline(f, a, &h, run);
    overview(f, a, order, n);
    causes(f, a, order, n);
    warnings(f, a);
    fingerprints(f, a);
    cards(f, a, run);
    facts(f, a, run);
    fputs("</main>\n</body>\n</html>\n", f);
}
