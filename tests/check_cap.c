/* check_cap.c: the capture layer: pcap vs pcapng, timestamps, frame numbers across files and
 * filters, truncated/empty/foreign files, stdin, unsupported link types, live capture on lo. */
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_util.h"
#include "tlswhy/capture.h"

#define LO_PCAP "tests/data/decode/lo.pcap"

static struct tw_cap *open_ok(const char *path, const char *filter)
{
    char err[512] = "";
    struct tw_cap *c = NULL;
    int rc = tw_cap_open_file(path, filter, &c, err, sizeof err);
    ck_assert_msg(rc == TW_OK, "open %s: %s", path, err);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* One record of a little-endian classic pcap, parsed here independently of libpcap. */
struct rec {
    uint32_t sec, frac, caplen, wirelen;
    size_t off, end; /* record start and one past its data */
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Parses a whole file made by tcpdump on this (little-endian) host; returns the record count. */
static size_t parse_pcap(const uint8_t *b, size_t len, struct rec *r, size_t max)
{
    size_t n = 0, off = 24;
    ck_assert(len >= 24);
    while (off + 16 <= len && n < max) {
        r[n].sec = le32(b + off);
        r[n].frac = le32(b + off + 4);
        r[n].caplen = le32(b + off + 8);
        r[n].wirelen = le32(b + off + 12);
        r[n].off = off;
        r[n].end = off + 16 + r[n].caplen;
        off = r[n].end;
        n++;
    }
    ck_assert_uint_eq(off, len);
    return n;
}

START_TEST(pcap_and_pcapng_give_the_same_frames)
{
    struct tw_cap *a = open_ok(tw_test_src(LO_PCAP), NULL);
    struct tw_cap *b = open_ok(tw_test_src("tests/data/decode/lo.pcapng"), NULL);
    struct tw_frame fa, fb;
    uint64_t n = 0;
    ck_assert_int_eq(tw_cap_linktype(a), 1);
    ck_assert_int_eq(tw_cap_linktype(b), 1);
    while (tw_cap_next(a, &fa) == 1) {
        ck_assert_int_eq(tw_cap_next(b, &fb), 1);
        n++;
        ck_assert_uint_eq(fa.no, n);
        ck_assert_uint_eq(fb.no, n);
        ck_assert_int_eq(fa.ts_us, fb.ts_us);
        ck_assert_uint_eq(fa.caplen, fb.caplen);
        ck_assert_uint_eq(fa.wirelen, fb.wirelen);
        ck_assert_int_eq(fb.linktype, 1);
        ck_assert_mem_eq(fa.bytes, fb.bytes, fa.caplen);
    }
    ck_assert_int_eq(tw_cap_next(b, &fb), 0);
    ck_assert(tw_cap_done(a) && tw_cap_done(b));
    ck_assert_str_eq(tw_cap_error(a), "");
    ck_assert_uint_eq(n, 20);
    ck_assert_uint_eq(tw_cap_next_no(a), 21);
    tw_cap_close(a);
    tw_cap_close(b);
}
END_TEST

/* Timestamps against the record headers read straight from the file. is_nano: the file's
 * fraction field holds nanoseconds. */
static void check_timestamps(const char *rel, bool is_nano)
{
    size_t len;
    uint8_t *b = tw_test_read_file(tw_test_src(rel), &len);
    struct rec r[64];
    size_t n = parse_pcap(b, len, r, 64);
    struct tw_cap *c = open_ok(tw_test_src(rel), NULL);
    struct tw_frame f;
    bool sub_us = false;
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(tw_cap_next(c, &f), 1);
        int64_t want = (int64_t)r[i].sec * 1000000 + (is_nano ? r[i].frac / 1000 : r[i].frac);
        ck_assert_int_eq(f.ts_us, want);
        ck_assert_uint_eq(f.caplen, r[i].caplen);
        ck_assert_uint_eq(f.wirelen, r[i].wirelen);
        ck_assert_mem_eq(f.bytes, b + r[i].off + 16, f.caplen);
        sub_us |= is_nano && r[i].frac % 1000 != 0;
    }
    ck_assert_int_eq(tw_cap_next(c, &f), 0);
    ck_assert(!is_nano || sub_us); /* the nanosecond file really has sub-microsecond digits */
    tw_cap_close(c);
    free(b);
}

START_TEST(microsecond_timestamps)
{
    check_timestamps(LO_PCAP, false);
}
END_TEST

START_TEST(nanosecond_timestamps_are_converted)
{
    check_timestamps("tests/data/decode/lo-nano.pcap", true);
}
END_TEST

/* pcapng times have 64 bits: the largest (0xffffffff'ffffffff us) is clamped to 2^61 us instead
 * of overflowing (a fuzzing finding, kept in fuzz/regressions/fuzz_pipeline/). */
START_TEST(pcapng_timestamp_beyond_int64_is_clamped)
{
    struct tw_cap *c =
        open_ok(tw_test_src("fuzz/regressions/fuzz_pipeline/pcapng-timestamp-overflow"), NULL);
    struct tw_frame f;
    ck_assert_int_eq(tw_cap_next(c, &f), 1);
    ck_assert_int_eq(f.ts_us, (INT64_C(1) << 61) / 1000000 * 1000000);
    ck_assert_int_eq(tw_cap_next(c, &f), 1);
    ck_assert_int_eq(f.ts_us, 1); /* an ordinary time after it is untouched */
    ck_assert_int_eq(tw_cap_next(c, &f), 0);
    tw_cap_close(c);
}
END_TEST

START_TEST(snaplen_shows_in_caplen_and_wirelen)
{
    struct tw_cap *c = open_ok(tw_test_src("tests/data/decode/lo-snap96.pcap"), NULL);
    struct tw_frame f;
    int cut = 0;
    while (tw_cap_next(c, &f) == 1) {
        ck_assert_uint_le(f.caplen, 96);
        ck_assert_uint_ge(f.wirelen, f.caplen);
        cut += f.wirelen > f.caplen;
    }
    ck_assert_int_eq(cut, 4); /* the two data segments of each connection */
    tw_cap_close(c);
}
END_TEST

/* Every cut of lo.pcap: the complete records come out, then "frame N: truncated record" (or a
 * clean end when the cut falls between records); a cut inside the file header fails to open. */
START_TEST(truncated_file_at_every_offset)
{
    size_t len;
    uint8_t *b = tw_test_read_file(tw_test_src(LO_PCAP), &len);
    struct rec r[64];
    size_t n = parse_pcap(b, len, r, 64);
    const char *path = tw_test_tmp(".pcap");
    char err[512], want[600];

    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(b, 1, len, fp), len);
    fclose(fp);
    for (size_t cut = len - 1; cut > 0; cut--) {
        ck_assert_int_eq(truncate(path, (off_t)cut), 0); /* cheaper than rewriting the file */
        struct tw_cap *c = NULL;
        int rc = tw_cap_open_file(path, NULL, &c, err, sizeof err);
        if (cut < 24) {
            ck_assert_int_eq(rc, TW_E_IO);
            snprintf(want, sizeof want, "%s: not a pcap or pcapng capture", path);
            ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "cut %zu: %s", cut, err);
            continue;
        }
        ck_assert_int_eq(rc, TW_OK);
        size_t whole = 0, got = 0;
        bool boundary = cut == 24;
        for (size_t i = 0; i < n; i++) {
            whole += r[i].end <= cut;
            boundary |= r[i].end == cut;
        }
        struct tw_frame f;
        while ((rc = tw_cap_next(c, &f)) == 1)
            ck_assert_uint_eq(f.no, ++got);
        ck_assert_uint_eq(got, whole);
        if (boundary) {
            ck_assert_int_eq(rc, 0);
        } else {
            ck_assert_int_eq(rc, TW_E_IO);
            snprintf(want, sizeof want, "%s: frame %zu: truncated record", path, whole + 1);
            ck_assert_str_eq(tw_cap_error(c), want);
            ck_assert(tw_cap_done(c));
            ck_assert_int_eq(tw_cap_next(c, &f), 0); /* stays over */
        }
        tw_cap_close(c);
    }
    unlink(path);
    free(b);
}
END_TEST

