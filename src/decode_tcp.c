/* decode_tcp.c: the TCP header and options (RFC 9293 §3.1), the checksum over the pseudo-header,
 * and the payload; caplen < wirelen gives `lost` bytes, never made-up data. */
#include "tlswhy/packet.h"

#include <string.h>

#include "decode_internal.h"

static const char *const DOFF_TOO_SMALL[5] = {
    "tcp: data offset 0 < 5", "tcp: data offset 1 < 5", "tcp: data offset 2 < 5",
    "tcp: data offset 3 < 5", "tcp: data offset 4 < 5",
};

/* RFC 1071 sum. This is the one place that loads bytes without tw_rd: p always comes from
 * tw_rd_take, so [p, p+n) has been bounds-checked, and a reader call per word would cost the
 * speed this needs. Words are loaded 8 bytes at a time (memcpy: no unaligned access) into a
 * 64-bit accumulator whose carries are counted apart; since 2^16 = 1 (mod 0xffff), the two
 * 32-bit halves plus the carries are congruent to the 16-bit ones-complement sum. Loads are in
 * host order, which does not matter: the verdict is a comparison with 0xffff (RFC 1071 §2(B)). */
uint64_t tw_dec_csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    uint64_t acc = 0, carry = 0, w;
    uint16_t w16;

    while (n >= 32) { /* unrolled: four independent loads per round */
        memcpy(&w, p, 8);
        acc += w;
        carry += acc < w;
        memcpy(&w, p + 8, 8);
        acc += w;
        carry += acc < w;
        memcpy(&w, p + 16, 8);
        acc += w;
        carry += acc < w;
        memcpy(&w, p + 24, 8);
        acc += w;
        carry += acc < w;
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        memcpy(&w, p, 8);
        acc += w;
        carry += acc < w;
        p += 8;
        n -= 8;
    }
    sum += (acc >> 32) + (acc & 0xffffffff) + carry;
    while (n >= 2) {
        memcpy(&w16, p, 2);
        sum += w16;
        p += 2;
        n -= 2;
    }
    if (n == 1) { /* the odd byte is the first half of a word padded with zero */
        uint8_t last[2] = {0, 0};
        memcpy(last, p, 1);
        memcpy(&w16, last, 2);
        sum += w16;
    }
    return sum;
}

uint16_t tw_dec_csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* The pseudo-header (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6) in network order. The
 * addresses come from the innermost IP header, already copied into out. For IPv6 with a routing
 * header the final destination should be used; we use the header's, so such segments may show
 * a bad checksum (they are kept either way). */
static uint64_t pseudo_sum(const struct tw_pkt *p, uint32_t seg_len)
{
    uint8_t ph[40];
    size_t alen = p->src.ip.family == 4 ? 4 : 16;

    memcpy(ph, p->src.ip.b, alen);
    memcpy(ph + alen, p->dst.ip.b, alen);
    uint64_t sum = tw_dec_csum_add(0, ph, alen * 2);
    uint8_t tail[8] = {0, 0, 0, 0, 0, 0, 0, 6}; /* IPv6: uint32 length; zero[3]; next_header */
    tail[2] = (uint8_t)(seg_len >> 8);
    tail[3] = (uint8_t)seg_len;
    if (alen == 4) { /* IPv4: zero; protocol; uint16 tcp_length */
        tail[4] = 0;
        tail[5] = 6;
        tail[6] = (uint8_t)(seg_len >> 8);
        tail[7] = (uint8_t)seg_len;
        return tw_dec_csum_add(sum, tail + 4, 4);
    }
    tail[0] = (uint8_t)(seg_len >> 24);
    tail[1] = (uint8_t)(seg_len >> 16);
    return tw_dec_csum_add(sum, tail, 8);
}

/* TCP options, RFC 9293 §3.2: { uint8 kind; if kind > 1: uint8 length (>= 2, counts kind and
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
    tw_dec_tcp_options(p, tw_rd_take(r, optlen), optlen);
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
