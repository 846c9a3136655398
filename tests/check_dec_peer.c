/* check_dec_peer.c: whole captures against tshark. tests/data/decode/tcp-counts.tsv (made by
 * scripts/make-decode-data.sh) holds, per capture, tshark's count of frames, of TCP segments
 * (outside ICMP, IP fragments left out), of those with a bad TCP or IPv4 header checksum, and
 * whether the file is damaged (tshark stops with an error after the frames it could read).
 * It covers our own decode captures and every peer capture in ../shared/peer-pcaps (read there,
 * never copied; TW_PEER_PCAPS overrides the directory). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/capture.h"
#include "tlswhy/packet.h"

struct counts {
    unsigned long frames, tcp, bad_tcp, bad_ip;
    unsigned long damaged; /* 1: the file ends in an error after its readable frames */
};

static const char *peer_dir(void)
{
    const char *d = getenv("TW_PEER_PCAPS");
    return d && *d ? d : tw_test_src("../shared/peer-pcaps");
}

/* Reads and decodes a whole capture; returns false with a message on a capture error. */
static bool count(const char *path, struct counts *n, char *msg, size_t msglen)
{
    char err[512];
    struct tw_cap *c = NULL;
    struct tw_frame f;
    struct tw_pkt p;
    struct tw_dec_stats st = {0};
    int rc;

    memset(n, 0, sizeof *n);
    if (tw_cap_open_file(path, NULL, &c, err, sizeof err) != TW_OK) {
        snprintf(msg, msglen, "%s", err);
        return false;
    }
    while ((rc = tw_cap_next(c, &f)) == 1) {
        int d = tw_dec_frame(&f, &p, &st, NULL);
        ck_assert(d == TW_OK || d == TW_E_MALFORMED || d == TW_E_UNSUPPORTED);
        n->frames++;
        if (d == TW_OK) {
            n->tcp++;
            n->bad_tcp += p.tcp_csum_bad;
            n->bad_ip += p.ip_csum_bad;
        }
    }
    if (rc < 0) {
        snprintf(msg, msglen, "%s", tw_cap_error(c));
        n->damaged = 1;
    }
    ck_assert_uint_eq(st.frames, n->frames);
    ck_assert_uint_eq(st.tcp, n->tcp);
    tw_cap_close(c);
    return rc >= 0;
}

START_TEST(tcp_counts_match_tshark)
{
    FILE *t = fopen(tw_test_src("tests/data/decode/tcp-counts.tsv"), "r");
    char line[1024], tag[512], path[1024], msg[600], report[8192] = "";
    size_t rows = 0, peers = 0, bad = 0;
    ck_assert_ptr_nonnull(t);
    while (fgets(line, sizeof line, t)) {
        struct counts want, got;
        if (line[0] == '#')
            continue;
        ck_assert_int_eq(sscanf(line, "%511[^\t]\t%lu\t%lu\t%lu\t%lu\t%lu", tag, &want.frames,
                                &want.tcp, &want.bad_tcp, &want.bad_ip, &want.damaged),
                         6);
        rows++;
        if (strncmp(tag, "decode:", 7) == 0) {
            snprintf(path, sizeof path, "%s", tw_test_src("tests/data/decode/x"));
            snprintf(strrchr(path, '/') + 1, sizeof path - strlen(path), "%s", tag + 7);
        } else {
            ck_assert_msg(strncmp(tag, "peer:", 5) == 0, "bad row %s", tag);
            snprintf(path, sizeof path, "%s/%s", peer_dir(), tag + 5);
            peers++;
        }
        /* tshark removes any number of VXLAN layers; tlswhy refuses a fifth on purpose. */
        if (strcmp(tag, "decode:vxlan5.pcap") == 0)
            want.tcp = want.bad_tcp = want.bad_ip = 0;
        msg[0] = '\0';
        bool ok = count(path, &got, msg, sizeof msg);
        if (got.damaged) /* the error names the file and the frame after the last good one */
            ok = strstr(msg, path) == msg && strstr(msg, ": frame ") != NULL;
        if (!ok || memcmp(&want, &got, sizeof want) != 0) {
            bad++;
            size_t used = strlen(report);
            snprintf(report + used, sizeof report - used,
                     "\n  %s: want %lu/%lu/%lu/%lu/%lu got %lu/%lu/%lu/%lu/%lu %s", tag,
                     want.frames, want.tcp, want.bad_tcp, want.bad_ip, want.damaged, got.frames,
                     got.tcp, got.bad_tcp, got.bad_ip, got.damaged, msg);
        }
    }
    fclose(t);
    ck_assert_msg(bad == 0,
                  "%zu captures differ from tshark (frames/tcp/bad tcp/bad ip/damaged):%s", bad,
                  report);
    ck_assert_uint_ge(rows, 29);
    ck_assert_msg(peers >= 140, "peer captures: %zu rows", peers);
}
END_TEST

Suite *tw_dec_peer_suite(void)
{
    Suite *s = suite_create("dec_peer");
    TCase *tc = tcase_create("tshark");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tcp_counts_match_tshark);
    suite_add_tcase(s, tc);
    return s;
}
