#!/usr/bin/env bash
# Dependencies point one way along the pipeline: a file includes headers of its own layer and of
# layers to its left, never to its right (capture -> decode -> flow -> dissect -> cert -> diag ->
# report -> run). CMake links each layer only with the ones to its left; this catches a header
# that would let the wrong way compile.
set -euo pipefail
cd "$TW_SOURCE_DIR"
python3 - <<'PY'
import os, re, sys
order = ["base", "capture", "decode", "flow", "dissect", "cert", "diag", "probe", "report", "run"]
headers = {  # header -> layer (public contracts and private headers)
    "base.h": "base", "rd.h": "base", "log.h": "base", "causes.h": "base", "causes.def": "base",
    "frame.h": "capture", "capture.h": "capture",
    "packet.h": "decode", "decode_internal.h": "decode",
    "stream.h": "flow", "flow.h": "flow", "ev_tcp.h": "flow", "reasm.h": "flow",
    "ev_tls.h": "dissect", "evidence.h": "dissect", "dissector.h": "dissect",
    "tls_int.h": "dissect", "tls_conn.h": "dissect", "dissectors.def": "dissect",
    "tls_names.inc": "dissect", "keylog.h": "dissect", "tls_decrypt.h": "dissect",
    "cert.h": "cert", "cert_int.h": "cert", "digest.h": "cert",
    "verdict.h": "diag", "correlate.h": "diag", "correlate_int.h": "diag",
    "profile.h": "diag", "edge.h": "diag",
    "fingerprint.h": "diag",
    "probe.h": "probe", "probe_int.h": "probe",
    "report.h": "report", "report_dec.h": "report", "reporters.h": "report", "json.h": "report", "report_doc.h": "report",
    "run.h": "run", "run_conn.h": "run", "run_keys.h": "run",
    "run_keep.h": "run", "run_live.h": "run", "run_reader.h": "run", "capture_write.h": "capture",
}
def layer_of(path):
    name = os.path.basename(path)
    if path.startswith("dissectors/"): return "dissect"
    if path.startswith("include/tlswhy/"): return headers.get(name)
    for prefix, layer in [("base", "base"), ("rd", "base"), ("log", "base"), ("causes", "base"),
                          ("capture", "capture"), ("decode", "decode"), ("flow", "flow"),
                          ("reasm", "flow"), ("cert", "cert"), ("correlate", "diag"),
                          ("diag_", "diag"), ("probe", "probe"), ("report", "report"), ("json", "report"),
                          ("run", "run"), ("main", "run")]:
        if name.startswith(prefix): return layer
    return None
bad = 0
files = [os.path.join(d, f) for d in ("src", "dissectors", "include/tlswhy")
         for f in sorted(os.listdir(d)) if f.endswith((".c", ".h"))]
for path in files:
    mine = layer_of(path)
    if mine is None:
        print("FAIL %s: no layer known for this file (add it to tests/t_layers.sh)" % path); bad += 1; continue
    for inc in re.findall(r'#include "(?:tlswhy/)?([^"]+)"', open(path).read()):
        theirs = headers.get(os.path.basename(inc))
        if theirs is None:
            print("FAIL %s includes %s: no layer known for that header" % (path, inc)); bad += 1
        elif order.index(theirs) > order.index(mine):
            print("FAIL %s (%s) includes %s (%s): a dependency to the right" % (path, mine, inc, theirs)); bad += 1
print("layers: %d files checked, %d wrong-way includes" % (len(files), bad))
sys.exit(1 if bad else 0)
PY
