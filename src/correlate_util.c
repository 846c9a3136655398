/* correlate_util.c: the diagnosis's bookkeeping: evidence frames, warnings, alert lookup, the
 * choice of certificate defect, version labels and timing. The rules are in correlate.c. */
#include "correlate_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlswhy/dissector.h"

void tw_corr_fail(struct tw_verdict *v, int cause, enum tw_stage stage)
{
    v->outcome = TW_OUTCOME_FAILED;
    v->cause = (enum tw_cause)cause;
    v->stage = stage;
}

void tw_corr_incomplete(struct tw_verdict *v, enum tw_stage stage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->incomplete_reason, sizeof v->incomplete_reason, fmt, ap);
    va_end(ap);
    v->outcome = TW_OUTCOME_INCOMPLETE;
    v->cause = TW_CAUSE_NONE;
    v->stage = stage;
    snprintf(v->explanation, sizeof v->explanation, "%s", v->incomplete_reason);
}

void tw_corr_say(struct tw_verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->explanation, sizeof v->explanation, fmt, ap);
    va_end(ap);
}

void tw_corr_add(struct tw_verdict *v, const char *fmt, ...)
{
    size_t used = strlen(v->explanation);
    if (used + 1 >= sizeof v->explanation)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->explanation + used, sizeof v->explanation - used, fmt, ap);
    va_end(ap);
}

void tw_corr_frame(struct tw_verdict *v, uint64_t frame)
{
    if (frame == 0)
        return;
    for (uint16_t i = 0; i < v->frame_count; i++)
        if (v->frames[i] == frame)
            return;
    if (v->frame_count < TW_MAX_FRAMES)
        v->frames[v->frame_count++] = frame;
}

void tw_corr_sort_frames(struct tw_verdict *v)
{
    for (uint16_t i = 1; i < v->frame_count; i++) { /* at most 16: insertion sort */
        uint64_t f = v->frames[i];
        uint16_t j = i;
        for (; j > 0 && v->frames[j - 1] > f; j--)
            v->frames[j] = v->frames[j - 1];
        v->frames[j] = f;
    }
}

void tw_corr_warn(struct tw_verdict *v, int code)
{
    if (code <= TW_CAUSE_NONE || code >= TW_CAUSE_COUNT)
        return;
    if (v->outcome == TW_OUTCOME_FAILED && (int)v->cause == code)
        return;
    for (uint16_t i = 0; i < v->warning_count; i++)
        if (v->warnings[i] == code)
            return;
    if (v->warning_count < TW_MAX_WARNINGS)
        v->warnings[v->warning_count++] = (uint16_t)code;
}

const struct tw_alert *tw_corr_first_alert(const struct tw_ev_tls *t, enum tw_dir dir)
{
    if (!t)
        return NULL;
    for (uint16_t i = 0; i < t->alert_count && i < TW_MAX_ALERTS; i++)
        if (t->alerts[i].dir == (uint8_t)dir)
            return &t->alerts[i];
    return NULL;
}

/* Alerts that do not end a handshake on their own: close_notify (0), user_canceled (90),
 * no_renegotiation (100); unrecognized_name (112) at warning level lets TLS <= 1.2 go on. */
static bool is_decisive(const struct tw_alert *a)
{
    if (!a->visible)
        return false;
    if (a->desc == 0 || a->desc == 90 || a->desc == 100)
        return false;
    return a->level != 1 || a->desc != 112;
}

const struct tw_alert *tw_corr_decisive_alert(const struct tw_ev_tls *t)
{
    const struct tw_alert *best = NULL;
    if (!t)
        return NULL;
    for (uint16_t i = 0; i < t->alert_count && i < TW_MAX_ALERTS; i++)
        if (is_decisive(&t->alerts[i]) && (!best || t->alerts[i].frame < best->frame))
            best = &t->alerts[i];
    return best;
}

const char *tw_corr_alert_label(const struct tw_alert *a, char *buf, size_t n)
{
    if (!a->visible) {
        snprintf(buf, n, "an encrypted alert");
        return buf;
    }
    const char *name = tw_tls_alert_name(a->desc);
    if (name)
        snprintf(buf, n, "alert %u %s", (unsigned)a->desc, name);
    else
        snprintf(buf, n, "alert %u", (unsigned)a->desc);
    return buf;
}

