/* run_live.h: what only a live capture needs besides the pipeline: dropping root after the
 * device is open (run_privs.c) and listing the interfaces (run_iface.c). */
#ifndef TLSWHY_RUN_LIVE_H
#define TLSWHY_RUN_LIVE_H

#include <stdio.h>

#include "tlswhy/base.h"

/* The user -Z drops to by default when tlswhy starts as root, as tcpdump does. */
#define TW_DEFAULT_USER "nobody"

/* When running as root (real or effective uid 0), becomes user (initgroups, setgid, setuid)
 * and checks that root cannot be regained; user "root" keeps root on purpose. When not root,
 * does nothing. Returns TW_OK, or TW_E_USAGE (unknown user) / TW_E_IO (a call failed, or root
 * could be regained) with a one-line message in err: the caller must stop then. */
int tw_drop_privileges(const char *user, char *err, size_t errlen);

/* Prints the capture interfaces, one per line, numbered like tcpdump -D
 * ("1.eth0 [Up]", "2.lo [Up, Loopback]", with a description in parentheses when libpcap has
 * one). Returns TW_OK, or TW_E_IO / TW_E_NOMEM after a message on stderr. */
int tw_list_interfaces(FILE *out);

#endif
