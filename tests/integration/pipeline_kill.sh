#!/usr/bin/env bash
# Kill test: under a steady load of mints, haechid is killed with SIGKILL at
# random moments (0.1–1.5 s apart) and restarted on the same port, HC_KILLS
# times (50; HC_SOAK=1: 1000). anvil mines a block a second and the pipeline
# waits for 2 confirmations, with small batches (10) and 4 in flight, so the
# kills land while batches are being built, stored, sent, mined and settled.
#
# A background load generator posts unique works one after another, each
# with its own Idempotency-Key; an attempt that gets no 202 (haechid down,
# the connection cut by the kill) is retried with the same key, so a request
# whose 202 was lost is answered by a replay with the same mint id and
# counted once. Every 202 is written down (work, mint id).
#
# After the last kill the load stops, haechid runs once more until every
# mint is settled, and then:
#   - every 202'd mint is "confirmed" (nothing else is valid here), once;
#   - the ledger holds exactly those mints, as many tokens, nothing queued;
#   - ownerOf(sha256(content)) on chain is the work's creator (cast);
#   - the creators' balances add up to the number of 202'd mints (no token
#     twice, none missing);
#   - `haechi ledger verify` passes; no sanitizer report in any haechid log;
#     no load request got an answer other than 202 or a retryable one.
# HC_KILL_SEED fixes the random pauses (printed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"

KILLS=${HC_KILLS:-50}
[ "${HC_SOAK:-0}" = 1 ] && KILLS=${HC_KILLS:-1000}
SEED=${HC_KILL_SEED:-20240611}
SETTLE_SECS=${HC_KILL_SETTLE_SECS:-240}
echo "pipeline_kill: $KILLS kills, seed $SEED"
RANDOM=$SEED

