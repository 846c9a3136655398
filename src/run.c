/* run.c: the only file that knows every layer. Inputs -> decode -> flow table (whose consumer,
 * run_conn.c, drives the TLS layer, the certificate analysis, the diagnosis and the reporters).
 */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run_conn.h"
#include "run_keys.h"
#include "run_keep.h"
#include "run_live.h"
#include "run_reader.h"
#include "tlswhy/capture.h"
#include "tlswhy/capture_write.h"
#include "tlswhy/flow.h"
#include "tlswhy/log.h"
#include "tlswhy/packet.h"
#include "tlswhy/profile.h"
#include "tlswhy/probe.h"
#include "tlswhy/reporters.h"

/* The capture a signal should stop. A signal handler can reach nothing else, so this is the
 * one mutable global: set while a capture is open, used only to call tw_cap_break. */
static struct tw_cap *volatile signalled_cap;
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t progress_requested; /* SIGUSR1: running summary, like dd */

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        progress_requested = 1;
        return;
    }
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
    sigaction(SIGUSR1, &sa, NULL);
}

struct run_state {
    const struct tw_opts *o;
    struct tw_flow_table *flows;
    struct tw_dec_stats dec;
    struct tw_run_info info;
    uint64_t packets; /* frames read, for -c */
    int input_error;  /* the first one */
    uint64_t input_errors;
    struct tw_reporter *summary;  /* also for SIGUSR1, even with --no-summary */
    struct tw_cap_writer *writer; /* -w */
    struct tw_keep *keep;
    int writer_linktype;
    struct tw_cap *live; /* the open live capture, for its statistics */
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
static int feed_decoded(struct run_state *s, const struct tw_frame *f, const struct tw_pkt *p,
                        int rc, const struct tw_rd_err *why, const char *src)
{
    note_time(s, f->ts_us);
    if (rc == TW_E_MALFORMED)
        tw_log(TW_LOG_DEBUG, "%s: frame %llu: %s", src, (unsigned long long)f->no,
               why->why ? why->why : "malformed");
    if (rc != TW_OK)
        return TW_OK;
    if (!s->keep)
        return tw_flow_packet(s->flows, p);
    /* -w: a frame of another link type than the file's cannot be written (tw_keep_settle is
     * skipped, so it is not held). */
    bool keepable = f->linktype == s->writer_linktype;
    if (keepable)
        tw_keep_begin(s->keep, p);
    rc = tw_flow_packet(s->flows, p);
    if (keepable)
        tw_keep_settle(s->keep);
    tw_keep_expire(s->keep, f->ts_us);
    return rc;
}

static int feed(struct run_state *s, const struct tw_frame *f, const char *src)
{
    struct tw_pkt p;
    struct tw_rd_err why = {0};
    int rc = tw_dec_frame(f, &p, &s->dec, &why);
    return feed_decoded(s, f, &p, rc, &why, src);
}

/* -w: the verdicts reach the frame store as a reporter does (every verdict, reported or not,
 * so the frames of connections nobody wants are freed at once). */
static int keep_emit(void *self, const struct tw_verdict *v)
{
    struct run_state *s = self;
    if (s->keep)
        tw_keep_verdict(s->keep, v);
    return TW_OK;
}

static void keep_unowned(void *self)
{
    (void)self; /* the run state is not the reporter's */
}

static void fill_info(struct run_state *s);

/* Capture counters (pcap_stats) and what -w did, on stderr as tcpdump prints them. */
static void print_counters(struct run_state *s)
{
    struct tw_cap_stats st;
    if (s->live && tw_cap_stats(s->live, &st) == TW_OK) {
        s->info.kernel_drops = st.dropped_kernel;
        s->info.if_drops = st.dropped_iface;
        fprintf(stderr,
                "tlswhy: %s: %llu packets captured, %llu received by filter, %llu dropped by "
                "kernel, %llu dropped by interface\n",
                s->o->iface, (unsigned long long)s->packets, (unsigned long long)st.received,
                (unsigned long long)st.dropped_kernel, (unsigned long long)st.dropped_iface);
    }
    if (s->keep) {
        const struct tw_keep_stats *k = tw_keep_stats(s->keep);
        fprintf(stderr,
                "tlswhy: -w %s: %llu packets of %llu %sconnections written, %llu packets not "
                "kept (buffer limits)\n",
                s->o->write_file, (unsigned long long)k->frames_written,
                (unsigned long long)k->conns_written, s->o->write_all ? "" : "failed ",
                (unsigned long long)k->frames_not_kept);
    }
}

/* SIGUSR1: the summary so far and the counters, on stderr, without stopping. */
static void print_progress(struct run_state *s)
{
    progress_requested = 0;
    fill_info(s);
    if (s->summary)
        tw_rep_summary_print(s->summary, stderr, &s->info);
    print_counters(s);
    fflush(stderr);
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
        if (progress_requested)
            print_progress(s);
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
            int64_t now_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
            tw_flow_expire(s->flows, now_us);
            if (s->keep)
                tw_keep_expire(s->keep, now_us);
            fflush(stdout);
        }
    }
    signalled_cap = NULL;
    return rc < 0 ? rc : TW_OK;
}

