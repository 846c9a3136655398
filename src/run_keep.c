/* run_keep.c: per-connection frame store for -w. Connections are found by their address pair
 * (either direction); a chained hash table sized once from max_conns. A frame is copied only
 * when it has to wait for a verdict. */
#include "run_keep.h"

#include <stdlib.h>
#include <string.h>

struct held {
    struct held *next;
    int64_t ts_us;
    uint32_t caplen, wirelen;
    uint8_t bytes[]; /* caplen */
};

enum conn_state {
    OPEN,       /* waiting for a verdict: frames are held */
    AFTER_KEEP, /* decided and wanted: late frames go straight to the file */
    AFTER_DROP, /* decided and not wanted: late frames are ignored */
};

struct conn {
    struct conn *next;       /* hash chain */
    struct tw_endpoint a, b; /* a <= b */
    enum conn_state state;
    bool reopen; /* a verdict this frame ended the previous connection on this pair */
    struct held *head, *tail;
    size_t bytes;
    int64_t last_ts;
};

struct tw_keep {
    struct tw_keep_limits lim;
    struct tw_cap_writer *w;
    bool all;
    struct conn **slots;
    size_t nslots;
    struct tw_keep_stats st;
    int64_t last_scan;
    /* the frame between tw_keep_begin and tw_keep_settle */
    const struct tw_pkt *cur;
    bool cur_taken;
};

static int ep_cmp(const struct tw_endpoint *x, const struct tw_endpoint *y)
{
    if (x->ip.family != y->ip.family)
        return x->ip.family < y->ip.family ? -1 : 1;
    int c = memcmp(x->ip.b, y->ip.b, sizeof x->ip.b);
    if (c)
        return c;
    return x->port < y->port ? -1 : x->port > y->port;
}

/* The pair in canonical order, so both directions find the same connection. */
static void pair_of(const struct tw_endpoint *x, const struct tw_endpoint *y, struct tw_endpoint *a,
                    struct tw_endpoint *b)
{
    bool swap = ep_cmp(x, y) > 0;
    *a = swap ? *y : *x;
    *b = swap ? *x : *y;
}

static uint64_t mix(uint64_t h, const struct tw_endpoint *e)
{
    h = (h ^ e->ip.family) * 1099511628211ull;
    for (size_t i = 0; i < sizeof e->ip.b; i++)
        h = (h ^ e->ip.b[i]) * 1099511628211ull;
    h = (h ^ (e->port & 0xff)) * 1099511628211ull;
    return (h ^ (e->port >> 8)) * 1099511628211ull;
}

static struct conn **slot_of(struct tw_keep *k, const struct tw_endpoint *a,
                             const struct tw_endpoint *b)
{
    uint64_t h = mix(mix(1469598103934665603ull, a), b);
    struct conn **pp = &k->slots[h & (k->nslots - 1)];
    while (*pp && (ep_cmp(&(*pp)->a, a) != 0 || ep_cmp(&(*pp)->b, b) != 0))
        pp = &(*pp)->next;
    return pp;
}

struct tw_keep *tw_keep_new(const struct tw_keep_limits *lim, struct tw_cap_writer *w, bool all)
{
    struct tw_keep *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->lim = *lim;
    if (k->lim.max_conns == 0)
        k->lim.max_conns = 1;
    k->w = w;
    k->all = all;
    k->nslots = 64;
    while (k->nslots < k->lim.max_conns && k->nslots < ((size_t)1 << 24))
        k->nslots *= 2;
    k->slots = calloc(k->nslots, sizeof *k->slots);
    if (!k->slots) {
        free(k);
        return NULL;
    }
    return k;
}

static void forget_frames(struct tw_keep *k, struct conn *c, bool count)
{
    for (struct held *h = c->head, *next; h; h = next) {
        next = h->next;
        k->st.bytes_held -= sizeof *h + h->caplen;
        if (count)
            k->st.frames_dropped++;
        free(h);
    }
    c->head = c->tail = NULL;
    c->bytes = 0;
}

void tw_keep_free(struct tw_keep *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nslots; i++)
        for (struct conn *c = k->slots[i], *next; c; c = next) {
            next = c->next;
            forget_frames(k, c, false);
            free(c);
        }
    free(k->slots);
    free(k);
}

static void put(struct tw_keep *k, int64_t ts, uint32_t caplen, uint32_t wirelen,
                const uint8_t *bytes)
{
    struct tw_frame f = {.ts_us = ts, .caplen = caplen, .wirelen = wirelen, .bytes = bytes};
    if (k->st.write_error != TW_OK)
        return;
    if ((k->st.write_error = tw_cap_writer_put(k->w, &f)) == TW_OK)
        k->st.frames_written++;
}

static void hold(struct tw_keep *k, struct conn *c, const struct tw_frame *f)
{
    size_t need = sizeof(struct held) + f->caplen;
    if (c->bytes + need > k->lim.max_bytes_per_conn ||
        k->st.bytes_held + need > k->lim.max_bytes_total) {
        k->st.frames_not_kept++;
        return;
    }
    struct held *h = malloc(need);
    if (!h) {
        k->st.frames_not_kept++;
        return;
    }
    h->next = NULL;
    h->ts_us = f->ts_us;
    h->caplen = f->caplen;
    h->wirelen = f->wirelen;
    memcpy(h->bytes, f->bytes, f->caplen);
    if (c->tail)
        c->tail->next = h;
    else
        c->head = h;
    c->tail = h;
    c->bytes += need;
    k->st.bytes_held += need;
    if (k->st.bytes_held > k->st.bytes_peak)
        k->st.bytes_peak = k->st.bytes_held;
}

