/* run_probe.c: `tlswhy probe HOST:PORT [--sni NAME] [options]`: one probe on demand, its chain
 * analysis printed, and an exit status that says what it found. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "run.h"
#include "tlswhy/probe.h"
#include "tlswhy/reporters.h"

static void usage(FILE *f)
{
    fputs("usage: tlswhy probe HOST:PORT [--sni NAME] [--host NAME] [--ca-file FILE]\n"
          "                    [--ca-path DIR] [--timeout MS] [-v]\n"
          "Connects once with OpenSSL (SNI NAME, default HOST when it is a name), and judges the\n"
          "certificate chain the server presents at the current time. IPv6: [ADDR]:PORT.\n"
          "exit status: 0 handshake done and no certificate defect, 1 a defect or a refused\n"
          "             handshake, 2 usage error, or no connection (refused, unreachable, timeout)\n",
          f);
}

/* HOST:PORT or [V6]:PORT into *ep (first address getaddrinfo gives). */
static bool resolve(const char *arg, struct tw_endpoint *ep, char *host, size_t hn)
{
    const char *colon = strrchr(arg, ':');
    if (!colon || colon == arg)
        return false;
    size_t n = (size_t)(colon - arg);
    const char *h = arg;
    if (arg[0] == '[' && n >= 2 && arg[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n + 1 > hn)
        return false;
    memcpy(host, h, n);
    host[n] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535)
        return false;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
        return false;
    memset(ep, 0, sizeof *ep);
    if (ai->ai_family == AF_INET) {
        ep->ip.family = 4;
        memcpy(ep->ip.b, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
    } else {
        ep->ip.family = 6;
        memcpy(ep->ip.b, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
    }
    ep->port = (uint16_t)port;
    freeaddrinfo(ai);
    return true;
}

int tw_run_probe_main(int argc, char **argv)
{
    enum { O_SNI = 256, O_HOST, O_CA_FILE, O_CA_PATH, O_TIMEOUT };
    static const struct option longs[] = {
        {"sni", required_argument, NULL, O_SNI},
        {"host", required_argument, NULL, O_HOST},
        {"ca-file", required_argument, NULL, O_CA_FILE},
        {"ca-path", required_argument, NULL, O_CA_PATH},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sni = NULL, *name = NULL;
    struct tw_cert_opts co = {0};
    struct tw_probe_opts po = {0};
    int c, verbosity = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", longs, NULL)) != -1) {
        switch (c) {
        case O_SNI: sni = optarg; break;
        case O_HOST: name = optarg; break;
        case O_CA_FILE: co.ca_file = optarg; break;
        case O_CA_PATH: co.ca_path = optarg; break;
        case O_TIMEOUT:
            po.timeout_ms = atoi(optarg);
            if (po.timeout_ms <= 0 || po.timeout_ms > 600000) {
                fprintf(stderr, "tlswhy probe: bad --timeout '%s'\n", optarg);
                return 2;
            }
            break;
        case 'v': verbosity++; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    char host[256];
    struct tw_endpoint ep;
    if (optind != argc - 1 || !resolve(argv[optind], &ep, host, sizeof host)) {
        usage(stderr);
        return 2;
    }
    unsigned char tmp[16];
    if (!sni && inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1)
        sni = host; /* a name, not an address literal */
    int err = 0;
    struct tw_cert_ctx *certs = tw_cert_ctx_new(&co, &err);
    if (!certs) {
        fprintf(stderr, "tlswhy probe: cannot load the trust store\n");
        return 2;
    }
    struct tw_probe_result r;
    tw_probe_server(&ep, NULL, sni, name, certs, &po, &r);
    tw_rep_text_probe(stdout, &r, verbosity);
    int rc = r.status == TW_PROBE_CONNECT_FAILED || r.status == TW_PROBE_TIMEOUT ? 2
             : r.defect || r.status != TW_PROBE_DONE                             ? 1
                                                                                 : 0;
    tw_probe_result_clear(&r);
    tw_cert_ctx_free(certs);
    return rc;
}
