/* capture.c: libpcap file and live capture; numbers every frame from 1 like Wireshark, even the
 * ones a filter rejects or decode cannot read. The only file that includes pcap.h. */
#include "tlswhy/capture.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tw_cap {
    pcap_t *p;
    struct bpf_program prog; /* file filter, run per frame so rejected frames keep a number */
    bool has_prog;
    bool is_live;
    bool nano; /* libpcap hands out nanoseconds in ts.tv_usec */
    bool done;
    volatile sig_atomic_t broken; /* set by tw_cap_break, possibly from a signal handler */
    int linktype;
    int fd; /* live: selectable descriptor, polled for up to timeout_ms */
    int timeout_ms;
    uint64_t next_no;
    char *rbuf; /* file: stdio buffer of the FILE libpcap reads (see open_offline) */
    char name[256]; /* file path or interface, for messages */
    char err[512];
};

static void set_err(char *err, size_t errlen, const char *name, const char *what)
{
    if (err && errlen > 0)
        snprintf(err, errlen, "%s: %s", name, what);
}

static struct tw_cap *cap_new(const char *name)
{
    struct tw_cap *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->next_no = 1;
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

/* Turns libpcap's open errors into one line that says what is wrong with the file. */
static void open_file_error(const char *path, const char *pcap_msg, char *err, size_t errlen)
{
    struct stat sb;
    char what[PCAP_ERRBUF_SIZE + 64];

    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0)
        snprintf(what, sizeof what, "empty file, not a pcap or pcapng capture");
    else if (strstr(pcap_msg, "unknown file format") || strstr(pcap_msg, "truncated dump file"))
        snprintf(what, sizeof what, "not a pcap or pcapng capture (%s)", pcap_msg);
    else
        snprintf(what, sizeof what, "%s", pcap_msg);
    set_err(err, errlen, path, what);
}

/* stdio's default buffer is the file system's block size (4 KiB): one read system call per
 * ~3 full-size frames, a sixth of tlswhy's time on a large capture. 1 MiB makes the calls rare;
 * libpcap still reads through the FILE, so every format it knows keeps working. */
#define TW_CAP_FILE_BUFFER (1u << 20)

/* Opens a file capture through our own FILE with a large buffer; stdin ("-") and any file stdio
 * cannot open go to libpcap as before, so error messages stay libpcap's. */
static pcap_t *open_offline(struct tw_cap *c, const char *path, char *ebuf)
{
    FILE *f = strcmp(path, "-") != 0 ? fopen(path, "rb") : NULL;
    if (!f)
        return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if ((c->rbuf = malloc(TW_CAP_FILE_BUFFER)) != NULL)
        (void)setvbuf(f, c->rbuf, _IOFBF, TW_CAP_FILE_BUFFER);
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p)
        fclose(f); /* libpcap closes the FILE only when it opened it */
    return p;
}

int tw_cap_open_file(const char *path, const char *filter, struct tw_cap **out, char *err,
                     size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    char msg[PCAP_ERRBUF_SIZE + 64];
    struct tw_cap *c;
    int rc = TW_OK;

    if (!path || !*path) {
        set_err(err, errlen, "capture file", "no file name given");
        return TW_E_USAGE;
    }
    if (!(c = cap_new(path))) {
        set_err(err, errlen, path, "out of memory");
        return TW_E_NOMEM;
    }
    c->p = open_offline(c, path, ebuf);
    if (!c->p) {
        open_file_error(path, ebuf, err, errlen);
        rc = TW_E_IO;
        goto out;
    }
    c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
    c->linktype = pcap_datalink(c->p);
    if (filter && *filter) {
        /* Compiled against the file's link type; netmask unknown, as tcpdump -r does. */
        if (pcap_compile(c->p, &c->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(msg, sizeof msg, "bad filter: %s", pcap_geterr(c->p));
            set_err(err, errlen, path, msg);
            rc = TW_E_USAGE;
            goto out;
        }
        c->has_prog = true;
    }
out:
    if (rc != TW_OK) {
        tw_cap_close(c);
        return rc;
    }
    *out = c;
    return TW_OK;
}

/* Applies the options before pcap_activate; returns the first failing call's status. */
static int apply_live_opts(pcap_t *p, const struct tw_cap_live_opts *o)
{
    int st;
    if ((st = pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : 262144)) != 0)
        return st;
    if ((st = pcap_set_promisc(p, o->promisc ? 1 : 0)) != 0)
        return st;
    if ((st = pcap_set_timeout(p, o->timeout_ms > 0 ? o->timeout_ms : 200)) != 0)
        return st;
    if ((st = pcap_set_immediate_mode(p, o->immediate ? 1 : 0)) != 0)
        return st;
    if (o->buffer_size > 0 && (st = pcap_set_buffer_size(p, o->buffer_size)) != 0)
        return st;
    /* Nanoseconds when the platform offers them; microseconds otherwise (checked below). */
    (void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    return 0;
}

/* Compiles the filter with the interface's netmask and sets it in the kernel. */
static int set_live_filter(struct tw_cap *c, const char *iface, const char *filter, char *msg,
                           size_t msglen)
{
    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    char ebuf[PCAP_ERRBUF_SIZE];
    struct bpf_program prog;

    if (pcap_lookupnet(iface, &net, &mask, ebuf) != 0)
        mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_compile(c->p, &prog, filter, 1, mask) != 0) {
        snprintf(msg, msglen, "bad filter: %s", pcap_geterr(c->p));
        return TW_E_USAGE;
    }
    int st = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (st != 0) {
        snprintf(msg, msglen, "cannot set filter: %s", pcap_geterr(c->p));
        return TW_E_IO;
    }
    return TW_OK;
}