/* The pair's entry, made when new; NULL when max_conns are held or memory is short. */
static struct conn *conn_of(struct tw_keep *k, const struct tw_endpoint *a,
                            const struct tw_endpoint *b)
{
    struct conn **pp = slot_of(k, a, b);
    if (*pp)
        return *pp;
    if (k->st.conns_held >= k->lim.max_conns)
        return NULL;
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->a = *a;
    c->b = *b;
    *pp = c;
    k->st.conns_held++;
    return c;
}

void tw_keep_begin(struct tw_keep *k, const struct tw_pkt *p)
{
    k->cur = p;
    k->cur_taken = false;
}

/* A bare SYN on a decided pair starts the next connection. */
static bool starts_conn(const struct tw_pkt *p)
{
    return (p->flags & (TW_TCP_SYN | TW_TCP_ACK)) == TW_TCP_SYN;
}

void tw_keep_settle(struct tw_keep *k)
{
    const struct tw_pkt *p = k->cur;
    k->cur = NULL;
    if (!p || k->cur_taken)
        return;
    struct tw_endpoint a, b;
    pair_of(&p->src, &p->dst, &a, &b);
    struct conn *c = conn_of(k, &a, &b);
    if (!c) {
        k->st.frames_not_kept++;
        return;
    }
    if (c->state != OPEN && (c->reopen || starts_conn(p)))
        c->state = OPEN;
    c->reopen = false;
    c->last_ts = p->frame->ts_us;
    if (c->state == OPEN)
        hold(k, c, p->frame);
    else if (c->state == AFTER_KEEP)
        put(k, p->frame->ts_us, p->frame->caplen, p->frame->wirelen, p->frame->bytes);
}

/* Whether the frame being fed is on the pair a, b. */
static bool current_on(const struct tw_keep *k, const struct tw_endpoint *a,
                       const struct tw_endpoint *b)
{
    if (!k->cur || k->cur_taken)
        return false;
    struct tw_endpoint ca, cb;
    pair_of(&k->cur->src, &k->cur->dst, &ca, &cb);
    return ep_cmp(&ca, a) == 0 && ep_cmp(&cb, b) == 0;
}

/* Whether a frame on the pair belongs to the connection this verdict decides: yes when it is
 * what decided it (a FIN, a RST, a handshake message), no when the connection ended because
 * time passed, the table was full or a new SYN reused its pair. */
static bool verdict_takes_frame(const struct tw_verdict *v)
{
    enum tw_close_reason why = v->ev->tcp ? v->ev->tcp->close_reason : 0;
    return why != TW_CLOSE_TIMEOUT && why != TW_CLOSE_EVICTED && why != TW_CLOSE_REUSED &&
           why != TW_CLOSE_END;
}

void tw_keep_verdict(struct tw_keep *k, const struct tw_verdict *v)
{
    if (!v || !v->ev)
        return;
    struct tw_endpoint a, b;
    pair_of(&v->ev->client, &v->ev->server, &a, &b);
    struct conn *c = *slot_of(k, &a, &b);
    bool on_pair = current_on(k, &a, &b);
    bool current = on_pair && verdict_takes_frame(v);
    bool want = v->relevant && (k->all || v->outcome == TW_OUTCOME_FAILED);
    /* An early ok may still turn into a failure at the close (a keep-alive race): -W failed
     * keeps holding its frames (within the same limits) until that second verdict. */
    if (!want && v->early && v->relevant && v->outcome == TW_OUTCOME_OK && (!c || c->state == OPEN))
        return;
    if (c && on_pair && !current)
        c->reopen = true; /* the frame being fed belongs to the next connection */
    if (c && c->state != OPEN)
        return; /* decided already: its late frames follow that decision */
    if (want && (c || current)) {
        for (struct held *h = c ? c->head : NULL; h; h = h->next)
            put(k, h->ts_us, h->caplen, h->wirelen, h->bytes);
        if (current)
            put(k, k->cur->frame->ts_us, k->cur->frame->caplen, k->cur->frame->wirelen,
                k->cur->frame->bytes);
        k->st.conns_written++;
        if (k->st.write_error == TW_OK)
            k->st.write_error = tw_cap_writer_flush(k->w);
    } else if (current) {
        k->st.frames_dropped++;
    }
    if (current) {
        k->cur_taken = true;
        if (!c && (c = conn_of(k, &a, &b)) != NULL)
            c->last_ts = k->cur->frame->ts_us; /* so its late frames follow the decision */
    }
    if (c) {
        forget_frames(k, c, !want);
        c->state = want ? AFTER_KEEP : AFTER_DROP;
    }
}

void tw_keep_expire(struct tw_keep *k, int64_t now_us)
{
    if (now_us - k->last_scan < 1000000)
        return;
    k->last_scan = now_us;
    for (size_t i = 0; i < k->nslots; i++) {
        struct conn **pp = &k->slots[i];
        while (*pp) {
            struct conn *c = *pp;
            int64_t after = c->state == OPEN ? k->lim.idle_us : k->lim.linger_us;
            if (now_us - c->last_ts <= after) {
                pp = &c->next;
                continue;
            }
            *pp = c->next;
            forget_frames(k, c, true);
            free(c);
            k->st.conns_held--;
        }
    }
}

const struct tw_keep_stats *tw_keep_stats(const struct tw_keep *k)
{
    return &k->st;
}
