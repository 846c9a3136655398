/* report_svg.c: the drawings of the HTML report as inline SVG (no script, no library): the
 * stacked bars of connections over time, one ladder diagram per example, and each
 * certificate's validity against the capture window. Colours are presentation attributes, so
 * the strict Content-Security-Policy needs nothing for them. */
#include "report_doc.h"

#include <string.h>

#include "tlswhy/json.h"

#define OK_COLOUR "#2e7d32"
#define INCOMPLETE_COLOUR "#f9a825"

const char *doc_group_colour(int g)
{
    static const char *const failure[] = {"#c62828", "#6a1b9a", "#1565c0", "#ad1457", "#00838f",
                                          "#4e342e", "#ef6c00", "#283593", "#8e24aa", "#37474f"};
    if (g == DOC_GROUP_OK)
        return OK_COLOUR;
    if (g == DOC_GROUP_INCOMPLETE)
        return INCOMPLETE_COLOUR;
    return failure[(g < 0 ? 0 : g) % (int)(sizeof failure / sizeof failure[0])];
}

/* "01:02:03" (UTC) of a capture time; the date when the span crosses days is in the caption. */
static const char *clock_of(int64_t us, char *buf, size_t n)
{
    char full[TW_JSON_TIME_LEN];
    tw_json_time(us, full, sizeof full);
    snprintf(buf, n, "%.8s", strlen(full) > 11 ? full + 11 : full);
    return buf;
}

static void width_text(int64_t us, char *buf, size_t n)
{
    if (us < 1000000)
        snprintf(buf, n, "%.3g ms", (double)us / 1000.0);
    else if (us < 120000000)
        snprintf(buf, n, "%.3g s", (double)us / 1e6);
    else if (us < 7200000000LL)
        snprintf(buf, n, "%.3g min", (double)us / 6e7);
    else
        snprintf(buf, n, "%.3g h", (double)us / 3.6e9);
}

void doc_svg_chart(FILE *f, const struct doc_agg *a)
{
    int from, to;
    if (!doc_agg_span(a, &from, &to))
        return;
    const int W = 880, plot_x = 48, plot_w = 820, plot_y = 12, plot_h = 170;
    uint64_t max = 1;
    bool used[DOC_GROUPS] = {false};
    for (int i = from; i < to; i++) {
        uint64_t sum = 0;
        for (int g = 0; g < DOC_GROUPS; g++) {
            sum += a->bucket[i][g];
            used[g] |= a->bucket[i][g] != 0;
        }
        max = sum > max ? sum : max;
    }
    int legend = 0;
    for (int g = 0; g < DOC_GROUPS; g++)
        legend += used[g];
    int rows = (legend + 2) / 3;
    int H = plot_y + plot_h + 40 + rows * 20;
    fprintf(f,
            "<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"connections over time by outcome and cause\">\n",
            W, H, W, H);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"axis\">%llu</text>\n",
            plot_x - 6, plot_y + 10, (unsigned long long)max);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"axis\">0</text>\n", plot_x - 6,
            plot_y + plot_h);
    int nb = to - from;
    double bw = (double)plot_w / nb < 60 ? (double)plot_w / nb : 60; /* few bars: not slabs */
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>\n", plot_x,
            plot_y + plot_h, plot_x + nb * bw, plot_y + plot_h);
    for (int i = from; i < to; i++) {
        double x = plot_x + (i - from) * bw, y = plot_y + plot_h;
        char when[16], width[32];
        int64_t t = (a->lo + i) * a->width_us;
        width_text(a->width_us, width, sizeof width);
        fprintf(f, "<g><title>%s UTC, %s: ", clock_of(t, when, sizeof when), width);
        bool first = true;
        for (int g = 0; g < DOC_GROUPS; g++)
            if (a->bucket[i][g]) {
                fprintf(f, "%s%s %u", first ? "" : ", ", doc_group_name(g),
                        (unsigned)a->bucket[i][g]);
                first = false;
            }
        fputs(first ? "no connection</title>\n" : "</title>\n", f);
        for (int g = 0; g < DOC_GROUPS; g++) { /* bottom up: failures, ok, incomplete */
            if (!a->bucket[i][g])
                continue;
            double h = (double)a->bucket[i][g] * plot_h / (double)max;
            y -= h;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                    x + bw * 0.1, y, bw * 0.8 > 1 ? bw * 0.8 : 1.0, h, doc_group_colour(g));
        }
        fputs("</g>\n", f);
    }
    char t0[16], t1[16], width[32];
    width_text(a->width_us, width, sizeof width);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"axis\">from %s to %s UTC, one bar per %s</text>\n",
            plot_x, plot_y + plot_h + 16, clock_of((a->lo + from) * a->width_us, t0, sizeof t0),
            clock_of((a->lo + to) * a->width_us, t1, sizeof t1), width);
    int item = 0;
    for (int g = 0; g < DOC_GROUPS; g++) {
        if (!used[g])
            continue;
        int x = plot_x + (item % 3) * 270, y = plot_y + plot_h + 34 + (item / 3) * 20;
        fprintf(f,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>\n",
                x, y - 10, doc_group_colour(g), x + 18, y, doc_group_name(g));
        item++;
    }
    fputs("</svg>\n", f);
}

