/* base.c: error names, address formatting and default limits shared by every layer. */
#include "tlswhy/base.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *tw_err_name(int err)
{
    switch (err) {
    case TW_OK:
        return "ok";
    case TW_E_SHORT:
        return "short";
    case TW_E_MALFORMED:
        return "malformed";
    case TW_E_LIMIT:
        return "limit";
    case TW_E_UNSUPPORTED:
        return "unsupported";
    case TW_E_NOMEM:
        return "out of memory";
    case TW_E_IO:
        return "i/o error";
    case TW_E_USAGE:
        return "usage";
    default:
        return "unknown";
    }
}

/* Dotted decimal, as inet_ntop writes it (glibc's goes through sprintf: a fifth of the JSON
 * reporter's time went to the two addresses of each connection). buf holds 16 bytes. */
static void ipv4_text(const uint8_t b[4], char *buf)
{
    char *o = buf;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *o++ = (char)('0' + v / 100);
        if (v >= 10)
            *o++ = (char)('0' + v / 10 % 10);
        *o++ = (char)('0' + v % 10);
        *o++ = i < 3 ? '.' : '\0';
    }
}

const char *tw_ip_format(const struct tw_ip *ip, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    if (ip->family == 4 && n >= 16) { /* inet_ntop needs 16 too, or fails */
        ipv4_text(ip->b, buf);
        return buf;
    }
    if ((ip->family != 4 && ip->family != 6) ||
        !inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->b, buf, (socklen_t)n))
        snprintf(buf, n, "?");
    return buf;
}

const char *tw_endpoint_format(const struct tw_endpoint *ep, char *buf, size_t n)
{
    char ip[TW_ENDPOINT_STRLEN];
    tw_ip_format(&ep->ip, ip, sizeof ip);
    if (ep->ip.family == 6)
        snprintf(buf, n, "[%s]:%u", ip, (unsigned)ep->port);
    else
        snprintf(buf, n, "%s:%u", ip, (unsigned)ep->port);
    return buf;
}

bool tw_ip_equal(const struct tw_ip *a, const struct tw_ip *b)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

void tw_limits_default(struct tw_limits *l)
{
    l->max_conns = 262144;
    l->max_ooo_bytes_per_dir = 1u << 20;
    l->max_ooo_bytes_total = 256u << 20;
    l->max_record_buf = (1u << 14) + 2048 + 5;
    l->max_hs_msg = 1u << 20; /* a 339 KB Certificate message exists in the wild (Zeek's tests) */
    l->max_certs = 10;
    l->max_cert_der = 64u << 10;
    l->cert_cache_entries = 1024;
    l->idle_timeout_us = 120 * 1000000LL;
    l->syn_timeout_us = 30 * 1000000LL;
}
