/* diag_fp_memo.c: a small memo of fingerprints by hello. A busy capture repeats a handful of
 * client and server stacks thousands of times, and computing JA4/JA3 (two sorts, three
 * SHA-256s, an MD5) and JA3S costs far more than recognising a hello seen before.
 *
 * The key is what the fingerprints read of a hello, GREASE left out (every fingerprint skips
 * it, so hellos that differ only in their GREASE values share an entry): the versions, whether
 * each list was cut, every list, and the first ALPN value's outcome. It is hashed with a fast
 * 64-bit hash to pick a set of two ways; a hit needs the stored key to be equal word for word,
 * so a hash collision can only cost a miss. A key longer than KEY_MAX words is not memoised.
 * The memo is one per process (one analysis thread; no -j yet), like the digests' fetched
 * algorithms (cert_digest.c). */
#include "tlswhy/fingerprint.h"

#include <string.h>


#define KEY_MAX 256     /* words of a client key; Chrome's hello needs about 70, Java's 110 */
#define SKEY_MAX (4 + 64) /* a server key always fits: version, suite, cut, count, extensions */
#define CLIENT_SETS 64  /* x 2 ways: 128 client stacks, about 78 KB */
#define SERVER_SETS 32  /* x 2 ways: 64 server stacks, about 9 KB */

struct key {
    uint16_t n;
    uint16_t w[KEY_MAX];
};

struct centry {
    bool used;
    uint64_t h;
    uint16_t n;
    uint16_t w[KEY_MAX];
    char ja4[TW_JA4_LEN], ja4_o[TW_JA4_LEN], ja3[TW_JA3_LEN];
};

struct sentry {
    bool used;
    uint64_t h;
    uint16_t n;
    uint16_t w[SKEY_MAX];
    char ja3s[TW_JA3_LEN];
};

static struct {
    struct centry c[CLIENT_SETS][2];
    struct sentry s[SERVER_SETS][2];
    uint8_t c_victim[CLIENT_SETS], s_victim[SERVER_SETS]; /* the way to replace next */
    struct tw_fp_memo_stats cst, sst;
} memo;

static void put(struct key *k, uint16_t v, size_t cap)
{
    if (k->n < cap)
        k->w[k->n] = v;
    if (k->n <= cap) /* one past cap marks "too long" */
        k->n++;
}

/* RFC 8701 GREASE (tw_tls_is_grease), inline: this runs for every value of every hello. */
static bool grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* The count of non-GREASE values, then the values. */
static void put_list(struct key *k, const uint16_t *v, size_t n, size_t cap)
{
    size_t at = k->n;
    if (at + 1 + n <= cap) { /* room for all of them: written in place */
        uint16_t *o = k->w + at + 1;
        for (size_t i = 0; i < n; i++) {
            *o = v[i];
            o += !grease(v[i]);
        }
        k->w[at] = (uint16_t)(o - (k->w + at + 1));
        k->n = (uint16_t)(o - k->w);
        return;
    }
    put(k, 0, cap);
    uint16_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!grease(v[i])) {
            put(k, v[i], cap);
            kept++;
        }
    if (at < cap)
        k->w[at] = kept;
}

/* What JA4 reads of the ALPN list (diag_fingerprint.c ja4_alpn): none, a first value longer
 * than the bytes kept, or its first and last bytes. */
static void put_alpn(struct key *k, const struct tw_client_hello *ch, size_t cap)
{
    if (ch->alpn_len == 0 || ch->alpn[0] == 0) {
        put(k, 0, cap);
    } else if (1u + ch->alpn[0] > ch->alpn_len) {
        put(k, 1, cap);
    } else {
        put(k, 2, cap);
        put(k, (uint16_t)(ch->alpn[1] << 8 | ch->alpn[ch->alpn[0]]), cap);
    }
}

/* False when the key is longer than cap words. */
static bool client_key(const struct tw_client_hello *ch, struct key *k)
{
    k->n = 0;
    put(k, ch->legacy_version, KEY_MAX);
    put(k,
        (uint16_t)((ch->cipher_suites.dropped > 0) | (ch->extensions.dropped > 0) << 1 |
                   (ch->versions.dropped > 0) << 2 | (ch->groups.dropped > 0) << 3 |
                   (ch->sig_algs.dropped > 0) << 4 | (ch->ec_point_formats.dropped > 0) << 5),
        KEY_MAX);
    put_alpn(k, ch, KEY_MAX);
    put_list(k, ch->cipher_suites.v, ch->cipher_suites.n, KEY_MAX);
    put_list(k, ch->extensions.v, ch->extensions.n, KEY_MAX);
    put_list(k, ch->versions.v, ch->versions.n, KEY_MAX);
    put_list(k, ch->groups.v, ch->groups.n, KEY_MAX);
    put_list(k, ch->sig_algs.v, ch->sig_algs.n, KEY_MAX);
    put_list(k, ch->ec_point_formats.v, ch->ec_point_formats.n, KEY_MAX);
    return k->n <= KEY_MAX;
}

