/* tls_alert.c: Alert protocol (RFC 8446 §6, RFC 5246 §7.2) and ChangeCipherSpec (RFC 5246
 * §7.1, RFC 8446 §5 and §D.4 middlebox compatibility). Plaintext records only: the framer
 * records encrypted alerts itself, since their level and description are not visible. */
#include "tls_int.h"

/* struct { AlertLevel level; AlertDescription description; } Alert;   uint8 + uint8
 * A record may hold several alerts; a plaintext alert record is a whole number of them. */
int tw_tls_alert(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    struct tw_alert a[TW_MAX_ALERTS];
    size_t n = 0;
    if (tw_rd_left(m) == 0)
        tw_rd_fail(m, TW_E_MALFORMED, "empty alert record");
    while (tw_rd_left(m) > 0) {
        uint8_t level = tw_rd_u8(m);
        uint8_t desc = tw_rd_u8(m); /* an odd length fails here */
        if (level != 1 && level != 2)
            tw_rd_fail(m, TW_E_MALFORMED, "alert level not warning(1) or fatal(2)");
        if (n < TW_MAX_ALERTS)
            a[n++] = (struct tw_alert){.frame = msg->last_frame,
                                       .ts_us = msg->ts_us,
                                       .dir = (uint8_t)msg->dir,
                                       .level = level,
                                       .desc = desc,
                                       .encrypted = msg->decrypted,
                                       .visible = true,
                                       .record_len = (uint16_t)msg->len};
    }
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "alert", m->err);
    for (size_t i = 0; i < n; i++)
        tw_tls_ev_alert(ev, &a[i]);
    return TW_OK;
}

/* struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec; */
int tw_tls_ccs(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    uint8_t type = tw_rd_u8(m);
    if (tw_rd_ok(m) && type != 1)
        tw_rd_fail(m, TW_E_MALFORMED, "ChangeCipherSpec type not 1");
    tw_rd_end(m);
    struct tw_dir_tls *dt = &ev->tls->d[msg->dir];
    if (dt->ccs_frame == 0)
        dt->ccs_frame = msg->last_frame;
    tw_tls_ev_step(ev, msg->last_frame, msg->ts_us, msg->dir, TW_STEP_CCS, 0, msg->len);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "change_cipher_spec", m->err);
    return TW_OK;
}