/* -j 2: drain with reading and decoding in a reader thread (run_reader.c). This thread runs
 * everything else on the frames in the same order, so the output is -j 1's. Signals stay here:
 * a stop is seen between frames, as drain sees it, and the reader is then stopped and joined. */
static int drain_threaded(struct run_state *s, struct tw_cap *cap, const char *src)
{
    struct tw_reader *r = NULL;
    uint64_t left = s->o->count ? s->o->count - s->packets : 0;
    int rc = tw_reader_start(cap, left, &r);
    if (rc != TW_OK) {
        tw_log(TW_LOG_ERROR, "%s: cannot start the reader thread", src);
        return rc;
    }
    const struct tw_reader_frame *x;
    while (!stop_requested && !reached_count(s)) {
        if (progress_requested)
            print_progress(s);
        if (!(x = tw_reader_next(r, &s->dec)))
            break;
        s->packets++;
        if (feed_decoded(s, &x->f, &x->p, x->dec_rc, &x->why, src) == TW_E_NOMEM) {
            tw_log(TW_LOG_ERROR, "%s: frame %llu: out of memory", src,
                   (unsigned long long)x->f.no);
            tw_reader_finish(r);
            return TW_E_NOMEM;
        }
    }
    rc = tw_reader_finish(r);
    if (rc == TW_E_NOMEM)
        tw_log(TW_LOG_ERROR, "%s: out of memory", src);
    else if (rc < 0)
        tw_log(TW_LOG_ERROR, "%s", tw_cap_error(cap));
    return rc < 0 ? rc : TW_OK;
}

static void keep_error(struct run_state *s, int rc)
{
    if (rc != TW_OK)
        s->input_errors++;
    if (rc != TW_OK && s->input_error == TW_OK)
        s->input_error = rc;
}

/* -w, opened once the first source gives its link type (and, live, after dropping root, so
 * the file belongs to the unprivileged user as tcpdump's does). */
static int open_writer(struct run_state *s, struct tw_cap *cap)
{
    char err[512];
    if (!s->o->write_file || s->writer)
        return TW_OK;
    s->writer_linktype = tw_cap_linktype(cap);
    int rc = tw_cap_writer_open(s->o->write_file, s->writer_linktype, s->o->snaplen, &s->writer,
                                err, sizeof err);
    if (rc != TW_OK) {
        tw_log(TW_LOG_ERROR, "%s", err);
        return rc;
    }
    /* Bounds: a handshake fits in a few tens of KiB; what goes beyond is counted. */
    struct tw_keep_limits kl = {
        .max_bytes_per_conn = 256 * 1024,
        .max_bytes_total = 64 * 1024 * 1024,
        .max_conns = s->o->lim.max_conns,
        .linger_us = 60 * 1000000LL,
        .idle_us = s->o->lim.idle_timeout_us + 60 * 1000000LL,
    };
    if (!(s->keep = tw_keep_new(&kl, s->writer, s->o->write_all)))
        return TW_E_NOMEM;
    return TW_OK;
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
        if (s->o->write_file && s->writer && tw_cap_linktype(cap) != s->writer_linktype)
            tw_log(TW_LOG_WARN,
                   "%s: link type %s differs from the -w file's: its packets are not written",
                   path, tw_cap_linktype_name(tw_cap_linktype(cap)));
        if ((rc = open_writer(s, cap)) != TW_OK) {
            keep_error(s, rc);
            tw_cap_close(cap);
            break;
        }
        keep_error(s, s->o->threads == 2 ? drain_threaded(s, cap, path)
                                         : drain(s, cap, path, false));
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
        .timeout_ms = 100, /* a batch (and so a verdict line) waits at most this long */
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
    /* The device is open: nothing else needs root. Drop it before the first packet. */
    rc = tw_drop_privileges(o->user ? o->user : TW_DEFAULT_USER, err, sizeof err);
    if (rc != TW_OK)
        tw_log(TW_LOG_ERROR, "%s", err);
    else
        rc = open_writer(s, cap);
    if (rc != TW_OK) {
        keep_error(s, rc);
        tw_cap_close(cap);
        return;
    }
    s->live = cap; /* closed by tw_run after the last statistics */
    keep_error(s, drain(s, cap, o->iface, true));
}

