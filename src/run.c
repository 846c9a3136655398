/* run.c: the only file that knows every layer. Inputs -> decode -> flow table (whose consumer,
 * run_conn.c, drives the TLS layer, the certificate analysis, the diagnosis and the reporters).
 */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run_conn.h"
#include "tlswhy/capture.h"
#include "tlswhy/flow.h"
#include "tlswhy/log.h"
#include "tlswhy/packet.h"
#include "tlswhy/reporters.h"

/* The capture a signal should stop. A signal handler can reach nothing else, so this is the
 * one mutable global: set while a capture is open, used only to call tw_cap_break. */
static struct tw_cap *volatile signalled_cap;
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    if (signalled_cap)
        tw_cap_break(signalled_cap);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

struct run_state {
    const struct tw_opts *o;
    struct tw_flow_table *flows;
    struct tw_dec_stats dec;
    struct tw_run_info info;
    uint64_t packets; /* frames read, for -c */
    int input_error;  /* the first one */
    uint64_t input_errors;
};

static void note_time(struct run_state *s, int64_t ts)
{
    if (s->info.first_ts_us == 0 || ts < s->info.first_ts_us)
        s->info.first_ts_us = ts;
    if (ts > s->info.last_ts_us)
        s->info.last_ts_us = ts;
}

/* One frame through decode and the flow table. A frame that is not TCP is counted and
 * skipped; a malformed one is counted and said once per frame at -vv. */
static int feed(struct run_state *s, const struct tw_frame *f, const char *src)
{
    struct tw_pkt p;
    struct tw_rd_err why = {0};
    note_time(s, f->ts_us);
    int rc = tw_dec_frame(f, &p, &s->dec, &why);
    if (rc == TW_E_MALFORMED)
        tw_log(TW_LOG_DEBUG, "%s: frame %llu: %s", src, (unsigned long long)f->no,
               why.why ? why.why : "malformed");
    if (rc != TW_OK)
        return TW_OK;
    return tw_flow_packet(s->flows, &p);
}

static bool reached_count(const struct run_state *s)
{
    return s->o->count && s->packets >= s->o->count;
}

