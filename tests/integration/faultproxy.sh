#!/usr/bin/env bash
# The fault-injecting JSON-RPC proxy (tests/integration/rpc_faultproxy.c)
# between cast / haechi's client and a real anvil: with no faults it is
# transparent (keep-alive, libcurl and cast); each fault does what it says
# and is counted in the proxy's summary; test control calls (anvil_*, evm_*)
# pass untouched; a dropped-after transaction took effect although the
# client saw a failure; drop-tx makes anvil forget a pending transaction the
# client saw accepted; a seed gives the same faults every time; oversized
# bodies get 413.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
: "${CAST:?path of cast}" "${HC_BUILD_DIR:?build directory}"
PROXY_BIN=$HC_BUILD_DIR/tests/rpc_faultproxy
PROBE=$HC_BUILD_DIR/tests/rpc_probe
for b in "$PROXY_BIN" "$PROBE"; do
    [ -x "$b" ] || { echo "missing $b (build the tests)" >&2; exit 1; }
done

tmp=$(mktemp -d)
PROXY_PID=""
proxy_kill() {
    if [ -n "$PROXY_PID" ]; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
        PROXY_PID=""
    fi
}
trap 'proxy_kill; anvil_stop; rm -rf "$tmp"' EXIT

fail() {
    echo "FAIL: $*" >&2
    [ -f "$tmp/proxy.log" ] && sed 's/^/  proxy: /' "$tmp/proxy.log" >&2
    exit 1
}

# proxy_start ARGS…: a proxy in front of $ANVIL_RPC; sets PROXY_PID and
# PROXY (its URL); its stderr goes to $tmp/proxy.log
proxy_start() {
    rm -f "$tmp/proxy.port"
    "$PROXY_BIN" --upstream "$ANVIL_RPC" --port-file "$tmp/proxy.port" \
        --log "$@" >"$tmp/proxy.out" 2>"$tmp/proxy.log" &
    PROXY_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$tmp/proxy.port" ] && break
        kill -0 "$PROXY_PID" 2>/dev/null || fail "the proxy exited at start"
        sleep 0.05
    done
    [ -s "$tmp/proxy.port" ] || fail "the proxy wrote no port file"
    local port
    port=$(cat "$tmp/proxy.port")
    [ "$(cat "$tmp/proxy.out")" = "$port" ] || fail "stdout is not the port"
    PROXY=http://127.0.0.1:$port
}
# proxy_finish: SIGTERM, expects exit 0 and a summary (left in $summary)
summary=""
proxy_finish() {
    local rc=0
    kill -TERM "$PROXY_PID"
    wait "$PROXY_PID" || rc=$?
    PROXY_PID=""
    [ "$rc" = 0 ] || fail "the proxy exited $rc"
    summary=$(grep ' requests=' "$tmp/proxy.log" | tail -n 1)
    [ -n "$summary" ] || fail "no summary line"
    echo "  ${summary#rpc_faultproxy: }"
}
# count NAME: a count of the summary
count() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$summary"; }
expect_count() {
    [ "$(count "$1")" = "$2" ] || fail "summary $1=$(count "$1"), want $2"
}
# rpc URL JSON: the raw HTTP answer body (curl; fails on a transport error)
rpc() {
    curl -sS --max-time 30 -H 'Content-Type: application/json' \
        --data-binary "$2" "$1"
}
now_ms() { date +%s%3N; }

anvil_start "$tmp/a1"
mnemonic="test test test test test test test test test test test junk"
KEY=$("$CAST" wallet private-key "$mnemonic" 0)
ME=$("$CAST" wallet address --private-key "$KEY")
TO=0x0000000000000000000000000000000000000001

# ---- no faults: transparent
proxy_start
n=$("$CAST" block-number --rpc-url "$PROXY") || fail "block-number"
[ "$n" = "$("$CAST" block-number --rpc-url "$ANVIL_RPC")" ] ||
    fail "block-number through the proxy $n"
[ "$("$CAST" chain-id --rpc-url "$PROXY")" = 31337 ] || fail "chain-id"
[ "$("$PROBE" "$PROXY" chain-id)" = 31337 ] || fail "rpc_probe chain-id"
# two requests on one kept connection (curl reuses it), then Connection: close
two=$(curl -sS -H 'Content-Type: application/json' \
    --data-binary '{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}' \
    "$PROXY" "$PROXY")
[ "$two" = '{"jsonrpc":"2.0","id":7,"result":"0x7a69"}{"jsonrpc":"2.0","id":7,"result":"0x7a69"}' ] ||
    fail "keep-alive: $two"
