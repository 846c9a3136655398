/* tls_certificate.c: Certificate (RFC 5246 §7.4.2; RFC 8446 §4.4.2 with per-certificate
 * extensions) and CertificateStatus (RFC 6066 §8, OCSP stapling). The server's DER list is
 * copied into the evidence for the analysis layer, capped by lim->max_certs, TW_MAX_CERTS
 * and lim->max_cert_der. */
#include "tls_int.h"

#include <stdlib.h>
#include <string.h>

/* Does this message use the TLS 1.3 form? Decided by the negotiated version. */
static bool tls13_form(const struct tw_evidence *ev)
{
    const struct tw_server_hello *sh = &ev->tls->sh;
    return sh->present && tw_tls_is_13(sh->version);
}

/* Views of the DERs found; copied only once the whole message has parsed. */
struct found {
    const uint8_t *p[TW_MAX_CERTS];
    uint32_t len[TW_MAX_CERTS];
    uint16_t n;
};

/* TLS 1.2:  opaque ASN.1Cert<1..2^24-1>;
 *           struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 * TLS 1.3:  struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; }
 *               CertificateEntry;
 *           struct { opaque certificate_request_context<0..2^8-1>;
 *                    CertificateEntry certificate_list<0..2^24-1>; } Certificate; */
int tw_tls_certificate(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    struct tw_cert_msg *cm = msg->dir == TW_DIR_S2C ? &ev->tls->cert : &ev->tls->client_cert;
    bool tls13 = tls13_form(ev);
    struct found f = {.n = 0};
    uint16_t count = 0;
    if (tls13)
        tw_rd_vec(m, 1); /* certificate_request_context */
    struct tw_rd list = tw_rd_vec(m, 3);
    tw_rd_end(m);
    while (tw_rd_left(&list) > 0) {
        struct tw_rd der = tw_rd_vec(&list, 3);
        size_t n = tw_rd_left(&der);
        if (tw_rd_ok(&list) && n == 0)
            tw_rd_fail(&list, TW_E_MALFORMED, "empty certificate");
        if (tls13)
            tw_rd_vec(&list, 2); /* per-certificate extensions (OCSP, SCT): not needed */
        if (!tw_rd_ok(&list))
            break;
        if (count < UINT16_MAX)
            count++;
        if (f.n < TW_MAX_CERTS) {
            f.p[f.n] = tw_rd_take(&der, n);
            f.len[f.n++] = (uint32_t)n;
        }
    }
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "certificate", m->err);
    if (cm->present)
        return TW_OK; /* keep the first one (renegotiation sends another) */
    cm->present = true;
    cm->first_frame = msg->first_frame;
    cm->frame = msg->last_frame;
    cm->ts_us = msg->ts_us;
    cm->tls13 = tls13;
    cm->decrypted = msg->decrypted;
    cm->count = count;
    if (msg->dir != TW_DIR_S2C)
        return TW_OK; /* the client's chain is counted, not kept */
    size_t max =
        msg->lim && msg->lim->max_certs < TW_MAX_CERTS ? msg->lim->max_certs : TW_MAX_CERTS;
    size_t max_der = msg->lim ? msg->lim->max_cert_der : SIZE_MAX;
    for (size_t i = 0; i < f.n && cm->kept < max; i++) {
        if (f.len[i] > max_der)
            break; /* an over-cap certificate ends the kept prefix: the chain stays ordered */
        uint8_t *copy = malloc(f.len[i]);
        if (!copy)
            return TW_E_NOMEM;
        memcpy(copy, f.p[i], f.len[i]);
        cm->der[cm->kept].der = copy;
        cm->der[cm->kept++].len = f.len[i];
    }
    return TW_OK;
}

/* struct { CertificateStatusType status_type;   uint8, ocsp(1)
 *          select (status_type) { case ocsp: OCSPResponse response; }  opaque <1..2^24-1>
 * } CertificateStatus; */
int tw_tls_certificate_status(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    uint8_t type = tw_rd_u8(m);
    if (tw_rd_ok(m) && type != 1)
        tw_rd_fail(m, TW_E_MALFORMED, "status_type not ocsp(1)");
    struct tw_rd resp = tw_rd_vec(m, 3);
    size_t n = tw_rd_left(&resp);
    if (tw_rd_ok(m) && n == 0)
        tw_rd_fail(m, TW_E_MALFORMED, "empty OCSPResponse");
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "certificate_status", m->err);
    if (ev->tls->cert_status_frame == 0) {
        ev->tls->cert_status_frame = msg->last_frame;
        ev->tls->cert_status_len = (uint32_t)n;
    }
    return TW_OK;
}
