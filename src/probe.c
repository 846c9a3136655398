/* probe.c: one bounded TLS connection to a server with OpenSSL (libssl): non-blocking connect
 * and handshake, each under its own poll deadline; the presented chain goes to the same
 * certificate analysis as a captured one, judged at the wall-clock time of the probe. The
 * chain is never trusted for anything: verification is off, and the analysis judges it. */
#include "probe_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tlswhy/correlate.h"

static const char *const status_names[] = {
    [TW_PROBE_NOT_RUN] = "not_run",       [TW_PROBE_DONE] = "done",
    [TW_PROBE_TLS_FAILED] = "tls_failed", [TW_PROBE_CONNECT_FAILED] = "connect_failed",
    [TW_PROBE_TIMEOUT] = "timeout",       [TW_PROBE_SKIPPED] = "skipped",
};

const char *tw_probe_status_name(enum tw_probe_status s)
{
    return (unsigned)s <= TW_PROBE_SKIPPED ? status_names[s] : "?";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline (monotonic ms). 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        return rc < 0 ? -1 : rc;
    }
}

static int connect_to(const struct tw_endpoint *ep, int timeout_ms, struct tw_probe_result *r)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    if (ep->ip.family == 4) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(ep->port);
        memcpy(&a->sin_addr, ep->ip.b, 4);
        sl = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(ep->port);
        memcpy(&a->sin6_addr, ep->ip.b, 16);
        sl = sizeof *a;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(r->error, sizeof r->error, "socket: %s", strerror(errno));
        r->status = TW_PROBE_CONNECT_FAILED;
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
        snprintf(r->error, sizeof r->error, "connect: %s", strerror(errno));
        r->status = TW_PROBE_CONNECT_FAILED;
        close(fd);
        return -1;
    }
    int rc = wait_fd(fd, POLLOUT, now_ms() + timeout_ms), err = 0;
    socklen_t el = sizeof err;
    if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
        return fd;
    if (rc == 0) {
        snprintf(r->error, sizeof r->error, "connect: no answer within %d ms", timeout_ms);
        r->status = TW_PROBE_TIMEOUT;
    } else {
        snprintf(r->error, sizeof r->error, "connect: %s", strerror(err ? err : errno));
        r->status = TW_PROBE_CONNECT_FAILED;
    }
    close(fd);
    return -1;
}

/* Drives SSL_connect on the non-blocking socket until done, failed or the deadline. */
static void handshake(SSL *ssl, int fd, int timeout_ms, struct tw_probe_result *r)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        ERR_clear_error();
        int rc = SSL_connect(ssl);
        if (rc == 1) {
            r->status = TW_PROBE_DONE;
            return;
        }
        int e = SSL_get_error(ssl, rc);
        short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (!ev) {
            unsigned long code = ERR_peek_last_error();
            r->status = TW_PROBE_TLS_FAILED;
            if (code)
                ERR_error_string_n(code, r->error, sizeof r->error);
            else
                snprintf(r->error, sizeof r->error, "the server closed the connection");
            return;
        }
        int w = wait_fd(fd, ev, deadline);
        if (w <= 0) {
            r->status = w == 0 ? TW_PROBE_TIMEOUT : TW_PROBE_TLS_FAILED;
            snprintf(r->error, sizeof r->error, "handshake: %s",
                     w == 0 ? "no answer within the timeout" : strerror(errno));
            return;
        }
    }
}

/* The certificate layer words dates against "capture time"; a probe's time is the clock's.
 * "probe time" is shorter, so the text only shrinks. */
static void say_probe_time(char *text)
{
    static const char from[] = "capture time";
    for (char *p = strstr(text, from); p; p = strstr(p, from)) {
        memcpy(p, "probe", 5);
        memmove(p + 5, p + 7, strlen(p + 7) + 1);
    }
}

/* The presented chain, judged for name at the time of the probe. */
static void judge(SSL *ssl, struct tw_cert_ctx *certs, const char *name,
                  struct tw_probe_result *r)
{
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
    int n = sk ? sk_X509_num(sk) : 0;
    if (n <= 0)
        return;
    if (n > TW_MAX_CERTS)
        n = TW_MAX_CERTS;
    uint8_t *der[TW_MAX_CERTS] = {0};
    uint32_t len[TW_MAX_CERTS] = {0};
    int k = 0;
    for (int i = 0; i < n; i++) {
        unsigned char *p = NULL;
        int l = i2d_X509(sk_X509_value(sk, i), &p);
        if (l <= 0)
            break;
        der[k] = p;
        len[k++] = (uint32_t)l;
    }
    if (k > 0)
        r->chain = tw_cert_analyse(certs, (const uint8_t *const *)der, len, (size_t)k, name,
                                   r->at_s);
    for (int i = 0; i < k; i++)
        OPENSSL_free(der[i]);
    for (uint16_t i = 0; r->chain && i < r->chain->finding_count && i < TW_CERT_MAX_FINDINGS; i++)
        say_probe_time(r->chain->findings[i].text);
    r->defect = tw_corr_pick_defect(r->chain, -1);
}

void tw_probe_server(const struct tw_endpoint *server, const struct tw_client_hello *ch,
                     const char *sni, const char *name, struct tw_cert_ctx *certs,
                     const struct tw_probe_opts *o, struct tw_probe_result *r)
{
    int timeout = o && o->timeout_ms > 0 ? o->timeout_ms : TW_PROBE_TIMEOUT_MS;
    memset(r, 0, sizeof *r);
    r->server = *server;
    r->at_s = (int64_t)time(NULL);
    if (!sni && ch && ch->present && ch->has_sni)
        sni = ch->sni;
    snprintf(r->sni, sizeof r->sni, "%s", sni ? sni : "");
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        r->status = TW_PROBE_TLS_FAILED;
        snprintf(r->error, sizeof r->error, "out of memory");
        return;
    }
    SSL_CTX_set_security_level(ctx, 0); /* see weak keys and old suites: they are judged */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    tw_probe_offer(ctx, ch, r->not_offered, sizeof r->not_offered);
    int fd = connect_to(server, timeout, r);
    SSL *ssl = fd >= 0 ? SSL_new(ctx) : NULL;
    if (ssl) {
        SSL_set_fd(ssl, fd);
        if (r->sni[0])
            SSL_set_tlsext_host_name(ssl, r->sni);
        handshake(ssl, fd, timeout, r);
        const char *v = SSL_get_version(ssl);
        if (r->status == TW_PROBE_DONE) {
            snprintf(r->version, sizeof r->version, "%s", v ? v : "");
            snprintf(r->cipher, sizeof r->cipher, "%s", SSL_get_cipher_name(ssl));
        }
        judge(ssl, certs, name ? name : (r->sni[0] ? r->sni : NULL), r);
        if (r->status == TW_PROBE_DONE)
            (void)SSL_shutdown(ssl); /* one close_notify; no wait for the answer */
        SSL_free(ssl);
    } else if (fd >= 0) {
        r->status = TW_PROBE_TLS_FAILED;
        snprintf(r->error, sizeof r->error, "out of memory");
    }
    if (fd >= 0)
        close(fd);
    SSL_CTX_free(ctx);
}

void tw_probe_result_clear(struct tw_probe_result *r)
{
    if (!r)
        return;
    tw_chain_report_free(r->chain);
    r->chain = NULL;
    r->defect = NULL;
}
