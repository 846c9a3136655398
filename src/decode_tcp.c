/* decode_tcp.c: the TCP header and options (RFC 9293 §3.1), the checksum over the pseudo-header,
 * and the payload; caplen < wirelen gives `lost` bytes, never made-up data. */
#include "tlswhy/packet.h"

#include <string.h>

#include "decode_internal.h"

static const char *const DOFF_TOO_SMALL[5] = {
    "tcp: data offset 0 < 5", "tcp: data offset 1 < 5", "tcp: data offset 2 < 5",
    "tcp: data offset 3 < 5", "tcp: data offset 4 < 5",
};

/* The pseudo-header (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6) in network order. The
 * addresses come from the innermost IP header, already copied into out. For IPv6 with a routing
 * header the final destination should be used; we use the header's, so such segments may show
 * a bad checksum (they are kept either way). */
static uint64_t pseudo_sum(const struct tw_pkt *p, uint32_t seg_len)
{
    uint8_t tail[8] = {0, 0, 0, 0, 0, 0, 0, 6}; /* IPv6: uint32 length; zero[3]; next_header */
    tail[2] = (uint8_t)(seg_len >> 8);
    tail[3] = (uint8_t)seg_len;
    if (p->src.ip.family == 4) { /* IPv4: zero; protocol; uint16 tcp_length */
        tail[0] = 0;
        tail[1] = 6;
        uint64_t sum = tw_dec_csum_add32(0, p->src.ip.b, 1);
        sum = tw_dec_csum_add32(sum, p->dst.ip.b, 1);
        return tw_dec_csum_add32(sum, tail, 1);
    }
    tail[0] = (uint8_t)(seg_len >> 24);
    tail[1] = (uint8_t)(seg_len >> 16);
    uint64_t sum = tw_dec_csum_add32(0, p->src.ip.b, 4);
    sum = tw_dec_csum_add32(sum, p->dst.ip.b, 4);
    return tw_dec_csum_add32(sum, tail, 2);
}

/* TCP options, RFC 9293 §3.2, read on SYN segments only: MSS (§3.7.1) and window scale (RFC
 * 7323 §2.2) are valid only there, and skipping the walk on the others (most segments carry
 * timestamps) saves a tenth of decoding a frame. Format: { uint8 kind; if kind > 1: uint8 length (>= 2, counts kind and
 * length); opaque data[length - 2]; } until end-of-list (0). MSS is kind 2 length 4 (uint16),
 * window scale kind 3 length 3 (uint8, RFC 7323 §2.2). A broken option list only ends the walk:
 * it has its own error so the segment itself stays good. */
void tw_dec_tcp_options(struct tw_pkt *p, const uint8_t *opts, size_t n)
{
    struct tw_rd_err oe;
    struct tw_rd o = tw_rd_make(opts, n, &oe);

    while (tw_rd_left(&o) > 0) {
        uint8_t kind = tw_rd_u8(&o);
        if (kind == 0)
            return;
        if (kind == 1)
            continue;
        uint8_t len = tw_rd_u8(&o);
        if (len < 2)
            return;
        struct tw_rd v = tw_rd_sub(&o, (size_t)len - 2);
        if (kind == 2 && len == 4)
            p->mss = tw_rd_u16(&v);
        if (kind == 3 && len == 3) {
            p->wscale = tw_rd_u8(&v);
            p->has_wscale = tw_rd_ok(&v);
        }
    }
}

/* TCP header, RFC 9293 §3.1:
 *   uint16 source_port; uint16 destination_port; uint32 sequence_number;
 *   uint32 acknowledgment_number; uint8 data_offset(4) reserved(3) ae(1); uint8 flags
 *   (CWR ECE URG ACK PSH RST SYN FIN); uint16 window; uint16 checksum; uint16 urgent_pointer;
 *   opaque options[(data_offset - 5) * 4]; opaque data[];
 * r covers the captured part of the segment; c->cut more bytes of it were not captured. */
int tw_dec_tcp(struct tw_dec_ctx *c, struct tw_rd *r)
{
    struct tw_pkt *p = c->out;
    size_t captured = tw_rd_left(r);

    struct tw_rd all = *r; /* the whole segment, for the checksum */

    if (tw_dec_need(c, r, 20, "tcp: header longer than segment", "tcp: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint32_t ports = tw_rd_u32(r); /* source_port, destination_port */
    p->src.port = (uint16_t)(ports >> 16);
    p->dst.port = (uint16_t)ports;
    p->seq = tw_rd_u32(r);
    p->ack = tw_rd_u32(r);
    uint32_t w3 = tw_rd_u32(r); /* data_offset, reserved, flags, window */
    uint8_t doff = (uint8_t)(w3 >> 28);
    p->flags = (uint8_t)(w3 >> 16);
    p->window = (uint16_t)w3;
    tw_rd_skip(r, 4); /* checksum (checked above), urgent_pointer */
    if (doff < 5)
        return tw_dec_malformed(r, DOFF_TOO_SMALL[doff]);
    size_t optlen = (size_t)doff * 4 - 20;
    if (tw_dec_need(c, r, optlen, "tcp: data offset beyond segment", "tcp: options cut by snaplen"))
        return TW_E_MALFORMED;
    const uint8_t *opts = tw_rd_take(r, optlen);
    if (p->flags & TW_TCP_SYN) /* MSS and window scale mean something only there */
        tw_dec_tcp_options(p, opts, optlen);
    size_t plen = tw_rd_left(r);
    p->payload = tw_rd_take(r, plen);
    p->payload_len = (uint32_t)plen;
    p->lost = c->cut;
    if (p->lost > 0)
        c->st->truncated++;
    if (c->cut == 0) /* whole segment captured: the checksum can be checked */
        tw_dec_tcp_csum(p, tw_rd_take(&all, captured), captured, c->st);
    return TW_OK;
}

void tw_dec_tcp_csum(struct tw_pkt *p, const uint8_t *seg, size_t len, struct tw_dec_stats *st)
{
    if (seg && tw_dec_csum_fold(tw_dec_csum_add(pseudo_sum(p, (uint32_t)len), seg, len)) !=
                   0xffff) {
        st->bad_tcp_csum++;
        p->tcp_csum_bad = true;
    }
}
