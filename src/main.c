/* main.c: argv -> struct tw_opts, usage, exit codes. Nothing else. */
#include "run.h"
#include "run_live.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/log.h"
#include "tlswhy/reporters.h"

enum { EXIT_OK = 0, EXIT_FAILURES = 1, EXIT_ERROR = 2 };

enum long_only {
    OPT_JSON = 256,
    OPT_HOST,
    OPT_CA_FILE,
    OPT_CA_PATH,
    OPT_TLS_PORT,
    OPT_FAIL_EXIT,
    OPT_NO_SUMMARY,
    OPT_COLOR,
    OPT_IDLE_TIMEOUT,
    OPT_MAX_CONNS,
    OPT_EXPIRES_SOON,
    OPT_IMMEDIATE,
    OPT_VERSION,
    OPT_EDGE,
    OPT_JA4_RAW,
    OPT_KEYLOG,
    OPT_PROBE,
    OPT_PROBE_TIMEOUT,
    OPT_REPORT,
    OPT_ANONYMIZE,
    OPT_LIST_INTERFACES,
    OPT_THREADS,
};

static void usage(FILE *f)
{
    fputs("usage: tlswhy [-r FILE]... | -i IFACE  [options] [BPF expression]\n"
          "Explains why TLS handshakes failed, with the frames that prove it.\n\n"
          "input:\n"
          "  -r FILE            read a pcap or pcapng file (\"-\" = stdin); repeatable\n"
          "  -i IFACE           capture live from IFACE\n"
          "  -c N               stop after N packets\n"
          "  -s SNAPLEN         live: bytes captured per packet (default 262144)\n"
          "  -B KIB             live: kernel buffer size in KiB (default 8192)\n"
          "  -p                 live: do not put the interface in promiscuous mode\n"
          "  --immediate        live: wake per packet instead of in batches of at most\n"
          "                     100 ms (default: batches, which keep up with far more traffic)\n"
          "  -Z USER            live, as root: run as USER once the device is open\n"
          "                     (default " TW_DEFAULT_USER ")\n"
          "  -D, --list-interfaces  list the capture interfaces and exit\n"
          "  -j N, --threads N  1 (default) or 2: with -r, a second thread reads and decodes\n"
          "                     the files; same output. Live (-i), reading stays in one thread\n"
          "  expression         a BPF filter, as tcpdump takes it (e.g. port 443)\n"
          "output:\n"
          "  --json             JSON Lines, one object per connection\n"
          "  -v, -vv            add the ladder, fingerprints and certificate chain\n"
          "  -q                 print failures only\n"
          "  --no-summary       no summary table at the end\n"
          "  --color=WHEN       auto (default), always, never\n"
          "  --fail-exit        exit 1 when a failed handshake was found\n"
          "  --ja4-raw          also the raw and original-order JA4 (ja4_r, ja4_o, ja4_ro)\n"
          "  --report FILE      also write a report for a support ticket: FILE.html (one\n"
          "                     self-contained page) or FILE.md (Markdown); other names are\n"
          "                     refused\n"
          "  --anonymize        in the report, replace client addresses by client-N\n"
          "  -w FILE            write the packets of failed connections to a pcap file\n"
          "  -W failed|all      which connections -w writes (default failed)\n"
          "analysis:\n"
          "  --host NAME        the name the client expects, when it differs from the SNI\n"
          "  --edge NAME|FILE   judge by an edge's rules: cloudfront, strict, openssl, or a\n"
          "                     profile file (docs/profiles.md)\n"
          "  --ca-file FILE     trust these CAs instead of the system store\n"
          "  --ca-path DIR      trust this hashed CA directory instead of the system store\n"
          "  --tls-port N       also treat port N as TLS (443 and 8443 always are)\n"
          "  --expires-soon D   warn when a certificate expires within D days (default 30)\n"
          "  --idle-timeout S   capture seconds before an idle connection ends (default 120)\n"
          "  --max-conns N      connections tracked at once (default 262144)\n"
          "  --keylog FILE      decrypt TLS 1.3 handshakes and TLS 1.2 alerts with this NSS key\n"
          "                     log (SSLKEYLOGFILE); pcapng secrets blocks are used anyway\n"
          "  --probe            connect once to each server whose client gave up without saying\n"
          "                     why (client_rejected), offering the same hello, and judge the\n"
          "                     chain it presents now (see also: tlswhy probe --help)\n"
          "  --probe-timeout MS connect and handshake timeouts of --probe (default 5000)\n"
          "exit status: 0 done (failures found or not), 1 failures found with --fail-exit,\n"
          "             2 usage or input error (what could be read is still reported)\n",
          f);
}