static void expect_open_error(const char *path, int want_rc, const char *want_tail)
{
    char err[512], want[600];
    struct tw_cap *c = NULL;
    ck_assert_int_eq(tw_cap_open_file(path, NULL, &c, err, sizeof err), want_rc);
    ck_assert_ptr_null(c);
    snprintf(want, sizeof want, "%s: %s", path, want_tail);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', want '%s...'", err, want);
    ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(non_capture_empty_and_missing_files)
{
    const char *text = tw_test_tmp(".txt");
    FILE *fp = fopen(text, "wb");
    fputs("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", fp);
    fclose(fp);
    expect_open_error(text, TW_E_IO, "not a pcap or pcapng capture (unknown file format)");
    const char *empty = tw_test_tmp(".pcap");
    expect_open_error(empty, TW_E_IO, "empty file, not a pcap or pcapng capture");
    unlink(text);
    unlink(empty);
    expect_open_error("/nonexistent/tlswhy.pcap", TW_E_IO, "");
    char err[64];
    struct tw_cap *c = NULL;
    ck_assert_int_eq(tw_cap_open_file("", NULL, &c, err, sizeof err), TW_E_USAGE);
    ck_assert_int_eq(tw_cap_open_file(NULL, NULL, &c, err, sizeof err), TW_E_USAGE);
    ck_assert_ptr_null(c);
}
END_TEST

START_TEST(filter_keeps_wireshark_numbers)
{
    struct tw_cap *c = open_ok(tw_test_src(LO_PCAP), "tcp[tcpflags] & tcp-syn != 0 or "
                                                     "ip6[40+13] & 2 != 0");
    static const uint64_t syn_frames[] = {1, 2, 11, 12}; /* SYN, SYN-ACK of each connection */
    struct tw_frame f;
    size_t i = 0;
    while (tw_cap_next(c, &f) == 1) {
        ck_assert_uint_lt(i, 4);
        ck_assert_uint_eq(f.no, syn_frames[i++]);
    }
    ck_assert_uint_eq(i, 4);
    ck_assert_uint_eq(tw_cap_next_no(c), 21); /* rejected frames were counted */
    tw_cap_close(c);

    char err[512];
    c = NULL;
    ck_assert_int_eq(tw_cap_open_file(tw_test_src(LO_PCAP), "tcp port", &c, err, sizeof err),
                     TW_E_USAGE);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err, "bad filter"));
}
END_TEST

