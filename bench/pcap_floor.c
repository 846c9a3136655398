/* pcap_floor.c: the floor for any libpcap tool: reads a capture and only counts packets and
 * bytes. bench/run.sh builds it: cc -O2 bench/pcap_floor.c -lpcap. */
#define _DEFAULT_SOURCE /* u_char and friends in pcap.h */
#include <pcap/pcap.h>
#include <stdio.h>

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
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_floor FILE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
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
