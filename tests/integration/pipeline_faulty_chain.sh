#!/usr/bin/env bash
# The pipeline through a faulty chain connection: haechid talks to anvil
# (automine off, a block a second) only through the fault-injecting JSON-RPC
# proxy (tests/integration/rpc_faultproxy.c), which delays, drops (before
# and after forwarding), errors, answers HTTP 500 and truncates a share of
# the calls, and makes anvil forget (anvil_dropTransaction) a share of the
# transactions haechid saw accepted. While HC_FAULTY_MINTS (150) works are
# posted: two reorganisations of depth 1–2 on anvil, shallower than the 3
# confirmations (the first aimed at a block holding one of our batches), and
# an RPC outage (the proxy down for 3 s, back on the same port).
# Then, once everything has settled (a generous deadline):
#   - every 202'd mint is "confirmed", once; the ledger holds exactly those
#     mints and as many tokens;
#   - ownerOf(sha256(content)) on chain (cast) is the work's creator;
#   - the creators' balances add up to the number of mints;
#   - `haechi ledger verify` passes; no sanitizer report;
#   - the proxy's summaries show every kind of fault happened.
# HC_FAULTY_SEED fixes the proxy's faults (printed); haechid's calls depend on
# timing, so a run is not replayed exactly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}" "${HC_BUILD_DIR:?build directory}"
PROXY_BIN=$HC_BUILD_DIR/tests/rpc_faultproxy
[ -x "$PROXY_BIN" ] || { echo "missing $PROXY_BIN (build the tests)" >&2; exit 1; }

N=${HC_FAULTY_MINTS:-150}
SEED=${HC_FAULTY_SEED:-7411}
SETTLE_SECS=${HC_FAULTY_SETTLE_SECS:-240}
echo "pipeline_faulty_chain: $N mints, proxy seed $SEED (after the outage $((SEED + 1)))"
RANDOM=$SEED
FAULTS=(--p-delay 0.2 --delay-ms 300 --p-drop 0.05 --p-error 0.05
    --p-http500 0.03 --p-truncate 0.03 --p-drop-tx 0.3)