START_TEST(numbers_continue_across_files)
{
    struct tw_cap *a = open_ok(tw_test_src(LO_PCAP), NULL);
    struct tw_frame f;
    while (tw_cap_next(a, &f) == 1)
        ;
    uint64_t next = tw_cap_next_no(a);
    tw_cap_close(a);
    struct tw_cap *b = open_ok(tw_test_src("tests/data/decode/vlan.pcap"), NULL);
    tw_cap_set_next_no(b, next);
    ck_assert_int_eq(tw_cap_next(b, &f), 1);
    ck_assert_uint_eq(f.no, 21);
    uint64_t last = f.no;
    while (tw_cap_next(b, &f) == 1)
        last = f.no;
    ck_assert_uint_eq(last, 40);
    tw_cap_close(b);
}
END_TEST

START_TEST(stdin_is_dash)
{
    int fd = open(tw_test_src(LO_PCAP), O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dup2(fd, 0), 0); /* Check runs each test in its own process */
    close(fd);
    struct tw_cap *c = open_ok("-", NULL);
    struct tw_frame f;
    uint64_t n = 0;
    while (tw_cap_next(c, &f) == 1)
        n = f.no;
    ck_assert_uint_eq(n, 20);
    ck_assert_str_eq(tw_cap_error(c), "");
    tw_cap_close(c);
}
END_TEST

START_TEST(unsupported_link_type_frames_are_numbered)
{
    /* Three frames of LINKTYPE_USER0 (147), contents arbitrary: "abc", "de", "f". */
    static const uint8_t f1[] = {'a', 'b', 'c'}, f2[] = {'d', 'e'}, f3[] = {'f'};
    const uint8_t *frames[] = {f1, f2, f3};
    const size_t lens[] = {3, 2, 1};
    const char *path = tw_test_tmp(".pcap");
    tw_test_write_pcap(path, 147, frames, lens, 3);
    struct tw_cap *c = open_ok(path, NULL);
    ck_assert_int_eq(tw_cap_linktype(c), 147);
    ck_assert_str_eq(tw_cap_linktype_name(147), "unknown"); /* libpcap has no name for it */
    ck_assert_str_eq(tw_cap_linktype_name(1), "EN10MB");
    ck_assert_str_eq(tw_cap_linktype_name(276), "LINUX_SLL2");
    struct tw_frame f;
    for (uint64_t i = 1; i <= 3; i++) {
        ck_assert_int_eq(tw_cap_next(c, &f), 1);
        ck_assert_uint_eq(f.no, i);
        ck_assert_int_eq(f.linktype, 147);
        ck_assert_uint_eq(f.caplen, lens[i - 1]);
        ck_assert_int_eq(f.ts_us, (1700000000 + (int64_t)i - 1) * 1000000);
    }
    ck_assert_int_eq(tw_cap_next(c, &f), 0);
    tw_cap_close(c);
    unlink(path);
}
END_TEST

START_TEST(break_stops_the_loop)
{
    struct tw_cap *c = open_ok(tw_test_src(LO_PCAP), NULL);
    struct tw_frame f;
    struct tw_cap_stats s = {.received = 99};
    ck_assert_int_eq(tw_cap_next(c, &f), 1);
    ck_assert_int_eq(tw_cap_fd(c), -1); /* files have no selectable fd */
    ck_assert_int_eq(tw_cap_stats(c, &s), TW_OK);
    ck_assert_uint_eq(s.received, 0);
    tw_cap_break(c);
    ck_assert_int_eq(tw_cap_next(c, &f), 0);
    ck_assert(tw_cap_done(c));
    tw_cap_close(c);
    tw_cap_close(NULL);
}
END_TEST

