/* report_fixes.c: for the ticket report, each cause said for a reader who does not know TLS,
 * and the fix that usually applies. "{name}" stands for the server name. One table, so a new
 * cause in causes.def shows up here as a missing row (check_rep_doc tests every row). */
#include "report_doc.h"

struct fix {
    const char *headline;
    const char *action;
};

static const struct fix fixes[TW_CAUSE_COUNT] = {
    [TW_CAUSE_TCP_REFUSED] = {"nothing listens on the origin's TLS port: the server refused "
                              "the connection",
                              "start the TLS service on the origin, or point the edge at the "
                              "port it listens on"},
    [TW_CAUSE_TCP_NO_ANSWER] = {"the origin never answered the connection attempt: it is down, "
                                "filtered or unreachable",
                                "check that the origin is up and that firewalls and security "
                                "groups let the edge's addresses reach its port"},
    [TW_CAUSE_SERVER_SILENT] = {"the origin accepted the connection but never answered the "
                                "TLS greeting for {name}",
                                "check that the port really serves TLS and that nothing in "
                                "between (load balancer, proxy) swallows the handshake"},
    [TW_CAUSE_PLAINTEXT_SERVER] = {"the origin answered in plain HTTP where TLS was expected",
                                   "make the edge connect with plain HTTP to that port, or "
                                   "enable TLS on it"},
    [TW_CAUSE_SERVER_CLOSED_EARLY] = {"the origin hung up right after the client's greeting "
                                      "for {name}, without saying why",
                                      "read the origin's TLS error log: it usually names a "
                                      "missing certificate for that name or a protocol setting"},
    [TW_CAUSE_PROTOCOL_MISMATCH] = {"the client and the origin share no TLS version",
                                    "enable TLS 1.2 (and 1.3) on the origin, or allow the "
                                    "version the origin speaks at the edge"},
    [TW_CAUSE_CIPHER_MISMATCH] = {"the client and the origin share no cipher suite",
                                  "enable a modern cipher suite (ECDHE with AES-GCM or "
                                  "ChaCha20) on the origin"},
    [TW_CAUSE_SNI_UNRECOGNIZED] = {"the origin does not serve the name {name}",
                                   "add a site or virtual host for {name} on the origin, or "
                                   "point the edge at a name it serves"},
    [TW_CAUSE_CLIENT_CERT_REQUIRED] = {"the origin demands a client certificate that the "
                                       "client did not present",
                                       "configure the edge with the client certificate the "
                                       "origin expects, or turn off client authentication "
                                       "there"},
    [TW_CAUSE_CERT_EXPIRED] = {"the certificate on the origin for {name} has expired",
                               "renew the certificate and reload the origin's TLS service"},
    [TW_CAUSE_CERT_NOT_YET_VALID] = {"the certificate on the origin for {name} is not valid "
                                     "yet",
                                     "check the origin's clock and the certificate's start "
                                     "date; install a certificate valid now"},
    [TW_CAUSE_CERT_NAME_MISMATCH] = {"the certificate on the origin does not cover {name}",
                                     "reissue it with {name} as a SAN, or point the edge at a "
                                     "covered name"},
    [TW_CAUSE_CERT_SELF_SIGNED] = {"the origin presents a self-signed certificate for {name}",
                                   "install a certificate from a CA the client trusts, or add "
                                   "this certificate to the client's trust store"},
    [TW_CAUSE_CERT_UNTRUSTED] = {"the certificate for {name} comes from a CA the client does "
                                 "not trust",
                                 "use a certificate from a publicly trusted CA, or add the "
                                 "private CA to the client's trust store"},
    [TW_CAUSE_CERT_CHAIN_INCOMPLETE] = {"the origin sends its certificate for {name} without "
                                        "the intermediate certificate",
                                        "configure the full chain (the certificate followed by "
                                        "its intermediates) on the origin"},
    [TW_CAUSE_CERT_CHAIN_MISORDERED] = {"the origin sends its certificate chain for {name} in "
                                        "the wrong order",
                                        "put the certificate first, then each issuer in order, "
                                        "in the origin's chain file"},
    [TW_CAUSE_CERT_WEAK_KEY] = {"the certificate for {name} uses a key or signature the "
                                "client rejects as too weak",
                                "reissue it with an RSA 2048-bit (or larger) or ECDSA key and "
                                "a SHA-256 signature"},
    [TW_CAUSE_CLIENT_REJECTED] = {"the client gave up after seeing the origin's answer for "
                                  "{name}",
                                  "look at the client's own log for its reason; compare its "
                                  "trust store and settings with the certificate shown"},
    [TW_CAUSE_ALERT_OTHER] = {"a TLS error alert ended the handshake for {name}",
                              "look up the alert named in the example below; the side that "
                              "sent it has the reason in its log"},
    [TW_CAUSE_CERT_EXPIRES_SOON] = {"the certificate for {name} expires soon",
                                    "renew the certificate before it expires"},
    [TW_CAUSE_LEGACY_VERSION] = {"the connection used an obsolete TLS version",
                                 "enable TLS 1.2 or 1.3 on both sides"},
    [TW_CAUSE_CLOSED_WITHOUT_REQUEST] = {"the client closed right after a completed handshake",
                                         "check the client's log: it may have rejected "
                                         "something it saw after the handshake"},
    [TW_CAUSE_CAPTURE_LOST_DATA] = {"the capture missed part of the connection",
                                    "capture again with a larger buffer or snap length, as "
                                    "close to the origin as possible"},
    [TW_CAUSE_MALFORMED] = {"a TLS message broke the protocol's rules",
                            "update the software that sent it; compare with a capture from a "
                            "working client"},
    [TW_CAUSE_CERT_UNPARSEABLE] = {"the origin's certificate for {name} cannot be read",
                                   "reissue the certificate and check the file installed on "
                                   "the origin"},
    [TW_CAUSE_CERT_NOT_SERVER_AUTH] = {"the certificate for {name} is not allowed for TLS "
                                       "servers (extended key usage)",
                                       "reissue it with the serverAuth extended key usage"},
    [TW_CAUSE_PLAINTEXT_CLIENT] = {"the client sent plain HTTP to the origin's TLS port",
                                   "make the client use https, or point it at the plain-HTTP "
                                   "port"},
};

const char *doc_fix_headline(int cause)
{
    if (cause <= TW_CAUSE_NONE || cause >= TW_CAUSE_COUNT || !fixes[cause].headline)
        return "no problem was found";
    return fixes[cause].headline;
}

const char *doc_fix_action(int cause)
{
    if (cause <= TW_CAUSE_NONE || cause >= TW_CAUSE_COUNT || !fixes[cause].action)
        return "nothing to fix";
    return fixes[cause].action;
}
