/* rd.c: the bounds-checked reader (see include/tlswhy/rd.h). */
#include "tlswhy/rd.h"

size_t tw_rd_off(const struct tw_rd *r)
{
    return (size_t)(r->p - r->base);
}

void tw_rd_fail(struct tw_rd *r, int code, const char *why)
{
    if (r->err->code == TW_OK) {
        r->err->code = code;
        r->err->why = why;
        r->err->off = tw_rd_off(r);
    }
    r->p = r->end;
}

struct tw_rd tw_rd_vec(struct tw_rd *r, int lenbytes)
{
    size_t n = 0;
    switch (lenbytes) {
    case 1:
        n = tw_rd_u8(r);
        break;
    case 2:
        n = tw_rd_u16(r);
        break;
    case 3:
        n = tw_rd_u24(r);
        break;
    default:
        tw_rd_fail(r, TW_E_MALFORMED, "bad vector length size");
        break;
    }
    if (r->err->code == TW_OK && (size_t)(r->end - r->p) < n)
        tw_rd_fail(r, TW_E_MALFORMED, "vector longer than its container");
    return tw_rd_sub(r, n);
}

void tw_rd_end(struct tw_rd *r)
{
    if (r->err->code == TW_OK && r->p != r->end)
        tw_rd_fail(r, TW_E_MALFORMED, "trailing bytes");
}
