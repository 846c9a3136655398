/* tls_cert_request.c: CertificateRequest, the server asking for a client certificate
 * (RFC 5246 §7.4.4, RFC 4346 §7.4.4 before TLS 1.2, RFC 8446 §4.3.2). */
#include "tls_int.h"

static void req_ext(uint16_t type, struct tw_rd *b, void *ctx)
{
    (void)type;
    (void)b;
    (void)ctx; /* signature_algorithms, certificate_authorities: not needed for a verdict */
}

/* TLS 1.2:  struct {
 *               ClientCertificateType certificate_types<1..2^8-1>;
 *               SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;  (1.2)
 *               DistinguishedName certificate_authorities<0..2^16-1>;
 *           } CertificateRequest;
 * TLS 1.3:  struct {
 *               opaque certificate_request_context<0..2^8-1>;
 *               Extension extensions<2..2^16-1>;
 *           } CertificateRequest; */
int tw_tls_cert_request(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    const struct tw_server_hello *sh = &ev->tls->sh;
    if (sh->present && tw_tls_is_13(sh->version)) {
        tw_rd_vec(m, 1);
        struct tw_rd exts = tw_rd_vec(m, 2);
        if (tw_rd_ok(m) && tw_rd_left(&exts) < 2)
            tw_rd_fail(m, TW_E_MALFORMED, "CertificateRequest without extensions");
        struct tw_rd_err inner = {.code = TW_OK};
        tw_tls_ext_walk(exts, req_ext, NULL, &inner);
    } else {
        struct tw_rd types = tw_rd_vec(m, 1);
        if (tw_rd_ok(m) && tw_rd_left(&types) == 0)
            tw_rd_fail(m, TW_E_MALFORMED, "no certificate_types");
        /* TLS 1.2 adds supported_signature_algorithms; the record version cannot tell (TLS
         * 1.2 servers often use 0x0301 records), so use the ServerHello's version. */
        if (!sh->present || sh->version >= 0x0303) {
            struct tw_rd algs = tw_rd_vec(m, 2);
            if (tw_rd_ok(m) && tw_rd_left(&algs) % 2 != 0)
                tw_rd_fail(m, TW_E_MALFORMED, "odd supported_signature_algorithms length");
        }
        struct tw_rd cas = tw_rd_vec(m, 2);
        while (tw_rd_left(&cas) > 0)
            tw_rd_vec(&cas, 2); /* opaque DistinguishedName<1..2^16-1> */
    }
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "certificate_request", m->err);
    if (ev->tls->cert_request_frame == 0)
        ev->tls->cert_request_frame = msg->last_frame;
    return TW_OK;
}
