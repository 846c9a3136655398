# cloudfront.profile: what Amazon CloudFront enforces when it connects to a custom origin over
# HTTPS (the "origin-facing" side; not the viewer side). Every value says where it comes from.
# Copy this file and edit it (e.g. a distribution with custom timeouts), then: tlswhy --edge FILE.
# Format: docs/profiles.md.
name = cloudfront  # source: tlswhy
description = Amazon CloudFront connecting to a custom origin over HTTPS  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-ciphers-cloudfront-to-origin.html (checked 2026-11-21)
# OriginSslProtocols: SSLv3 | TLSv1 | TLSv1.1 | TLSv1.2 -- no TLS 1.3 towards origins.
versions = SSLv3 TLSv1 TLSv1.1 TLSv1.2  # source: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginSslProtocols.html (checked 2026-11-21)
# ECDHE-ECDSA-AES256-GCM-SHA384 AES256-SHA384 AES256-SHA AES128-GCM-SHA256 AES128-SHA256 AES128-SHA,
# ECDHE-RSA-(same six), AES256-SHA, AES128-SHA, DES-CBC3-SHA, RC4-MD5.
ciphers = 0xc02c 0xc024 0xc00a 0xc02b 0xc023 0xc009 0xc030 0xc028 0xc014 0xc02f 0xc027 0xc013 0x0035 0x002f 0x000a 0x0004  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-ciphers-cloudfront-to-origin.html (checked 2026-11-21)
# prime256v1, secp384r1, X25519
groups = 0x0017 0x0018 0x001d  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-ciphers-cloudfront-to-origin.html (checked 2026-11-21)
# RSA PKCS#1 SHA256/384/512/224, ECDSA SHA256/384/512/224, and the SHA-1 forms: no RSA-PSS.
signature_schemes = 0x0401 0x0501 0x0601 0x0301 0x0403 0x0503 0x0603 0x0303 0x0201 0x0203  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-ciphers-cloudfront-to-origin.html (checked 2026-11-21)
# "the certificate chain is in the wrong order" is one of the documented 502 causes.
chain_order = strict  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html (checked 2026-11-21)
# A missing intermediate certificate is a documented 502 cause.
full_chain = yes  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html (checked 2026-11-21)
# "CloudFront supports the same certificate authorities (CAs) as Mozilla".
trust_store = mozilla  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html (checked 2026-11-21)
# The certificate must match the Origin domain or the forwarded Host header; SNI is the origin domain.
name_check = sni  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html (checked 2026-11-21)
connect_timeout = 10  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html (checked 2026-11-21)
connect_attempts = 3  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html (checked 2026-11-21)
response_timeout = 30  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html (checked 2026-11-21)
keepalive_timeout = 5  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html (checked 2026-11-21)
# When the handshake fails CloudFront "drops the TCP connection": no alert reaches the origin.
alerts = no  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html (checked 2026-11-21)
