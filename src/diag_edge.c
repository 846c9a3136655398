/* diag_edge.c: would the edge described by a profile accept this origin? The origin's choices
 * (version, cipher, group, signature scheme) are what it picked for the client in the capture,
 * so a choice outside the profile is a question ("does it also accept ...?"), not a verdict;
 * its certificate chain and its timing are the same whoever connects, so those are certain. */
#include "tlswhy/edge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "correlate_int.h"
#include "tlswhy/dissector.h"

const char *tw_diag_edge_cert_rule(const struct tw_profile *p, int code)
{
    switch (code) {
    case TW_CAUSE_CERT_CHAIN_MISORDERED:
        return p->chain_order_strict ? "chain_order" : NULL;
    case TW_CAUSE_CERT_CHAIN_INCOMPLETE:
        return p->full_chain ? "full_chain" : NULL;
    case TW_CAUSE_CERT_NAME_MISMATCH:
        return p->name_check != TW_NAME_CHECK_NONE ? "name_check" : NULL;
    case TW_CAUSE_CERT_UNTRUSTED:
    case TW_CAUSE_CERT_SELF_SIGNED:
        return "trust_store";
    case TW_CAUSE_CERT_EXPIRED:
    case TW_CAUSE_CERT_NOT_YET_VALID:
    case TW_CAUSE_CERT_WEAK_KEY:
    case TW_CAUSE_CERT_NOT_SERVER_AUTH:
    case TW_CAUSE_CERT_UNPARSEABLE:
        return "certificate"; /* every profile: no key turns these off */
    default:
        return NULL;
    }
}

static const char *source_of(const struct tw_profile *p, const char *rule)
{
    for (int k = 0; k < TW_PK_COUNT; k++)
        if (!strcmp(tw_profile_key_name((enum tw_profile_key)k), rule))
            return p->source[k];
    return "";
}

static struct tw_edge_rule *add_rule(struct tw_verdict *v, const struct tw_profile *p,
                                     const char *rule, int code, bool certain, const char *fmt,
                                     ...) __attribute__((format(printf, 6, 7)));
static struct tw_edge_rule *add_rule(struct tw_verdict *v, const struct tw_profile *p,
                                     const char *rule, int code, bool certain, const char *fmt,
                                     ...)
{
    struct tw_edge_verdict *e = &v->edge;
    if (e->rule_count >= TW_MAX_EDGE_RULES)
        return NULL;
    struct tw_edge_rule *r = &e->rules[e->rule_count++];
    va_list ap;
    r->rule = rule;
    r->code = code;
    r->certain = certain;
    r->source = source_of(p, rule);
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
    return r;
}