int tw_cap_open_live(const struct tw_cap_live_opts *o, struct tw_cap **out, char *err,
                     size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    char msg[PCAP_ERRBUF_SIZE + 128];
    const char *iface = o && o->iface ? o->iface : "";
    struct tw_cap *c = NULL;
    int rc = TW_OK, st;

    if (!*iface) {
        set_err(err, errlen, "live capture", "no interface given");
        return TW_E_USAGE;
    }
    if (!(c = cap_new(iface))) {
        set_err(err, errlen, iface, "out of memory");
        return TW_E_NOMEM;
    }
    c->is_live = true;
    if (!(c->p = pcap_create(iface, ebuf))) {
        set_err(err, errlen, iface, ebuf);
        rc = TW_E_IO;
        goto out;
    }
    if ((st = apply_live_opts(c->p, o)) != 0) {
        snprintf(msg, sizeof msg, "bad capture option: %s", pcap_statustostr(st));
        set_err(err, errlen, iface, msg);
        rc = TW_E_USAGE;
        goto out;
    }
    if ((st = pcap_activate(c->p)) < 0) {
        /* Errors that come with detail (PCAP_ERROR, PERM_DENIED, ...) carry it in geterr. */
        snprintf(msg, sizeof msg, "%s (%s)", pcap_statustostr(st), pcap_geterr(c->p));
        set_err(err, errlen, iface, msg);
        rc = TW_E_IO;
        goto out;
    }
    c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
    c->linktype = pcap_datalink(c->p);
    /* libpcap on Linux (TPACKET_V3) loops on its own read timeout instead of returning, so an
     * idle interface would never let capture time pass: read without blocking and poll here. */
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 200;
    c->fd = pcap_get_selectable_fd(c->p);
    if (c->fd >= 0 && pcap_setnonblock(c->p, 1, ebuf) != 0)
        c->fd = -1;
    if (o->filter && *o->filter &&
        (rc = set_live_filter(c, iface, o->filter, msg, sizeof msg)) != TW_OK)
        set_err(err, errlen, iface, msg);
out:
    if (rc != TW_OK) {
        tw_cap_close(c);
        return rc;
    }
    *out = c;
    return TW_OK;
}

/* Records a read error at the frame that could not be read. */
static int read_error(struct tw_cap *c, const char *pcap_msg)
{
    const char *what = strstr(pcap_msg, "truncated") ? "truncated record" : pcap_msg;
    snprintf(c->err, sizeof c->err, "%s: frame %llu: %s", c->name, (unsigned long long)c->next_no,
             what);
    c->done = true;
    return TW_E_IO;
}

/* A pcapng timestamp has 64 bits of units, so a file can hold any time: clamped to +-2^61 us
 * (~73,000 years), every later sum or difference of two capture times fits in an int64_t. */
#define TW_CAP_MAX_SEC ((INT64_C(1) << 61) / 1000000)
static int64_t ts_us_of(const struct pcap_pkthdr *h, bool nano)
{
    int64_t sec = (int64_t)h->ts.tv_sec;
    int64_t frac = nano ? (int64_t)h->ts.tv_usec / 1000 : (int64_t)h->ts.tv_usec;
    if (sec > TW_CAP_MAX_SEC)
        return TW_CAP_MAX_SEC * 1000000;
    if (sec < -TW_CAP_MAX_SEC)
        return -TW_CAP_MAX_SEC * 1000000;
    return sec * 1000000 + frac;
}