static bool server_key(const struct tw_server_hello *sh, struct key *k)
{
    k->n = 0;
    put(k, sh->legacy_version, SKEY_MAX);
    put(k, sh->cipher_suite, SKEY_MAX);
    put(k, sh->extensions.dropped > 0, SKEY_MAX);
    put_list(k, sh->extensions.v, sh->extensions.n, SKEY_MAX);
    return k->n <= SKEY_MAX;
}

/* Multiply-xor over 8-byte words, then a final mix so that the low bits pick sets evenly. */
static uint64_t hash_words(const uint16_t *w, size_t n)
{
    uint64_t h = 0x243f6a8885a308d3u ^ n;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint64_t x;
        memcpy(&x, w + i, 8);
        h = (h ^ x) * 0x9e3779b97f4a7c15u;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ w[i]) * 0x9e3779b97f4a7c15u;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 32);
}

void tw_fp_memo_client(const struct tw_client_hello *ch, struct tw_fingerprints *out)
{
    struct key k;
    if (!ch || !ch->present || !client_key(ch, &k)) {
        if (ch && ch->present)
            memo.cst.too_big++;
        tw_fp_client(ch, out);
        return;
    }
    uint64_t h = hash_words(k.w, k.n);
    size_t set = h & (CLIENT_SETS - 1);
    struct centry *e = memo.c[set];
    for (int way = 0; way < 2; way++)
        if (e[way].used && e[way].h == h && e[way].n == k.n &&
            memcmp(e[way].w, k.w, k.n * sizeof k.w[0]) == 0) {
            memcpy(out->ja4, e[way].ja4, sizeof out->ja4);
            memcpy(out->ja4_o, e[way].ja4_o, sizeof out->ja4_o);
            memcpy(out->ja3, e[way].ja3, sizeof out->ja3);
            memo.c_victim[set] = (uint8_t)!way;
            memo.cst.hits++;
            return;
        }
    memo.cst.misses++;
    tw_fp_client(ch, out);
    int way = memo.c_victim[set];
    memo.cst.evictions += e[way].used;
    e[way].used = true;
    e[way].h = h;
    e[way].n = k.n;
    memcpy(e[way].w, k.w, k.n * sizeof k.w[0]);
    memcpy(e[way].ja4, out->ja4, sizeof out->ja4);
    memcpy(e[way].ja4_o, out->ja4_o, sizeof out->ja4_o);
    memcpy(e[way].ja3, out->ja3, sizeof out->ja3);
    memo.c_victim[set] = (uint8_t)!way;
}

void tw_fp_memo_server(const struct tw_server_hello *sh, struct tw_fingerprints *out)
{
    struct key k;
    if (!sh || !sh->present || !server_key(sh, &k)) {
        if (sh && sh->present)
            memo.sst.too_big++;
        tw_fp_server(sh, out);
        return;
    }
    uint64_t h = hash_words(k.w, k.n);
    size_t set = h & (SERVER_SETS - 1);
    struct sentry *e = memo.s[set];
    for (int way = 0; way < 2; way++)
        if (e[way].used && e[way].h == h && e[way].n == k.n &&
            memcmp(e[way].w, k.w, k.n * sizeof k.w[0]) == 0) {
            memcpy(out->ja3s, e[way].ja3s, sizeof out->ja3s);
            memo.s_victim[set] = (uint8_t)!way;
            memo.sst.hits++;
            return;
        }
    memo.sst.misses++;
    tw_fp_server(sh, out);
    int way = memo.s_victim[set];
    memo.sst.evictions += e[way].used;
    e[way].used = true;
    e[way].h = h;
    e[way].n = k.n;
    memcpy(e[way].w, k.w, k.n * sizeof k.w[0]);
    memcpy(e[way].ja3s, out->ja3s, sizeof out->ja3s);
    memo.s_victim[set] = (uint8_t)!way;
}

void tw_fp_memo_stats(struct tw_fp_memo_stats *client, struct tw_fp_memo_stats *server)
{
    if (client)
        *client = memo.cst;
    if (server)
        *server = memo.sst;
}

void tw_fp_memo_reset(void)
{
    memset(&memo, 0, sizeof memo);
}
