/* tls_encrypted.c: records that cannot be read without keys (RFC 8446 §5.2, RFC 5246 §6.2.3):
 * encrypted handshake, application data, and alerts recognised by content type (TLS <= 1.2)
 * or by size and timing (TLS 1.3, where every record after ServerHello is application_data). */
#include "tls_conn.h"

void tw_tls_enc_alert(struct tw_evidence *ev, enum tw_dir d, uint64_t frame, int64_t ts_us,
                      uint32_t len, bool probable)
{
    struct tw_alert a = {.frame = frame,
                         .ts_us = ts_us,
                         .dir = (uint8_t)d,
                         .encrypted = true,
                         .visible = false,
                         .probable = probable,
                         .record_len = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len};
    tw_tls_ev_alert(ev, &a);
}

void tw_tls_enc_hs(struct tw_evidence *ev, enum tw_dir d, uint64_t frame, int64_t ts_us,
                   uint32_t len)
{
    struct tw_ev_tls *x = ev->tls;
    x->d[d].enc_hs_records++;
    x->d[d].finished_frame = frame; /* the last encrypted handshake record seen so far */
    const struct tw_step *last = x->step_count ? &x->steps[x->step_count - 1] : NULL;
    if (!last || last->kind != TW_STEP_ENC_HANDSHAKE || last->dir != d)
        tw_tls_ev_step(ev, frame, ts_us, d, TW_STEP_ENC_HANDSHAKE, 0, len);
}

void tw_tls_app_data(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, uint64_t frame,
                     int64_t ts_us, uint32_t len)
{
    struct tw_dir_tls *dt = &ev->tls->d[d];
    if (dt->app_records++ == 0) {
        dt->first_app_frame = frame;
        dt->first_app_ts = ts_us;
    }
    dt->app_bytes += len;
    const struct tw_ev_tls *x = ev->tls;
    const struct tw_step *last = x->step_count ? &x->steps[x->step_count - 1] : NULL;
    if (!last || last->kind != TW_STEP_APP_DATA || last->dir != d)
        tw_tls_ev_step(ev, frame, ts_us, d, TW_STEP_APP_DATA, 0, len);
    if (d == TW_DIR_S2C && x->d[TW_DIR_C2S].app_records > 0)
        t->srv_app_after_cli = true;
}

/* An application_data record. In TLS 1.3 without keys: server records before the client's
 * first encrypted record are its encrypted flight; the client's first one and those in the
 * same frame are its Finished flight (Certificate, CertificateVerify, Finished), unless the
 * first is alert-sized (then it is a probable encrypted alert: the client rejected the
 * server's flight); later ones are application data. */
uint8_t tw_tls_app_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                          uint64_t frame, int64_t ts_us, uint32_t len)
{
    if (t->tls13) {
        struct tw_tls_side *s = &t->s[d];
        if (s->enc13++ == 0)
            s->enc13_frame = frame;
        if (d == TW_DIR_S2C && t->s[TW_DIR_C2S].enc13 == 0) {
            tw_tls_enc_hs(ev, d, frame, ts_us, len);
            return TW_RC_ENC_HS;
        }
        if (d == TW_DIR_C2S && s->enc13 == 1 && len >= TW_TLS13_ALERT_MIN &&
            len <= TW_TLS13_ALERT_MAX) {
            tw_tls_enc_alert(ev, d, frame, ts_us, len, true);
            return TW_RC_ALERT;
        }
        if (d == TW_DIR_C2S && frame == s->enc13_frame) {
            tw_tls_enc_hs(ev, d, frame, ts_us, len);
            return TW_RC_ENC_HS;
        }
    }
    tw_tls_app_data(t, ev, d, frame, ts_us, len);
    return TW_RC_APP;
}

/* Is a ChangeCipherSpec from d only the TLS 1.3 middlebox-compatibility one (RFC 8446 §D.4),
 * after which records stay plaintext (the second ClientHello after a HelloRetryRequest)? */
bool tw_tls_compat_ccs(const struct tw_tls_conn *t, const struct tw_evidence *ev, enum tw_dir d)
{
    const struct tw_ev_tls *x = ev->tls;
    if (t->tls13)
        return true;
    if (x->sh.present)
        return tw_tls_is_13(x->sh.version);
    if (x->hrr.present)
        return true;
    if (x->client_kx_frame != 0)
        return false; /* a ClientKeyExchange: TLS <= 1.2 even if the ServerHello was lost */
    if (d == TW_DIR_C2S)
        for (size_t i = 0; i < x->ch.versions.n; i++)
            if (tw_tls_is_13(x->ch.versions.v[i]))
                return true;
    return false;
}

/* TLS 1.3 without keys: a side's last record, alert-sized, followed by its FIN or RST, is a
 * probable encrypted alert (close_notify after application data, or a fatal alert). */
void tw_tls_reclassify_last(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d)
{
    struct tw_tls_side *s = &t->s[d];
    const struct tw_ev_tcp *tcp = ev->tcp;
    if (!t->tls13 || !tcp || (s->last_class != TW_RC_APP && s->last_class != TW_RC_ENC_HS))
        return;
    if (s->last_len < TW_TLS13_ALERT_MIN || s->last_len > TW_TLS13_ALERT_MAX)
        return;
    if (s->done && s->consumed < tcp->bytes[d])
        return; /* delivery stopped early: later records were not seen */
    bool fin = tcp->fin_frame[d] != 0 && tcp->fin_frame[d] >= s->last_frame;
    bool rst = tcp->rst_frame[d] != 0 && tcp->rst_frame[d] >= s->last_frame;
    if (!fin && !rst)
        return;
    struct tw_dir_tls *dt = &ev->tls->d[d];
    if (s->last_class == TW_RC_APP) {
        dt->app_records--;
        dt->app_bytes -= s->last_len;
        if (dt->app_records == 0) {
            dt->first_app_frame = 0;
            dt->first_app_ts = 0;
        }
    } else {
        dt->enc_hs_records--;
    }
    s->last_class = TW_RC_ALERT;
    tw_tls_enc_alert(ev, d, s->last_frame, s->last_ts, s->last_len, true);
}
