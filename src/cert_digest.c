/* cert_digest.c: MD5 / SHA-256 as hex through OpenSSL's EVP interface (digest.h). */
#include "tlswhy/digest.h"

#include <stdlib.h>

#include <openssl/evp.h>

/* The algorithm fetched once per process: EVP_sha256() and EVP_md5() make OpenSSL 3 fetch the
 * implementation again on every digest, which cost more than hashing a short fingerprint
 * string. Kept until exit (one writer thread; no -j yet), then freed, so memcheck sees no
 * block left (tests/t_valgrind.sh). atexit runs it before OpenSSL's own cleanup, which was
 * registered earlier, at OpenSSL's initialisation. */
static EVP_MD *md5, *sha256;

static void release(void)
{
    EVP_MD_free(md5);
    EVP_MD_free(sha256);
    md5 = sha256 = NULL;
}

static const EVP_MD *fetched(enum tw_digest alg)
{
    static bool registered;
    EVP_MD **slot = alg == TW_DIGEST_MD5 ? &md5 : &sha256;
    if (!*slot) {
        *slot = EVP_MD_fetch(NULL, alg == TW_DIGEST_MD5 ? "MD5" : "SHA256", NULL);
        if (*slot && !registered)
            registered = atexit(release) == 0;
    }
    return *slot;
}

bool tw_digest_hex(enum tw_digest alg, const void *p, size_t n, char *hex, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    const EVP_MD *md = fetched(alg);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (cap)
        hex[0] = '\0';
    if (!md || cap < (size_t)EVP_MD_get_size(md) * 2 + 1 || !EVP_Digest(p, n, out, &len, md, NULL))
        return false;
    for (unsigned int i = 0; i < len; i++) {
        hex[2 * i] = digits[out[i] >> 4];
        hex[2 * i + 1] = digits[out[i] & 15];
    }
    hex[2 * len] = '\0';
    return true;
}
