/* run_privs.c: -Z. Root is needed only to open the capture device; every packet is parsed
 * (and the -w file created) as an unprivileged user, so a parser bug cannot be a root exploit. */
#define _GNU_SOURCE /* initgroups, setresuid */
#include "run_live.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

int tw_drop_privileges(const char *user, char *err, size_t errlen)
{
    if (getuid() != 0 && geteuid() != 0)
        return TW_OK;
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "-Z %s: no such user%s%s", user, errno ? ": " : "",
                 errno ? strerror(errno) : "");
        return TW_E_USAGE;
    }
    if (pw->pw_uid == 0)
        return TW_OK; /* -Z root: asked for */
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (initgroups(pw->pw_name, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
        snprintf(err, errlen, "-Z %s: cannot become that user: %s", user, strerror(errno));
        return TW_E_IO;
    }
    /* Paranoia, as OpenSSH does: the drop must be permanent. */
    uid_t r, e, s;
    gid_t gr, ge, gs;
    if (setuid(0) == 0 || seteuid(0) == 0 || getresuid(&r, &e, &s) != 0 ||
        getresgid(&gr, &ge, &gs) != 0 || r != uid || e != uid || s != uid || gr != gid ||
        ge != gid || gs != gid) {
        snprintf(err, errlen, "-Z %s: root privileges could be regained; stopping", user);
        return TW_E_IO;
    }
    return TW_OK;
}
