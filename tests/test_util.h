/* test_util.h: helpers shared by the Check suites. */
#ifndef TLSWHY_TEST_UTIL_H
#define TLSWHY_TEST_UTIL_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

/* Path of a file in the source tree (TW_SOURCE_DIR/rel), in a static buffer per call slot. */
const char *tw_test_src(const char *rel);
/* The next *.pcap of d (opened on tw_test_src("samples")) as a full path, in a static buffer
 * valid until the next call; NULL when d has no more. */
const char *tw_test_next_pcap(DIR *d);
/* Reads a whole file into a malloc'd buffer (caller frees); aborts the test on failure. */
uint8_t *tw_test_read_file(const char *path, size_t *len);
/* A fresh temporary file path (under TMPDIR); the caller unlinks it. */
const char *tw_test_tmp(const char *suffix);
/* Writes a classic pcap file (microsecond, given linktype) holding the given frames. */
void tw_test_write_pcap(const char *path, int linktype, const uint8_t *const *frames,
                        const size_t *lens, size_t n);

#endif