bool tw_corr_is_defect(int code)
{
    char k = tw_cause_kind(code);
    return code != TW_CAUSE_NONE && (k == 'F' || k == 'B');
}

/* The order a client checks a chain in when it closes without saying why: validity and trust
 * while building the chain, then the name, then policy (EKU, key size), and order last because
 * most clients repair it. */
static const int generic_order[] = {
    TW_CAUSE_CERT_EXPIRED,         TW_CAUSE_CERT_NOT_YET_VALID,    TW_CAUSE_CERT_SELF_SIGNED,
    TW_CAUSE_CERT_UNTRUSTED,       TW_CAUSE_CERT_CHAIN_INCOMPLETE, TW_CAUSE_CERT_NAME_MISMATCH,
    TW_CAUSE_CERT_NOT_SERVER_AUTH, TW_CAUSE_CERT_WEAK_KEY,         TW_CAUSE_CERT_CHAIN_MISORDERED,
    TW_CAUSE_CERT_UNPARSEABLE,
};

/* What each certificate alert usually means, best match first (-1 ends a list). OpenSSL sends
 * 48 unknown_ca even for a self-signed certificate that has also expired, 42 for a name
 * mismatch; HAProxy sends 80 internal_error for a name mismatch. */
static const int *alert_order(int desc)
{
    static const int expired[] = {TW_CAUSE_CERT_EXPIRED, TW_CAUSE_CERT_NOT_YET_VALID, -1};
    static const int unknown_ca[] = {TW_CAUSE_CERT_SELF_SIGNED, TW_CAUSE_CERT_UNTRUSTED,
                                     TW_CAUSE_CERT_CHAIN_INCOMPLETE, TW_CAUSE_CERT_CHAIN_MISORDERED,
                                     -1};
    static const int bad_cert[] = {TW_CAUSE_CERT_UNPARSEABLE,     TW_CAUSE_CERT_NAME_MISMATCH,
                                   TW_CAUSE_CERT_SELF_SIGNED,     TW_CAUSE_CERT_UNTRUSTED,
                                   TW_CAUSE_CERT_CHAIN_INCOMPLETE, -1};
    static const int unsupported[] = {TW_CAUSE_CERT_NOT_SERVER_AUTH, TW_CAUSE_CERT_WEAK_KEY, -1};
    static const int insecure[] = {TW_CAUSE_CERT_WEAK_KEY, -1};
    static const int internal[] = {TW_CAUSE_CERT_NAME_MISMATCH, -1};
    switch (desc) {
    case 45: /* certificate_expired */
        return expired;
    case 48: /* unknown_ca */
        return unknown_ca;
    case 42: /* bad_certificate */
    case 46: /* certificate_unknown */
        return bad_cert;
    case 43: /* unsupported_certificate */
        return unsupported;
    case 71: /* insufficient_security */
        return insecure;
    case 80: /* internal_error */
        return internal;
    default:
        return NULL;
    }
}

static const struct tw_cert_finding *find_code(const struct tw_chain_report *c, int code)
{
    for (uint16_t i = 0; i < c->finding_count && i < TW_CERT_MAX_FINDINGS; i++)
        if (c->findings[i].code == code)
            return &c->findings[i];
    return NULL;
}

const struct tw_cert_finding *tw_corr_pick_defect(const struct tw_chain_report *c, int alert_desc)
{
    const struct tw_cert_finding *f;
    if (!c)
        return NULL;
    const int *pref = alert_desc >= 0 ? alert_order(alert_desc) : NULL;
    for (; pref && *pref >= 0; pref++)
        if ((f = find_code(c, *pref)) != NULL)
            return f;
    for (size_t i = 0; i < sizeof generic_order / sizeof generic_order[0]; i++)
        if ((f = find_code(c, generic_order[i])) != NULL)
            return f;
    return NULL;
}

bool tw_corr_is_tls13(uint16_t v)
{
    return v == 0x0304 || (v >> 8) == 0x7f;
}

const char *tw_corr_version_label(uint16_t v, char *buf, size_t n)
{
    const char *name = tw_tls_version_name(v);
    if (name)
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "0x%04x", (unsigned)v);
    return buf;
}