out=$(curl -sS -H 'Connection: close' -H 'Content-Type: application/json' \
    --data-binary '{"jsonrpc":"2.0","id":8,"method":"eth_chainId","params":[]}' \
    "$PROXY")
[ "$out" = '{"jsonrpc":"2.0","id":8,"result":"0x7a69"}' ] || fail "close: $out"
# a body over 16 MiB: 413 (curl sends Expect: 100-continue first)
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$tmp/big"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$tmp/big" "$PROXY" || true)
[ "$code" = 413 ] || fail "17 MiB body: HTTP $code, want 413"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Expect:' \
    -H 'Content-Type: application/json' --data-binary @"$tmp/big" "$PROXY" || true)
[ "$code" = 413 ] || fail "17 MiB body without Expect: HTTP $code, want 413"
rm -f "$tmp/big"
"$CAST" block-number --rpc-url "$PROXY" >/dev/null || fail "after a 413"
proxy_finish
for c in delayed dropped errors http500 truncated txs_dropped; do
    expect_count "$c" 0
done
[ "$(count requests)" -ge 7 ] || fail "requests=$(count requests)"
echo "ok: no faults: cast, rpc_probe and curl (keep-alive, close) get anvil's answers; 413 over 16 MiB"

# ---- error: a JSON-RPC error with the request's id, not forwarded
proxy_start --p-error 1
if out=$("$CAST" block-number --rpc-url "$PROXY" 2>&1); then
    fail "block-number succeeded through --p-error 1: $out"
fi
grep -q 'injected fault' <<<"$out" || fail "cast said: $out"
rc=0
"$PROBE" "$PROXY" chain-id >/dev/null || rc=$?
[ "$rc" = 2 ] || fail "rpc_probe through --p-error 1 exited $rc, want 2"
out=$(rpc "$PROXY" '{"jsonrpc":"2.0","id":"abc","method":"eth_chainId","params":[]}')
[ "$out" = '{"jsonrpc":"2.0","id":"abc","error":{"code":-32603,"message":"injected fault"}}' ] ||
    fail "error answer: $out"
# test control calls and batches are never faulted
"$CAST" rpc --rpc-url "$PROXY" anvil_nodeInfo >/dev/null || fail "anvil_nodeInfo faulted"
"$CAST" rpc --rpc-url "$PROXY" evm_mine >/dev/null || fail "evm_mine faulted"
out=$(rpc "$PROXY" '[{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}]')
[ "$out" = '[{"jsonrpc":"2.0","id":1,"result":"0x7a69"}]' ] || fail "batch: $out"
proxy_finish
expect_count errors 3
expect_count requests 6
echo "ok: --p-error 1: cast and rpc_probe fail, the answer is -32603 with the id; anvil_*, evm_*, batches pass"

# ---- http500
proxy_start --p-http500 1
if "$CAST" block-number --rpc-url "$PROXY" >/dev/null 2>&1; then
    fail "block-number succeeded through --p-http500 1"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' "$PROXY")
[ "$code" = 500 ] || fail "HTTP $code, want 500"
proxy_finish
expect_count http500 2
echo "ok: --p-http500 1: HTTP 500"

# ---- truncate: half the body with the whole Content-Length
proxy_start --p-truncate 1
if "$CAST" chain-id --rpc-url "$PROXY" >/dev/null 2>&1; then
    fail "chain-id succeeded through --p-truncate 1"
fi
rc=0
out=$(rpc "$PROXY" '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' 2>&1) || rc=$?
[ "$rc" = 18 ] || fail "curl exited $rc, want 18 (partial file): $out"
proxy_finish
expect_count truncated 2
echo "ok: --p-truncate 1: the client gets half an answer"

# ---- delay
proxy_start --p-delay 1 --delay-min-ms 200 --delay-ms 200
t0=$(now_ms)
[ "$("$CAST" chain-id --rpc-url "$PROXY")" = 31337 ] || fail "delayed chain-id"
t1=$(now_ms)
[ $((t1 - t0)) -ge 200 ] || fail "a delayed call took $((t1 - t0)) ms"
proxy_finish
expect_count delayed 1
echo "ok: --p-delay 1: a call took $((t1 - t0)) ms and worked"

