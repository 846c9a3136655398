/* run_reader.c: the reader thread of -j 2 and the pool of chunks it fills. Locking is per chunk,
 * never per frame: the reader fills a chunk alone, publishes it, and the analysis thread reads
 * it alone until it gives it back. The pool is all the reader can take, whatever the capture. */
#include "run_reader.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum {
    CHUNKS = 8,
    CHUNK_BYTES = 256 * 1024,
    CHUNK_FRAMES = 512,
};

struct chunk {
    struct tw_reader_frame rec[CHUNK_FRAMES];
    uint8_t bytes[CHUNK_BYTES];
    uint8_t *big; /* a frame longer than bytes (a chunk of its own); libpcap bounds its length */
    size_t big_cap;
    size_t n, used;
    struct tw_dec_stats dec; /* of this chunk's frames */
};

struct tw_reader {
    struct tw_cap *cap;
    uint64_t max_frames;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled_cv, freed_cv;
    /* Under mu. Chunk k is chunks[k % CHUNKS]; the reader fills chunk `filled` once
     * filled - released < CHUNKS, the analysis thread takes chunk `taken` once taken < filled. */
    uint64_t filled, released;
    bool ended, stop;
    int status;
    /* The analysis thread's own. */
    uint64_t taken;
    struct chunk *cur;
    size_t pos;
    struct chunk *chunks[CHUNKS];
};

/* Reader: the next empty chunk, or NULL when told to stop. */
static struct chunk *take_free(struct tw_reader *r)
{
    pthread_mutex_lock(&r->mu);
    while (!r->stop && r->filled - r->released >= CHUNKS)
        pthread_cond_wait(&r->freed_cv, &r->mu);
    struct chunk *c = r->stop ? NULL : r->chunks[r->filled % CHUNKS];
    pthread_mutex_unlock(&r->mu);
    if (c) {
        c->n = c->used = 0;
        memset(&c->dec, 0, sizeof c->dec);
    }
    return c;
}

static void publish(struct tw_reader *r)
{
    pthread_mutex_lock(&r->mu);
    r->filled++;
    pthread_cond_signal(&r->filled_cv);
    pthread_mutex_unlock(&r->mu);
}

static bool fits(const struct chunk *c, uint32_t len)
{
    return c->n == 0 || (c->n < CHUNK_FRAMES && c->used + len <= CHUNK_BYTES);
}

/* Copies f into c and decodes the copy, so the packet points into the chunk. */
static int place(struct chunk *c, const struct tw_frame *f)
{
    struct tw_reader_frame *rec = &c->rec[c->n++];
    uint8_t *to;
    if (f->caplen > CHUNK_BYTES) { /* c is empty (fits): the frame takes the whole chunk */
        if (f->caplen > c->big_cap) {
            uint8_t *b = realloc(c->big, f->caplen);
            if (!b)
                return TW_E_NOMEM;
            c->big = b;
            c->big_cap = f->caplen;
        }
        to = c->big;
        c->used = CHUNK_BYTES;
    } else {
        to = c->bytes + c->used;
        c->used += f->caplen;
    }
    if (f->caplen)
        memcpy(to, f->bytes, f->caplen);
    rec->f = *f;
    rec->f.bytes = to;
    rec->why = (struct tw_rd_err){0};
    rec->dec_rc = tw_dec_frame(&rec->f, &rec->p, &c->dec, &rec->why);
    return TW_OK;
}

static void *read_loop(void *arg)
{
    struct tw_reader *r = arg;
    struct chunk *c = NULL;
    struct tw_frame f;
    uint64_t read = 0;
    int status = TW_OK;
    while (!r->max_frames || read < r->max_frames) {
        int rc = tw_cap_next(r->cap, &f);
        if (rc <= 0) {
            status = rc; /* 0: end of file */
            break;
        }
        read++;
        if (c && !fits(c, f.caplen)) {
            publish(r);
            c = NULL;
        }
        if (!c && !(c = take_free(r)))
            break;
        if ((status = place(c, &f)) != TW_OK) {
            c->n--; /* the frame that did not fit is not delivered */
            break;
        }
    }
    if (c)
        publish(r);
    pthread_mutex_lock(&r->mu);
    r->ended = true;
    r->status = status;
    pthread_cond_signal(&r->filled_cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void free_reader(struct tw_reader *r)
{
    for (size_t i = 0; i < CHUNKS; i++) {
        if (r->chunks[i])
            free(r->chunks[i]->big);
        free(r->chunks[i]);
    }
    free(r);
}

int tw_reader_start(struct tw_cap *cap, uint64_t max_frames, struct tw_reader **out)
{
    struct tw_reader *r = calloc(1, sizeof *r);
    if (!r)
        return TW_E_NOMEM;
    r->cap = cap;
    r->max_frames = max_frames;
    for (size_t i = 0; i < CHUNKS; i++)
        if (!(r->chunks[i] = calloc(1, sizeof *r->chunks[i]))) {
            free_reader(r);
            return TW_E_NOMEM;
        }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->filled_cv, NULL);
    pthread_cond_init(&r->freed_cv, NULL);
    /* SIGINT, SIGTERM and SIGUSR1 must reach the analysis thread, which acts on them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&r->thread, NULL, read_loop, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&r->freed_cv);
        pthread_cond_destroy(&r->filled_cv);
        pthread_mutex_destroy(&r->mu);
        free_reader(r);
        return TW_E_NOMEM;
    }
    *out = r;
    return TW_OK;
}

/* Every counter of struct tw_dec_stats is added by name below: a new one must be added too. */
_Static_assert(sizeof(struct tw_dec_stats) == 14 * sizeof(uint64_t),
               "a counter was added to struct tw_dec_stats: add it to add_stats");

static void add_stats(struct tw_dec_stats *to, const struct tw_dec_stats *d)
{
    to->frames += d->frames;
    to->tcp += d->tcp;
    to->not_ip += d->not_ip;
    to->not_tcp += d->not_tcp;
    to->ip_fragments += d->ip_fragments;
    to->bad_ip_csum += d->bad_ip_csum;
    to->bad_tcp_csum += d->bad_tcp_csum;
    to->truncated += d->truncated;
    to->malformed += d->malformed;
    to->unsupported_link += d->unsupported_link;
    to->vxlan += d->vxlan;
    to->geneve += d->geneve;
    to->gtp += d->gtp;
    to->ip_in_ip += d->ip_in_ip;
}

const struct tw_reader_frame *tw_reader_next(struct tw_reader *r, struct tw_dec_stats *dec)
{
    if (r->cur && r->pos < r->cur->n)
        return &r->cur->rec[r->pos++];
    pthread_mutex_lock(&r->mu);
    if (r->cur) { /* give the used chunk back */
        r->cur = NULL;
        r->released++;
        pthread_cond_signal(&r->freed_cv);
    }
    while (r->taken == r->filled && !r->ended)
        pthread_cond_wait(&r->filled_cv, &r->mu);
    if (r->taken < r->filled)
        r->cur = r->chunks[r->taken++ % CHUNKS];
    pthread_mutex_unlock(&r->mu);
    if (!r->cur)
        return NULL;
    add_stats(dec, &r->cur->dec);
    r->pos = 0;
    return r->cur->n ? &r->cur->rec[r->pos++] : tw_reader_next(r, dec);
}

int tw_reader_finish(struct tw_reader *r)
{
    if (!r)
        return TW_OK;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->freed_cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    int status = r->status;
    pthread_cond_destroy(&r->freed_cv);
    pthread_cond_destroy(&r->filled_cv);
    pthread_mutex_destroy(&r->mu);
    free_reader(r);
    return status;
}