/* "SSLv3, TLSv1, TLSv1.1, TLSv1.2" from a profile list; codes without a name as 0xNNNN. */
static const char *list_text(const struct tw_profile_list *l, const char *(*name_of)(uint16_t),
                             char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint16_t i = 0; i < l->n && i < TW_PROFILE_LIST_MAX && used + 1 < n; i++) {
        const char *name = name_of(l->v[i]);
        int w = name ? snprintf(buf + used, n - used, "%s%s", i ? ", " : "", name)
                     : snprintf(buf + used, n - used, "%s0x%04x", i ? ", " : "",
                                (unsigned)l->v[i]);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

static const char *named(const char *name, uint16_t code, char *buf, size_t n)
{
    if (name)
        snprintf(buf, n, "%s (0x%04x)", name, (unsigned)code);
    else
        snprintf(buf, n, "0x%04x", (unsigned)code);
    return buf;
}

/* The origin's negotiation choices: questions, since another offer might have worked. */
static void judge_choices(const struct tw_ev_tls *t, const struct tw_profile *p,
                          struct tw_verdict *v)
{
    char have[96], allowed[400];
    const struct tw_server_hello *sh = &t->sh;
    bool tls13 = tw_corr_is_tls13(sh->version);
    bool version_ok = tw_profile_list_has(&p->versions, sh->version);
    if (!version_ok)
        add_rule(v, p, "versions", TW_CAUSE_PROTOCOL_MISMATCH, false,
                 "the origin chose %s for this client; %s connects with %s only: it works only "
                 "if the origin also accepts one of those",
                 named(tw_tls_version_name(sh->version), sh->version, have, sizeof have),
                 p->name, list_text(&p->versions, tw_tls_version_name, allowed, sizeof allowed));
    if (version_ok && !tw_profile_list_has(&p->ciphers, sh->cipher_suite))
        add_rule(v, p, "ciphers", TW_CAUSE_CIPHER_MISMATCH, false,
                 "the origin chose %s for this client; %s offers only %u cipher suites (see the "
                 "profile): it works only if the origin also accepts one of them",
                 named(tw_tls_suite_name(sh->cipher_suite), sh->cipher_suite, have, sizeof have),
                 p->name, (unsigned)p->ciphers.n);
    uint16_t group = tls13 ? sh->key_share_group : t->server_kx_group;
    if (version_ok && group && !tw_profile_list_has(&p->groups, group))
        add_rule(v, p, "groups", TW_CAUSE_CIPHER_MISMATCH, false,
                 "the origin chose the group %s for this client; %s offers only %s",
                 named(tw_tls_group_name(group), group, have, sizeof have), p->name,
                 list_text(&p->groups, tw_tls_group_name, allowed, sizeof allowed));
    uint16_t sig = tls13 ? 0 : t->server_kx_sig_alg; /* TLS 1.3: in the encrypted flight */
    if (version_ok && sig && !tw_profile_list_has(&p->sig_schemes, sig))
        add_rule(v, p, "signature_schemes", TW_CAUSE_CIPHER_MISMATCH, false,
                 "the origin signed with %s for this client; %s offers only %s: it works only if "
                 "the origin can also sign with one of those",
                 named(tw_tls_sigalg_name(sig), sig, have, sizeof have), p->name,
                 list_text(&p->sig_schemes, tw_tls_sigalg_name, allowed, sizeof allowed));
}

static void judge_chain(const struct tw_chain_report *c, const struct tw_profile *p,
                        struct tw_verdict *v)
{
    for (uint16_t i = 0; c && i < c->finding_count && i < TW_CERT_MAX_FINDINGS; i++) {
        const char *rule = tw_diag_edge_cert_rule(p, c->findings[i].code);
        if (rule)
            add_rule(v, p, rule, c->findings[i].code, true, "%s", c->findings[i].text);
    }
}

static void judge_timing(const struct tw_ev_tcp *tcp, const struct tw_ev_tls *t,
                         const struct tw_profile *p, struct tw_verdict *v)
{
    int64_t limit = p->connect_timeout_us;
    if (limit > 0 && tcp && tcp->syn_frame && tcp->synack_frame &&
        tcp->synack_ts - tcp->syn_ts > limit) {
        add_rule(v, p, "connect_timeout", TW_CAUSE_ORIGIN_CONNECT_SLOW, true,
                 "the TCP connect took %.3f s (SYN frame %llu, SYN-ACK frame %llu); %s gives up "
                 "after %.3f s",
                 (double)(tcp->synack_ts - tcp->syn_ts) / 1e6, (unsigned long long)tcp->syn_frame,
                 (unsigned long long)tcp->synack_frame, p->name, (double)limit / 1e6);
        tw_corr_warn(v, TW_CAUSE_ORIGIN_CONNECT_SLOW);
    }
    if (limit > 0 && t && t->ch.present && t->sh.present && t->sh.ts_us - t->ch.ts_us > limit) {
        add_rule(v, p, "connect_timeout", TW_CAUSE_ORIGIN_CONNECT_SLOW, true,
                 "the origin answered the ClientHello (frame %llu) after %.3f s (ServerHello "
                 "frame %llu); %s gives up after %.3f s",
                 (unsigned long long)t->ch.frame, (double)(t->sh.ts_us - t->ch.ts_us) / 1e6,
                 (unsigned long long)t->sh.frame, p->name, (double)limit / 1e6);
        tw_corr_warn(v, TW_CAUSE_ORIGIN_CONNECT_SLOW);
    }
    limit = p->response_timeout_us;
    const struct tw_dir_tls *c = t ? &t->d[TW_DIR_C2S] : NULL, *s = t ? &t->d[TW_DIR_S2C] : NULL;
    if (limit > 0 && c && c->first_app_frame && s->first_app_frame &&
        s->first_app_frame > c->first_app_frame && s->first_app_ts - c->first_app_ts > limit) {
        add_rule(v, p, "response_timeout", TW_CAUSE_ORIGIN_RESPONSE_SLOW, true,
                 "the origin's first response (frame %llu) came %.3f s after the first request "
                 "(frame %llu); %s waits %.3f s",
                 (unsigned long long)s->first_app_frame,
                 (double)(s->first_app_ts - c->first_app_ts) / 1e6,
                 (unsigned long long)c->first_app_frame, p->name, (double)limit / 1e6);
        tw_corr_warn(v, TW_CAUSE_ORIGIN_RESPONSE_SLOW);
    }
}

void tw_diag_edge_judge(const struct tw_evidence *ev, const struct tw_chain_report *chain,
                        const struct tw_profile *p, struct tw_verdict *v)
{
    if (!p || !v || !ev)
        return;
    const struct tw_ev_tls *t = ev->tls;
    struct tw_edge_verdict *e = &v->edge;
    memset(e, 0, sizeof *e);
    e->profile = p->name;
    bool server_seen = t && t->sh.present && !t->sh.is_hrr;
    if (server_seen)
        judge_choices(t, p, v);
    judge_chain(chain, p, v);
    judge_timing(ev->tcp, t, p, v);
    bool certain = false;
    for (uint16_t i = 0; i < e->rule_count; i++)
        certain |= e->rules[i].certain;
    /* Unknown: the origin never answered, only questions remain, or its certificate was not
     * seen (TLS 1.3 without a key log, a resumed session). */
    if (certain)
        e->accepts = 0;
    else if (!server_seen || e->rule_count || !chain)
        e->accepts = -1;
    else
        e->accepts = 1;
}

/* What a failure cause means under the profile's rules, for the explanation. */
static const char *rule_words(const struct tw_profile *p, int cause, const char **rule)
{
    switch (cause) {
    case TW_CAUSE_CERT_CHAIN_MISORDERED:
        *rule = "chain_order";
        return p->chain_order_strict ? "rejects a chain in the wrong order" : NULL;
    case TW_CAUSE_CERT_CHAIN_INCOMPLETE:
        *rule = "full_chain";
        return p->full_chain ? "requires the origin to send every intermediate" : NULL;
    case TW_CAUSE_CERT_UNTRUSTED:
    case TW_CAUSE_CERT_SELF_SIGNED:
        *rule = "trust_store";
        return p->trust_store == TW_TRUST_MOZILLA ? "trusts only the CAs Mozilla includes"
                                                  : "trusts only its system store";
    case TW_CAUSE_CERT_NAME_MISMATCH:
        *rule = "name_check";
        return p->name_check == TW_NAME_CHECK_NONE ? NULL
                                                   : "checks the certificate against the name "
                                                     "it asked for (SNI, or the Host it forwards)";
    case TW_CAUSE_PROTOCOL_MISMATCH:
        *rule = "versions";
        return p->versions.any ? NULL : "connects only with the versions its profile lists";
    case TW_CAUSE_CIPHER_MISMATCH:
        *rule = "ciphers";
        return p->ciphers.any && p->groups.any && p->sig_schemes.any
                   ? NULL
                   : "offers only the cipher suites, groups and signature schemes its profile "
                     "lists";
    case TW_CAUSE_CLIENT_REJECTED:
        *rule = "alerts";
        return p->alerts ? NULL : "drops the TCP connection without an alert when it gives up";
    default:
        return NULL;
    }
}

void tw_diag_edge_quote(const struct tw_profile *p, struct tw_verdict *v)
{
    const char *rule = NULL;
    if (!p || !v || v->outcome != TW_OUTCOME_FAILED)
        return;
    if (v->cause == TW_CAUSE_TCP_NO_ANSWER && p->connect_timeout_us > 0) {
        const char *src = p->source[TW_PK_CONNECT_TIMEOUT];
        tw_corr_add(v, " [%s gives up a connection attempt after %.3f s", p->name,
                    (double)p->connect_timeout_us / 1e6);
        if (p->connect_attempts)
            tw_corr_add(v, " and tries %u times", p->connect_attempts);
        tw_corr_add(v, ": connect_timeout%s%s]", *src ? ", source: " : "", src);
        return;
    }
    const char *words = rule_words(p, (int)v->cause, &rule);
    if (!words)
        return;
    const char *src = source_of(p, rule);
    tw_corr_add(v, " [%s %s: %s%s%s]", p->name, words, rule, *src ? ", source: " : "", src);
}
