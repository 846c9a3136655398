/* check_rd.c: the bounds-checked reader: every getter, vectors, sticky errors, offsets. */
#include <check.h>

#include "tlswhy/rd.h"

START_TEST(getters_are_big_endian)
{
    static const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    ck_assert_uint_eq(tw_rd_u8(&r), 0x01);
    ck_assert_uint_eq(tw_rd_u16(&r), 0x0203);
    ck_assert_uint_eq(tw_rd_u24(&r), 0x040506);
    ck_assert_uint_eq(tw_rd_u32(&r), 0x0708090a);
    ck_assert_uint_eq(tw_rd_left(&r), 0);
    ck_assert_int_eq(e.code, TW_OK);
}
END_TEST

START_TEST(little_endian_getters)
{
    static const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    ck_assert_uint_eq(tw_rd_u16le(&r), 0x0201);
    ck_assert_uint_eq(tw_rd_u32le(&r), 0x06050403);
    ck_assert_int_eq(e.code, TW_OK);
}
END_TEST

START_TEST(short_read_sticks_and_records_offset)
{
    static const uint8_t b[] = {0xaa, 0xbb, 0xcc};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    ck_assert_uint_eq(tw_rd_u8(&r), 0xaa);
    ck_assert_uint_eq(tw_rd_u24(&r), 0); /* only two bytes left */
    ck_assert_int_eq(e.code, TW_E_SHORT);
    ck_assert_uint_eq(e.off, 1);
    ck_assert_uint_eq(tw_rd_left(&r), 0);
    ck_assert_uint_eq(tw_rd_u8(&r), 0); /* sticky: even a 1-byte read now fails */
    ck_assert_ptr_null(tw_rd_take(&r, 0));
    ck_assert_uint_eq(e.off, 1);
}
END_TEST

START_TEST(vector_bounds)
{
    /* <2-byte length 3> a b c, then <1-byte length 5> but only 1 byte follows */
    static const uint8_t b[] = {0x00, 0x03, 'a', 'b', 'c', 0x05, 'x'};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    struct tw_rd v = tw_rd_vec(&r, 2);
    ck_assert_uint_eq(tw_rd_left(&v), 3);
    const uint8_t *abc = tw_rd_take(&v, 3);
    ck_assert_ptr_nonnull(abc);
    ck_assert_int_eq(abc[2], 'c');
    tw_rd_end(&v);
    ck_assert_int_eq(e.code, TW_OK);
    struct tw_rd w = tw_rd_vec(&r, 1);
    ck_assert_int_eq(e.code, TW_E_MALFORMED);
    ck_assert_uint_eq(e.off, 6);
    ck_assert_uint_eq(tw_rd_left(&w), 0);
    ck_assert_uint_eq(tw_rd_u8(&w), 0);
}
END_TEST

START_TEST(trailing_bytes_are_malformed)
{
    static const uint8_t b[] = {0x00, 0x01, 0xff, 0xee};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    struct tw_rd v = tw_rd_vec(&r, 2);
    ck_assert_uint_eq(tw_rd_u8(&v), 0xff);
    tw_rd_end(&v);
    ck_assert_int_eq(e.code, TW_OK);
    tw_rd_end(&r);
    ck_assert_int_eq(e.code, TW_E_MALFORMED);
    ck_assert_str_eq(e.why, "trailing bytes");
    ck_assert_uint_eq(e.off, 3);
}
END_TEST

START_TEST(first_error_wins)
{
    static const uint8_t b[] = {0x01};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    tw_rd_fail(&r, TW_E_MALFORMED, "first");
    tw_rd_fail(&r, TW_E_LIMIT, "second");
    ck_assert_int_eq(e.code, TW_E_MALFORMED);
    ck_assert_str_eq(e.why, "first");
}
END_TEST

START_TEST(empty_and_null_buffers)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(NULL, 0, &e);
    ck_assert_uint_eq(tw_rd_left(&r), 0);
    ck_assert_uint_eq(tw_rd_u16(&r), 0);
    ck_assert_int_eq(e.code, TW_E_SHORT);
}
END_TEST

START_TEST(sub_reader_of_every_length_is_safe) /* _i = requested length */
{
    static const uint8_t b[] = {1, 2, 3, 4};
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, sizeof b, &e);
    struct tw_rd s = tw_rd_sub(&r, (size_t)_i);
    if ((size_t)_i <= sizeof b) {
        ck_assert_int_eq(e.code, TW_OK);
        ck_assert_uint_eq(tw_rd_left(&s), (size_t)_i);
        ck_assert_uint_eq(tw_rd_left(&r), sizeof b - (size_t)_i);
    } else {
        ck_assert_int_eq(e.code, TW_E_SHORT);
        ck_assert_uint_eq(tw_rd_left(&s), 0);
    }
}
END_TEST

Suite *tw_rd_suite(void)
{
    Suite *s = suite_create("rd");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, getters_are_big_endian);
    tcase_add_test(tc, little_endian_getters);
    tcase_add_test(tc, short_read_sticks_and_records_offset);
    tcase_add_test(tc, vector_bounds);
    tcase_add_test(tc, trailing_bytes_are_malformed);
    tcase_add_test(tc, first_error_wins);
    tcase_add_test(tc, empty_and_null_buffers);
    tcase_add_loop_test(tc, sub_reader_of_every_length_is_safe, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}
