/* run.h: the options of one run and the function that wires every layer together. */
#ifndef TLSWHY_RUN_H
#define TLSWHY_RUN_H

#include "tlswhy/base.h"

#define TW_MAX_TLS_PORTS 16

enum tw_color { TW_COLOR_AUTO = 0, TW_COLOR_ALWAYS, TW_COLOR_NEVER };

struct tw_opts {
    const char *const *files; /* -r, in order; "-" is stdin */
    size_t file_count;
    const char *iface;        /* -i */
    const char *filter;       /* BPF expression from the trailing arguments, or NULL */
    uint64_t count;           /* -c: stop after this many packets (0: no limit) */
    int snaplen;              /* -s */
    int buffer_kib;           /* -B */
    bool immediate;           /* --immediate (default off: batches of at most 100 ms) */
    bool promisc;             /* off with -p */
    bool json;                /* --json */
    int verbosity;            /* -1 (-q), 0, 1 (-v), 2 (-vv) */
    enum tw_color color;
    bool fail_exit;           /* --fail-exit: exit 1 when a failure was found */
    bool summary;             /* off with --no-summary */
    const char *host;         /* --host */
    const char *ca_file, *ca_path;
    int expires_soon_days;
    uint16_t tls_ports[TW_MAX_TLS_PORTS];
    size_t tls_port_count;
    struct tw_limits lim;
    const char *command_line; /* for reports */
    const char *edge;         /* --edge NAME|FILE, or NULL */
    bool ja4_raw;             /* --ja4-raw: also the raw and original-order JA4 forms */
    const char *keylog;       /* --keylog FILE, or NULL */
    bool probe;               /* --probe: confirm client_rejected verdicts from this machine */
    int probe_timeout_ms;     /* --probe-timeout (0: the default) */
    const char *report;       /* --report FILE (.html or .md), or NULL */
    bool anonymize;           /* --anonymize: client addresses hidden in the report */
    /* Live mode (issue 9). */
    bool list_interfaces;     /* --list-interfaces / -D: list and return */
    const char *write_file;   /* -w: packets of decided connections, as pcap */
    bool write_all;           /* -W all (default failed) */
    const char *user;         /* -Z: drop to this user after opening the device (when root);
                                 NULL: TW_DEFAULT_USER */
    int threads;              /* -j: 1 (0 too) or 2 (files: a reader thread reads and decodes) */
};

struct tw_run_result {
    uint64_t conns_reported;
    uint64_t failed;
    int input_error; /* TW_OK, or the first TW_E_IO/TW_E_USAGE/TW_E_NOMEM that stopped an input */
};

/* Runs the whole pipeline on the inputs in o. Everything analysed before an input error is
 * still reported. Returns TW_OK, or a negative tw_err when nothing could run (bad trust store,
 * out of memory); input errors are in res->input_error. */
int tw_run(const struct tw_opts *o, struct tw_run_result *res);

/* `tlswhy probe ...` (argv[0] is "probe"): returns the exit status (run_probe.c). */
int tw_run_probe_main(int argc, char **argv);

#endif