static const char *mark_colour(int mark)
{
    switch (mark) {
    case DOC_MARK_ALERT:
        return "#c62828";
    case DOC_MARK_CERT:
        return "#ef6c00";
    case DOC_MARK_RESET:
        return "#6a1b9a";
    default:
        return "#455a64";
    }
}

void doc_svg_ladder(FILE *f, const struct doc_ladder *l, const char *client, const char *server,
                    const char *cert_note)
{
    const int W = 780, cx = 210, sx = 690, top = 44, row = 30;
    int H = top + (l->n ? l->n : 1) * row + 12;
    fprintf(f,
            "<svg class=\"ladder\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"ladder diagram\">\n",
            W, H, W, H);
    fputs("<text x=\"4\" y=\"16\" class=\"head\">frame</text>"
          "<text x=\"64\" y=\"16\" class=\"head\">ms</text>\n",
          f);
    fprintf(f, "<text x=\"%d\" y=\"16\" text-anchor=\"middle\" class=\"head\">client ", cx);
    doc_html(f, client);
    fprintf(f, "</text>\n<text x=\"%d\" y=\"16\" text-anchor=\"middle\" class=\"head\">server ",
            sx - 40);
    doc_html(f, server);
    fputs("</text>\n", f);
    fprintf(f,
            "<line x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\" stroke=\"#90a4ae\" "
            "stroke-width=\"3\"/>\n<line x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\" "
            "stroke=\"#90a4ae\" stroke-width=\"3\"/>\n",
            cx, cx, H - 4, sx, sx, H - 4);
    for (uint16_t i = 0; i < l->n; i++) {
        const struct doc_rung *r = &l->r[i];
        int y = top + i * row + 12;
        const char *col = mark_colour(r->mark);
        bool right = r->dir == TW_DIR_C2S;
        int x1 = right ? cx : sx, x2 = right ? sx - 2 : cx + 2, tip = right ? -9 : 9;
        if (r->mark != DOC_MARK_NONE)
            fprintf(f,
                    "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                    "fill-opacity=\"0.08\"/>\n",
                    y - row + 8, W, row, col);
        fprintf(f,
                "<text x=\"4\" y=\"%d\" class=\"num\">%llu</text><text x=\"64\" y=\"%d\" "
                "class=\"num\">%+.3f</text>\n",
                y, (unsigned long long)r->frame, y, r->ms);
        fprintf(f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                "stroke-width=\"%d\"/><polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n",
                x1, y, x2, y, col, r->mark ? 3 : 2, x2, y, x2 + tip, y - 5, x2 + tip, y + 5, col);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"%s\">", (cx + sx) / 2,
                y - 6, r->mark ? "label hot" : "label");
        doc_html(f, r->what);
        if (r->mark == DOC_MARK_CERT && cert_note && *cert_note) {
            fputs(" \xe2\x80\x94 ", f); /* em dash */
            doc_html(f, cert_note);
        }
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

static void date_of(int64_t s, char *buf, size_t n)
{
    char full[TW_JSON_TIME_LEN];
    tw_json_time(s * 1000000, full, sizeof full);
    snprintf(buf, n, "%.10s", full);
}

void doc_svg_validity(FILE *f, const struct doc_cert *c, int64_t from_us, int64_t to_us)
{
    const int W = 520, H = 38, x0 = 6, w = 508;
    int64_t cap_from = from_us / 1000000, cap_to = to_us / 1000000;
    if (cap_to < cap_from)
        cap_to = cap_from;
    int64_t lo = c->not_before < cap_from ? c->not_before : cap_from;
    int64_t hi = c->not_after > cap_to ? c->not_after : cap_to;
    double span = hi > lo ? (double)(hi - lo) : 1.0;
    double vx = x0 + (double)(c->not_before - lo) * w / span;
    double vw = (double)(c->not_after - c->not_before) * w / span;
    double px = x0 + (double)(cap_from - lo) * w / span;
    double pw = (double)(cap_to - cap_from) * w / span;
    bool covers = c->not_before <= cap_from && c->not_after >= cap_to;
    char nb[16], na[16];
    date_of(c->not_before, nb, sizeof nb);
    date_of(c->not_after, na, sizeof na);
    fprintf(f,
            "<svg class=\"validity\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"validity %s to %s against the capture\">\n",
            W, H, W, H, nb, na);
    fprintf(f, "<rect x=\"%d\" y=\"8\" width=\"%d\" height=\"10\" fill=\"#eceff1\"/>\n", x0, w);
    fprintf(f, "<rect x=\"%.1f\" y=\"8\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>\n", vx,
            vw > 1 ? vw : 1.0, covers ? OK_COLOUR : "#c62828");
    fprintf(f, "<rect x=\"%.1f\" y=\"3\" width=\"%.1f\" height=\"20\" fill=\"#212121\"/>\n", px - 1,
            pw > 3 ? pw : 3.0);
    fprintf(f, "<text x=\"%.1f\" y=\"34\" text-anchor=\"start\" class=\"axis\">%s</text>\n", vx,
            nb);
    fprintf(f, "<text x=\"%.1f\" y=\"34\" text-anchor=\"end\" class=\"axis\">%s</text>\n", vx + vw,
            na);
    fprintf(f, "<title>valid %s to %s; capture %s</title>\n", nb, na,
            covers ? "inside" : "outside");
    fputs("</svg>\n", f);
}
