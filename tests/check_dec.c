/* check_dec.c: tw_dec_frame on real loopback frames: every field against tshark, each malformed
 * header the decoder handles on purpose (frames mutated field by field), and every prefix. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/capture.h"
#include "tlswhy/packet.h"

#define MAXF 64

/* The frames of one capture, each copied into a buffer of exactly caplen bytes, so that ASan
 * catches any read past the frame. */
struct frames {
    size_t n;
    struct tw_frame f[MAXF];
    uint8_t *buf[MAXF];
};

static void load(const char *rel, struct frames *fs)
{
    char err[512];
    struct tw_cap *c = NULL;
    struct tw_frame f;
    ck_assert_msg(tw_cap_open_file(tw_test_src(rel), NULL, &c, err, sizeof err) == TW_OK, "%s",
                  err);
    fs->n = 0;
    while (tw_cap_next(c, &f) == 1) {
        ck_assert_uint_lt(fs->n, MAXF);
        fs->buf[fs->n] = malloc(f.caplen ? f.caplen : 1);
        memcpy(fs->buf[fs->n], f.bytes, f.caplen);
        f.bytes = fs->buf[fs->n];
        fs->f[fs->n++] = f;
    }
    ck_assert_str_eq(tw_cap_error(c), "");
    tw_cap_close(c);
}

static void unload(struct frames *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->buf[i]);
    fs->n = 0;
}

/* One line of lo-fields.tsv: the TCP fields of a lo.pcap frame as tshark prints them (made by
 * scripts/make-decode-data.sh); mss 0 and wscale -1 when the option is absent. */
struct lo_fields {
    unsigned long sport, dport, seq, ack, window, mss, len, flags;
    long wscale;
};

/* Splits one tab-separated line into exactly 9 fields (empty ones too) and parses them. */
static void parse_fields(char *line, struct lo_fields *x)
{
    char *col[9];
    size_t n = 0;
    char *p = line;
    col[n++] = p;
    for (; *p && *p != '\n'; p++) {
        if (*p == '\t') {
            *p = '\0';
            ck_assert_uint_lt(n, 9);
            col[n++] = p + 1;
        }
    }
    *p = '\0';
    ck_assert_uint_eq(n, 9);
    unsigned long *u[] = {&x->sport, &x->dport, &x->seq, &x->ack, &x->window, &x->mss};
    for (size_t i = 0; i < 6; i++)
        *u[i] = strtoul(col[i], NULL, 10);
    x->wscale = *col[6] ? strtol(col[6], NULL, 10) : -1;
    x->len = strtoul(col[7], NULL, 10);
    x->flags = strtoul(col[8], NULL, 16);
}

static size_t load_fields(struct lo_fields *x, size_t max)
{
    FILE *t = fopen(tw_test_src("tests/data/decode/lo-fields.tsv"), "r");
    char line[512];
    size_t n = 0;
    ck_assert_ptr_nonnull(t);
    while (fgets(line, sizeof line, t)) {
        if (line[0] == '#')
            continue;
        ck_assert_uint_lt(n, max);
        parse_fields(line, &x[n++]);
    }
    fclose(t);
    return n;
}

