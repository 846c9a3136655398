/* cert_chain.c: the checks on the chain as a whole that do not depend on the capture time or
 * the name: order (RFC 8446 section 4.4.2, RFC 5246 section 7.4.2: each certificate certifies
 * the one before it), trust and completeness (X509_verify_cert), weak keys and signatures, and
 * the leaf's extendedKeyUsage (RFC 5280 section 4.2.1.12). */
#include "cert_int.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

/* The first verification error, recorded by the callback. */
struct vstate {
    int err, depth;
    X509 *cert; /* the certificate the error is about (borrowed from the store context) */
};

static bool issued(X509 *issuer, X509 *subject)
{
    return X509_check_issued(issuer, subject) == X509_V_OK;
}

/* Each certificate must be issued by the next one. When it is not, but its issuer is
 * elsewhere in the chain, the server sent the right certificates in the wrong order. OpenSSL
 * reorders silently, other clients do not, so this is reported even when the chain verifies.
 * Only the first misplaced certificate is reported. A self-signed certificate ends the
 * chain, so what follows it is not "its issuer". */
static void check_order(X509 *const *x, size_t n, struct tw_chain_report *r)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (!x[i] || !x[i + 1] || r->certs[i].self_signed || issued(x[i + 1], x[i]))
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || j == i + 1 || !x[j] || !issued(x[j], x[i]))
                continue;
            char a[300], b[300], c[300];
            tw_cert_add_finding(r, TW_CAUSE_CERT_CHAIN_MISORDERED, (int)i,
                                "%s is issued by %s, but the next certificate is %s",
                                tw_cert_who(r, (int)i, a, sizeof a),
                                tw_cert_who(r, (int)j, b, sizeof b),
                                tw_cert_who(r, (int)(i + 1), c, sizeof c));
            return;
        }
    }
}

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct vstate *v = X509_STORE_CTX_get_app_data(ctx);
    if (!ok && v->err == 0) {
        v->err = X509_STORE_CTX_get_error(ctx);
        v->depth = X509_STORE_CTX_get_error_depth(ctx);
        v->cert = X509_STORE_CTX_get_current_cert(ctx);
    }
    return 1; /* go on: the first error is the one reported, and it is the decisive one */
}

/* Position of c in the presented chain, or -1 (a certificate from the trust store). */
static int index_of(X509 *const *x, size_t n, const X509 *c)
{
    for (size_t i = 0; c && i < n; i++)
        if (x[i] && (x[i] == c || X509_cmp(x[i], c) == 0))
            return (int)i;
    return -1;
}

static void dn_of(const X509_NAME *nm, char *buf, size_t n)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL;
    buf[0] = '\0';
    if (b && X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        long len = BIO_get_mem_data(b, &p);
        snprintf(buf, n, "%.*s", (int)(len > 0 && len < 4096 ? len : 0), p ? p : "");
    }
    BIO_free(b);
}

/* Turns the first verification error into one finding. */
static void report_trust(const struct vstate *v, X509 *const *x, size_t n,
                         struct tw_chain_report *r)
{
    int k = index_of(x, n, v->cert);
    char who[300], dn[512];
    if (k >= 0)
        tw_cert_who(r, k, who, sizeof who);
    else
        snprintf(who, sizeof who, "the certificate at verification depth %d", v->depth);
    switch (v->err) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        dn_of(X509_get_subject_name(v->cert), dn, sizeof dn);
        tw_cert_add_finding(r, TW_CAUSE_CERT_SELF_SIGNED, k,
                            "%s is self-signed (issuer = subject = '%s') and not in the trust "
                            "store",
                            who, dn);
        break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        dn_of(X509_get_subject_name(v->cert), dn, sizeof dn);
        tw_cert_add_finding(r, TW_CAUSE_CERT_UNTRUSTED, k,
                            "the chain ends at %s, a self-signed root '%s' that is not in the "
                            "trust store",
                            who, dn);
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        dn_of(X509_get_issuer_name(v->cert), dn, sizeof dn);
        tw_cert_add_finding(r, TW_CAUSE_CERT_CHAIN_INCOMPLETE, k,
                            "the issuer '%s' of %s is missing: the server did not send it and "
                            "the trust store does not hold it",
                            dn, who);
        break;
    default:
        tw_cert_add_finding(r, TW_CAUSE_CERT_UNTRUSTED, k,
                            "%s does not verify: %s (X509_V_ERR %d at depth %d)", who,
                            X509_verify_cert_error_string(v->err), v->err, v->depth);
        break;
    }
}