# ---- drop with a seed: 40 calls, some fail; the same seed, the same calls
drop_ok=0 drop_after=0
drop_run() { # SEED: sets drop_ok (of 40 block-number calls) and drop_after
    drop_ok=0
    proxy_start --p-drop 0.5 --seed "$1"
    for _ in $(seq 1 40); do
        if "$CAST" block-number --rpc-url "$PROXY" >/dev/null 2>&1; then
            drop_ok=$((drop_ok + 1))
        fi
    done
    proxy_finish
    [ "$(count requests)" = 40 ] || fail "requests=$(count requests), want 40"
    [ "$(count dropped)" = $((40 - drop_ok)) ] ||
        fail "$drop_ok of 40 worked, but dropped=$(count dropped)"
    drop_after=$(count dropped_after)
}
drop_run 1234
ok=$drop_ok after=$drop_after
[ "$ok" -gt 0 ] && [ "$ok" -lt 40 ] || fail "$ok of 40 calls worked with --p-drop 0.5"
[ "$after" -gt 0 ] && [ "$after" -lt $((40 - ok)) ] ||
    fail "dropped_after=$after of $((40 - ok)) drops"
drop_run 1234
[ "$drop_ok $drop_after" = "$ok $after" ] ||
    fail "seed 1234: $ok worked ($after after), then $drop_ok ($drop_after)"
drop_run 99
echo "ok: --p-drop 0.5 --seed 1234: $ok of 40 calls worked ($after of the drops after forwarding), twice; seed 99: $drop_ok"

# ---- drop vs drop-after of a transaction: the client fails either way; the
# transaction is on chain exactly when the proxy forwarded it first
seen_drop=0 seen_after=0
for seed in $(seq 1 30); do
    nonce=$("$CAST" nonce --rpc-url "$ANVIL_RPC" "$ME")
    raw=$("$CAST" mktx --private-key "$KEY" --rpc-url "$ANVIL_RPC" \
        --nonce "$nonce" "$TO" --value 1)
    proxy_start --p-drop 1 --seed "$seed"
    if "$CAST" publish --async --rpc-url "$PROXY" "$raw" >/dev/null 2>&1; then
        fail "publish succeeded through --p-drop 1"
    fi
    proxy_finish >/dev/null
    after=$(count dropped_after)
    expect_count dropped 1
    now=$("$CAST" nonce --rpc-url "$ANVIL_RPC" "$ME")
    if [ "$after" = 1 ]; then
        [ "$now" = $((nonce + 1)) ] || fail "drop-after: nonce $now, want $((nonce + 1))"
        seen_after=1
    else
        [ "$now" = "$nonce" ] || fail "drop: nonce $now, want $nonce"
        seen_drop=1
    fi
    [ $seen_drop = 1 ] && [ $seen_after = 1 ] && break
done
[ $seen_drop = 1 ] && [ $seen_after = 1 ] ||
    fail "30 seeds, not both kinds of drop (drop $seen_drop, after $seen_after)"
echo "ok: --p-drop 1: a dropped transaction is not sent; one dropped after forwarding is mined"
anvil_stop

# ---- drop-tx: anvil without automine forgets a transaction cast saw accepted
anvil_start "$tmp/a2" --no-mining
proxy_start --p-drop-tx 1
# control: sent to anvil directly, a transaction stays pending
h0=$("$CAST" send --async --private-key "$KEY" --rpc-url "$ANVIL_RPC" "$TO" --value 1)
[ "$("$CAST" rpc --rpc-url "$ANVIL_RPC" eth_getTransactionByHash "$h0" | jq -r .hash)" = "$h0" ] ||
    fail "a pending transaction is not in anvil"
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
[ "$("$CAST" nonce --rpc-url "$ANVIL_RPC" "$ME")" = 1 ] || fail "control not mined"
h=$("$CAST" send --async --private-key "$KEY" --rpc-url "$PROXY" "$TO" --value 1) ||
    fail "cast send through --p-drop-tx 1"
[[ "$h" =~ ^0x[0-9a-f]{64}$ ]] || fail "cast send printed '$h'"
[ "$("$CAST" rpc --rpc-url "$ANVIL_RPC" eth_getTransactionByHash "$h")" = null ] ||
    fail "anvil still has $h"
pending=$("$CAST" rpc --rpc-url "$ANVIL_RPC" txpool_content | jq -c .pending)
[ "$pending" = '{}' ] || fail "txpool still has: $pending"
"$CAST" rpc --rpc-url "$PROXY" evm_mine >/dev/null
[ "$("$CAST" nonce --rpc-url "$ANVIL_RPC" "$ME")" = 1 ] ||
    fail "the dropped transaction was mined"
proxy_finish
expect_count txs_dropped 1
echo "ok: --p-drop-tx 1: cast got hash ${h:0:10}…, anvil no longer has it"

proxy_kill
anvil_stop
echo "faultproxy: all faults behave"
