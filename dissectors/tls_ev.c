/* tls_ev.c: appending TLS facts to the evidence (ev_tls.h), and freeing what they own. */
#include "tlswhy/ev_tls.h"

#include <stdlib.h>

#include "tls_int.h"

void tw_ev_tls_clear(struct tw_ev_tls *t)
{
    if (!t)
        return;
    struct tw_cert_msg *msgs[2] = {&t->cert, &t->client_cert};
    for (size_t m = 0; m < 2; m++) {
        for (size_t i = 0; i < TW_MAX_CERTS; i++) {
            free(msgs[m]->der[i].der);
            msgs[m]->der[i].der = NULL;
            msgs[m]->der[i].len = 0;
        }
        msgs[m]->kept = 0;
    }
}

void tw_tls_ev_step(struct tw_evidence *ev, uint64_t frame, int64_t ts_us, enum tw_dir dir,
                    enum tw_step_kind kind, uint8_t type, uint32_t len)
{
    struct tw_ev_tls *t = ev->tls;
    if (t->step_count >= TW_MAX_STEPS) {
        if (t->steps_dropped < UINT16_MAX)
            t->steps_dropped++;
        return;
    }
    struct tw_step *s = &t->steps[t->step_count++];
    s->frame = frame;
    s->ts_us = ts_us;
    s->dir = (uint8_t)dir;
    s->kind = (uint8_t)kind;
    s->type = type;
    s->len = len;
}

void tw_tls_ev_bad(struct tw_evidence *ev, enum tw_dir dir, uint64_t frame, int64_t ts_us,
                   const char *what, const char *why, uint32_t off)
{
    struct tw_ev_tls *t = ev->tls;
    if (t->malformed_count == 0) {
        t->malformed.frame = frame;
        t->malformed.dir = (uint8_t)dir;
        t->malformed.what = what;
        t->malformed.why = why ? why : "malformed";
        t->malformed.off = off;
    }
    if (t->malformed_count < UINT16_MAX)
        t->malformed_count++;
    tw_tls_ev_step(ev, frame, ts_us, dir, TW_STEP_MALFORMED, 0, off);
}

int tw_tls_ev_malformed(struct tw_evidence *ev, const struct tw_msg *msg, const char *what,
                        const struct tw_rd_err *e)
{
    tw_tls_ev_bad(ev, msg->dir, msg->last_frame, msg->ts_us, what, e->why,
                  e->off > UINT32_MAX ? UINT32_MAX : (uint32_t)e->off);
    return TW_E_MALFORMED;
}

void tw_tls_ev_alert(struct tw_evidence *ev, const struct tw_alert *a)
{
    struct tw_ev_tls *t = ev->tls;
    if (t->alert_count < TW_MAX_ALERTS)
        t->alerts[t->alert_count++] = *a;
    else if (t->alerts_dropped < UINT16_MAX)
        t->alerts_dropped++;
    tw_tls_ev_step(ev, a->frame, a->ts_us, (enum tw_dir)a->dir, TW_STEP_ALERT,
                   a->visible ? a->desc : 0, a->record_len);
}
