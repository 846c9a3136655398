/* multiply.c: builds a big workload capture from real captured connections.
 *
 *   multiply -n CONNS -o OUT.pcap [-g GAP_US] [-F FAIL_PERMILLE] [-k] [-z SEED]
 *            OK.pcap[:WEIGHT]... [-- FAIL.pcap...]
 *
 * Every input is split into its connections (packets grouped by their unordered pair of
 * endpoints; Ethernet + IPv4 + TCP only, anything else is skipped). Copy k picks a connection:
 * a failing one (from the files after --) with probability FAIL_PERMILLE/1000, else one of the
 * succeeding ones, a file chosen by WEIGHT (default 1), then a connection of it uniformly. The
 * copy starts k * GAP_US after the first and keeps the original inter-packet times; its client
 * (the sender of the first packet) gets the address 10.x.y.z (k + 1) and a port shifted by k,
 * with IP and TCP checksums updated incrementally (RFC 1624), so correct checksums stay
 * correct. Copies overlap in time as real traffic does; the output is in timestamp order.
 * -k keeps connections open: a copy ends before its first FIN or RST (for memory per tracked
 * connection). Deterministic for a given -z. Benchmark tool, not part of tlswhy: input is the
 * bench's own seed captures.
 */
#define _DEFAULT_SOURCE
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pkt {
    int64_t dt_us; /* since the connection's first packet */
    uint32_t caplen, wirelen;
    uint8_t *data;
};

struct tmpl {
    uint8_t cli_ip[4], srv_ip[4];
    uint16_t cli_port, srv_port;
    struct pkt *p;
    size_t n, cap;
};

struct group {
    struct tmpl *t;
    size_t n, cap;
    double weight;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "multiply: out of memory\n");
        exit(1);
    }
    return p;
}

static uint16_t get16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }
static void put16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v; }

/* Offsets of the IPv4 and TCP headers in an Ethernet frame (VLAN tags skipped); 0 if not. */
static int locate(const uint8_t *d, uint32_t len, uint32_t *ip, uint32_t *tcp)
{
    uint32_t o = 12;
    while (o + 2 <= len && (get16(d + o) == 0x8100 || get16(d + o) == 0x88a8))
        o += 4;
    if (o + 2 > len || get16(d + o) != 0x0800)
        return 0;
    o += 2;
    if (o + 20 > len || (d[o] >> 4) != 4 || d[o + 9] != 6)
        return 0;
    uint32_t ihl = (uint32_t)(d[o] & 15) * 4;
    if (ihl < 20 || o + ihl + 20 > len)
        return 0;
    *ip = o, *tcp = o + ihl;
    return 1;
}

static int same_conn(const struct tmpl *t, const uint8_t *s, uint16_t sp, const uint8_t *d,
                     uint16_t dp)
{
    return (!memcmp(t->cli_ip, s, 4) && t->cli_port == sp && !memcmp(t->srv_ip, d, 4) &&
            t->srv_port == dp) ||
           (!memcmp(t->cli_ip, d, 4) && t->cli_port == dp && !memcmp(t->srv_ip, s, 4) &&
            t->srv_port == sp);
}

static int64_t first_ts = INT64_MAX; /* of the succeeding seeds: the copies start there */

static void load(const char *path, struct group *g, int keep_open, int failing)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) {
        fprintf(stderr, "multiply: %s: %s\n", path, err);
        exit(1);
    }
    if (pcap_datalink(pc) != DLT_EN10MB) {
        fprintf(stderr, "multiply: %s: not Ethernet, skipped\n", path);
        pcap_close(pc);
        return;
    }
    size_t first = g->n;
    int64_t *t0 = NULL;
    uint8_t *closed = NULL;
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        uint32_t ip, tcp;
        if (!locate(d, h->caplen, &ip, &tcp))
            continue;
        const uint8_t *s = d + ip + 12, *dst = d + ip + 16;
        uint16_t sp = get16(d + tcp), dp = get16(d + tcp + 2);
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        if (!failing && ts < first_ts)
            first_ts = ts;
        size_t i = first;
        while (i < g->n && !same_conn(&g->t[i], s, sp, dst, dp))
            i++;
        if (i == g->n) {
            if (g->n == g->cap) {
                g->cap = g->cap ? 2 * g->cap : 16;
                g->t = xrealloc(g->t, g->cap * sizeof *g->t);
            }
            t0 = xrealloc(t0, (g->n - first + 1) * sizeof *t0);
            closed = xrealloc(closed, g->n - first + 1);
            struct tmpl *t = &g->t[g->n++];
            memset(t, 0, sizeof *t);
            memcpy(t->cli_ip, s, 4), memcpy(t->srv_ip, dst, 4);
            t->cli_port = sp, t->srv_port = dp;
            t0[i - first] = ts;
            closed[i - first] = 0;
        }
        struct tmpl *t = &g->t[i];
        if (keep_open && (closed[i - first] || (d[tcp + 13] & 0x05))) {
            closed[i - first] = 1; /* FIN or RST: the copy ends before it */
            continue;
        }
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            t->p = xrealloc(t->p, t->cap * sizeof *t->p);
        }
        struct pkt *p = &t->p[t->n++];
        p->dt_us = ts - t0[i - first];
        p->caplen = h->caplen, p->wirelen = h->len;
        p->data = xrealloc(NULL, h->caplen);
        memcpy(p->data, d, h->caplen);
    }
    free(t0);
    free(closed);
    pcap_close(pc);
}

