/* check_cap_live.c: a live capture on an idle interface still returns to its caller after the
 * read timeout (0, not done), batched or immediate, so the run can let capture time pass and
 * end silent connections. libpcap's own loop on Linux never returns there. */
#include <check.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tlswhy/capture.h"

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

START_TEST(idle_capture_returns_after_the_timeout)
{
    ck_assert_msg(geteuid() == 0, "live capture needs root (as in CI)");
    struct tw_cap_live_opts o = {.iface = "lo",
                                 .filter = "udp dst port 47398 and udp src port 47397",
                                 .timeout_ms = 100,
                                 .immediate = _i == 1};
    struct tw_cap *c = NULL;
    char err[512];
    ck_assert_int_eq(tw_cap_open_live(&o, &c, err, sizeof err), TW_OK);
    struct tw_frame f;
    for (int i = 0; i < 3; i++) {
        int64_t t0 = now_ms();
        ck_assert_int_eq(tw_cap_next(c, &f), 0);
        int64_t took = now_ms() - t0;
        ck_assert(!tw_cap_done(c));
        ck_assert_msg(took < 1000, "tw_cap_next took %lld ms on an idle interface",
                      (long long)took);
    }
    tw_cap_break(c);
    ck_assert_int_eq(tw_cap_next(c, &f), 0);
    ck_assert(tw_cap_done(c));
    tw_cap_close(c);
}
END_TEST

Suite *tw_cap_live_suite(void)
{
    Suite *s = suite_create("cap_live");
    TCase *t = tcase_create("idle");
    tcase_set_timeout(t, 30);
    tcase_add_loop_test(t, idle_capture_returns_after_the_timeout, 0, 2);
    suite_add_tcase(s, t);
    return s;
}