const char *tw_corr_versions_offered(const struct tw_client_hello *ch, char *buf, size_t n)
{
    char one[32];
    size_t used = 0;
    buf[0] = '\0';
    for (uint16_t i = 0; i < ch->versions.n && i < TW_LIST_CAP(ch->versions); i++) {
        if (tw_tls_is_grease(ch->versions.v[i]))
            continue;
        tw_corr_version_label(ch->versions.v[i], one, sizeof one);
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", one);
        if (w < 0 || (size_t)w >= n - used)
            return buf;
        used += (size_t)w;
    }
    if (used == 0)
        tw_corr_version_label(ch->legacy_version, buf, n);
    return buf;
}

/* Orders versions: SSLv3 < TLS 1.0 < 1.1 < 1.2 < TLS 1.3 drafts (0x7fxx) < TLS 1.3. */
static unsigned version_rank(uint16_t v)
{
    if ((v >> 8) == 0x7f)
        return 0x0303u * 2 + 1;
    return v * 2u;
}

uint16_t tw_corr_max_offered(const struct tw_client_hello *ch)
{
    uint16_t best = 0;
    for (uint16_t i = 0; i < ch->versions.n && i < TW_LIST_CAP(ch->versions); i++) {
        uint16_t v = ch->versions.v[i];
        if (!tw_tls_is_grease(v) && (best == 0 || version_rank(v) > version_rank(best)))
            best = v;
    }
    return best ? best : ch->legacy_version;
}

double tw_corr_ms(uint64_t frame_a, int64_t a_us, uint64_t frame_b, int64_t b_us)
{
    if (frame_a == 0 || frame_b == 0 || b_us < a_us)
        return -1.0;
    return (double)(b_us - a_us) / 1000.0;
}

int64_t tw_corr_step_ts(const struct tw_ev_tls *t, uint64_t frame)
{
    if (!t || frame == 0)
        return -1;
    for (uint16_t i = 0; i < t->step_count && i < TW_MAX_STEPS; i++)
        if (t->steps[i].frame == frame)
            return t->steps[i].ts_us;
    return -1;
}

/* handshake_ms runs from the SYN (the ClientHello when no SYN was seen) to the message that
 * completed the handshake: the later Finished in TLS <= 1.2, the client's flight in TLS 1.3. */
void tw_corr_timing(const struct tw_corr_ctx *x)
{
    struct tw_verdict *v = x->v;
    const struct tw_ev_tcp *tcp = x->tcp;
    const struct tw_ev_tls *t = x->tls;
    v->syn_to_synack_ms =
        tcp ? tw_corr_ms(tcp->syn_frame, tcp->syn_ts, tcp->synack_frame, tcp->synack_ts) : -1.0;
    v->hello_to_server_hello_ms = -1.0;
    v->handshake_ms = -1.0;
    if (!t || !t->ch.present)
        return;
    if (t->sh.present)
        v->hello_to_server_hello_ms =
            tw_corr_ms(t->ch.frame, t->ch.ts_us, t->sh.frame, t->sh.ts_us);
    if (!v->handshake_done)
        return;
    uint64_t end = t->d[TW_DIR_C2S].finished_frame;
    if (tw_corr_is_tls13(t->sh.version)) {
        end = end ? end : tw_corr_client_flight(t);
    } else if (t->d[TW_DIR_S2C].finished_frame > end) {
        end = t->d[TW_DIR_S2C].finished_frame;
    }
    int64_t end_ts = tw_corr_step_ts(t, end);
    if (end_ts < 0 && end && end == t->d[TW_DIR_C2S].first_app_frame)
        end_ts = t->d[TW_DIR_C2S].first_app_ts;
    if (end_ts < 0)
        return;
    if (tcp && tcp->syn_frame)
        v->handshake_ms = tw_corr_ms(tcp->syn_frame, tcp->syn_ts, end, end_ts);
    else
        v->handshake_ms = tw_corr_ms(t->ch.frame, t->ch.ts_us, end, end_ts);
}

const char *tw_corr_key_hint(const struct tw_ev_tls *t)
{
    if (!t->dec.keylog)
        return "a key log (SSLKEYLOGFILE)";
    if (t->dec.failed_frame)
        return "this session's key log (the one given failed to authenticate)";
    if (t->dec.unsupported)
        return "a key log, for a cipher suite tlswhy decrypts,";
    return "a key log holding this connection's secrets (the one given lacks them)";
}
