/* check_cert.h: helpers shared by check_cert.c and check_cert_chain.c. They read the
 * certificates scripts/make-test-certs.sh generates (tests/data/certs/, fixed dates) and analyse
 * them at a fixed capture time against the test root only, never the system store. */
#ifndef TLSWHY_CHECK_CERT_H
#define TLSWHY_CHECK_CERT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/cert.h"
#include "tlswhy/verdict.h"

#define AT_2030 1906502400LL /* 2030-06-01T00:00:00Z: the capture time of every test */
#define AT_2025 1748736000LL /* 2025-06-01T00:00:00Z */
#define AT_2050 2537654400LL /* 2050-06-01T00:00:00Z */

struct chain {
    size_t n;
    uint8_t *der[8];
    uint32_t len[8];
};

/* Reads tests/data/certs/<name>.der for each name (leaf first). */
static inline void load(struct chain *c, const char *const *names)
{
    memset(c, 0, sizeof *c);
    for (; *names && c->n < 8; names++, c->n++) {
        char rel[256];
        size_t len;
        snprintf(rel, sizeof rel, "tests/data/certs/%s.der", *names);
        c->der[c->n] = tw_test_read_file(tw_test_src(rel), &len);
        c->len[c->n] = (uint32_t)len;
    }
}

static inline void unload(struct chain *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->der[i]);
}

static inline struct tw_cert_ctx *ctx_with(const char *pem, int soon_days, size_t cache)
{
    struct tw_cert_opts o = {.ca_file = pem ? tw_test_src(pem) : NULL,
                             .expires_soon_days = soon_days,
                             .cache_entries = cache};
    int err = 1;
    struct tw_cert_ctx *c = tw_cert_ctx_new(&o, &err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(err, TW_OK);
    return c;
}

static inline struct tw_cert_ctx *test_ctx(void)
{
    return ctx_with("tests/data/certs/root.pem", 0, 0);
}

/* Analyses the named chain for name at time at with a fresh test context. */
static inline struct tw_chain_report *run(const char *const *names, const char *name, int64_t at)
{
    struct chain ch;
    struct tw_cert_ctx *c = test_ctx();
    load(&ch, names);
    struct tw_chain_report *r =
        tw_cert_analyse(c, (const uint8_t *const *)ch.der, ch.len, ch.n, name, at);
    ck_assert_ptr_nonnull(r);
    tw_cert_ctx_free(c); /* the report outlives the context and its cache */
    unload(&ch);
    return r;
}

static inline const struct tw_cert_finding *find(const struct tw_chain_report *r, int code)
{
    for (uint16_t i = 0; i < r->finding_count; i++)
        if (r->findings[i].code == code)
            return &r->findings[i];
    return NULL;
}

/* The report has exactly one finding: code, about certificate idx, with this text. */
static inline void only(const struct tw_chain_report *r, int code, int idx, const char *text)
{
    ck_assert_uint_eq(r->finding_count, 1);
    ck_assert_int_eq(r->findings[0].code, code);
    ck_assert_int_eq(r->findings[0].cert_index, idx);
    ck_assert_str_eq(r->findings[0].text, text);
}

#endif