/* Parses a decimal in [lo, hi]; false on anything else. */
static bool parse_num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Joins argv[from..argc) with spaces, as tcpdump does for its filter. Caller frees. */
static char *join_args(int argc, char **argv, int from)
{
    size_t n = 1;
    for (int i = from; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    for (int i = from; i < argc; i++) {
        size_t len = strlen(argv[i]);
        if (i > from)
            *p++ = ' ';
        memcpy(p, argv[i], len);
        p += len;
    }
    *p = '\0';
    return s;
}

static int bad(const char *opt, const char *val)
{
    fprintf(stderr, "tlswhy: invalid value for %s: '%s'\n", opt, val);
    return EXIT_ERROR;
}

static int parse(int argc, char **argv, struct tw_opts *o, const char **files)
{
    static const struct option longs[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"host", required_argument, NULL, OPT_HOST},
        {"ca-file", required_argument, NULL, OPT_CA_FILE},
        {"ca-path", required_argument, NULL, OPT_CA_PATH},
        {"tls-port", required_argument, NULL, OPT_TLS_PORT},
        {"fail-exit", no_argument, NULL, OPT_FAIL_EXIT},
        {"no-summary", no_argument, NULL, OPT_NO_SUMMARY},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
        {"expires-soon", required_argument, NULL, OPT_EXPIRES_SOON},
        {"immediate", optional_argument, NULL, OPT_IMMEDIATE},
        {"version", no_argument, NULL, OPT_VERSION},
        {"edge", required_argument, NULL, OPT_EDGE},
        {"ja4-raw", no_argument, NULL, OPT_JA4_RAW},
        {"keylog", required_argument, NULL, OPT_KEYLOG},
        {"probe", no_argument, NULL, OPT_PROBE},
        {"probe-timeout", required_argument, NULL, OPT_PROBE_TIMEOUT},
        {"report", required_argument, NULL, OPT_REPORT},
        {"anonymize", no_argument, NULL, OPT_ANONYMIZE},
        {"list-interfaces", no_argument, NULL, OPT_LIST_INTERFACES},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long v;
    int c;
    /* "+": stop at the first non-option, so a filter like "tcp and not port 22" stays whole. */
    while ((c = getopt_long(argc, argv, "+r:i:c:s:B:pvqhw:W:Z:Dj:", longs, NULL)) != -1) {
        switch (c) {
        case 'r':
            files[o->file_count++] = optarg;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'c':
            if (!parse_num(optarg, 1, LLONG_MAX, &v))
                return bad("-c", optarg);
            o->count = (uint64_t)v;
            break;
        case 's':
            if (!parse_num(optarg, 0, 262144, &v))
                return bad("-s", optarg);
            o->snaplen = v == 0 ? 262144 : (int)v;
            break;
        case 'B':
            if (!parse_num(optarg, 1, 4 * 1024 * 1024, &v))
                return bad("-B", optarg);
            o->buffer_kib = (int)v;
            break;
        case 'p':
            o->promisc = false;
            break;
        case 'v':
            o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1;
            break;
        case 'q':
            o->verbosity = -1;
            break;
        case 'w':
            o->write_file = optarg;
            break;
        case 'W':
            if (strcmp(optarg, "failed") != 0 && strcmp(optarg, "all") != 0)
                return bad("-W", optarg);
            o->write_all = !strcmp(optarg, "all");
            break;
        case 'Z':
            o->user = optarg;
            break;
        case 'D':
        case OPT_LIST_INTERFACES:
            o->list_interfaces = true;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        case OPT_VERSION:
            printf("tlswhy %s\n", TLSWHY_VERSION);
            exit(EXIT_OK);
        case OPT_JSON:
            o->json = true;
            break;
        case OPT_HOST:
            o->host = optarg;
            break;
        case OPT_EDGE:
            o->edge = optarg;
            break;
        case OPT_CA_FILE:
            o->ca_file = optarg;
            break;
        case OPT_CA_PATH:
            o->ca_path = optarg;
            break;
        case OPT_KEYLOG:
            o->keylog = optarg;
            break;
        case OPT_PROBE:
            o->probe = true;
            break;
        case OPT_PROBE_TIMEOUT:
            if (!parse_num(optarg, 1, 600000, &v))
                return bad("--probe-timeout", optarg);
            o->probe_timeout_ms = (int)v;
            break;
        case OPT_TLS_PORT:
            if (!parse_num(optarg, 1, 65535, &v) || o->tls_port_count >= TW_MAX_TLS_PORTS)
                return bad("--tls-port", optarg);
            o->tls_ports[o->tls_port_count++] = (uint16_t)v;
            break;
        case OPT_FAIL_EXIT:
            o->fail_exit = true;
            break;
        case OPT_NO_SUMMARY:
            o->summary = false;
            break;
        case OPT_JA4_RAW:
            o->ja4_raw = true;
            break;
        case OPT_COLOR:
            if (!optarg || !strcmp(optarg, "always"))
                o->color = TW_COLOR_ALWAYS;
            else if (!strcmp(optarg, "never"))
                o->color = TW_COLOR_NEVER;
            else if (!strcmp(optarg, "auto"))
                o->color = TW_COLOR_AUTO;
            else
                return bad("--color", optarg);
            break;
        case OPT_IDLE_TIMEOUT:
            if (!parse_num(optarg, 1, 86400 * 365, &v))
                return bad("--idle-timeout", optarg);
            o->lim.idle_timeout_us = v * 1000000LL;
            break;
        case OPT_MAX_CONNS:
            if (!parse_num(optarg, 16, 100000000, &v))
                return bad("--max-conns", optarg);
            o->lim.max_conns = (size_t)v;
            break;
        case OPT_EXPIRES_SOON:
            if (!parse_num(optarg, 0, 3650, &v))
                return bad("--expires-soon", optarg);
            o->expires_soon_days = (int)v;
            break;
        case OPT_IMMEDIATE:
            if (!optarg || !strcmp(optarg, "yes"))
                o->immediate = true;
            else if (!strcmp(optarg, "no"))
                o->immediate = false;
            else
                return bad("--immediate", optarg);
            break;
        case OPT_REPORT:
            if (tw_rep_doc_format_of(optarg) < 0) {
                fprintf(stderr, "tlswhy: --report %s: the name must end in .html (a web page) "
                                "or .md (Markdown)\n",
                        optarg);
                return EXIT_ERROR;
            }
            o->report = optarg;
            break;
        case OPT_ANONYMIZE:
            o->anonymize = true;
            break;
        case 'j':
        case OPT_THREADS:
            if (!parse_num(optarg, 1, 2, &v)) {
                fprintf(stderr, "tlswhy: -j %s: supported are 1 (one thread) and 2 (a reader "
                                "thread for -r files)\n",
                        optarg);
                return EXIT_ERROR;
            }
            o->threads = (int)v;
            break;
        default:
            usage(stderr);
            return EXIT_ERROR;
        }
    }
    if (o->anonymize && !o->report) {
        fprintf(stderr, "tlswhy: --anonymize applies to --report FILE\n");
        return EXIT_ERROR;
    }
    if (o->list_interfaces)
        return EXIT_OK;
    if ((o->file_count == 0) == (o->iface == NULL)) {
        fprintf(stderr, "tlswhy: give either -r FILE or -i IFACE (see --help)\n");
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "probe") == 0)
        return tw_run_probe_main(argc - 1, argv + 1);
    const char **files = calloc((size_t)argc, sizeof *files);
    char *cmdline = join_args(argc, argv, 0);
    if (!files || !cmdline) {
        fprintf(stderr, "tlswhy: out of memory\n");
        return EXIT_ERROR;
    }
    struct tw_opts o = {
        .files = files,
        .snaplen = 262144,
        .immediate = false, /* per-packet wakeups drop packets long before batches do */
        .buffer_kib = 8192, /* libpcap's 2 MiB is 100 ms of a 20 MB/s link: one stall drops */
        .promisc = true,
        .summary = true,
        .expires_soon_days = 30,
        .command_line = cmdline,
    };
    tw_limits_default(&o.lim);
    int rc = parse(argc, argv, &o, files);
    char *filter = NULL;
    if (rc == EXIT_OK && optind < argc) {
        filter = join_args(argc, argv, optind);
        if (!filter)
            rc = EXIT_ERROR;
        o.filter = filter;
    }
    if (rc == EXIT_OK && o.list_interfaces) {
        rc = tw_list_interfaces(stdout) == TW_OK ? EXIT_OK : EXIT_ERROR;
    } else if (rc == EXIT_OK) {
        tw_log_set_level(o.verbosity >= 2 ? TW_LOG_DEBUG : TW_LOG_WARN);
        struct tw_run_result res = {0};
        int err = tw_run(&o, &res);
        if (err != TW_OK || res.input_error != TW_OK)
            rc = EXIT_ERROR;
        else if (o.fail_exit && res.failed > 0)
            rc = EXIT_FAILURES;
    }
    free(filter);
    free(cmdline);
    free(files);
    return rc;
}