/* RFC 1624 eqn. 3: checksum at c after one 16-bit word changes from old to new. */
static void csum_fix(uint8_t *c, uint16_t old, uint16_t new)
{
    uint32_t s = (uint16_t)~get16(c) + (uint16_t)~old + (uint32_t) new;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    put16(c, (uint16_t)~s);
}

static void set16(uint8_t *field, uint16_t v, uint8_t *c1, uint8_t *c2)
{
    uint16_t old = get16(field);
    put16(field, v);
    if (c1)
        csum_fix(c1, old, v);
    if (c2)
        csum_fix(c2, old, v);
}

/* Rewrites the template's client address/port in a copy of one packet. */
static void rewrite(uint8_t *d, uint32_t caplen, const struct tmpl *t, uint32_t k)
{
    uint32_t ip, tcp;
    if (!locate(d, caplen, &ip, &tcp))
        return;
    uint32_t a = k + 1;
    uint16_t hi = (uint16_t)(0x0a00 | ((a >> 16) & 0xff)), lo = (uint16_t)a;
    uint16_t port = (uint16_t)(1024 + (t->cli_port - 1024u + k * 13u) % 64511u);
    /* The TCP checksum field is only rewritten when the capture holds it. */
    uint8_t *tc = tcp + 18 <= caplen ? d + tcp + 16 : NULL;
    int src_is_cli = !memcmp(d + ip + 12, t->cli_ip, 4) && get16(d + tcp) == t->cli_port;
    uint32_t ao = ip + (src_is_cli ? 12 : 16), po = tcp + (src_is_cli ? 0 : 2);
    set16(d + ao, hi, d + ip + 10, tc);
    set16(d + ao + 2, lo, d + ip + 10, tc);
    set16(d + po, port, tc, NULL);
}

/* A copy in flight: template, next packet, start time. Kept in a min-heap by next time. */
struct live {
    const struct tmpl *t;
    size_t i;
    int64_t start;
    uint32_t k;
};

static int64_t when(const struct live *l) { return l->start + l->t->p[l->i].dt_us; }

static void sift_down(struct live *h, size_t n, size_t i)
{
    for (;;) {
        size_t m = i, a = 2 * i + 1, b = a + 1;
        if (a < n && when(&h[a]) < when(&h[m]))
            m = a;
        if (b < n && when(&h[b]) < when(&h[m]))
            m = b;
        if (m == i)
            return;
        struct live x = h[i];
        h[i] = h[m], h[m] = x, i = m;
    }
}

static void sift_up(struct live *h, size_t i)
{
    while (i && when(&h[i]) < when(&h[(i - 1) / 2])) {
        struct live x = h[i];
        h[i] = h[(i - 1) / 2], h[(i - 1) / 2] = x, i = (i - 1) / 2;
    }
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return rng_state;
}

