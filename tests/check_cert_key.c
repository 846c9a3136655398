/* check_cert_key.c: the chain cache key (cert.c chain_key, cert_cache.c). A chain up to
 * TW_CERT_KEY_MAX bytes is keyed by its own bytes, a longer one by their SHA-256; either way a
 * hit needs an equal key, so a chain that differs in one byte, in how its bytes are split into
 * certificates, or in one certificate more or less is analysed on its own, and every answer a
 * hit gives equals the analysis of a cache of its own. */
#include "check_cert.h"

/* What an analysis says, as text, to compare a cached answer with a fresh one. */
static void digest_of(const struct tw_chain_report *r, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "n=%u trusted=%d err=%d name=%d/%d findings=%u:", r->n,
                                 r->trusted, r->verify_error, r->name_checked, r->name_ok,
                                 r->finding_count);
    for (size_t i = 0; i < r->n && at < cap; i++)
        at += (size_t)snprintf(buf + at, cap - at, " [%s|%s|%s]", r->certs[i].subject_dn,
                               r->certs[i].serial, r->certs[i].sha256);
    for (size_t i = 0; i < r->finding_count && at < cap; i++)
        at += (size_t)snprintf(buf + at, cap - at, " {%d %d %s}", r->findings[i].code,
                               r->findings[i].cert_index, r->findings[i].text);
}

/* der/len analysed by c (maybe from its cache) and by a context of its own: the same answer. */
static void same_as_fresh(struct tw_cert_ctx *c, const uint8_t *const *der, const uint32_t *len,
                          size_t n, const char *what)
{
    static char a[1 << 16], b[1 << 16];
    struct tw_cert_ctx *fresh = test_ctx();
    struct tw_chain_report *x = tw_cert_analyse(c, der, len, n, "www.example.com", AT_2030);
    struct tw_chain_report *y = tw_cert_analyse(fresh, der, len, n, "www.example.com", AT_2030);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    digest_of(x, a, sizeof a);
    digest_of(y, b, sizeof b);
    ck_assert_msg(strcmp(a, b) == 0, "%s: cached %s\nfresh %s", what, a, b);
    tw_chain_report_free(x);
    tw_chain_report_free(y);
    tw_cert_ctx_free(fresh);
}

static uint64_t hits(const struct tw_cert_ctx *c)
{
    return tw_cert_stats(c)->cache_hits;
}

