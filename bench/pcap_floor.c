/* pcap_floor.c: the floor for any libpcap tool: reads a capture and only counts packets and
 * bytes. bench/run.sh builds it: cc -O2 bench/pcap_floor.c -lpcap.
 * pcap_floor FILE: pcap_open_offline, as tcpdump and most libpcap tools read a file.
 * pcap_floor -b FILE: the same loop on a FILE with a 1 MiB stdio buffer, as tlswhy reads a file
 * (src/capture.c), so the reading cost tlswhy saves is not counted as analysis speed. */
#define _DEFAULT_SOURCE /* u_char and friends in pcap.h */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

static void count(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    unsigned long long *c = (unsigned long long *)(void *)user;
    (void)bytes;
    c[0]++;
    c[1] += h->caplen;
}

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    int big = argc == 3 && strcmp(argv[1], "-b") == 0;
    if (argc != 2 && !big) {
        fprintf(stderr, "usage: pcap_floor [-b] FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    pcap_t *p;
    if (big) {
        static char buf[1 << 20];
        FILE *f = fopen(path, "rb");
        if (!f) {
            perror(path);
            return 1;
        }
        setvbuf(f, buf, _IOFBF, sizeof buf);
        p = pcap_fopen_offline(f, err);
    } else {
        p = pcap_open_offline(path, err);
    }
    if (!p) {
        fprintf(stderr, "pcap_floor: %s\n", err);
        return 1;
    }
    unsigned long long c[2] = {0, 0};
    if (pcap_loop(p, -1, count, (u_char *)c) == -1) {
        fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(p));
        return 1;
    }
    pcap_close(p);
    printf("%llu packets %llu bytes\n", c[0], c[1]);
    return 0;
}
