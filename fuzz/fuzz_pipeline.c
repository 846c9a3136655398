/* fuzz_pipeline.c: the whole pipeline on one input: bytes -> pcap reader -> decode -> TCP ->
 * TLS -> certificate analysis -> diagnosis -> JSON or text writer and summary. The input is a
 * capture file, handed to libpcap through a memfd so the real file path is exercised; its
 * size's parity picks JSON or text (-v: ladder, chain), so the mutants of every seed reach both. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../src/run.h"

static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    memfd = memfd_create("tlswhy-fuzz", 0);
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    if (memfd < 0 || ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    const char *files[] = {path};
    struct tw_opts o = {
        .files = files,
        .file_count = 1,
        .json = size % 2 == 0,
        .verbosity = 1,
        .summary = true,
        .expires_soon_days = 30,
        .command_line = "fuzz",
        .ja4_raw = true, /* the raw JA4 forms too (tw_fp_ja4_raw) */
        /* A one-certificate store: loading the system store per input would cost ~90 ms. */
        .ca_file = TW_SOURCE_DIR "/samples/pki/root.pem",
    };
    tw_limits_default(&o.lim);
    o.lim.max_conns = 64; /* small caps reach the eviction paths */
    o.lim.max_ooo_bytes_per_dir = 4096;
    o.lim.max_ooo_bytes_total = 16384;
    o.lim.max_hs_msg = 65536;
    struct tw_run_result res;
    /* tw_run takes SIGINT and SIGTERM (to stop a capture cleanly): give them back to libFuzzer,
     * which prints its final statistics on them. */
    struct sigaction fuzzer_int, fuzzer_term;
    sigaction(SIGINT, NULL, &fuzzer_int);
    sigaction(SIGTERM, NULL, &fuzzer_term);
    tw_run(&o, &res);
    sigaction(SIGINT, &fuzzer_int, NULL);
    sigaction(SIGTERM, &fuzzer_term, NULL);
    return 0;
}