LOAD_PID=""
stop_load() {
    if [ -n "$LOAD_PID" ]; then
        kill "$LOAD_PID" 2>/dev/null || true
        wait "$LOAD_PID" 2>/dev/null || true
        LOAD_PID=""
    fi
}
hd_init
# HC_KEEP=DIR: the logs and lists are copied there at the end
keep() { [ -z "${HC_KEEP:-}" ] || { mkdir -p "$HC_KEEP" && cp -r "$T"/*.log "$T"/accepted "$T"/attempts "$T"/anvil "$HC_KEEP"/ 2>/dev/null; } || true; }
trap 'stop_load; keep; hd_cleanup; anvil_stop' EXIT
# a few states kept: an eth_call of a batch at "latest" may see a block come
ANVIL_KEEP_STATES=16 anvil_start "$T/anvil" --block-time 1
signer=$("$CAST" wallet address --private-key "$(hd_key 9)")
hd_deploy "$signer"
contract=$CONTRACT
key=$(hd_client loadgen minter,auditor)
hd_creators
creators=("${CREATORS[@]}")

chain_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract"
    HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=10 HAECHI_MAX_INFLIGHT=4
    HAECHI_BATCH_WAIT_MS=100 HAECHI_CONFIRMATIONS=2 HAECHI_REPLACE_AFTER=5
    HAECHI_NONCE_CHECK=2 HAECHI_RATE_PER_MINUTE=0)
kill9() {
    [ -n "$HD_PID" ] || return 0
    { kill -KILL "$HD_PID" && wait "$HD_PID"; } 2>/dev/null || true
    HD_PID=""
}
# start [PORT]: haechid on 127.0.0.1:PORT (0: any); the signer key is
# unset by haechid after reading, so it is derived each time. One that did
# not start in time is killed (the next try needs the port)
start() {
    hd_start "${chain_env[@]}" HAECHI_LISTEN="127.0.0.1:${1:-0}" \
        HAECHI_SIGNER_KEY="$(hd_key 9)" || { kill9; return 1; }
}

# a fixed port below the ephemeral range, so that no outgoing connection
# takes it while haechid is down
eph_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
port=""
for _ in $(seq 1 30); do
    p=$((10000 + RANDOM % (eph_lo > 12000 ? eph_lo - 10000 : 2000)))
    if start "$p" 2>"$T/start.err"; then
        port=$p
        break
    fi
    grep -q listen_failed "$T/start.err" || { cat "$T/start.err" >&2; exit 1; }
done
[ -n "$port" ] || { echo "no free port for haechid" >&2; exit 1; }
URL=http://127.0.0.1:$port
echo "haechid on port $port"

# ---- the load: works posted one after another until $T/load.stop exists;
# each retried with its key until it gets a 202
mkdir -p "$T/works"
: >"$T/accepted"
: >"$T/unexpected"
: >"$T/attempts"
: >"$T/replays"
loadgen() {
    set +e
    trap - EXIT
    local i=0 f cr code mid tries t_try created
    while [ ! -e "$T/load.stop" ]; do
        i=$((i + 1))
        f=$T/works/w$i
        printf 'pipeline_kill work %d, seed %s, %s\n' "$i" "$SEED" "$T" >"$f"
        cr=${creators[$((i % 4))]}
        tries=0
        while :; do
            tries=$((tries + 1))
            ((tries == 1)) || t_try=$(date +%s%3N)
            code=$(curl -sS -o "$T/load.body" -w '%{http_code}' --max-time 20 \
                -H "Authorization: Bearer $key" -H "Idempotency-Key: kill-$i" \
                -F "metadata={\"creator\":\"$cr\",\"name\":{\"en\":\"kill work $i\"}};type=application/json" \
                -F "content=@$f" "$URL/v1/mints" 2>/dev/null) || code=000
            if [ "$code" = 202 ]; then
                mid=$(grep -o '"mint_id":"[0-9a-f]*"' "$T/load.body" | head -n 1 | cut -d'"' -f4)
                if [ -n "$mid" ]; then
                    echo "$i $mid $tries" >>"$T/accepted"
                    # a retry answered with an earlier mint: a replay (the
                    # first 202 was lost to a kill)
                    if ((tries > 1)); then
                        created=$(grep -o '"created_at":"[^"]*"' "$T/load.body" | cut -d'"' -f4)
                        created=$(date -d "$created" +%s%3N 2>/dev/null || echo 0)
                        ((created >= t_try)) || echo "$i $mid" >>"$T/replays"
                    fi
                    break
                fi
                echo "$i 202 without mint_id: $(head -c 300 "$T/load.body")" >>"$T/unexpected"
            fi
            case $code in
            000 | 202 | 500 | 503 | 429) ;;
            *)
                echo "$i HTTP $code (attempt $tries): $(head -c 300 "$T/load.body")" >>"$T/unexpected"
                break
                ;;
            esac
            if [ "$tries" -ge 600 ]; then
                echo "$i gave up after $tries attempts (last $code)" >>"$T/unexpected"
                break
            fi
            sleep 0.05
        done
        echo "$i $tries" >>"$T/attempts"
        sleep 0.03
    done
}
loadgen &
LOAD_PID=$!

# ---- the kills
sanitizer_re='ERROR: (Address|Leak|Undefined|Thread)Sanitizer|runtime error:'
t_kills=$SECONDS
for ((n = 1; n <= KILLS; n++)); do
    ms=$((100 + RANDOM % 1401))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    if ! kill -0 "$HD_PID" 2>/dev/null; then
        bad "haechid (run $HD_RUNS) died by itself before kill $n: $(tail -n 5 "$HD_LOG")"
    fi
    kill9
    if grep -qE "$sanitizer_re" "$HD_LOG"; then
        bad "sanitizer report in run $HD_RUNS: $(grep -m 3 -E 'Sanitizer|runtime error' "$HD_LOG")"
    fi
    # the same port again: a few tries in case it is not free at once
    started=0
    for _ in $(seq 1 20); do
        if start "$port" 2>"$T/start.err"; then
            started=1
            break
        fi
        echo "restart $n: $(tail -c 400 "$T/start.err")" >>"$T/restart_failures"
        sleep 0.25
    done
    if [ $started = 0 ]; then
        bad "haechid did not restart on port $port after kill $n: $(cat "$T/start.err")"
        break
    fi
    if ((n % 10 == 0)); then
        echo "  $n kills, $(wc -l <"$T/accepted") accepted, $((SECONDS - t_kills)) s"
    fi
done
echo "kills done in $((SECONDS - t_kills)) s"

# ---- stop the load (haechid is up: the last work gets its 202)
touch "$T/load.stop"
wait "$LOAD_PID" || true
LOAD_PID=""
# and one last start (after one more kill)
kill9
start "$port"

accepted=$(wc -l <"$T/accepted")
echo "accepted $accepted works; $(awk '$2 > 1 { n++; s += $2 - 1 } END { print n + 0 " retried (" s + 0 " attempts)" }' "$T/attempts")," \
    "$(wc -l <"$T/replays") of them answered by a replay (the first 202 lost)"
if [ -s "$T/unexpected" ]; then
    bad "unexpected answers to the load: $(head -n 5 "$T/unexpected")"
fi
if [ -s "$T/restart_failures" ]; then
    echo "restarts that needed another try: $(wc -l <"$T/restart_failures")"
    head -n 3 "$T/restart_failures"
fi
[ "$accepted" -gt 0 ] || bad "nothing was accepted"

# ---- wait until every mint is settled (the ledger's counts)
stats() { "$HAECHI" ledger stats --ledger "$HD_LEDGER" --json >"$T/stats.json"; }
st() { tr -d ' \t\n' <"$T/stats.json" | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
t_settle=$SECONDS
deadline=$((SECONDS + SETTLE_SECS))
while :; do
    stats
    left=$(($(st queued) + $(st submitted)))
    [ "$left" = 0 ] && break
    if [ $SECONDS -ge $deadline ]; then
        bad "not settled in $SETTLE_SECS s: $left left ($(cat "$T/stats.json"))"
        break
    fi
    sleep 0.5
done
echo "settled in $((SECONDS - t_settle)) s"

# ---- the invariants
stats
eq "ledger: mints confirmed" "$(st confirmed)" "$accepted"
eq "ledger: conflict" "$(st conflict)" 0
eq "ledger: failed" "$(st failed)" 0
eq "ledger: tokens" "$(st tokens)" "$accepted"
eq "ledger: mints" "$(st mints)" "$accepted"
distinct=$(cut -d' ' -f2 "$T/accepted" | sort -u | wc -l)
eq "one mint id per work" "$distinct" "$accepted"
eq "one 202 per work" "$(cut -d' ' -f1 "$T/accepted" | sort -u | wc -l)" "$accepted"

HD_URL=$URL
: >"$T/owners.list"
while read -r i mid _; do
    req GET "/v1/mints/$mid" -H "Authorization: Bearer $key"
    s=$(jstr state)
    if [ "$s" != confirmed ]; then
        bad "work $i (mint $mid): state '$s': $(head -c 400 "$T/body")"
        continue
    fi
    tid=0x$(sha "$T/works/w$i")
    eq "work $i token id" "$(jstr token_id)" "$tid"
    echo "$i $tid" >>"$T/owners.list"
done <"$T/accepted"
# ownerOf of every token on chain: eth_call in JSON-RPC batches of 100
# straight to anvil (a cast call each would take a minute), and a sample of
# them through cast call as well
sel=$("$CAST" sig "ownerOf(uint256)")
owner_check() { # lines "i tid" on stdin
    local body="[" sep="" i tid got
    local -a is=()
    while read -r i tid; do
        body+="$sep{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"eth_call\",\"params\":[{\"to\":\"$contract\",\"data\":\"$sel${tid#0x}\"},\"latest\"]}"
        sep=,
        is+=("$i")
    done
    body+="]"
    curl -sS --max-time 60 -H 'Content-Type: application/json' \
        --data-binary "$body" "$ANVIL_RPC" | tr -d ' \n' >"$T/owners.raw" || true
    grep -o '"id":[0-9]*,"result":"0x[0-9a-f]*"' "$T/owners.raw" |
        sed 's/"id":\([0-9]*\),"result":"0x[0-9a-f]*\([0-9a-f]\{40\}\)"/\1 \2/' >"$T/owners.got" || true
    for i in "${is[@]}"; do
        got=0x$(awk -v i="$i" '$1 == i { print $2 }' "$T/owners.got")
        if [ "$got" = 0x ]; then
            # no answer in the batch (anvil can fail a call of a batch
            # when a block comes in the middle of it): cast call it
            got=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" \
                "$(awk -v i="$i" '$1 == i { print $2 }' "$T/owners.list")" 2>&1) || true
            echo "work $i: $(grep -o "{[^{]*\"id\":$i,[^}]*}*" "$T/owners.raw" | head -c 300) in the eth_call batch; cast call: $got"
        fi
        eq "work $i: owner on chain" "${got,,}" "${creators[$((i % 4))],,}"
    done
}
split -l 100 "$T/owners.list" "$T/owners.part."
for part in "$T"/owners.part.*; do
    [ -e "$part" ] && owner_check <"$part"
done
while read -r i tid; do
    owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "$tid" 2>&1) || true
    eq "work $i: owner on chain (cast)" "$owner" "${creators[$((i % 4))]}"
done < <(awk 'NR % 25 == 1' "$T/owners.list")
total=0
for c in "${creators[@]}"; do
    b=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "balanceOf(address)(uint256)" "$c")
    total=$((total + ${b%% *}))
done
eq "tokens on chain = distinct 202'd mints" "$total" "$distinct"

# what the pipeline went through (all runs)
ev() { cat "$T"/haechid.*.log | grep -c "\"event\":\"$1\"" || true; }
echo "haechid runs: $HD_RUNS; events: batch_sent=$(ev batch_sent)" \
    "batch_resumed=$(ev batch_resumed) batch_settled=$(ev batch_settled)" \
    "tx_replaced=$(ev tx_replaced) nonce_counter_moved=$(ev nonce_counter_moved)" \
    "nonce_gap_filled=$(ev nonce_gap_filled) nonce_taken=$(ev nonce_taken)" \
    "tx_unmined_by_reorg=$(ev tx_unmined_by_reorg) broadcast_failed=$(ev broadcast_failed)" \
    "resume_failed=$(ev resume_failed) batch_store_failed=$(ev batch_store_failed)"
errs=$(cat "$T"/haechid.*.log | grep '"level":"error"' | grep -v '"event":"queue_held"' | head -n 5 || true)
[ -z "$errs" ] || echo "error lines: $errs"

hd_stop
hd_verify
if cat "$T"/haechid.*.log | grep -qE "$sanitizer_re"; then
    bad "sanitizer report: $(cat "$T"/haechid.*.log | grep -m 3 -E 'Sanitizer|runtime error')"
else
    ok
fi
hd_done
