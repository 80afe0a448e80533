#!/usr/bin/env bash
# The pipeline on a node slow to answer for its transaction count, with
# the default one confirmation. haechid talks to anvil (the test mines)
# through the fault-injecting proxy, which holds every request asking for
# eth_getTransactionCount for 2 s (`--slow`) and injects nothing else. A
# round reads the count (when a transaction is a second old, "stale") and
# then asks for the receipts of the stale transactions and of the lowest
# few fresh ones (those above wait for them; see pipeline_receipt_calls.sh);
# which ones is decided before the count is read. Mints go out one per
# transaction:
#   1. with max_inflight 40, 40 mints are sent and wait in anvil's pool; 24
#      more are posted and stay queued (no room);
#   2. haechid restarts with max_inflight 64: the 40 are resumed (stale),
#      the 24 sent in one round; right after, one block mines all 64. The
#      next round reads the count (2 s, it shows all 64 used) and asks for
#      the 40 receipts and a few of the 24; the others are a second old by
#      the time the answers are looked at.
# A transaction whose receipt was not asked for this round must not be
# judged by this round's answers (its nonce used, no receipt for it):
# haechid did, released those 16 as "nonce taken" and minted them again,
# and they ended as conflicts with their own creators. Checks:
#   - every mint is "confirmed"; no nonce_taken line; one transaction per
#     mint sent, none replaced;
#   - ownerOf(sha256(content)) on chain (cast) is the work's creator, and
#     the creators' balances add up to the number of mints;
#   - `haechi ledger verify` passes; no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
source "$here/lib/faultproxy.bash"
: "${CAST:?path of cast}"
N1=40 N=64

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
hd_chain
mine() { "$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null; }
hd_automine_off # the test mines

fp_start --slow eth_getTransactionCount:2000
base_env=(HAECHI_RPC="$FP_URL" HAECHI_CONTRACT="$CONTRACT"
    HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=50
    HAECHI_CONFIRMATIONS=1 HAECHI_RATE_PER_MINUTE=0)

ids=() files=() owners=() post_pids=()
# shellcheck disable=SC2154 # key: set by hd_chain
# post I: posts work I in the background, its answer in $T/post.I, the
# status in $T/post.I.code
post() {
    local f=$T/work$1 c=${CREATORS[$1 % 4]}
    printf 'pipeline_slow_count work %d %s\n' "$1" "$T" >"$f"
    curl -sS -o "$T/post.$1" -w '%{http_code}' --max-time 60 -X POST "$HD_URL/v1/mints" \
        -H "Authorization: Bearer $key" \
        -F "metadata={\"creator\":\"$c\",\"name\":{\"en\":\"w$1\"}};type=application/json" \
        -F "content=@$f" >"$T/post.$1.code" 2>&1 &
    post_pids+=($!)
}
# posted FROM TO: waits for the posts FROM..TO-1, checks and records them
posted() {
    local i
    wait "${post_pids[@]}" 2>/dev/null || true
    post_pids=()
    for ((i = $1; i < $2; i++)); do
        if [ "$(<"$T/post.$i.code")" = 202 ]; then
            ids+=("$(grep -o '"mint_id":"[^"]*"' "$T/post.$i" | head -n 1 | cut -d'"' -f4)")
            files+=("$T/work$i") owners+=("${CREATORS[i % 4]}")
        else
            bad "work $i: $(<"$T/post.$i.code") $(cat "$T/post.$i" 2>/dev/null)"
        fi
    done
}
# sent_reach COUNT: waits (30 s at most) until COUNT transactions were sent
sent_reach() {
    local deadline=$((SECONDS + 30))
    until [ "$(hd_metric haechi_txs_sent_total)" = "$1" ]; do
        [ $SECONDS -lt $deadline ] || { bad "not $1 transactions sent: $(tail -n 3 "$HD_LOG")"; return 1; }
        sleep 0.05
    done
}

# -- 1. 40 sent and pending, 24 queued behind them
hd_start "${base_env[@]}" HAECHI_MAX_INFLIGHT=$N1 HAECHI_SIGNER_KEY="$SIGNER_KEY"
for ((i = 0; i < N1; i++)); do post "$i"; done
posted 0 "$N1"
sent_reach "$N1"
for ((i = N1; i < N; i++)); do post "$i"; done
posted "$N1" "$N"
eq "works accepted" "${#ids[@]}" "$N"
sleep 0.5
eq "sent with no room for more" "$(hd_metric haechi_txs_sent_total)" "$N1"
hd_stop
# -- 2. room for all: the 24 go out in one round; one block mines all 64
hd_start "${base_env[@]}" HAECHI_MAX_INFLIGHT=$N HAECHI_SIGNER_KEY="$SIGNER_KEY"
sent_reach $((N - N1))
sleep 0.2
mine
# then a block every half second, for anything sent again
deadline=$((SECONDS + 180))
until hd_drained; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
    mine
done
hd_all_state "mints confirmed" confirmed "${ids[@]}"
eq "nonce_taken lines" "$(grep -c '"event":"nonce_taken"' "$HD_LOG" || true)" 0
eq "transactions sent after the restart" "$(hd_metric haechi_txs_sent_total)" $((N - N1))
eq "transactions replaced" "$(hd_metric haechi_txs_replaced_total)" 0
hd_stop
if fp_stop; then ok; else bad "the proxy did not exit 0"; fi
if grep -q ' delayed=[1-9]' "$T/proxy.log"; then ok; else bad "the proxy delayed nothing: $(<"$T/proxy.log")"; fi

for i in "${!files[@]}"; do hd_owner_is "ownerOf work $i" "${files[i]}" "${owners[i]}"; done
eq "tokens on chain" "$(hd_balances "${CREATORS[@]}")" "$N"
hd_verify
hd_done