static const struct tmpl *pick(struct group *ok, size_t nok, struct group *fail, size_t nfail,
                               unsigned permille)
{
    if (nfail && rng() % 1000 < permille) {
        struct group *g = &fail[rng() % nfail];
        if (g->n)
            return &g->t[rng() % g->n];
    }
    double total = 0;
    for (size_t i = 0; i < nok; i++)
        total += ok[i].n ? ok[i].weight : 0;
    double x = (double)(rng() % 1000000) / 1e6 * total;
    for (size_t i = 0; i < nok; i++) {
        if (!ok[i].n)
            continue;
        if (x < ok[i].weight || i + 1 == nok)
            return &ok[i].t[rng() % ok[i].n];
        x -= ok[i].weight;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned long conns = 10000;
    long gap = 100;
    unsigned permille = 100;
    int keep_open = 0;
    const char *out = NULL;
    rng_state = 0x9e3779b97f4a7c15ULL;
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && strcmp(argv[a], "--"); a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : "";
        switch (argv[a][1]) {
        case 'n': conns = strtoul(v, NULL, 10), a++; break;
        case 'o': out = v, a++; break;
        case 'g': gap = strtol(v, NULL, 10), a++; break;
        case 'F': permille = (unsigned)strtoul(v, NULL, 10), a++; break;
        case 'z': rng_state ^= strtoull(v, NULL, 10) * 0xbf58476d1ce4e5b9ULL, a++; break;
        case 'k': keep_open = 1; break;
        default: fprintf(stderr, "multiply: unknown option %s\n", argv[a]); return 2;
        }
    }
    struct group *ok = calloc((size_t)argc, sizeof *ok), *fail = calloc((size_t)argc, sizeof *fail);
    size_t nok = 0, nfail = 0;
    int failing = 0;
    for (; a < argc; a++) {
        if (!strcmp(argv[a], "--")) {
            failing = 1;
            continue;
        }
        char *path = argv[a], *colon = strrchr(path, ':');
        struct group *g = failing ? &fail[nfail++] : &ok[nok++];
        g->weight = 1;
        if (colon && !failing) {
            *colon = 0;
            g->weight = strtod(colon + 1, NULL);
        }
        load(path, g, keep_open, failing);
    }
    if (!out || !nok || !conns) {
        fprintf(stderr, "usage: multiply -n CONNS -o OUT [-g GAP_US] [-F PERMILLE] [-k] [-z SEED] "
                        "OK.pcap[:WEIGHT]... [-- FAIL.pcap...]\n");
        return 2;
    }
    FILE *f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    struct pcap_file_header fh = {.magic = 0xa1b2c3d4, .version_major = 2, .version_minor = 4,
                                  .snaplen = 262144, .linktype = DLT_EN10MB};
    fwrite(&fh, sizeof fh, 1, f);
    struct live *heap = NULL;
    size_t hn = 0, hcap = 0;
    const int64_t t0 = first_ts; /* certificates stay valid at the copies' capture time */
    uint8_t *scratch = xrealloc(NULL, 262144);
    uint64_t pkts = 0, bytes = 0;
    unsigned long k = 0;
    while (k < conns || hn) {
        /* Start every copy whose start time comes before the next packet in flight. */
        while (k < conns && (!hn || t0 + (int64_t)k * gap <= when(&heap[0]))) {
            const struct tmpl *t = pick(ok, nok, fail, nfail, permille);
            if (!t || !t->n) {
                k++;
                continue;
            }
            if (hn == hcap) {
                hcap = hcap ? 2 * hcap : 1024;
                heap = xrealloc(heap, hcap * sizeof *heap);
            }
            heap[hn] = (struct live){t, 0, t0 + (int64_t)k * gap, (uint32_t)k};
            sift_up(heap, hn++);
            k++;
        }
        if (!hn)
            break;
        struct live *l = &heap[0];
        const struct pkt *p = &l->t->p[l->i];
        int64_t ts = when(l);
        memcpy(scratch, p->data, p->caplen);
        rewrite(scratch, p->caplen, l->t, l->k);
        uint32_t rh[4] = {(uint32_t)(ts / 1000000), (uint32_t)(ts % 1000000), p->caplen,
                          p->wirelen};
        fwrite(rh, sizeof rh, 1, f);
        fwrite(scratch, p->caplen, 1, f);
        pkts++, bytes += 16 + p->caplen;
        if (++l->i == l->t->n)
            heap[0] = heap[--hn];
        sift_down(heap, hn, 0);
    }
    if (fclose(f)) {
        perror(out);
        return 1;
    }
    fprintf(stderr, "multiply: %s: %lu connections, %llu packets, %llu bytes\n", out, conns,
            (unsigned long long)pkts, (unsigned long long)bytes + sizeof fh);
    return 0;
}