/* Text, JSON and the summary, as the options ask. */
static int make_reporters(struct run_state *s, struct tw_run_conns *rc)
{
    const struct tw_opts *o = s->o;
    struct tw_reporter *r;
    if (o->json) {
        struct tw_rep_json_opts jo = {.ja4_raw = o->ja4_raw};
        r = tw_rep_json_new_with(stdout, &jo);
    } else {
        struct tw_rep_text_opts t = {
            .verbosity = o->verbosity,
            .colour = o->color == TW_COLOR_ALWAYS ||
                     (o->color == TW_COLOR_AUTO && isatty(STDOUT_FILENO)),
            .ja4_raw = o->ja4_raw,
        };
        r = tw_rep_text_new(stdout, &t);
    }
    if (!r)
        return TW_E_NOMEM;
    rc->reps[rc->rep_count++] = r;
    if (o->summary || o->iface) { /* live: SIGUSR1 prints it even with --no-summary */
        /* JSON Lines stay machine-readable on stdout; the table then goes to stderr. */
        r = tw_rep_summary_new(o->json ? stderr : stdout);
        if (!r)
            return TW_E_NOMEM;
        rc->reps[rc->rep_count++] = r;
        s->summary = r;
    }
    if (o->write_file) {
        r = tw_rep_new(s, NULL, keep_emit, NULL, keep_unowned);
        if (!r)
            return TW_E_NOMEM;
        rc->reps[rc->rep_count++] = r;
    }
    if (o->report) {
        FILE *f = fopen(o->report, "w");
        if (!f) {
            tw_log(TW_LOG_ERROR, "--report %s: cannot write: %s", o->report, strerror(errno));
            return TW_E_IO;
        }
        struct tw_rep_doc_opts d = {
            .format = (enum tw_doc_format)tw_rep_doc_format_of(o->report),
            .anonymize = o->anonymize,
            .own_out = true,
        };
        r = tw_rep_doc_new(f, &d);
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
    struct tw_profile edge;
    struct tw_profile_err perr;
    if (o->edge) {
        err = tw_profile_load(o->edge, &edge, &perr);
        if (err != TW_OK) {
            if (perr.line)
                tw_log(TW_LOG_ERROR, "--edge %s: line %u: %s", o->edge, perr.line, perr.msg);
            else
                tw_log(TW_LOG_ERROR, "--edge %s: %s", o->edge, perr.msg);
            tw_cert_ctx_free(rc.certs);
            return TW_E_USAGE;
        }
        rc.corr.profile = &edge;
    }
    struct tw_keylog *keys = NULL;
    err = tw_run_keys_load(o, &keys);
    if (err != TW_OK) {
        tw_cert_ctx_free(rc.certs);
        return err;
    }
    rc.keys = keys;
    struct tw_probe_opts po = {.timeout_ms = o->probe_timeout_ms};
    if (o->probe && !(rc.probes = tw_probe_cache_new(rc.certs, &po))) {
        tw_keylog_free(keys);
        tw_cert_ctx_free(rc.certs);
        return TW_E_NOMEM;
    }
    rc.corr.host = o->host;
    rc.corr.tls_ports = o->tls_ports;
    rc.corr.tls_port_count = o->tls_port_count;
    err = make_reporters(&s, &rc);
    s.flows = err == TW_OK ? tw_flow_new(&o->lim, &tw_run_conn_ops, &rc) : NULL;
    if (!s.flows) {
        err = err != TW_OK ? err : TW_E_NOMEM;
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
    print_counters(&s);
    for (size_t i = 0; i < rc.rep_count; i++)
        if (rc.reps[i]->end && (rc.reps[i] != s.summary || o->summary)) {
            int e = rc.reps[i]->end(rc.reps[i]->self, &s.info);
            if (e != TW_OK && rc.error == TW_OK)
                rc.error = e; /* e.g. the --report file could not be written */
        }
    fflush(stdout);
    if (s.keep && tw_keep_stats(s.keep)->write_error != TW_OK) {
        tw_log(TW_LOG_ERROR, "%s", tw_cap_writer_error(s.writer));
        keep_error(&s, TW_E_IO);
    }
    if (s.writer && tw_cap_writer_close(s.writer) != TW_OK) {
        tw_log(TW_LOG_ERROR, "-w %s: cannot finish writing", o->write_file);
        keep_error(&s, TW_E_IO);
    }
    s.writer = NULL;
    res->conns_reported = rc.reported;
    res->failed = rc.failed;
    res->input_error = s.input_error != TW_OK ? s.input_error : rc.error;
out:
    tw_keep_free(s.keep);
    tw_cap_writer_close(s.writer);
    tw_cap_close(s.live);
    tw_flow_free(s.flows);
    for (size_t i = 0; i < rc.rep_count; i++)
        tw_rep_free(rc.reps[i]);
    tw_probe_cache_free(rc.probes);
    tw_cert_ctx_free(rc.certs);
    tw_keylog_free(keys);
    return err;
}
