/* flow_packet.c: one TCP segment through the connection table: lookup, the handshake (RFC 9293
 * §3.5), data and ACKs handed to reasm.c, FIN (§3.6) and RST (§3.10.7), port reuse. */
#include "reasm.h"

#include <stdlib.h>

static struct tw_conn *lookup(const struct tw_flow_table *t, const struct tw_pkt *p, enum tw_dir *d)
{
    for (struct tw_conn *c = t->buckets[tw_flow_bucket(t, &p->src, &p->dst)]; c; c = c->hnext) {
        if (tw_flow_ep_eq(&c->cli, &p->src) && tw_flow_ep_eq(&c->srv, &p->dst)) {
            *d = TW_DIR_C2S;
            return c;
        }
        if (tw_flow_ep_eq(&c->srv, &p->src) && tw_flow_ep_eq(&c->cli, &p->dst)) {
            *d = TW_DIR_S2C;
            return c;
        }
    }
    return NULL;
}

static bool is_syn(const struct tw_pkt *p)
{
    return (p->flags & (TW_TCP_SYN | TW_TCP_ACK | TW_TCP_RST)) == TW_TCP_SYN;
}

static bool is_synack(const struct tw_pkt *p)
{
    return (p->flags & (TW_TCP_SYN | TW_TCP_ACK | TW_TCP_RST)) == (TW_TCP_SYN | TW_TCP_ACK);
}

/* A SYN on a known tuple is the same attempt again only when it comes from the client with the
 * client's initial sequence number; anything else starts a new connection (port reuse). */
static bool is_new_syn(const struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d)
{
    if (!is_syn(p))
        return false;
    const struct tw_reasm *r = &c->dir[TW_DIR_C2S];
    return d != TW_DIR_C2S || !(r->flags & TW_RA_HAS_ISN) || p->seq + 1 != r->isn;
}

static struct tw_conn *conn_new(struct tw_flow_table *t, const struct tw_pkt *p, enum tw_dir *d)
{
    while (t->tracked >= t->lim.max_conns && t->tracked > 0)
        tw_flow_evict_one(t);
    struct tw_conn *c = calloc(1, sizeof *c);
    /* A client SYN makes a compact entry; anything else has facts to record at once. */
    struct tw_ev_tcp *e = (c && !is_syn(p)) ? calloc(1, sizeof *e) : NULL;
    if (!c || (!is_syn(p) && !e)) {
        free(c);
        return NULL;
    }
    tw_flow_mem(&t->st, (int64_t)(sizeof *c + (e ? sizeof *e : 0)));
    c->tcp = e;
    c->first_frame = p->frame->no;
    c->first_ts = p->frame->ts_us;
    if (e) {
        e->first_frame = c->first_frame;
        e->first_ts = c->first_ts;
    }
    /* The SYN's sender is the client and the SYN-ACK's the server; mid-stream, the higher port
     * (first payload may still swap them, see orient()). */
    bool src_is_client = true;
    if (is_synack(p))
        src_is_client = false;
    else if (!is_syn(p)) {
        e->mid_stream = true;
        src_is_client = p->src.port >= p->dst.port;
    }
    c->cli = src_is_client ? p->src : p->dst;
    c->srv = src_is_client ? p->dst : p->src;
    *d = src_is_client ? TW_DIR_C2S : TW_DIR_S2C;
    c->id = ++t->next_id;
    size_t b = tw_flow_bucket(t, &c->cli, &c->srv);
    c->hnext = t->buckets[b];
    t->buckets[b] = c;
    tw_flow_list_append(t, c, is_syn(p) ? TW_LIST_SYN : TW_LIST_LIVE);
    t->tracked++;
    t->st.conns_total++;
    if (++t->st.conns_live > t->st.conns_peak)
        t->st.conns_peak = t->st.conns_live;
    if (e && !e->mid_stream)
        tw_flow_open_conn(t, c, p);
    return c;
}