/* Builds and verifies the chain as a client would: the leaf, the other presented certificates
 * as untrusted intermediates (in any order), the store as the anchors. Time is not checked
 * here (X509_V_FLAG_NO_CHECK_TIME): cert.c compares the dates with the capture time on every
 * call, so this result can be cached per chain and still be right for any capture time. */
static bool verify(X509_STORE *store, X509 *const *x, size_t n, struct tw_chain_report *r)
{
    struct vstate v = {0, 0, NULL};
    bool ran = false;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!untrusted || !ctx || !x[0])
        goto out;
    for (size_t i = 1; i < n; i++)
        if (x[i] && !sk_X509_push(untrusted, x[i]))
            goto out;
    if (!X509_STORE_CTX_init(ctx, store, x[0], untrusted))
        goto out;
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
    X509_STORE_CTX_set_app_data(ctx, &v);
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
    int ok = X509_verify_cert(ctx);
    ran = true;
    if (ok == 1 && v.err == 0) {
        r->trusted = true;
    } else {
        if (v.err == 0) /* failed without calling back: internal error */
            v.err = X509_STORE_CTX_get_error(ctx) ? X509_STORE_CTX_get_error(ctx)
                                                  : X509_V_ERR_UNSPECIFIED;
        r->verify_error = v.err;
        snprintf(r->verify_error_text, sizeof r->verify_error_text, "%s",
                 X509_verify_cert_error_string(v.err));
        report_trust(&v, x, n, r);
    }
out:
    if (!x[0]) {
        r->verify_error = X509_V_ERR_UNSPECIFIED;
        snprintf(r->verify_error_text, sizeof r->verify_error_text,
                 "the leaf certificate does not parse");
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    ERR_clear_error();
    return ran;
}

/* RSA/DSA keys under 2048 bits, EC keys under 224 bits (NIST SP 800-131A), and MD5/SHA-1
 * signatures on any certificate that is not self-signed: a root's own signature is never
 * checked by clients, so a SHA-1 root is fine. */
static void check_weak(X509 *const *x, size_t n, struct tw_chain_report *r)
{
    for (size_t i = 0; i < n; i++) {
        const struct tw_cert_summary *s = &r->certs[i];
        char who[300];
        if (!x[i])
            continue;
        bool rsa = !strcmp(s->key_type, "RSA") || !strcmp(s->key_type, "RSA-PSS") ||
                   !strcmp(s->key_type, "DSA");
        if ((rsa && s->key_bits < 2048) || (!strcmp(s->key_type, "EC") && s->key_bits < 224))
            tw_cert_add_finding(r, TW_CAUSE_CERT_WEAK_KEY, (int)i,
                                "%s has a %d-bit %s key (< %d bits)",
                                tw_cert_who(r, (int)i, who, sizeof who), s->key_bits,
                                s->key_type, rsa ? 2048 : 224);
        int md = NID_undef;
        if (s->self_signed || !OBJ_find_sigid_algs(X509_get_signature_nid(x[i]), &md, NULL))
            continue;
        if (md == NID_sha1 || md == NID_md5 || md == NID_md4 || md == NID_md2)
            tw_cert_add_finding(r, TW_CAUSE_CERT_WEAK_KEY, (int)i, "%s is signed with %s (%s)",
                                tw_cert_who(r, (int)i, who, sizeof who), s->sig_alg,
                                OBJ_nid2sn(md));
    }
}

bool tw_cert_check_chain(X509_STORE *store, X509 *const *x, size_t n, struct tw_chain_report *r)
{
    if (n == 0)
        return false;
    check_order(x, n, r);
    bool ran = verify(store, x, n, r);
    check_weak(x, n, r);
    const struct tw_cert_summary *leaf = &r->certs[0];
    if (leaf->parsed && leaf->has_eku && !leaf->eku_server_auth) {
        char who[300];
        tw_cert_add_finding(r, TW_CAUSE_CERT_NOT_SERVER_AUTH, 0,
                            "%s has extendedKeyUsage %s, without serverAuth",
                            tw_cert_who(r, 0, who, sizeof who), leaf->eku);
    }
    return ran;
}
