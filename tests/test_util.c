/* test_util.c: helpers shared by the Check suites. */
#include "test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *tw_test_src(const char *rel)
{
    static char buf[8][4096];
    static unsigned slot;
    char *b = buf[slot++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", TW_SOURCE_DIR, rel);
    return b;
}

const char *tw_test_next_pcap(DIR *d)
{
    static char path[4096];
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".pcap") != 0)
            continue;
        snprintf(path, sizeof path, "%s/samples/%s", TW_SOURCE_DIR, de->d_name);
        return path;
    }
    return NULL;
}

uint8_t *tw_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    ck_assert(n >= 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n + 1);
    ck_assert(buf != NULL);
    ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

const char *tw_test_tmp(const char *suffix)
{
    static char buf[8][512];
    static unsigned slot;
    char *b = buf[slot++ % 8];
    const char *dir = getenv("TMPDIR");
    snprintf(b, sizeof buf[0], "%s/tlswhy-test-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(b);
    ck_assert(fd >= 0);
    close(fd);
    if (suffix && *suffix) {
        char old[512];
        snprintf(old, sizeof old, "%s", b);
        strncat(b, suffix, sizeof buf[0] - strlen(b) - 1);
        ck_assert(rename(old, b) == 0);
    }
    return b;
}

static void put32(FILE *f, uint32_t v)
{
    fwrite(&v, 4, 1, f); /* host order: pcap readers detect it from the magic */
}

void tw_test_write_pcap(const char *path, int linktype, const uint8_t *const *frames,
                        const size_t *lens, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert(f != NULL);
    put32(f, 0xa1b2c3d4);
    uint16_t vmaj = 2, vmin = 4;
    fwrite(&vmaj, 2, 1, f);
    fwrite(&vmin, 2, 1, f);
    put32(f, 0);
    put32(f, 0);
    put32(f, 65535);
    put32(f, (uint32_t)linktype);
    for (size_t i = 0; i < n; i++) {
        put32(f, 1700000000u + (uint32_t)i);
        put32(f, 0);
        put32(f, (uint32_t)lens[i]);
        put32(f, (uint32_t)lens[i]);
        fwrite(frames[i], 1, lens[i], f);
    }
    fclose(f);
}