PROXY_PID=""
proxy_kill() {
    if [ -n "$PROXY_PID" ]; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
        PROXY_PID=""
    fi
}
hd_init
# HC_KEEP=DIR: the logs are copied there at the end
keep() { [ -z "${HC_KEEP:-}" ] || { mkdir -p "$HC_KEEP" && cp -r "$T"/*.log "$T"/anvil "$HC_KEEP"/ 2>/dev/null; } || true; }
trap 'proxy_kill; keep; hd_cleanup; anvil_stop' EXIT
# anvil_reorg needs the last states (a bare --prune-history keeps none)
ANVIL_KEEP_STATES=256 anvil_start "$T/anvil" --block-time 1
signer=$("$CAST" wallet address --private-key "$(hd_key 9)")
hd_deploy "$signer"
contract=$CONTRACT
key=$(hd_client dept minter,auditor)
hd_creators
creators=("${CREATORS[@]}")

# ---- the proxy, on a fixed port below the ephemeral range (it comes back
# on the same port after the outage)
PROXY_RUNS=0
# proxy_start PORT SEED: 0 if it listens
proxy_start() {
    PROXY_RUNS=$((PROXY_RUNS + 1))
    PROXY_LOG=$T/proxy.$PROXY_RUNS.log
    rm -f "$T/proxy.port"
    "$PROXY_BIN" --upstream "$ANVIL_RPC" --listen-port "$1" --seed "$2" \
        --port-file "$T/proxy.port" "${FAULTS[@]}" >/dev/null 2>"$PROXY_LOG" &
    PROXY_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$T/proxy.port" ] && return 0
        if ! kill -0 "$PROXY_PID" 2>/dev/null; then
            wait "$PROXY_PID" 2>/dev/null || true
            PROXY_PID=""
            return 1
        fi
        sleep 0.05
    done
    return 1
}
# proxy_stop: SIGTERM; its summary line is added to $T/summaries
proxy_stop() {
    local rc=0
    kill -TERM "$PROXY_PID"
    wait "$PROXY_PID" || rc=$?
    PROXY_PID=""
    eq "proxy exit status" "$rc" 0
    grep ' requests=' "$PROXY_LOG" | tail -n 1 >>"$T/summaries"
}
eph_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
pport=""
for _ in $(seq 1 30); do
    p=$((10000 + RANDOM % (eph_lo > 12000 ? eph_lo - 10000 : 2000)))
    if proxy_start "$p" "$SEED"; then
        pport=$p
        break
    fi
done
[ -n "$pport" ] || { echo "no free port for the proxy" >&2; exit 1; }
PROXY=http://127.0.0.1:$pport
: >"$T/summaries"

# ---- haechid through the proxy. Its start asks the chain's id once: a
# fault there ends it, so it is started again
chain_env=(HAECHI_RPC="$PROXY" HAECHI_CONTRACT="$contract"
    HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=10 HAECHI_MAX_INFLIGHT=4
    HAECHI_BATCH_WAIT_MS=100 HAECHI_CONFIRMATIONS=3 HAECHI_REPLACE_AFTER=3
    HAECHI_NONCE_CHECK=2 HAECHI_RATE_PER_MINUTE=0)
start_failures=0
for try in $(seq 1 10); do
    if hd_start "${chain_env[@]}" HAECHI_SIGNER_KEY="$(hd_key 9)" 2>"$T/start.err"; then
        break
    fi
    if [ -n "$HD_PID" ]; then # running, but not started in time
        kill -KILL "$HD_PID" 2>/dev/null || true
        wait "$HD_PID" 2>/dev/null || true
        HD_PID=""
    fi
    start_failures=$((start_failures + 1))
    echo "haechid start $try failed: $(grep -o '"event":"[a-z_]*","[^}]*' "$T/start.err" | tail -n 1)"
    [ "$try" = 10 ] && { cat "$T/start.err" >&2; exit 1; }
done

head_block() { "$CAST" block-number --rpc-url "$ANVIL_RPC"; }

# ---- posting: work i, retried with its key until a 202
mkdir -p "$T/works"
ids=()
post() {
    local i=$1 f=$T/works/w$1 tries
    printf 'pipeline_faulty_chain work %d, seed %s, %s\n' "$i" "$SEED" "$T" >"$f"
    for tries in $(seq 1 50); do
        req POST /v1/mints -H "Authorization: Bearer $key" -H "Idempotency-Key: faulty-$i" \
            -F "metadata={\"creator\":\"${creators[$((i % 4))]}\",\"name\":{\"en\":\"faulty work $i\"}};type=application/json" \
            -F "content=@$f"
        [ "$CODE" = 202 ] && break
        sleep 0.2
    done
    eq "work $i accepted" "$CODE" 202
    ids+=("$(jstr mint_id)")
}

# reorg DEPTH [AIM]: anvil_reorg on anvil itself (not through the proxy).
# With AIM, first waits (20 s at most) for a batch of ours mined in the
# last DEPTH blocks, mined half a second ago at least (so that the pipeline
# has likely seen its receipt), and says whether the reorg undid it
reorg() {
    local depth=$1 aim=${2:-0} deadline=$((SECONDS + 20)) id h="" b hd hit=""
    if [ "$aim" = 1 ]; then
        while [ -z "$hit" ] && [ $SECONDS -lt $deadline ]; do
            for id in "${ids[@]: -20}"; do
                [ "$(hd_state "$id")" = submitted ] || continue
                h=$(grep -o '"tx_hashes":\[[^]]*\]' "$T/body" | grep -o '0x[0-9a-f]\{64\}' | tail -n 1)
                [ -n "$h" ] || continue
                b=$("$CAST" receipt --async --rpc-url "$ANVIL_RPC" "$h" blockNumber 2>/dev/null || true)
                [ -n "$b" ] || continue
                sleep 0.5
                hd=$(head_block)
                if ((b > hd - depth)); then
                    hit="$b (head $hd)"
                    break
                fi
            done
            [ -z "$hit" ] && sleep 0.1
        done
    fi
    "$CAST" rpc --rpc-url "$ANVIL_RPC" anvil_reorg "$depth" '[]' >/dev/null
    local undone=""
    if [ -n "$hit" ]; then
        if "$CAST" receipt --async --rpc-url "$ANVIL_RPC" "$h" blockNumber >/dev/null 2>&1; then
            undone=" (it is still mined: missed)"
        else
            undone=" (undone)"
        fi
    fi
    echo "reorg of depth $depth at block $(head_block)${hit:+, under our batch in block $hit$undone}"
}

t0=$SECONDS
reorg1_at=$((N / 4)) outage_at=$((N / 2)) reorg2_at=$((3 * N / 4))
for ((i = 1; i <= N; i++)); do
    post "$i"
    sleep 0.1
    if [ "$i" = "$reorg1_at" ]; then
        reorg 2 1
    elif [ "$i" = "$outage_at" ]; then
        proxy_stop
        echo "RPC outage: the proxy is down for 3 s"
        sleep 3
        started=0
        for _ in $(seq 1 20); do
            if proxy_start "$pport" $((SEED + 1)); then
                started=1
                break
            fi
            sleep 0.25
        done
        [ $started = 1 ] || { bad "the proxy did not come back on port $pport: $(cat "$PROXY_LOG")"; break; }
    elif [ "$i" = "$reorg2_at" ]; then
        reorg $((1 + RANDOM % 2))
    fi
done
echo "posted $N in $((SECONDS - t0)) s"

# ---- wait until everything is settled
stats() { "$HAECHI" ledger stats --ledger "$HD_LEDGER" --json >"$T/stats.json"; }
st() { tr -d ' \t\n' <"$T/stats.json" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
t_settle=$SECONDS
deadline=$((SECONDS + SETTLE_SECS))
while :; do
    stats
    left=$(($(st queued) + $(st submitted)))
    [ "$left" = 0 ] && break
    if [ $SECONDS -ge $deadline ]; then
        bad "not settled in $SETTLE_SECS s: $left left ($(tr -d ' \t\n' <"$T/stats.json" | grep -o '"mints_by_state":{[^}]*}'))"
        break
    fi
    sleep 1
done
echo "settled $((SECONDS - t_settle)) s after the last post"
echo "pipeline metrics: sent=$(hd_metric haechi_txs_sent_total) replaced=$(hd_metric haechi_txs_replaced_total)" \
    "reorgs=$(hd_metric haechi_reorgs_total) confirmed_txs=$(hd_metric haechi_txs_confirmed_total)" \
    "rpc_errors=$(curl -sS -H "Authorization: Bearer $key" "$HD_URL/metrics" |
        awk '$1 ~ /^haechi_chain_rpc_errors_total/ { s += $2 } END { print s + 0 }')" \
    "repairs: up=$(hd_metric haechi_nonce_repairs_total 'kind="counter_up"')" \
    "down=$(hd_metric haechi_nonce_repairs_total 'kind="counter_down"')" \
    "gap=$(hd_metric haechi_nonce_repairs_total 'kind="gap_filled"')" \
    "taken=$(hd_metric haechi_nonce_repairs_total 'kind="taken"')"

# ---- the invariants
stats
eq "ledger: confirmed" "$(st confirmed)" "$N"
eq "ledger: conflict" "$(st conflict)" 0
eq "ledger: failed" "$(st failed)" 0
eq "ledger: mints" "$(st mints)" "$N"
eq "ledger: tokens" "$(st tokens)" "$N"
eq "one mint id per work" "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" "$N"
for ((i = 1; i <= N; i++)); do
    id=${ids[$((i - 1))]}
    s=$(hd_state "$id")
    if [ "$s" != confirmed ]; then
        bad "work $i (mint $id): state '$s': $(head -c 400 "$T/body")"
        continue
    fi
    ok
    tid=0x$(sha "$T/works/w$i")
    eq "work $i token id" "$(jstr token_id)" "$tid"
    owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "$tid" 2>&1) || true
    eq "work $i: owner on chain" "$owner" "${creators[$((i % 4))]}"
done
total=0
for c in "${creators[@]}"; do
    b=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "balanceOf(address)(uint256)" "$c")
    total=$((total + ${b%% *}))
done
eq "tokens on chain = mints" "$total" "$N"

ev() { grep -c "\"event\":\"$1\"" "$T"/haechid.*.log | awk -F: '{ s += $NF } END { print s + 0 }'; }
echo "events: batch_sent=$(ev batch_sent) batch_settled=$(ev batch_settled)" \
    "tx_replaced=$(ev tx_replaced) tx_unmined_by_reorg=$(ev tx_unmined_by_reorg)" \
    "nonce_taken=$(ev nonce_taken) nonce_gap_filled=$(ev nonce_gap_filled)" \
    "nonce_counter_moved=$(ev nonce_counter_moved) broadcast_failed=$(ev broadcast_failed)" \
    "chain_unreachable=$(ev chain_unreachable) replace_failed=$(ev replace_failed)" \
    "estimate_failed=$(ev estimate_failed) queue_held=$(ev queue_held)"

hd_stop
proxy_stop
hd_verify
# every kind of fault happened (both proxy runs together)
sed 's/^rpc_faultproxy: /  proxy: /' "$T/summaries"
count() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$T/summaries" | awk '{ s += $1 } END { print s + 0 }'; }
for c in delayed dropped dropped_after errors http500 truncated txs_dropped; do
    if [ "$(count "$c")" -gt 0 ]; then ok; else bad "the proxy never did $c"; fi
done
if grep -qE 'ERROR: (Address|Leak|Undefined|Thread)Sanitizer|runtime error:' "$T"/haechid.*.log; then
    bad "sanitizer report: $(grep -h -m 3 -E 'Sanitizer|runtime error' "$T"/haechid.*.log)"
else
    ok
fi
hd_done
