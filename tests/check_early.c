/* check_early.c: verdicts reported before the close. A completed handshake that carried data
 * both ways is reported when the server's first answer arrives (its record shows the
 * connection as it was then: no close yet); anything else waits for the close as before. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/correlate.h"

/* tlswhy --json on a sample; returns its stdout (malloc'd). */
static char *run_json(const char *sample)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s/tlswhy' -r '%s' --json 2>/dev/null", TW_BINARY_DIR,
             tw_test_src(sample));
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    size_t got;
    while ((got = fread(out + len, 1, cap - 1 - len, p)) > 0)
        len += got;
    out[len] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    return out;
}

static long field(const char *json, const char *key)
{
    const char *at = strstr(json, key);
    ck_assert_msg(at != NULL, "%s missing", key);
    return strtol(at + strlen(key), NULL, 10);
}

START_TEST(ok_reported_before_close)
{
    char *j = run_json("samples/ok-tls12.pcap");
    ck_assert_ptr_nonnull(strstr(j, "\"outcome\":\"ok\""));
    ck_assert_ptr_nonnull(strstr(j, "\"close\":null}")); /* tcp.close: still open */
    /* The capture closes with both FINs at frames 16-17; the verdict came at the server's
     * first application data record. */
    long last = field(j, "\"last_frame\":");
    ck_assert_int_lt(last, 16);
    /* ... which is the last evidence frame. */
    const char *fr = strstr(j, "\"frames\":[");
    ck_assert_ptr_nonnull(fr);
    const char *end = strchr(fr, ']'), *lastnum = end;
    while (lastnum > fr && lastnum[-1] != ',' && lastnum[-1] != '[')
        lastnum--;
    ck_assert_int_eq(strtol(lastnum, NULL, 10), last);
    ck_assert_ptr_null(strstr(j, "\"client_fin_frame\":1"));
    free(j);
}
END_TEST

START_TEST(failure_waits_for_close)
{
    char *j = run_json("samples/cert-expired-tls12.pcap");
    ck_assert_ptr_nonnull(strstr(j, "\"outcome\":\"failed\""));
    ck_assert_ptr_null(strstr(j, "\"close\":null}"));
    free(j);
}
END_TEST

START_TEST(final_needs_an_ok_verdict)
{
    ck_assert(!tw_corr_final(NULL));
    struct tw_verdict v;
    memset(&v, 0, sizeof v);
    v.relevant = true;
    v.handshake_done = true;
    v.outcome = TW_OUTCOME_FAILED;
    ck_assert(!tw_corr_final(&v));
    v.outcome = TW_OUTCOME_OK; /* but no evidence */
    ck_assert(!tw_corr_final(&v));
    struct tw_evidence ev;
    memset(&ev, 0, sizeof ev);
    struct tw_verdict out;
    ck_assert(!tw_corr_after_verdict(&ev, TW_OUTCOME_OK, NULL, &out)); /* no tcp facts */
}
END_TEST

Suite *tw_early_suite(void)
{
    Suite *s = suite_create("early");
    TCase *tc = tcase_create("early");
    tcase_add_test(tc, ok_reported_before_close);
    tcase_add_test(tc, failure_waits_for_close);
    tcase_add_test(tc, final_needs_an_ok_verdict);
    suite_add_tcase(s, tc);
    return s;
}