/* Reads one opened source to its end (or -c, or a signal). */
static int drain(struct run_state *s, struct tw_cap *cap, const char *src, bool live)
{
    struct tw_frame f;
    int rc = 0;
    signalled_cap = cap;
    while (!stop_requested && !reached_count(s)) {
        rc = tw_cap_next(cap, &f);
        if (rc > 0) {
            s->packets++;
            if (feed(s, &f, src) == TW_E_NOMEM) {
                tw_log(TW_LOG_ERROR, "%s: frame %llu: out of memory", src,
                       (unsigned long long)f.no);
                rc = TW_E_NOMEM;
                break;
            }
            if (live)
                fflush(stdout);
            continue;
        }
        if (rc < 0) {
            tw_log(TW_LOG_ERROR, "%s", tw_cap_error(cap));
            break;
        }
        if (tw_cap_done(cap))
            break;
        if (live) { /* read timeout: let capture time pass so silent connections end */
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            tw_flow_expire(s->flows, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
            fflush(stdout);
        }
    }
    signalled_cap = NULL;
    return rc < 0 ? rc : TW_OK;
}

static void keep_error(struct run_state *s, int rc)
{
    if (rc != TW_OK)
        s->input_errors++;
    if (rc != TW_OK && s->input_error == TW_OK)
        s->input_error = rc;
}

static void read_files(struct run_state *s)
{
    uint64_t next_no = 1;
    for (size_t i = 0; i < s->o->file_count && !stop_requested && !reached_count(s); i++) {
        const char *path = s->o->files[i];
        struct tw_cap *cap = NULL;
        char err[512];
        int rc = tw_cap_open_file(path, s->o->filter, &cap, err, sizeof err);
        if (rc != TW_OK) {
            tw_log(TW_LOG_ERROR, "%s", err);
            keep_error(s, rc);
            continue;
        }
        if (!tw_dec_linktype_supported(tw_cap_linktype(cap)))
            tw_log(TW_LOG_WARN, "%s: link type %s is not decoded; its frames are skipped", path,
                   tw_cap_linktype_name(tw_cap_linktype(cap)));
        tw_cap_set_next_no(cap, next_no);
        keep_error(s, drain(s, cap, path, false));
        next_no = tw_cap_next_no(cap);
        tw_cap_close(cap);
    }
}

static void read_live(struct run_state *s)
{
    const struct tw_opts *o = s->o;
    struct tw_cap_live_opts lo = {
        .iface = o->iface,
        .filter = o->filter,
        .snaplen = o->snaplen,
        .buffer_size = o->buffer_kib * 1024,
        .immediate = o->immediate,
        .promisc = o->promisc,
    };
    struct tw_cap *cap = NULL;
    char err[512];
    int rc = tw_cap_open_live(&lo, &cap, err, sizeof err);
    if (rc != TW_OK) {
        tw_log(TW_LOG_ERROR, "%s", err);
        keep_error(s, rc);
        return;
    }
    keep_error(s, drain(s, cap, o->iface, true));
    struct tw_cap_stats st;
    if (tw_cap_stats(cap, &st) == TW_OK) {
        s->info.kernel_drops = st.dropped_kernel;
        s->info.if_drops = st.dropped_iface;
    }
    tw_cap_close(cap);
}

/* Text, JSON and the summary, as the options ask. */
static int make_reporters(const struct tw_opts *o, struct tw_run_conns *rc)
{
    struct tw_reporter *r;
    if (o->json) {
        r = tw_rep_json_new(stdout);
    } else {
        struct tw_rep_text_opts t = {
            .verbosity = o->verbosity,
            .colour = o->color == TW_COLOR_ALWAYS ||
                     (o->color == TW_COLOR_AUTO && isatty(STDOUT_FILENO)),
        };
        r = tw_rep_text_new(stdout, &t);
    }
    if (!r)
        return TW_E_NOMEM;
    rc->reps[rc->rep_count++] = r;
    if (o->summary) {
        /* JSON Lines stay machine-readable on stdout; the table then goes to stderr. */
        r = tw_rep_summary_new(o->json ? stderr : stdout);
        if (!r)
            return TW_E_NOMEM;
        rc->reps[rc->rep_count++] = r;
    }
    return TW_OK;
}

static void fill_info(struct run_state *s)
{
    const struct tw_flow_stats *fs = tw_flow_stats(s->flows);
    s->info.inputs = s->o->iface ? &s->o->iface : s->o->files;
    s->info.input_count = s->o->iface ? 1 : s->o->file_count;
    s->info.command_line = s->o->command_line;
    s->info.frames = s->dec.frames;
    s->info.tcp_packets = s->dec.tcp;
    s->info.bad_tcp_csum = s->dec.bad_tcp_csum;
    s->info.bad_ip_csum = s->dec.bad_ip_csum;
    s->info.ip_fragments = s->dec.ip_fragments;
    s->info.truncated = s->dec.truncated;
    s->info.malformed = s->dec.malformed;
    s->info.conns = fs->conns_total;
    s->info.input_errors = s->input_errors;
    s->info.evicted = fs->evicted;
    s->info.ooo_dropped_segs = fs->ooo_dropped_segs;
    s->info.ooo_given_up = fs->ooo_evicted;
}

int tw_run(const struct tw_opts *o, struct tw_run_result *res)
{
    struct tw_run_conns rc = {.lim = &o->lim};
    struct run_state s = {.o = o};
    int err = TW_OK;
    struct tw_cert_opts co = {
        .ca_file = o->ca_file,
        .ca_path = o->ca_path,
        .expires_soon_days = o->expires_soon_days,
        .cache_entries = o->lim.cert_cache_entries,
    };
    rc.certs = tw_cert_ctx_new(&co, &err);
    if (!rc.certs) {
        tw_log(TW_LOG_ERROR, "cannot load the trust store (%s%s%s)", o->ca_file ? o->ca_file : "",
               o->ca_path ? " " : "", o->ca_path ? o->ca_path : "");
        return err ? err : TW_E_IO;
    }
    rc.corr.host = o->host;
    rc.corr.tls_ports = o->tls_ports;
    rc.corr.tls_port_count = o->tls_port_count;
    err = make_reporters(o, &rc);
    s.flows = err == TW_OK ? tw_flow_new(&o->lim, &tw_run_conn_ops, &rc) : NULL;
    if (!s.flows) {
        err = TW_E_NOMEM;
        goto out;
    }
    catch_signals();
    for (size_t i = 0; i < rc.rep_count; i++)
        if (rc.reps[i]->begin)
            rc.reps[i]->begin(rc.reps[i]->self, &s.info);
    if (o->iface)
        read_live(&s);
    else
        read_files(&s);
    tw_flow_finish(s.flows); /* decides every connection still open */
    fill_info(&s);
    for (size_t i = 0; i < rc.rep_count; i++)
        if (rc.reps[i]->end)
            rc.reps[i]->end(rc.reps[i]->self, &s.info);
    fflush(stdout);
    res->conns_reported = rc.reported;
    res->failed = rc.failed;
    res->input_error = s.input_error != TW_OK ? s.input_error : rc.error;
out:
    tw_flow_free(s.flows);
    for (size_t i = 0; i < rc.rep_count; i++)
        tw_rep_free(rc.reps[i]);
    tw_cert_ctx_free(rc.certs);
    return err;
}