/* Mid-stream, before anything was reported: the first payload that is a ClientHello makes its
 * sender the client (a ServerHello its receiver). Only pure ACKs came before, so the two
 * directions' sequence state is all there is to swap. Returns the packet's direction. */
static enum tw_dir orient(struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d)
{
    int side = tw_flow_hello_side(p->payload, p->payload_len);
    if (!((side > 0 && d == TW_DIR_S2C) || (side < 0 && d == TW_DIR_C2S)))
        return d;
    struct tw_endpoint ep = c->cli;
    c->cli = c->srv;
    c->srv = ep;
    struct tw_reasm r = c->dir[0];
    c->dir[0] = c->dir[1];
    c->dir[1] = r;
    return TW_DIR_OTHER(d);
}

/* Last activity: the connection moves to the end of its list. It stays on the SYN list (with
 * the shorter syn_timeout) only while all it has seen is the client's SYN. */
static void touch(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d)
{
    c->last_frame = p->frame->no;
    c->last_ts = p->frame->ts_us;
    if (c->tcp) {
        c->tcp->last_frame = c->last_frame;
        c->tcp->last_ts = c->last_ts;
    }
    uint8_t list = c->list;
    if (list == TW_LIST_SYN && (d != TW_DIR_C2S || !is_syn(p)))
        list = TW_LIST_LIVE;
    tw_flow_list_unlink(t, c);
    tw_flow_list_append(t, c, list);
}

static void handshake(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p,
                      enum tw_dir d)
{
    uint64_t fno = p->frame->no;
    int64_t ts = p->frame->ts_us;
    struct tw_ev_tcp *e = c->tcp;
    if (is_syn(p) && d == TW_DIR_C2S) {
        /* The SYN takes sequence number seq; stream byte 0 is seq + 1. */
        if (!(c->dir[TW_DIR_C2S].flags & TW_RA_HAS_ISN))
            tw_reasm_set_isn(&c->dir[TW_DIR_C2S], p->seq + 1);
        if (e->syn_count < UINT16_MAX)
            e->syn_count++;
        if (!e->syn_frame) {
            e->syn_frame = fno;
            e->syn_ts = ts;
            tw_flow_emit(t, c, TW_TCP_EV_SYN, d, fno, ts, 0);
        } else if (!e->synack_frame && fno != e->syn_frame) {
            /* (A SYN that carried data was already reported as the SYN.) */
            tw_flow_emit(t, c, TW_TCP_EV_SYN_RETX, d, fno, ts, 0);
        }
    } else if (is_synack(p) && d == TW_DIR_S2C) {
        struct tw_reasm *sr = &c->dir[TW_DIR_S2C];
        /* A SYN-ACK with another ISN before any server byte means the server restarted the
         * handshake (seen in the wild: SYN-ACKs 2, 14 and 29 s apart, each with a new ISN), or
         * that a stray SYN-ACK crossed the real one (nDPI's KakaoTalk_chat.pcap: the stream
         * goes on with the first ISN). The client's ACK, or the server's first byte, decides
         * which one numbers the stream (choose_isn). */
        bool restarted = (sr->flags & TW_RA_HAS_ISN) && sr->isn != p->seq + 1 &&
                         sr->next == 0 && !sr->ooo && !e->first_data_frame[TW_DIR_S2C];
        if (!(sr->flags & TW_RA_HAS_ISN)) {
            tw_reasm_set_isn(sr, p->seq + 1);
        } else if (restarted) {
            c->isn_alt = p->seq + 1;
            sr->flags |= TW_RA_ISN_ALT;
        }
        /* The SYN-ACK acknowledges the client's SYN: ack is the client's stream byte 0. */
        if (!(c->dir[TW_DIR_C2S].flags & TW_RA_HAS_ISN))
            tw_reasm_set_isn(&c->dir[TW_DIR_C2S], p->ack);
        if (e->synack_count < UINT16_MAX)
            e->synack_count++;
        if (!e->synack_frame) {
            e->synack_frame = fno;
            e->synack_ts = ts;
            tw_flow_emit(t, c, TW_TCP_EV_SYNACK, d, fno, ts, 0);
        }
    }
}

