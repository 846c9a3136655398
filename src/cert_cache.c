/* cert_cache.c: a bounded LRU of analysed chains, keyed by the SHA-256 of the chain's DER. A
 * busy capture repeats a handful of chains thousands of times; this makes each repeat cost one
 * hash and one lookup. Slots are allocated once (cap of them); a hash table of slot indices
 * finds a key, and a doubly linked list orders the slots by use. */
#include "cert_int.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct slot {
    uint8_t key[32];
    struct tw_chain_report *val;
    uint32_t prev, next; /* LRU list: head is the most recently used */
    uint32_t hnext;      /* next slot in the same hash bucket */
};

struct tw_cert_cache {
    uint32_t cap, used, head, tail;
    uint32_t nbuckets; /* a power of two, >= 2 * cap */
    uint32_t *bucket;
    struct slot *s;
};

struct tw_cert_cache *tw_cert_cache_new(size_t cap)
{
    if (cap == 0 || cap > TW_CERT_CACHE_MAX)
        return NULL;
    struct tw_cert_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cap = (uint32_t)cap;
    c->nbuckets = 1;
    while (c->nbuckets < 2 * c->cap)
        c->nbuckets <<= 1;
    c->bucket = malloc(c->nbuckets * sizeof *c->bucket);
    c->s = calloc(cap, sizeof *c->s);
    if (!c->bucket || !c->s) {
        tw_cert_cache_free(c);
        return NULL;
    }
    for (uint32_t i = 0; i < c->nbuckets; i++)
        c->bucket[i] = NIL;
    c->head = c->tail = NIL;
    return c;
}

void tw_cert_cache_free(struct tw_cert_cache *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; c->s && i < c->used; i++)
        tw_chain_report_free(c->s[i].val);
    free(c->s);
    free(c->bucket);
    free(c);
}

/* The key is a SHA-256 output, so any 32 bits of it spread evenly. */
static uint32_t bucket_of(const struct tw_cert_cache *c, const uint8_t key[32])
{
    uint32_t h = (uint32_t)key[0] | (uint32_t)key[1] << 8 | (uint32_t)key[2] << 16 |
                 (uint32_t)key[3] << 24;
    return h & (c->nbuckets - 1);
}

static void unlink_lru(struct tw_cert_cache *c, uint32_t i)
{
    struct slot *s = &c->s[i];
    if (s->prev != NIL)
        c->s[s->prev].next = s->next;
    else
        c->head = s->next;
    if (s->next != NIL)
        c->s[s->next].prev = s->prev;
    else
        c->tail = s->prev;
}

static void push_front(struct tw_cert_cache *c, uint32_t i)
{
    c->s[i].prev = NIL;
    c->s[i].next = c->head;
    if (c->head != NIL)
        c->s[c->head].prev = i;
    c->head = i;
    if (c->tail == NIL)
        c->tail = i;
}

static void unlink_bucket(struct tw_cert_cache *c, uint32_t i)
{
    uint32_t *pp = &c->bucket[bucket_of(c, c->s[i].key)];
    while (*pp != NIL && *pp != i)
        pp = &c->s[*pp].hnext;
    if (*pp == i)
        *pp = c->s[i].hnext;
}

struct tw_chain_report *tw_cert_cache_get(struct tw_cert_cache *c, const uint8_t key[32])
{
    for (uint32_t i = c->bucket[bucket_of(c, key)]; i != NIL; i = c->s[i].hnext) {
        if (memcmp(c->s[i].key, key, 32) != 0)
            continue;
        if (c->head != i) {
            unlink_lru(c, i);
            push_front(c, i);
        }
        return c->s[i].val;
    }
    return NULL;
}

int tw_cert_cache_put(struct tw_cert_cache *c, const uint8_t key[32], struct tw_chain_report *v)
{
    uint32_t i;
    int evicted = 0;
    if (c->used < c->cap) {
        i = c->used++;
    } else {
        i = c->tail;
        unlink_lru(c, i);
        unlink_bucket(c, i);
        tw_chain_report_free(c->s[i].val);
        evicted = 1;
    }
    memcpy(c->s[i].key, key, 32);
    c->s[i].val = v;
    uint32_t b = bucket_of(c, key);
    c->s[i].hnext = c->bucket[b];
    c->bucket[b] = i;
    push_front(c, i);
    return evicted;
}
