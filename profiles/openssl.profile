# openssl.profile: what an OpenSSL 3 client with hostname checking enforces (s_client
# -verify_return_error -verify_hostname, curl, nginx proxy_ssl_verify): it builds its own path
# from whatever the server sent, so the order of the chain does not matter, but it does not
# fetch missing intermediates. This is what tlswhy judges by when no --edge is given.
# Format: docs/profiles.md.
name = openssl  # source: tlswhy
description = an OpenSSL 3 client with hostname checking  # source: https://docs.openssl.org/3.0/man3/SSL_CTX_set_verify/ (checked 2026-11-21)
# Debian 12's openssl.cnf sets MinProtocol = TLSv1.2 at security level 2.
versions = TLSv1.2 TLSv1.3  # source: https://docs.openssl.org/3.0/man3/SSL_CTX_set_min_proto_version/ (checked 2026-11-21)
ciphers = any  # source: https://docs.openssl.org/3.0/man3/SSL_CTX_set_verify/ (checked 2026-11-21)
groups = any  # source: https://docs.openssl.org/3.0/man3/SSL_CTX_set_verify/ (checked 2026-11-21)
signature_schemes = any  # source: https://docs.openssl.org/3.0/man3/SSL_CTX_set_verify/ (checked 2026-11-21)
# Path building searches the untrusted certificates sent by the peer, in any order.
chain_order = any  # source: https://docs.openssl.org/3.0/man1/openssl-verification-options/ (checked 2026-11-21)
full_chain = yes  # source: https://docs.openssl.org/3.0/man1/openssl-verification-options/ (checked 2026-11-21)
trust_store = system  # source: https://docs.openssl.org/3.0/man1/openssl-verification-options/ (checked 2026-11-21)
name_check = sni  # source: https://docs.openssl.org/3.0/man1/openssl-verification-options/ (checked 2026-11-21)
connect_timeout = none  # source: tlswhy
response_timeout = none  # source: tlswhy
keepalive_timeout = none  # source: tlswhy
alerts = yes  # source: https://docs.openssl.org/3.0/man3/SSL_CTX_set_verify/ (checked 2026-11-21)