/* When each side last spoke, and whether it spoke after the other side's FIN: what a
 * keep-alive race is judged from. */
static void note_data_time(struct tw_ev_tcp *e, enum tw_dir d, bool after_peer_fin, uint64_t fno,
                           int64_t ts)
{
    if (after_peer_fin) {
        if (!e->late_data_frame[d]) {
            e->late_data_frame[d] = fno;
            e->late_data_ts[d] = ts;
        }
        return;
    }
    if (e->last_data_frame[d] == fno)
        return;
    e->prev_data_frame[d] = e->last_data_frame[d];
    e->prev_data_ts[d] = e->last_data_ts[d];
    e->last_data_frame[d] = fno;
    e->last_data_ts[d] = ts;
}

/* Settles which SYN-ACK numbers the server's stream when two disagreed (see the SYN-ACK case
 * above): the ISN the client acknowledges, or the one the server's first byte follows. */
static void choose_isn(struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d, uint32_t seq0)
{
    struct tw_reasm *sr = &c->dir[TW_DIR_S2C];
    if (!(sr->flags & TW_RA_ISN_ALT))
        return;
    uint32_t alt = c->isn_alt;
    bool pick_alt, keep;
    if (d == TW_DIR_C2S) {
        if (!(p->flags & TW_TCP_ACK))
            return;
        pick_alt = p->ack == alt;
        keep = p->ack == sr->isn;
    } else {
        if (!p->payload_len && !p->lost)
            return;
        pick_alt = seq0 == alt;
        keep = seq0 == sr->isn;
    }
    if (pick_alt)
        tw_reasm_set_isn(sr, alt);
    if (pick_alt || keep)
        sr->flags &= (uint8_t)~TW_RA_ISN_ALT;
}

/* Payload, the ACK it carries (for the other direction) and its FIN. */
static void segment(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p,
                    enum tw_dir d)
{
    uint64_t fno = p->frame->no;
    int64_t ts = p->frame->ts_us;
    struct tw_reasm *r = &c->dir[d], *o = &c->dir[TW_DIR_OTHER(d)];
    uint32_t seq0 = p->seq + ((p->flags & TW_TCP_SYN) ? 1 : 0);
    choose_isn(c, p, d, seq0);
    if (!(r->flags & TW_RA_HAS_ISN))
        tw_reasm_set_isn(r, seq0);
    int64_t off = tw_reasm_offset(r, seq0);
    uint32_t len = p->payload_len, lost = p->lost;
    /* A RST's payload is a diagnostic (RFC 9293 §3.10.7.1), not stream bytes. */
    if ((len || lost) && !(p->flags & TW_TCP_RST)) {
        if (!c->tcp->first_data_frame[d]) {
            c->tcp->first_data_frame[d] = fno;
            c->tcp->first_data_ts[d] = ts;
        }
        if (c->tcp->fin_frame[TW_DIR_OTHER(d)])
            c->tcp->data_after_fin[d] += (uint64_t)len + lost;
        c->tcp->snap_lost[d] += lost;
        note_data_time(c->tcp, d, (o->flags & TW_RA_FIN) != 0, fno, ts);
        tw_reasm_data(&t->pool, c, d, off, p->payload, len, lost, fno, ts);
    }
    if ((p->flags & TW_TCP_ACK) && (o->flags & TW_RA_HAS_ISN)) {
        int64_t acked = tw_reasm_offset(o, p->ack);
        if (acked > (int64_t)o->next) {
            tw_flow_open_conn(t, c, p);
            tw_reasm_acked(&t->pool, c, TW_DIR_OTHER(d), acked, fno, ts);
        }
    }
    if ((p->flags & TW_TCP_FIN) && !(r->flags & TW_RA_FIN)) {
        /* The FIN takes the sequence number after the segment's data. */
        int64_t fin = off + (int64_t)len + (int64_t)lost;
        r->flags |= TW_RA_FIN;
        r->fin_off = fin > (int64_t)r->next ? (uint64_t)fin : r->next;
        c->tcp->fin_frame[d] = fno;
        c->tcp->fin_ts[d] = ts;
    }
}

