/* check_base_ip.c: address formatting (tw_ip_format): IPv4 written by hand, byte for byte as
 * inet_ntop writes it. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tlswhy/base.h"

/* Every value of each byte in each place, and a million pseudo-random addresses. */
START_TEST(ipv4_as_inet_ntop)
{
    struct tw_ip ip = {.family = 4};
    char got[64], want[INET_ADDRSTRLEN];
    uint32_t x = 2463534242u;
    int compared = 0;
    for (int i = 0; i < 1000000 + 4 * 256; i++) {
        if (i < 4 * 256) {
            memcpy(ip.b, "\x0a\x63\xc8\x01", 4);
            ip.b[i / 256] = (uint8_t)(i % 256);
        } else {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
            memcpy(ip.b, &x, 4);
        }
        inet_ntop(AF_INET, ip.b, want, sizeof want);
        tw_ip_format(&ip, got, sizeof got);
        /* a plain test, not ck_assert: Check writes to a pipe for every assertion it passes */
        if (strcmp(got, want) != 0)
            ck_abort_msg("%s written as %s", want, got);
        compared++;
    }
    ck_assert_int_eq(compared, 1000000 + 1024);
    /* buffers under 16 bytes still go to inet_ntop: "?" when the text does not fit */
    memcpy(ip.b, "\x01\x02\x03\x04", 4);
    ck_assert_str_eq(tw_ip_format(&ip, got, 7), "?");
    ck_assert_str_eq(tw_ip_format(&ip, got, 8), "1.2.3.4");
    ck_assert_str_eq(tw_ip_format(&ip, got, 16), "1.2.3.4");
}
END_TEST

Suite *tw_base_ip_suite(void)
{
    Suite *s = suite_create("base_ip");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, ipv4_as_inet_ntop);
    suite_add_tcase(s, tc);
    return s;
}
