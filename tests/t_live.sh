#!/usr/bin/env bash
# Live mode end to end: tlswhy -i on a veth between two namespaces of its own (tw9-cli, tw9-srv),
# real handshakes through it (ok, expired certificate, refused port, silent server), and:
#  - each verdict line appears within a bounded time of the connection's last packet (measured:
#    500 ms when a packet decides it, the idle timeout + 500 ms for the silent server);
#  - after opening the device the process runs as nobody (/proc/PID/status Uid/Gid), and the
#    -w file was created by that user;
#  - SIGUSR1 prints a running summary without stopping; SIGTERM stops, prints the summary and
#    the capture statistics, exits 0;
#  - -w holds exactly the failed connections, readable by tlswhy and tcpdump.
# Needs root and network namespaces (it fails loudly, never skips, without them).
set -euo pipefail
cd "$TW_SOURCE_DIR"
T=$(readlink -f "${TLSWHY:-build/tlswhy}")
export SW_NS_PREFIX=tw9
# shellcheck source=scripts/samples/lib.sh
. scripts/samples/lib.sh
P=$SW_PKI
fail() { echo "FAIL $*"; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, live capture)"
for tool in openssl ip jq tcpdump python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh test)"
done

TW_PID='' TW_PARENT=''
OUT=$(mktemp -d /tmp/tw9-live.XXXXXX)
cleanup() {
    if [ -n "$TW_PARENT" ]; then kill "$TW_PARENT" 2>/dev/null || true; wait "$TW_PARENT" 2>/dev/null || true; fi
    sw_cleanup
    rm -rf "$OUT"
}
trap cleanup EXIT
sw_net
ip netns exec "$NS_C" true && ip netns exec "$NS_S" true || fail "cannot create the namespaces"
chown nobody "$OUT" # tlswhy creates -w after dropping to nobody, as tcpdump does
IDLE=2

now_ms() { date +%s%3N; }
# latency JQ-FILTER SECONDS: waits (polling every 20 ms, at most SECONDS) until a JSON line
# matching the filter is in the output and prints the time from the connection's last packet
# (its capture timestamp, the same realtime clock) to the line's appearance, in ms; "never" when
# it did not appear.
latency() {
    local filter=$1 limit=$2 t0 line last seen
    t0=$(now_ms)
    while :; do
        line=$(jq -c "select($filter)" "$OUT/live.jsonl" 2>/dev/null | head -n 1)
        if [ -n "$line" ]; then
            seen=$(now_ms)
            last=$(date -d "$(echo "$line" | jq -r .timestamps.last)" +%s%3N)
            echo $((seen - last))
            return 0
        fi
        [ $(($(now_ms) - t0)) -lt $((limit * 1000)) ] || { echo never; return 0; }
        sleep 0.02
    done
}
check_latency() { # NAME MS LIMIT_MS
    [ "$2" != never ] || { cat "$OUT/live.jsonl" "$OUT/live.err"; fail "$1: no verdict line"; }
    echo "live: $1: verdict line $2 ms after the connection's last packet (limit $3 ms)"
    [ "$2" -le "$3" ] || fail "$1: verdict line after $2 ms, more than $3 ms"
}

# -D lists the namespace's interfaces as tcpdump -D does; -Z with an unknown user stops at once.
ip netns exec "$NS_C" "$T" -D >"$OUT/ifaces" || fail "-D failed"
grep -Eq '^[0-9]+\.veth-c \[Up\]$' "$OUT/ifaces" || { cat "$OUT/ifaces"; fail "-D does not list veth-c"; }
grep -Eq '^[0-9]+\.lo \[Up, Loopback\]$' "$OUT/ifaces" || { cat "$OUT/ifaces"; fail "-D does not list lo"; }
st=0
ip netns exec "$NS_C" timeout 10 "$T" -i veth-c -Z tw9-no-such-user >/dev/null 2>"$OUT/z.err" || st=$?
[ "$st" = 2 ] && grep -q 'tw9-no-such-user: no such user' "$OUT/z.err" ||
    { cat "$OUT/z.err"; fail "-Z with an unknown user: exit $st"; }