/* A RST ends the connection. Its sequence number is where the sender's stream stood: bytes
 * before it that the capture never showed are a gap, so rst_after counts them. */
static void reset(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d)
{
    uint64_t fno = p->frame->no;
    int64_t ts = p->frame->ts_us;
    struct tw_reasm *r = &c->dir[d];
    c->tcp->rst_frame[d] = fno;
    c->tcp->rst_ts[d] = ts;
    uint64_t upto = 0;
    int64_t at = tw_reasm_offset(r, p->seq);
    if (at > (int64_t)r->next && (uint64_t)at - r->next <= TW_FLOW_RST_TRUST_BYTES)
        upto = (uint64_t)at;
    /* After its FIN a side's RST carries the FIN's sequence number + 1: not a stream byte. */
    if ((r->flags & TW_RA_FIN) && upto > r->fin_off)
        upto = r->fin_off;
    tw_reasm_flush(&t->pool, c, d, upto, fno, ts);
    tw_reasm_flush(&t->pool, c, TW_DIR_OTHER(d), 0, fno, ts);
    c->tcp->rst_after[d] = r->next;
    if (tw_flow_check_fins(t, c, fno))
        return; /* both FINs were already in: the RST only ends a closed connection */
    tw_flow_emit(t, c, TW_TCP_EV_RST, d, fno, ts, r->next);
    tw_flow_close_conn(t, c, TW_CLOSE_RST, fno);
}

int tw_flow_packet(struct tw_flow_table *t, const struct tw_pkt *p)
{
    uint64_t fno = p->frame->no;
    tw_flow_expire(t, p->frame->ts_us);
    enum tw_dir d = TW_DIR_C2S;
    struct tw_conn *c = lookup(t, p, &d);
    if (c && (c->state & TW_CONN_CLOSED)) {
        if (!is_new_syn(c, p, d))
            return TW_OK; /* the last ACKs of a closed connection */
        tw_flow_conn_free(t, c);
        c = NULL;
    } else if (c && is_new_syn(c, p, d)) {
        tw_flow_close_conn(t, c, TW_CLOSE_REUSED, fno);
        c = NULL;
    }
    if (!c) {
        c = conn_new(t, p, &d);
        if (!c)
            return TW_E_NOMEM;
    }
    if (c->after && !t->no_after_segment && tw_flow_after_segment(c, p, d)) {
        t->after_segments++;
        touch(t, c, p, d);
        return TW_OK;
    }
    tw_flow_after_unpack(t, c);
    if (!c->tcp) {
        if (is_syn(p) && d == TW_DIR_C2S && !p->payload_len && !p->lost &&
            !(p->flags & TW_TCP_FIN)) {
            /* Still only bare client SYNs: stay compact, report nothing yet. */
            if (!(c->dir[TW_DIR_C2S].flags & TW_RA_HAS_ISN))
                tw_reasm_set_isn(&c->dir[TW_DIR_C2S], p->seq + 1);
            if (c->syn_count < UINT16_MAX)
                c->syn_count++;
            touch(t, c, p, d);
            return TW_OK;
        }
        if (!tw_flow_promote(t, c, p))
            return TW_E_NOMEM;
    }
    touch(t, c, p, d);
    handshake(t, c, p, d);
    if (!(c->state & TW_CONN_OPENED)) {
        if (p->payload_len > 0 && !(p->flags & TW_TCP_RST))
            d = orient(c, p, d);
        if (p->payload_len || p->lost || (p->flags & (TW_TCP_FIN | TW_TCP_RST)))
            tw_flow_open_conn(t, c, p);
    }
    segment(t, c, p, d);
    if (p->flags & TW_TCP_RST)
        reset(t, c, p, d);
    else
        tw_flow_check_fins(t, c, fno);
    tw_flow_after_pack(t, c); /* (a closed one lingers without facts: nothing to pack) */
    return TW_OK;
}
