/* tls_fixture.h: loads the TLS fixtures made by scripts/make-tls-fixtures.sh (tests/data/tls/
 * <scenario>.seg: "<frame> c|s <hex>" or "<frame> c|s FIN|RST" per line) and replays them
 * through the TLS framer. Header-only (static inline) so each check_tls*.c stands alone. */
#ifndef TLSWHY_TLS_FIXTURE_H
#define TLSWHY_TLS_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/dissector.h"

#define FX_MAX_EVENTS 64
enum fx_kind { FX_DATA = 0, FX_FIN, FX_RST };

struct fx_event {
    uint64_t frame;
    enum tw_dir dir;
    enum fx_kind kind;
    uint8_t *data;
    size_t len;
};

struct fx {
    size_t n;
    struct fx_event ev[FX_MAX_EVENTS];
};

static inline int fx_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parses tests/data/tls/<name>.seg; aborts the test on a bad line. */
static inline void fx_load(struct fx *f, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/tls/%s.seg", name);
    size_t len;
    uint8_t *txt = tw_test_read_file(tw_test_src(rel), &len);
    memset(f, 0, sizeof *f);
    char *line = (char *)txt, *end = (char *)txt + len;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        if (!nl)
            nl = end;
        *nl = '\0';
        if (nl > line) {
            ck_assert_uint_lt(f->n, FX_MAX_EVENTS);
            struct fx_event *e = &f->ev[f->n++];
            char *p = line, *q;
            e->frame = strtoull(p, &q, 10);
            ck_assert(q > p && q[0] == ' ' && (q[1] == 'c' || q[1] == 's') && q[2] == ' ');
            e->dir = q[1] == 'c' ? TW_DIR_C2S : TW_DIR_S2C;
            p = q + 3;
            if (strcmp(p, "FIN") == 0) {
                e->kind = FX_FIN;
            } else if (strcmp(p, "RST") == 0) {
                e->kind = FX_RST;
            } else {
                size_t hl = strlen(p);
                ck_assert(hl % 2 == 0 && hl > 0);
                e->len = hl / 2;
                e->data = malloc(e->len);
                ck_assert_ptr_nonnull(e->data);
                for (size_t i = 0; i < e->len; i++) {
                    int hi = fx_hex(p[2 * i]), lo = fx_hex(p[2 * i + 1]);
                    ck_assert(hi >= 0 && lo >= 0);
                    e->data[i] = (uint8_t)(hi << 4 | lo);
                }
            }
        }
        line = nl + 1;
    }
    free(txt);
}

static inline void fx_free(struct fx *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->ev[i].data);
}

/* A connection's evidence as the consumer (run.c) sets it up. */
struct fx_conn {
    struct tw_limits lim;
    struct tw_ev_tcp tcp;
    struct tw_evidence ev;
    struct tw_tls_conn *t;
    int rc[2]; /* last tw_tls_data answer per direction */
};

static inline void fx_conn_init(struct fx_conn *c)
{
    memset(c, 0, sizeof *c);
    tw_limits_default(&c->lim);
    c->ev.tcp = &c->tcp;
    c->ev.tls = calloc(1, sizeof *c->ev.tls);
    ck_assert_ptr_nonnull(c->ev.tls);
    c->t = tw_tls_new(&c->lim);
    ck_assert_ptr_nonnull(c->t);
}

static inline void fx_conn_clear(struct fx_conn *c)
{
    tw_ev_tls_clear(c->ev.tls);
    free(c->ev.tls);
    tw_tls_free(c->t);
}

/* Replays f: data events go to tw_tls_data, cut into pieces of at most `piece` bytes (0: whole
 * segments), and event number split_ev is cut once more at byte `split`; FIN/RST go into the
 * TCP facts; then tw_tls_end. Stops feeding a direction once it answered TW_STREAM_DONE. */
static inline void fx_replay(struct fx_conn *c, const struct fx *f, size_t piece, size_t split_ev,
                             size_t split)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct fx_event *e = &f->ev[i];
        int64_t ts = (int64_t)e->frame * 1000;
        if (e->kind == FX_FIN) {
            if (!c->tcp.fin_frame[e->dir])
                c->tcp.fin_frame[e->dir] = e->frame;
            continue;
        }
        if (e->kind == FX_RST) {
            if (!c->tcp.rst_frame[e->dir])
                c->tcp.rst_frame[e->dir] = e->frame;
            continue;
        }
        c->tcp.bytes[e->dir] += e->len;
        if (c->rc[e->dir] == TW_STREAM_DONE)
            continue;
        size_t off = 0;
        while (off < e->len) {
            size_t n = e->len - off;
            if (piece && n > piece)
                n = piece;
            if (i == split_ev && off < split && off + n > split)
                n = split - off;
            c->rc[e->dir] = tw_tls_data(c->t, &c->ev, e->dir, e->data + off, n, e->frame, ts);
            off += n;
        }
    }
    tw_tls_end(c->t, &c->ev);
}