START_TEST(one_byte_split_or_count_apart_is_another_chain)
{
    static const char *const names[] = {"leaf-good", "int", NULL};
    struct chain ch;
    load(&ch, names);
    struct tw_cert_ctx *c = test_ctx();
    const uint8_t *der[3] = {ch.der[0], ch.der[1], NULL};
    uint32_t len[3] = {ch.len[0], ch.len[1], 0};
    same_as_fresh(c, der, len, 2, "first");
    ck_assert_uint_eq(hits(c), 0);
    same_as_fresh(c, der, len, 2, "again");
    ck_assert_uint_eq(hits(c), 1);

    /* The last byte of the intermediate changed. */
    uint8_t *flipped = malloc(ch.len[1]);
    memcpy(flipped, ch.der[1], ch.len[1]);
    flipped[ch.len[1] - 1] ^= 1;
    der[1] = flipped;
    same_as_fresh(c, der, len, 2, "one byte");
    ck_assert_uint_eq(hits(c), 1);

    /* The same bytes, the boundary between the certificates moved by one. */
    der[1] = ch.der[1];
    uint8_t *both = malloc(ch.len[0] + ch.len[1]);
    memcpy(both, ch.der[0], ch.len[0]);
    memcpy(both + ch.len[0], ch.der[1], ch.len[1]);
    const uint8_t *moved[2] = {both, both + ch.len[0] - 1};
    uint32_t moved_len[2] = {ch.len[0] - 1, ch.len[1] + 1};
    same_as_fresh(c, moved, moved_len, 2, "split moved");
    ck_assert_uint_eq(hits(c), 1);
    /* ... and all in one. */
    const uint8_t *one[1] = {both};
    uint32_t one_len[1] = {ch.len[0] + ch.len[1]};
    same_as_fresh(c, one, one_len, 1, "one piece");
    ck_assert_uint_eq(hits(c), 1);

    /* One certificate less, one more. */
    same_as_fresh(c, der, len, 1, "leaf only");
    ck_assert_uint_eq(hits(c), 1);
    der[2] = ch.der[1];
    len[2] = ch.len[1];
    same_as_fresh(c, der, len, 3, "intermediate twice");
    ck_assert_uint_eq(hits(c), 1);

    /* Each of them is now cached and found again. */
    same_as_fresh(c, der, len, 2, "first, third time");
    same_as_fresh(c, moved, moved_len, 2, "split moved again");
    same_as_fresh(c, der, len, 3, "intermediate twice again");
    ck_assert_uint_eq(hits(c), 4);
    ck_assert_uint_eq(tw_cert_stats(c)->analysed, 10); /* 6 distinct chains, 4 hits */
    free(both);
    free(flipped);
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

/* Chains around TW_CERT_KEY_MAX (16 KB, private to src/): the leaf and 15 to 21 copies of
 * the intermediate, whose keys (5 bytes, then 4 per certificate and its DER) go from about
 * 13.7 KB to 18.8 KB: the short ones are keyed by their bytes, the long ones by the SHA-256;
 * both are found again, and a one-byte change in the middle of a long one is another chain. */
START_TEST(long_chains_keyed_by_digest)
{
    static const char *const names[] = {"leaf-good", "int", NULL};
    struct chain ch;
    load(&ch, names);
    struct tw_cert_ctx *c = test_ctx();
    const uint8_t *der[TW_CERT_MAX_CHAIN];
    uint32_t len[TW_CERT_MAX_CHAIN];
    der[0] = ch.der[0];
    len[0] = ch.len[0];
    for (size_t i = 1; i < TW_CERT_MAX_CHAIN; i++) {
        der[i] = ch.der[1];
        len[i] = ch.len[1];
    }
    uint64_t expect_hits = 0;
    size_t shortest = SIZE_MAX, longest = 0;
    for (size_t n = 16; n <= 22; n++) {
        size_t key = 5;
        for (size_t i = 0; i < n; i++)
            key += 4 + len[i];
        shortest = key < shortest ? key : shortest;
        longest = key > longest ? key : longest;
        same_as_fresh(c, der, len, n, "long, first");
        ck_assert_uint_eq(hits(c), expect_hits);
        same_as_fresh(c, der, len, n, "long, again");
        ck_assert_uint_eq(hits(c), ++expect_hits);
    }
    ck_assert_uint_lt(shortest, 16 << 10);
    ck_assert_uint_gt(longest, 16 << 10);
    uint8_t *flipped = malloc(ch.len[1]);
    memcpy(flipped, ch.der[1], ch.len[1]);
    flipped[ch.len[1] / 2] ^= 0x80;
    der[10] = flipped;
    same_as_fresh(c, der, len, 20, "long, one byte");
    ck_assert_uint_eq(hits(c), expect_hits);
    same_as_fresh(c, der, len, 20, "long, one byte again");
    ck_assert_uint_eq(hits(c), expect_hits + 1);
    der[10] = ch.der[1];
    same_as_fresh(c, der, len, 20, "long, as before");
    ck_assert_uint_eq(hits(c), expect_hits + 2);
    free(flipped);
    tw_cert_ctx_free(c);
    unload(&ch);
}
END_TEST

/* Every test certificate alone and after each leaf its intermediate, through one small cache
 * (evicting) and one large one, twice: every answer equals a fresh analysis. */
START_TEST(cached_answers_equal_fresh_ones)
{
    static const char *const leaves[] = {"leaf-clientauth", "leaf-cnonly", "leaf-expired",
                                         "leaf-good", "leaf-ip", "leaf-notyet", "leaf-nul",
                                         "leaf-other", "leaf-rsa1024", "leaf-self", "leaf-sha1",
                                         "leaf-soon", "leaf-wildcard", "int", "root",
                                         "other-root"};
    struct tw_cert_ctx *small = ctx_with("tests/data/certs/root.pem", 0, 3);
    struct tw_cert_ctx *big = test_ctx();
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
            const char *names[] = {leaves[i], "int", NULL};
            struct chain ch;
            load(&ch, names);
            const uint8_t *const *der = (const uint8_t *const *)ch.der;
            same_as_fresh(small, der, ch.len, 1, leaves[i]);
            same_as_fresh(big, der, ch.len, 1, leaves[i]);
            same_as_fresh(small, der, ch.len, 2, leaves[i]);
            same_as_fresh(big, der, ch.len, 2, leaves[i]);
            unload(&ch);
        }
    ck_assert_uint_eq(hits(big), 32);  /* the whole second pass */
    ck_assert_uint_gt(tw_cert_stats(small)->cache_evictions, 0);
    tw_cert_ctx_free(small);
    tw_cert_ctx_free(big);
}
END_TEST

Suite *tw_cert_key_suite(void)
{
    Suite *s = suite_create("cert_key");
    TCase *tc = tcase_create("key");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, one_byte_split_or_count_apart_is_another_chain);
    tcase_add_test(tc, long_chains_keyed_by_digest);
    tcase_add_test(tc, cached_answers_equal_fresh_ones);
    suite_add_tcase(s, tc);
    return s;
}
