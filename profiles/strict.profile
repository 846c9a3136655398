# strict.profile: what a careful client enforces -- RFC 5246/8446 (TLS), RFC 8996 (no TLS 1.0/1.1),
# RFC 9325 (recommended suites and groups), RFC 6125/9525 (names) and the CA/Browser Forum
# Baseline Requirements (publicly trusted, complete chains). No timeouts: a careful client has
# its own. Format: docs/profiles.md.
name = strict  # source: tlswhy
description = a careful client: TLS 1.2/1.3 with AEAD suites, ordered complete chain, name checked  # source: https://www.rfc-editor.org/rfc/rfc9325 (checked 2026-11-21)
versions = TLSv1.2 TLSv1.3  # source: https://www.rfc-editor.org/rfc/rfc8996 (checked 2026-11-21)
# TLS 1.3 AES-GCM/ChaCha20, and TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305 (RFC 9325 4.2).
ciphers = 0x1301 0x1302 0x1303 0xc02b 0xc02f 0xc02c 0xc030 0xcca9 0xcca8  # source: https://www.rfc-editor.org/rfc/rfc9325 (checked 2026-11-21)
# x25519, secp256r1, secp384r1, x448, secp521r1
groups = 0x001d 0x0017 0x0018 0x001e 0x0019  # source: https://www.rfc-editor.org/rfc/rfc9325 (checked 2026-11-21)
signature_schemes = any  # source: https://www.rfc-editor.org/rfc/rfc8446 (checked 2026-11-21)
# RFC 5246 7.4.2: each following certificate MUST directly certify the one preceding it.
chain_order = strict  # source: https://www.rfc-editor.org/rfc/rfc5246 (checked 2026-11-21)
full_chain = yes  # source: https://cabforum.org/working-groups/server/baseline-requirements/documents/ (checked 2026-11-21)
trust_store = mozilla  # source: https://cabforum.org/working-groups/server/baseline-requirements/documents/ (checked 2026-11-21)
name_check = sni  # source: https://www.rfc-editor.org/rfc/rfc9525 (checked 2026-11-21)
connect_timeout = none  # source: tlswhy
response_timeout = none  # source: tlswhy
keepalive_timeout = none  # source: tlswhy
alerts = yes  # source: https://www.rfc-editor.org/rfc/rfc8446 (checked 2026-11-21)