# tlswhy in the client namespace on its veth, as root, dropping to nobody.
ip netns exec "$NS_C" timeout 120 "$T" -i veth-c --json --ca-file "$P/root.pem" \
    --tls-port 4433 --idle-timeout $IDLE -w "$OUT/failed.pcap" tcp \
    >"$OUT/live.jsonl" 2>"$OUT/live.err" &
TW_PARENT=$!
for _ in $(seq 100); do
    TW_PID=$(awk '{print $1}' "/proc/$TW_PARENT/task/$TW_PARENT/children" 2>/dev/null)
    [ -n "$TW_PID" ] && [ -e "$OUT/failed.pcap" ] && break
    sleep 0.05
done
[ -n "$TW_PID" ] && [ -e "$OUT/failed.pcap" ] || { cat "$OUT/live.err"; fail "tlswhy did not start"; }

# Privileges: every uid and gid (real, effective, saved, filesystem) is nobody's.
uid=$(id -u nobody) gid=$(id -g nobody)
read -r -a U <<<"$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$TW_PID/status")"
read -r -a G <<<"$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$TW_PID/status")"
for v in "${U[@]}"; do [ "$v" = "$uid" ] || fail "tlswhy still has uid $v (Uid: ${U[*]})"; done
for v in "${G[@]}"; do [ "$v" = "$gid" ] || fail "tlswhy still has gid $v (Gid: ${G[*]})"; done
[ "$(awk '/^CapEff:/ {print $2}' "/proc/$TW_PID/status")" = 0000000000000000 ] ||
    fail "tlswhy kept capabilities"
[ "$(stat -c %u "$OUT/failed.pcap")" = "$uid" ] || fail "-w file not created by nobody"
echo "live: tlswhy (pid $TW_PID) runs as uid ${U[*]} gid ${G[*]}, no capabilities"

printf 'hello\n' >"$SW_TMP/hello.txt"
# 1. ok: a full handshake, a request, the answer, both close. Decided at the close.
(cd "$SW_TMP" && exec ip netns exec "$NS_S" timeout 20 openssl s_server -accept "$IP_S:443" \
    -naccept 1 -quiet -WWW -cert "$P/ok.pem" -key "$P/ok.key" -cert_chain "$P/chain.pem" \
    >/dev/null 2>&1 </dev/null) &
SW_PIDS+=("$!")
sw_wait_listen "$NS_S" 443
printf 'GET /hello.txt HTTP/1.0\r\n\r\n' >"$SW_TMP/req"
timeout 8 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:443" -servername origin.test \
    -verify_hostname origin.test -verify_return_error -CAfile "$P/root.pem" -ign_eof \
    <"$SW_TMP/req" >"$SW_TMP/ok.out" 2>&1 || true
grep -q hello "$SW_TMP/ok.out" || fail "ok handshake did not work: $(cat "$SW_TMP/ok.out")"
check_latency ok "$(latency '.outcome == "ok"' 5)" 500

# 2. expired certificate: the client's alert 45 decides it (then the close).
ip netns exec "$NS_S" timeout 20 openssl s_server -accept "$IP_S:4433" -naccept 1 -quiet \
    -cert "$P/expired.pem" -key "$P/expired.key" -cert_chain "$P/chain.pem" >/dev/null 2>&1 </dev/null &
SW_PIDS+=("$!")
sw_wait_listen "$NS_S" 4433
timeout 8 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:4433" -servername origin.test \
    -verify_hostname origin.test -verify_return_error -CAfile "$P/root.pem" </dev/null \
    >"$SW_TMP/exp.out" 2>&1 || true
check_latency cert_expired "$(latency '.cause == "cert_expired"' 5)" 500

# 3. refused: nothing listens on 8443; the RST decides it.
timeout 8 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:8443" </dev/null >/dev/null 2>&1 || true
check_latency tcp_refused "$(latency '.cause == "tcp_refused"' 5)" 500