START_TEST(loopback_frames_match_tshark)
{
    struct frames fs;
    struct tw_dec_stats st = {0};
    struct lo_fields want[MAXF];
    load("tests/data/decode/lo.pcap", &fs);
    ck_assert_uint_eq(fs.n, 20);
    ck_assert_uint_eq(load_fields(want, MAXF), 20);
    for (size_t i = 0; i < fs.n; i++) {
        struct tw_pkt p;
        struct tw_rd_err e;
        ck_assert_int_eq(tw_dec_frame(&fs.f[i], &p, &st, &e), TW_OK);
        ck_assert_ptr_eq(p.frame, &fs.f[i]);
        ck_assert_uint_eq(p.ip_version, i < 10 ? 4 : 6);
        ck_assert_uint_eq(p.src.ip.family, p.ip_version);
        if (i < 10) {
            ck_assert_mem_eq(p.src.ip.b, "\x7f\x00\x00\x01", 4);
            ck_assert_mem_eq(p.dst.ip.b, "\x7f\x00\x00\x01", 4);
        } else {
            ck_assert_mem_eq(p.dst.ip.b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
        }
        ck_assert_uint_eq(p.src.port, want[i].sport);
        ck_assert_uint_eq(p.dst.port, want[i].dport);
        ck_assert_uint_eq(p.seq, want[i].seq);
        ck_assert_uint_eq(p.ack, want[i].ack);
        ck_assert_uint_eq(p.flags, want[i].flags);
        ck_assert_uint_eq(p.window, want[i].window);
        ck_assert_uint_eq(p.mss, want[i].mss);
        ck_assert_int_eq(p.has_wscale, want[i].wscale >= 0);
        if (p.has_wscale)
            ck_assert_uint_eq(p.wscale, (unsigned long)want[i].wscale);
        ck_assert_uint_eq(p.payload_len, want[i].len);
        ck_assert_uint_eq(p.lost, 0);
        ck_assert_uint_eq(p.tunnel_depth, 0);
        ck_assert(p.tcp_csum_bad); /* loopback leaves the checksum to an offload (tshark agrees) */
        ck_assert(!p.ip_csum_bad);
        if (want[i].len == 200)
            ck_assert_mem_eq(p.payload, "tlswhy decode test\nxxx", 22);
        for (uint32_t k = 0; want[i].len == 1200 && k < 1200;
             k++) /* the server's bytes: 7k mod 256 */
            ck_assert_uint_eq(p.payload[k], (k * 7) & 0xff);
    }
    ck_assert_uint_eq(st.frames, 20);
    ck_assert_uint_eq(st.tcp, 20);
    ck_assert_uint_eq(st.bad_tcp_csum, 20);
    ck_assert_uint_eq(st.bad_ip_csum + st.malformed + st.truncated + st.not_ip + st.not_tcp, 0);
    unload(&fs);
}
END_TEST

/* Decodes a copy of frame `idx` of eth-fixed.pcap (lo frames with their TCP checksums filled
 * in) after `mutate` changed it; returns the result code, the packet and why. */
struct mut {
    int rc;
    struct tw_pkt p;
    struct tw_rd_err e;
    struct tw_dec_stats st;
};

static struct mut run_mutated(size_t idx, void (*mutate)(uint8_t *b, size_t *len))
{
    struct frames fs;
    struct mut m;
    memset(&m, 0, sizeof m);
    load("tests/data/decode/eth-fixed.pcap", &fs);
    ck_assert_uint_gt(fs.n, idx);
    size_t len = fs.f[idx].caplen;
    uint8_t *b = malloc(len + 64);
    memcpy(b, fs.buf[idx], len);
    mutate(b, &len);
    uint8_t *exact = malloc(len ? len : 1); /* exactly len bytes, for ASan */
    memcpy(exact, b, len);
    struct tw_frame f = fs.f[idx];
    f.bytes = exact;
    f.caplen = f.wirelen = (uint32_t)len;
    m.rc = tw_dec_frame(&f, &m.p, &m.st, &m.e);
    ck_assert_uint_eq(m.st.frames, 1);
    free(exact);
    free(b);
    unload(&fs);
    return m;
}

static void expect(struct mut m, int rc, const char *why, size_t off)
{
    ck_assert_int_eq(m.rc, rc);
    ck_assert_int_eq(m.e.code, rc);
    ck_assert_str_eq(m.e.why, why);
    ck_assert_uint_eq(m.e.off, off);
    ck_assert_uint_eq(m.st.malformed, rc == TW_E_MALFORMED);
    ck_assert_uint_eq(m.st.tcp, 0);
}

/* Mutations of frame 4 (index 3) of eth-fixed.pcap: Ethernet (14 bytes) + IPv4 (20, total
 * length 252) + TCP (32, with timestamps) + 200 bytes of data. Offsets are from the frame start:
 * 12 ethertype, 14 version/ihl, 16 total_length, 20 flags/fragment_offset, 23 protocol,
 * 24 header_checksum, 46 TCP data_offset, 100 a data byte. */
static void ihl_4(uint8_t *b, size_t *n)
{
    (void)n;
    b[14] = 0x44; /* version 4, ihl 4 */
}

static void version_5(uint8_t *b, size_t *n)
{
    (void)n;
    b[14] = 0x55; /* version 5, ihl 5 */
}

static void tot_len_big(uint8_t *b, size_t *n)
{
    (void)n;
    b[16] = 0x01; /* total_length 269 > 252 in the frame */
    b[17] = 0x0d;
}

static void tot_len_small(uint8_t *b, size_t *n)
{
    (void)n;
    b[16] = 0; /* total_length 19 < ihl * 4 */
    b[17] = 19;
}

static void tot_len_zero(uint8_t *b, size_t *n)
{
    (void)n;
    b[16] = 0; /* total_length 0, as segmentation offload leaves it */
    b[17] = 0;
}

static void doff_4(uint8_t *b, size_t *n)
{
    (void)n;
    b[46] = 0x40; /* data offset 4 */
}

static void doff_15_short(uint8_t *b, size_t *n)
{
    b[46] = 0xf0; /* data offset 15 (60 bytes) ... */
    b[16] = 0;    /* ... in a segment of 40: total_length 60, frame cut to match */
    b[17] = 20 + 40;
    *n = 14 + 60;
}

static void ip_csum(uint8_t *b, size_t *n)
{
    (void)n;
    b[24] ^= 0x01; /* header_checksum */
}

static void tcp_csum(uint8_t *b, size_t *n)
{
    (void)n;
    b[100] ^= 0x80; /* a data byte the TCP checksum covers */
}

static void arp(uint8_t *b, size_t *n)
{
    (void)n;
    b[12] = 0x08; /* ethertype 0x0806, ARP */
    b[13] = 0x06;
}

static void llc(uint8_t *b, size_t *n)
{
    (void)n;
    b[12] = 0x00; /* 0x002e: an 802.3 length (46), not an ethertype */
    b[13] = 0x2e;
}

static void udp(uint8_t *b, size_t *n)
{
    (void)n;
    b[23] = 17; /* protocol UDP */
}

static void icmp(uint8_t *b, size_t *n)
{
    (void)n;
    b[23] = 1; /* protocol ICMP */
}

static void more_frags(uint8_t *b, size_t *n)
{
    (void)n;
    b[20] |= 0x20; /* MF */
}

static void frag_off(uint8_t *b, size_t *n)
{
    (void)n;
    b[21] = 0x08; /* fragment_offset 8 (64 bytes) */
}

static void short_eth(uint8_t *b, size_t *n)
{
    (void)b;
    *n = 13; /* shorter than an Ethernet header */
}

static void padded(uint8_t *b, size_t *n)
{
    memset(b + *n, 0xee, 20); /* 20 bytes of trailer after the IP datagram */
    *n += 20;
}

START_TEST(ipv4_and_tcp_header_errors)
{
    expect(run_mutated(3, ihl_4), TW_E_MALFORMED, "ipv4: header length 4 < 5", 14);
    expect(run_mutated(3, version_5), TW_E_MALFORMED, "ipv4: version is not 4", 14);
    expect(run_mutated(3, tot_len_big), TW_E_MALFORMED, "ipv4: total length exceeds frame", 34);
    expect(run_mutated(3, tot_len_small), TW_E_MALFORMED, "ipv4: total length shorter than header",
           34);
    expect(run_mutated(3, doff_4), TW_E_MALFORMED, "tcp: data offset 4 < 5", 54);
    expect(run_mutated(3, doff_15_short), TW_E_MALFORMED, "tcp: data offset beyond segment", 54);
    expect(run_mutated(3, short_eth), TW_E_MALFORMED, "ethernet: frame shorter than 14 bytes", 0);
}
END_TEST

START_TEST(skipped_frames_say_why)
{
    struct mut m = run_mutated(3, arp);
    expect(m, TW_E_UNSUPPORTED, "link: not IP", 14);
    ck_assert_uint_eq(m.st.not_ip, 1);
    m = run_mutated(3, llc);
    expect(m, TW_E_UNSUPPORTED, "ethernet: 802.3 frame (LLC), not IP", 14);
    ck_assert_uint_eq(m.st.not_ip, 1);
    m = run_mutated(3, icmp);
    expect(m, TW_E_UNSUPPORTED, "ip: not TCP", 34);
    ck_assert_uint_eq(m.st.not_tcp, 1);
    m = run_mutated(3, udp); /* the TCP ports 56676 -> 47301 are no tunnel port */
    expect(m, TW_E_UNSUPPORTED, "udp: not a tunnel", 42);
    ck_assert_uint_eq(m.st.not_tcp, 1);
    m = run_mutated(3, more_frags);
    expect(m, TW_E_UNSUPPORTED, "ipv4: fragment", 34);
    ck_assert_uint_eq(m.st.ip_fragments, 1);
    m = run_mutated(3, frag_off);
    expect(m, TW_E_UNSUPPORTED, "ipv4: fragment", 34);
    ck_assert_uint_eq(m.st.ip_fragments, 1);
}
END_TEST

START_TEST(checksums_flag_but_keep)
{
    struct mut m = run_mutated(3, ip_csum);
    ck_assert_int_eq(m.rc, TW_OK);
    ck_assert(m.p.ip_csum_bad && !m.p.tcp_csum_bad);
    ck_assert_uint_eq(m.st.bad_ip_csum, 1);
    m = run_mutated(3, tcp_csum);
    ck_assert_int_eq(m.rc, TW_OK);
    ck_assert(!m.p.ip_csum_bad && m.p.tcp_csum_bad);
    ck_assert_uint_eq(m.st.bad_tcp_csum, 1);
    ck_assert_uint_eq(m.p.payload_len, 200);
}
END_TEST

START_TEST(lengths_trim_padding_and_accept_offload_zero)
{
    struct mut m = run_mutated(3, padded);
    ck_assert_int_eq(m.rc, TW_OK);
    ck_assert_uint_eq(m.p.payload_len, 200); /* the 20 trailer bytes are not payload */
    ck_assert(!m.p.tcp_csum_bad && !m.p.ip_csum_bad);
    m = run_mutated(3, tot_len_zero);
    ck_assert_int_eq(m.rc, TW_OK);
    ck_assert_uint_eq(m.p.payload_len, 200);
    ck_assert(m.p.ip_csum_bad); /* the header changed; the checksum was left */
}
END_TEST

START_TEST(unknown_link_type)
{
    static const uint8_t b[] = {0x45, 0x00}; /* any bytes */
    struct tw_frame f = {.no = 1, .caplen = 2, .wirelen = 2, .linktype = 147, .bytes = b};
    struct tw_pkt p;
    struct tw_dec_stats st = {0};
    struct tw_rd_err e;
    ck_assert_int_eq(tw_dec_frame(&f, &p, &st, &e), TW_E_UNSUPPORTED);
    ck_assert_str_eq(e.why, "link: unsupported link type");
    ck_assert_uint_eq(st.unsupported_link, 1);
    ck_assert(!tw_dec_linktype_supported(147));
    static const int ok[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert(tw_dec_linktype_supported(ok[i]));
    /* why may be NULL; an empty frame is malformed, never read. */
    f.linktype = 1;
    f.caplen = f.wirelen = 0;
    f.bytes = NULL;
    ck_assert_int_eq(tw_dec_frame(&f, &p, &st, NULL), TW_E_MALFORMED);
    ck_assert_uint_eq(st.frames, 2);
}
END_TEST

/* Frame 4 cut at every length _i. As a snaplen cut (wirelen stays 266): malformed while the
 * headers (14 + 20 + 32 = 66 bytes) are incomplete, then TCP with _i - 66 payload bytes and
 * the rest lost. As a frame that really is that short: malformed until it is whole. */
START_TEST(every_prefix_of_a_tcp_frame)
{
    struct frames fs;
    load("tests/data/decode/eth-fixed.pcap", &fs);
    const struct tw_frame *full = &fs.f[3];
    ck_assert_uint_eq(full->caplen, 266);
    size_t n = (size_t)_i;
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, full->bytes, n);
    struct tw_frame f = *full;
    f.bytes = b;
    f.caplen = (uint32_t)n;
    struct tw_pkt p;
    struct tw_dec_stats st = {0};
    struct tw_rd_err e;
    int rc = tw_dec_frame(&f, &p, &st, &e);
    if (n < 66) {
        ck_assert_int_eq(rc, TW_E_MALFORMED);
        ck_assert_ptr_nonnull(strstr(e.why, "cut by snaplen"));
    } else {
        ck_assert_int_eq(rc, TW_OK);
        ck_assert_uint_eq(p.payload_len, n - 66);
        ck_assert_uint_eq(p.lost, 266 - n);
        ck_assert_mem_eq(p.payload, full->bytes + 66, p.payload_len);
        ck_assert_uint_eq(st.truncated, n < 266);
        ck_assert(!p.tcp_csum_bad); /* not checked when cut, correct when whole */
    }
    f.wirelen = (uint32_t)n;
    rc = tw_dec_frame(&f, &p, &st, &e);
    ck_assert_int_eq(rc, n == 266 ? TW_OK : TW_E_MALFORMED);
    free(b);
    unload(&fs);
}
END_TEST

Suite *tw_dec_suite(void)
{
    Suite *s = suite_create("dec");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, loopback_frames_match_tshark);
    tcase_add_test(tc, ipv4_and_tcp_header_errors);
    tcase_add_test(tc, skipped_frames_say_why);
    tcase_add_test(tc, checksums_flag_but_keep);
    tcase_add_test(tc, lengths_trim_padding_and_accept_offload_zero);
    tcase_add_test(tc, unknown_link_type);
    tcase_add_loop_test(tc, every_prefix_of_a_tcp_frame, 0, 267);
    suite_add_tcase(s, tc);
    return s;
}