START_TEST(interfaces_are_listed)
{
    struct tw_cap_iface *list = NULL;
    size_t n = 0;
    char err[512];
    ck_assert_int_eq(tw_cap_list(&list, &n, err, sizeof err), TW_OK);
    bool lo = false;
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(list[i].name);
        if (strcmp(list[i].name, "lo") == 0)
            lo = list[i].is_loopback && list[i].is_up;
    }
    ck_assert(lo);
    tw_cap_list_free(list, n);
}
END_TEST

/* Sends one UDP datagram to 127.0.0.1:port. */
static void send_udp(uint16_t port, const char *msg)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(s, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)strlen(msg));
    close(s);
}

/* Live capture on lo: a datagram we send comes back as frame 1. Without the privilege to
 * capture, the open must fail with a message naming the interface instead. */
START_TEST(live_capture_on_loopback)
{
    struct tw_cap_live_opts o = {.iface = "lo",
                                 .filter = "udp dst port 47399",
                                 .snaplen = 1500,
                                 .timeout_ms = 50,
                                 .immediate = true,
                                 .buffer_size = 1 << 20};
    struct tw_cap *c = NULL;
    char err[512];
    int rc = tw_cap_open_live(&o, &c, err, sizeof err);
    if (rc != TW_OK) {
        ck_assert_int_eq(rc, TW_E_IO);
        ck_assert_msg(strncmp(err, "lo: ", 4) == 0 && geteuid() != 0, "%s", err);
        return;
    }
    ck_assert_int_ge(tw_cap_fd(c), 0);
    ck_assert_int_eq(tw_cap_linktype(c), 1);
    send_udp(47399, "tlswhy live");
    struct tw_frame f;
    int got = 0;
    for (int tries = 0; tries < 100 && got == 0; tries++) {
        got = tw_cap_next(c, &f);
        ck_assert_int_ge(got, 0);
        if (got == 0)
            ck_assert(!tw_cap_done(c)); /* a timeout, not the end */
    }
    ck_assert_int_eq(got, 1);
    ck_assert_uint_eq(f.no, 1);
    ck_assert_uint_eq(f.caplen, 14 + 20 + 8 + 11);
    ck_assert_mem_eq(f.bytes + 42, "tlswhy live", 11);
    struct tw_cap_stats s;
    ck_assert_int_eq(tw_cap_stats(c, &s), TW_OK);
    ck_assert_uint_ge(s.received, 1);
    tw_cap_break(c);
    ck_assert_int_eq(tw_cap_next(c, &f), 0);
    ck_assert(tw_cap_done(c));
    tw_cap_close(c);
}
END_TEST

START_TEST(live_errors_name_the_interface)
{
    struct tw_cap_live_opts o = {.iface = "tw-no-such0"};
    struct tw_cap *c = NULL;
    char err[512];
    ck_assert_int_eq(tw_cap_open_live(&o, &c, err, sizeof err), TW_E_IO);
    ck_assert_ptr_null(c);
    ck_assert_msg(strncmp(err, "tw-no-such0: ", 13) == 0, "%s", err);
    struct tw_cap_live_opts none = {.iface = NULL};
    ck_assert_int_eq(tw_cap_open_live(&none, &c, err, sizeof err), TW_E_USAGE);
    if (geteuid() == 0) { /* a bad filter is only reached once the interface is open */
        struct tw_cap_live_opts bad = {.iface = "lo", .filter = "port nonsense"};
        ck_assert_int_eq(tw_cap_open_live(&bad, &c, err, sizeof err), TW_E_USAGE);
        ck_assert_ptr_nonnull(strstr(err, "bad filter"));
    }
}
END_TEST

Suite *tw_cap_suite(void)
{
    Suite *s = suite_create("cap");
    TCase *tc = tcase_create("files");
    tcase_add_test(tc, pcap_and_pcapng_give_the_same_frames);
    tcase_add_test(tc, microsecond_timestamps);
    tcase_add_test(tc, nanosecond_timestamps_are_converted);
    tcase_add_test(tc, pcapng_timestamp_beyond_int64_is_clamped);
    tcase_add_test(tc, snaplen_shows_in_caplen_and_wirelen);
    tcase_add_test(tc, truncated_file_at_every_offset);
    tcase_add_test(tc, non_capture_empty_and_missing_files);
    tcase_add_test(tc, filter_keeps_wireshark_numbers);
    tcase_add_test(tc, numbers_continue_across_files);
    tcase_add_test(tc, stdin_is_dash);
    tcase_add_test(tc, unsupported_link_type_frames_are_numbered);
    tcase_add_test(tc, break_stops_the_loop);
    suite_add_tcase(s, tc);
    TCase *live = tcase_create("live");
    tcase_add_test(live, interfaces_are_listed);
    tcase_add_test(live, live_capture_on_loopback);
    tcase_add_test(live, live_errors_name_the_interface);
    suite_add_tcase(s, live);
    return s;
}