# 4. silent server: it reads the ClientHello and never answers, the client waits. No packet
#    decides it: the idle timeout ($IDLE s, capture time, advanced by the clock while nothing
#    arrives) does.
ip netns exec "$NS_S" timeout 30 python3 scripts/samples/peers.py silent "$IP_S" 443 &
SW_PIDS+=("$!")
sw_wait_listen "$NS_S" 443
ip netns exec "$NS_C" timeout 30 openssl s_client -connect "$IP_S:443" -servername origin.test \
    </dev/null >/dev/null 2>&1 &
SW_PIDS+=("$!")
check_latency server_silent "$(latency '.cause == "server_silent"' $((IDLE + 5)))" $((IDLE * 1000 + 500))

# SIGUSR1: a running summary on stderr; tlswhy goes on.
kill -USR1 "$TW_PID"
for _ in $(seq 40); do grep -q 'tlswhy summary: 4 TLS connections' "$OUT/live.err" && break; sleep 0.05; done
grep -q 'tlswhy summary: 4 TLS connections (1 ok, 3 failed, 0 incomplete)' "$OUT/live.err" ||
    { cat "$OUT/live.err"; fail "SIGUSR1 printed no running summary"; }
kill -0 "$TW_PID" || fail "tlswhy stopped on SIGUSR1"
cp "$OUT/live.err" "$OUT/live.err.usr1"

# SIGTERM (before the silent peers end, so the summary has exactly the four connections).
kill -TERM "$TW_PID"
st=0
wait "$TW_PARENT" || st=$?
TW_PARENT=
[ "$st" = 0 ] || { cat "$OUT/live.err"; fail "tlswhy exited $st on SIGTERM"; }
final=$(tail -n +"$(($(wc -l <"$OUT/live.err.usr1") + 1))" "$OUT/live.err")
echo "$final" | grep -q 'tlswhy summary: 4 TLS connections (1 ok, 3 failed, 0 incomplete)' ||
    { echo "$final"; fail "summary on SIGTERM is wrong"; }
for c in cert_expired tcp_refused server_silent; do
    echo "$final" | grep -Eq "^failed $c +1 " || { echo "$final"; fail "summary lacks failed $c 1"; }
done
echo "$final" | grep -Eq 'veth-c: [0-9]+ packets captured, [0-9]+ received by filter, 0 dropped by kernel, 0 dropped by interface' ||
    { echo "$final"; fail "no capture statistics"; }
echo "$final" | grep -q 'of 3 failed connections written' || { echo "$final"; fail "-w statistics"; }
[ "$(jq -s length "$OUT/live.jsonl")" = 4 ] || fail "$(jq -s length "$OUT/live.jsonl") verdict lines, not 4"

# -w: exactly the three failed connections, and a pcap tcpdump reads.
tcpdump -nn -r "$OUT/failed.pcap" >/dev/null 2>&1 || fail "tcpdump cannot read the -w file"
"$T" -r "$OUT/failed.pcap" --ca-file "$P/root.pem" --tls-port 4433 --json --no-summary \
    >"$OUT/reread.jsonl" 2>/dev/null || true
# The same connections (by address and port) as the failed verdicts; the silent one re-reads as
# incomplete, since a file ends before the idle timeout that decided it live.
conns() { jq -r "select($2) | \"\(.client.ip):\(.client.port) \(.server.ip):\(.server.port)\"" "$1" | sort | tr '\n' ','; }
want=$(conns "$OUT/live.jsonl" '.outcome == "failed"')
got=$(conns "$OUT/reread.jsonl" true)
[ "$got" = "$want" ] || fail "-w file holds '$got', the failed connections are '$want'"
got=$(jq -r '.outcome + " " + (.cause // "-")' "$OUT/reread.jsonl" | sort | tr '\n' ',')
[ "$got" = "failed cert_expired,failed tcp_refused,incomplete -," ] ||
    fail "-w file re-analyses to '$got'"
echo "live: summary on SIGTERM and -w file (3 failed connections) are right"
