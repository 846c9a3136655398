/* decode_fast.c: the common frame in one step: Ethernet II, IPv4 without options, not a
 * fragment, TCP, all of it captured. Taking the layers one by one (link -> ethertype -> IP ->
 * TCP, each asking the reader for its length) cost about as much as checking the checksums;
 * here the fixed 54 bytes are taken from the reader once and read at fixed offsets. Anything
 * else (VLAN tags, IPv6, IP options, padding-free short frames, a total length of 0, cut by the
 * snaplen, a bad data offset) returns false untouched and takes the general path, which gives
 * the same result for these frames (tests/check_dec_fast.c compares the two). */
#include "tlswhy/packet.h"

#include <string.h>

#include "decode_internal.h"

#define ETH_LEN 14
#define IP4_LEN 20
#define TCP_LEN 20

static uint16_t be16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool tw_dec_fast(const struct tw_frame *f, struct tw_pkt *out, struct tw_dec_stats *st)
{
    if (f->linktype != TW_DLT_EN10MB || !f->bytes || f->wirelen != f->caplen ||
        f->caplen < ETH_LEN + IP4_LEN + TCP_LEN)
        return false;
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(f->bytes, f->caplen, &e);
    const uint8_t *h = tw_rd_take(&r, ETH_LEN + IP4_LEN), *ip = h + ETH_LEN;
    /* ethertype IPv4; version 4, header length 5; not a fragment (MF clear, offset 0); TCP */
    if (!h || be16(h + 12) != 0x0800 || ip[0] != 0x45 || (be16(ip + 6) & 0x3fff) != 0 ||
        ip[9] != 6)
        return false;
    /* A total of 0 (segmentation offload) or past the frame is the general path's. */
    size_t total = be16(ip + 2);
    if (total < IP4_LEN + TCP_LEN || total - IP4_LEN > tw_rd_left(&r))
        return false;
    struct tw_rd seg = tw_rd_sub(&r, total - IP4_LEN), all = seg; /* Ethernet padding left out */
    const uint8_t *tcp = tw_rd_take(&seg, TCP_LEN);
    size_t doff = (size_t)(tcp[12] >> 4) * 4;
    if (doff < TCP_LEN || doff - TCP_LEN > tw_rd_left(&seg))
        return false;

    /* Nothing returns false from here: the segment is decoded straight into *out. */
    struct tw_pkt *p = out;
    memset(p, 0, sizeof *p);
    p->frame = f;
    p->src.ip.family = p->dst.ip.family = 4;
    memcpy(p->src.ip.b, ip + 12, 4);
    memcpy(p->dst.ip.b, ip + 16, 4);
    p->ip_version = 4;
    if (tw_dec_csum_fold(tw_dec_csum_add32(0, ip, IP4_LEN / 4)) != 0xffff) {
        st->bad_ip_csum++;
        p->ip_csum_bad = true;
    }
    p->src.port = be16(tcp);
    p->dst.port = be16(tcp + 2);
    p->seq = be32(tcp + 4);
    p->ack = be32(tcp + 8);
    p->flags = tcp[13];
    p->window = be16(tcp + 14);
    const uint8_t *opts = tw_rd_take(&seg, doff - TCP_LEN);
    if (p->flags & TW_TCP_SYN) /* MSS and window scale mean something only there */
        tw_dec_tcp_options(p, opts, doff - TCP_LEN);
    size_t plen = tw_rd_left(&seg), seg_len = total - IP4_LEN;
    p->payload = tw_rd_take(&seg, plen);
    p->payload_len = (uint32_t)plen;
    tw_dec_tcp_csum(p, tw_rd_take(&all, seg_len), seg_len, st);
    st->frames++;
    st->tcp++;
    return true;
}
