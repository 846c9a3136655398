# edge-tight.profile: a user's copy of cloudfront.profile with the tightest timeouts one might
# configure (0.5 s), for the edge-origin-slow sample: shows a FILE given to --edge.
name = tight  # source: samples/edge-tight.profile
description = CloudFront with 0.5 s origin timeouts  # source: samples/edge-tight.profile
versions = SSLv3 TLSv1 TLSv1.1 TLSv1.2  # source: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginSslProtocols.html (checked 2026-11-21)
connect_timeout = 0.5  # source: samples/edge-tight.profile
response_timeout = 0.5  # source: samples/edge-tight.profile
keepalive_timeout = 5  # source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html (checked 2026-11-21)
