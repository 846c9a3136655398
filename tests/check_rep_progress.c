/* check_rep_progress.c: the running summary (SIGUSR1 in live mode): printing it to another
 * stream does not end the count, and printing twice gives the same table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "corr_fixture.h"
#include "tlswhy/reporters.h"

static const char *drain(FILE *f, char *buf, size_t cap)
{
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *progress(struct tw_reporter *r, char *buf, size_t cap)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(tw_rep_summary_print(r, f, NULL), TW_OK);
    return drain(f, buf, cap);
}

START_TEST(running_summary_goes_on_counting)
{
    static char a[16384], b[16384], c[16384], d[16384];
    struct fx refused, ok, refused2;
    fx_init(&refused);
    fx_syn(&refused, 1, 1);
    fx_rst(&refused, TW_DIR_S2C, 2);
    fx_decide(&refused);
    fx_handshake12(&ok, "www.example.com");
    fx_app(&ok, TW_DIR_C2S, 10, 300);
    fx_app(&ok, TW_DIR_S2C, 11, 900);
    fx_decide(&ok);
    fx_init(&refused2);
    fx_syn(&refused2, 40, 1);
    fx_rst(&refused2, TW_DIR_S2C, 41);
    fx_decide(&refused2);

    FILE *own = tmpfile();
    struct tw_reporter *r = tw_rep_summary_new(own);
    ck_assert_ptr_nonnull(r);
    /* the later connection first, so that printing (sorted by first frame) moves the rows */
    ck_assert_int_eq(r->emit(r->self, &refused2.v), TW_OK);
    progress(r, a, sizeof a);
    ck_assert_ptr_nonnull(strstr(a, "summary: 1 TLS connection (0 ok, 1 failed, 0 incomplete)"));
    ck_assert_int_eq(r->emit(r->self, &ok.v), TW_OK);
    progress(r, b, sizeof b);
    ck_assert_str_eq(progress(r, c, sizeof c), b); /* printing again changes nothing */
    ck_assert_ptr_nonnull(strstr(b, "summary: 2 TLS connections (1 ok, 1 failed, 0 incomplete)"));
    /* rows found again after the sort that printing does: the same cause stays one row */
    ck_assert_int_eq(r->emit(r->self, &refused.v), TW_OK);
    ck_assert_int_eq(r->end(r->self, NULL), TW_OK);
    drain(own, d, sizeof d);
    ck_assert_ptr_nonnull(strstr(d, "summary: 3 TLS connections (1 ok, 2 failed, 0 incomplete)"));
    ck_assert_ptr_nonnull(
        strstr(d, "\nfailed tcp_refused                        2          1         41\n"));
    ck_assert_ptr_null(strstr(strstr(d, "failed tcp_refused") + 1, "failed tcp_refused"));
    tw_rep_free(r);
}
END_TEST

Suite *tw_rep_progress_suite(void)
{
    Suite *s = suite_create("rep_progress");
    TCase *t = tcase_create("progress");
    tcase_add_test(t, running_summary_goes_on_counting);
    suite_add_tcase(s, t);
    return s;
}
