/* tls_ext.c: the one extension walker every hello-like message uses (RFC 8446 §4.2). */
#include "tls_int.h"

/* struct {
 *     ExtensionType extension_type;          uint16
 *     opaque extension_data<0..2^16-1>;
 * } Extension;
 * Extension extensions<...>;   (the caller has already cut the outer vector) */
void tw_tls_ext_walk(struct tw_rd exts, tw_tls_ext_fn fn, void *ctx, struct tw_rd_err *inner)
{
    while (tw_rd_left(&exts) > 0) {
        uint16_t type = tw_rd_u16(&exts);
        struct tw_rd body = tw_rd_vec(&exts, 2);
        if (!tw_rd_ok(&exts))
            return;
        size_t at = tw_rd_off(&body);
        struct tw_rd_err e;
        struct tw_rd b = tw_rd_make(body.p, tw_rd_left(&body), &e);
        fn(type, &b, ctx);
        if (e.code != TW_OK && inner->code == TW_OK) {
            inner->code = e.code;
            inner->off = at + e.off;
            inner->why = e.why;
        }
    }
}
