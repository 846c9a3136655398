/* cert_cache.c: a bounded LRU of analysed chains, keyed by bytes that identify the chain (cert.c
 * chain_key: the chain's DER itself, or the SHA-256 of a long one). A busy capture repeats a
 * handful of chains thousands of times; this makes each repeat cost one fast hash, one lookup
 * and one compare. Slots are allocated once (cap of them); each keeps a copy of its key (at
 * most TW_CERT_KEY_MAX bytes), so a hit is an equal key, never only an equal hash. A hash
 * table of slot indices finds a key, and a doubly linked list orders the slots by use. */
#include "cert_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define NIL UINT32_MAX

struct slot {
    uint64_t h;
    uint8_t *key; /* malloc'ed copy, keylen bytes */
    uint32_t keylen;
    struct tw_chain_report *val;
    uint32_t prev, next; /* LRU list: head is the most recently used */
    uint32_t hnext;      /* next slot in the same hash bucket */
};

struct tw_cert_cache {
    uint32_t cap, used, head, tail;
    uint32_t nbuckets; /* a power of two, >= 2 * cap */
    uint64_t seed;     /* per cache, so that no capture can aim many chains at one bucket */
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
    if (getrandom(&c->seed, sizeof c->seed, GRND_NONBLOCK) != (ssize_t)sizeof c->seed)
        c->seed = (uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15u; /* only bucket spread depends on it */
    return c;
}

void tw_cert_cache_free(struct tw_cert_cache *c)
{
    if (!c)
        return;
    for (uint32_t i = 0; c->s && i < c->used; i++) {
        tw_chain_report_free(c->s[i].val);
        free(c->s[i].key);
    }
    free(c->s);
    free(c->bucket);
    free(c);
}

/* Multiply-xor over 8-byte words (a few hundred ns for a 3 KB chain, where SHA-256 took
 * about 2 us even with the CPU's SHA extensions), then a final mix so the low bits spread. */
static uint64_t hash_key(const struct tw_cert_cache *c, const uint8_t *key, size_t len)
{
    uint64_t h = c->seed ^ len, x;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&x, key + i, 8);
        h = (h ^ x) * 0x9e3779b97f4a7c15u;
        h ^= h >> 32;
    }
    x = 0;
    memcpy(&x, key + i, len - i);
    h = (h ^ x) * 0x9e3779b97f4a7c15u;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 32);
}

static uint32_t bucket_of(const struct tw_cert_cache *c, uint64_t h)
{
    return (uint32_t)h & (c->nbuckets - 1);
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
    uint32_t *pp = &c->bucket[bucket_of(c, c->s[i].h)];
    while (*pp != NIL && *pp != i)
        pp = &c->s[*pp].hnext;
    if (*pp == i)
        *pp = c->s[i].hnext;
}

struct tw_chain_report *tw_cert_cache_get(struct tw_cert_cache *c, const uint8_t *key,
                                          size_t keylen)
{
    uint64_t h = hash_key(c, key, keylen);
    for (uint32_t i = c->bucket[bucket_of(c, h)]; i != NIL; i = c->s[i].hnext) {
        if (c->s[i].h != h || c->s[i].keylen != keylen || memcmp(c->s[i].key, key, keylen) != 0)
            continue;
        if (c->head != i) {
            unlink_lru(c, i);
            push_front(c, i);
        }
        return c->s[i].val;
    }
    return NULL;
}

int tw_cert_cache_put(struct tw_cert_cache *c, const uint8_t *key, size_t keylen,
                      struct tw_chain_report *v)
{
    uint32_t i;
    int evicted = 0;
    uint8_t *copy = keylen <= TW_CERT_KEY_MAX ? malloc(keylen ? keylen : 1) : NULL;
    if (!copy)
        return -1;
    memcpy(copy, key, keylen);
    if (c->used < c->cap) {
        i = c->used++;
    } else {
        i = c->tail;
        unlink_lru(c, i);
        unlink_bucket(c, i);
        tw_chain_report_free(c->s[i].val);
        free(c->s[i].key);
        evicted = 1;
    }
    c->s[i].h = hash_key(c, key, keylen);
    c->s[i].key = copy;
    c->s[i].keylen = (uint32_t)keylen;
    c->s[i].val = v;
    uint32_t b = bucket_of(c, c->s[i].h);
    c->s[i].hnext = c->bucket[b];
    c->bucket[b] = i;
    push_front(c, i);
    return evicted;
}