int tw_cap_next(struct tw_cap *c, struct tw_frame *f)
{
    struct pcap_pkthdr *h;
    const u_char *data;

    for (;;) {
        if (c->done)
            return 0;
        if (c->broken) {
            c->done = true;
            return 0;
        }
        int st = pcap_next_ex(c->p, &h, &data);
        if (st == 0 && c->is_live && c->fd >= 0 && !c->broken) {
            struct pollfd pf = {.fd = c->fd, .events = POLLIN};
            if (poll(&pf, 1, c->timeout_ms) > 0) /* a signal ends the wait too */
                st = pcap_next_ex(c->p, &h, &data);
        }
        if (st == 0) /* live timeout */
            return 0;
        if (st == PCAP_ERROR_BREAK) {
            /* End of a file, or tw_cap_break on a live capture. */
            c->done = true;
            return 0;
        }
        if (st < 0)
            return read_error(c, pcap_geterr(c->p));
        uint64_t no = c->next_no++;
        if (c->has_prog && pcap_offline_filter(&c->prog, h, data) == 0)
            continue; /* rejected, but it keeps its number */
        f->no = no;
        f->ts_us = ts_us_of(h, c->nano);
        f->caplen = h->caplen;
        f->wirelen = h->len;
        f->linktype = c->linktype;
        f->bytes = data;
        return 1;
    }
}

bool tw_cap_done(const struct tw_cap *c)
{
    return c->done;
}

const char *tw_cap_error(const struct tw_cap *c)
{
    return c->err;
}

uint64_t tw_cap_next_no(const struct tw_cap *c)
{
    return c->next_no;
}

void tw_cap_set_next_no(struct tw_cap *c, uint64_t no)
{
    c->next_no = no > 0 ? no : 1;
}

int tw_cap_linktype(const struct tw_cap *c)
{
    return c->linktype;
}

const char *tw_cap_linktype_name(int dlt)
{
    const char *n = pcap_datalink_val_to_name(dlt);
    return n ? n : "unknown";
}

int tw_cap_stats(struct tw_cap *c, struct tw_cap_stats *s)
{
    struct pcap_stat ps;

    memset(s, 0, sizeof *s);
    if (!c->is_live)
        return TW_OK;
    if (pcap_stats(c->p, &ps) != 0) {
        snprintf(c->err, sizeof c->err, "%s: %s", c->name, pcap_geterr(c->p));
        return TW_E_IO;
    }
    s->received = ps.ps_recv;
    s->dropped_kernel = ps.ps_drop;
    s->dropped_iface = ps.ps_ifdrop;
    return TW_OK;
}

void tw_cap_break(struct tw_cap *c)
{
    c->broken = 1;
    pcap_breakloop(c->p);
}

int tw_cap_fd(const struct tw_cap *c)
{
    if (!c->is_live)
        return -1;
    return pcap_get_selectable_fd(c->p);
}

void tw_cap_close(struct tw_cap *c)
{
    if (!c)
        return;
    if (c->has_prog)
        pcap_freecode(&c->prog);
    if (c->p)
        pcap_close(c->p); /* closes a file capture's FILE before its buffer goes */
    free(c->rbuf);
    free(c);
}

void tw_cap_list_free(struct tw_cap_iface *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].name);
        free(list[i].description);
    }
    free(list);
}

int tw_cap_list(struct tw_cap_iface **list, size_t *n, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all = NULL;
    struct tw_cap_iface *v = NULL;
    size_t count = 0, i = 0;
    int rc = TW_OK;

    if (pcap_findalldevs(&all, ebuf) != 0) {
        set_err(err, errlen, "interfaces", ebuf);
        return TW_E_IO;
    }
    for (pcap_if_t *d = all; d; d = d->next)
        count++;
    if (count > 0 && !(v = calloc(count, sizeof *v))) {
        rc = TW_E_NOMEM;
        goto out;
    }
    for (pcap_if_t *d = all; d; d = d->next, i++) {
        v[i].name = strdup(d->name);
        v[i].description = d->description ? strdup(d->description) : NULL;
        v[i].is_loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
        v[i].is_up = (d->flags & PCAP_IF_UP) != 0;
        if (!v[i].name || (d->description && !v[i].description)) {
            rc = TW_E_NOMEM;
            goto out;
        }
    }
out:
    pcap_freealldevs(all);
    if (rc != TW_OK) {
        set_err(err, errlen, "interfaces", "out of memory");
        tw_cap_list_free(v, count);
        return rc;
    }
    *list = v;
    *n = count;
    return TW_OK;
}