/* Loads, replays whole segments, frees the fixture. */
static inline void fx_run(struct fx_conn *c, const char *name)
{
    struct fx f;
    fx_load(&f, name);
    fx_conn_init(c);
    fx_replay(c, &f, 0, SIZE_MAX, 0);
    fx_free(&f);
}

/* A text digest of the evidence, for "same input cut differently gives the same facts". */
static inline void fx_summary(const struct tw_ev_tls *x, char *buf, size_t n)
{
    size_t o = 0;
#define FX_PUT(...)                                                                                \
    do {                                                                                           \
        int w_ = snprintf(buf + o, n - o, __VA_ARGS__);                                            \
        if (w_ > 0 && (size_t)w_ < n - o)                                                          \
            o += (size_t)w_;                                                                       \
    } while (0)
    for (int d = 0; d < 2; d++) {
        const struct tw_dir_tls *t = &x->d[d];
        FX_PUT("d%d probe=%d/%u rec=%u enc=%u app=%u/%llu fa=%llu ccs=%llu encf=%llu fin=%llu "
               "inc=%llu;",
               d, (int)t->probe.kind, (unsigned)t->probe.len, (unsigned)t->records,
               (unsigned)t->enc_hs_records, (unsigned)t->app_records,
               (unsigned long long)t->app_bytes, (unsigned long long)t->first_app_frame,
               (unsigned long long)t->ccs_frame, (unsigned long long)t->encrypted_from,
               (unsigned long long)t->finished_frame, (unsigned long long)t->incomplete_bytes);
    }
    const struct tw_client_hello *chs[2] = {&x->ch, &x->ch2};
    for (int i = 0; i < 2; i++)
        FX_PUT("ch%d %d f=%llu v=%04x s=%u e=%u vs=%u sni=%s;", i, chs[i]->present,
               (unsigned long long)chs[i]->frame, chs[i]->legacy_version,
               (unsigned)chs[i]->cipher_suites.n, (unsigned)chs[i]->extensions.n,
               (unsigned)chs[i]->versions.n, chs[i]->sni);
    const struct tw_server_hello *shs[2] = {&x->hrr, &x->sh};
    for (int i = 0; i < 2; i++)
        FX_PUT("sh%d %d f=%llu v=%04x c=%04x g=%04x;", i, shs[i]->present,
               (unsigned long long)shs[i]->frame, shs[i]->version, shs[i]->cipher_suite,
               shs[i]->key_share_group);
    FX_PUT("cert %d %llu-%llu n=%u k=%u", x->cert.present, (unsigned long long)x->cert.first_frame,
           (unsigned long long)x->cert.frame, (unsigned)x->cert.count, (unsigned)x->cert.kept);
    for (size_t i = 0; i < x->cert.kept; i++) {
        unsigned sum = 0;
        for (size_t j = 0; j < x->cert.der[i].len; j++)
            sum = sum * 31u + x->cert.der[i].der[j];
        FX_PUT(" %u:%08x", (unsigned)x->cert.der[i].len, sum);
    }
    FX_PUT(";kx=%llu/%04x/%u shd=%llu ckx=%llu cr=%llu cs=%llu nst=%llu;",
           (unsigned long long)x->server_kx_frame, x->server_kx_group, x->server_kx_dh_bits,
           (unsigned long long)x->server_hello_done_frame, (unsigned long long)x->client_kx_frame,
           (unsigned long long)x->cert_request_frame, (unsigned long long)x->cert_status_frame,
           (unsigned long long)x->new_session_ticket_frame);
    for (size_t i = 0; i < x->alert_count; i++)
        FX_PUT("A%llu/%u/%u/%u/%d%d%d;", (unsigned long long)x->alerts[i].frame, x->alerts[i].dir,
               x->alerts[i].level, x->alerts[i].desc, x->alerts[i].encrypted, x->alerts[i].visible,
               x->alerts[i].probable);
    for (size_t i = 0; i < x->step_count; i++)
        FX_PUT("S%llu/%u/%u/%u;", (unsigned long long)x->steps[i].frame, x->steps[i].dir,
               x->steps[i].kind, x->steps[i].type);
    FX_PUT("mal=%u", (unsigned)x->malformed_count);
#undef FX_PUT
}

#endif
