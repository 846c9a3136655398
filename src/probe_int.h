/* probe_int.h: shared by the probe files only. */
#ifndef TLSWHY_PROBE_INT_H
#define TLSWHY_PROBE_INT_H

#include <openssl/ssl.h>

#include "tlswhy/probe.h"

/* Configures ctx to offer what ch offered: versions, cipher suites, groups (IANA codes mapped
 * to OpenSSL names). What OpenSSL cannot offer is listed in not_offered (n bytes). */
void tw_probe_offer(SSL_CTX *ctx, const struct tw_client_hello *ch, char *not_offered, size_t n);

#endif
