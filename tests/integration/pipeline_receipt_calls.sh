#!/usr/bin/env bash
# Which receipts haechid asks for. Of the transactions just sent, a round
# asks for the lowest few: one more than the last round found (at least
# 2), and when it found all it asked for, twice as many at once, however
# many of ours a block took. Before, every round asked for the 8 lowest,
# most of them not mined yet (a null receipt costs the node a call, and a
# provider a request, all the same), and the rest waited for the next
# block or batch_wait_ms. (How many fewer calls that makes on anvil's
# automine is measured by tools/bench/pipeline: "RPC per tx".)
#
# haechid starts with all the mints queued, and sends them as fast as it
# can:
#
# 1. a block every 100 ms that holds a few of haechid's transactions
#    (anvil --block-time 0.1 --gas-limit 5500000: haechid makes a
#    transaction at most half a block), 920 mints queued in a ledger of
#    their own (bench_pipeline_seed), 46 at most a transaction: all
#    confirmed; the receipts asked for (anvil's log) at most 4 a
#    transaction (a bound for gross waste only: about 2 here, 2.75
#    before); balanceOf (cast) adds up.
# 2. the same chain, 16 confirmations: 200 mints queued (seeded), 20 a
#    transaction. A transaction mined, not yet 16 deep, has its receipt
#    asked for again when its depth has doubled (2, 4, 8, then 16), not
#    at every round: at most 7 receipt calls a transaction (5.4 here;
#    10.2 before, when each was asked for in every round with a new block
#    until deep). All confirmed, balanceOf adds up.
# 3. no mining but evm_mine (interval mining off): the mints accepted
#    while the node could not be reached (haechid's first run points at a
#    closed port), one a transaction; 16 transactions wait in the pool,
#    then one block takes them all (evm_mine, less than 900 ms after the
#    first was sent: older ones are all asked for anyway) and no other
#    block comes: all 16 mints are confirmed within 600 ms of it (before,
#    the 8 above the first 8 waited for the next block, or batch_wait_ms:
#    20 s here).
#    Every mint "confirmed", ownerOf (cast) its creator.
# 4. a mined transaction, 4 confirmations, looked at at depth 1 and 2; then
#    the head goes back under it (evm_revert) and no block comes: the
#    reorganisation is seen within 5 s (tx_unmined_by_reorg), the
#    transaction sent again and confirmed once 4 deep. (Looked at only as
#    its depth doubles, it was not seen at all until a block reached the
#    next look's height.)
# All: the ledger verifies, no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
hd_chain --gas-limit 5500000 --block-time 0.1
alog=$T/anvil/anvil.log

# queue works FROM to FROM + N - 1 with the node out of reach:
# queue_offline FROM N
queue_offline() {
    ids=() files=() owners=()
    hd_start_chain HAECHI_RPC=http://127.0.0.1:1 HAECHI_BATCH_SIZE=1
    for ((i = $1; i < $1 + $2; i++)); do hd_post_work "$i" "${CREATORS[i % 4]}"; done
    hd_stop
}

# N mints queued in a ledger of their own (bench_pipeline_seed, as the API
# would have stored them) under DIR, confirmed by haechid with the given
# settings: seeded_run DIR N [VAR=VALUE…]. Sets seed_creators, mark (anvil's
# log lines before), txs (transactions that settled them) and asked (the
# receipts anvil was asked for since mark); haechid is left running.
seeded_run() {
    local n=$2 seeded res
    HD_LEDGER=$1
    shift 2
    seeded=$("$HC_BUILD_DIR/bench_pipeline_seed" --ledger "$HD_LEDGER" --count "$n" \
        --run-nonce "receipt-calls-$n-$$-$RANDOM") || bad "bench_pipeline_seed failed"
    read -r -a seed_creators <<<"${seeded#creators }"
    mark=$(wc -l <"$alog")
    hd_start_chain "$@"
    res=$("$HC_BUILD_DIR/bench_pipeline_seed" --wait --ledger "$HD_LEDGER" --count "$n" --timeout 120) || true
    if [[ " $res " == *" confirmed=$n "* ]]; then ok; else bad "not all confirmed: $res"; fi
    txs=$(sed -n 's/.* txs=\([0-9]*\).*/\1/p' <<<"$res")
    asked=$(sed -n "$((mark + 1)),\$p" "$alog" | grep -c '^eth_getTransactionReceipt$' || true)
}

# until anvil has mined transaction HASH (5 s at most): mined_wait HASH
mined_wait() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ -n "$("$CAST" receipt --rpc-url "$ANVIL_RPC" "$1" blockNumber 2>/dev/null)" ] && return 0
        sleep 0.05
    done
}

# --- 1. a few transactions a block: 920 mints, up to 100 a transaction
main_ledger=$HD_LEDGER
seeded_run "$T/seeded" 920 HAECHI_BATCH_SIZE=100 HAECHI_MAX_INFLIGHT=32
blocks=$(awk -v a="$(sed -n "1,${mark}p" "$alog" | grep -c '^ *Block Number:')" \
    '/^ *Block Number:/ { n++ } END { print n - a }' "$alog")
echo "interval mining: $asked receipts asked for ${txs:-?} transactions in $blocks blocks"
if [ "${txs:-0}" -ge 10 ] && [ "$asked" -ge "$txs" ] && [ "$asked" -le $((txs * 4)) ]; then ok; else
    bad "$asked receipts asked for ${txs:-?} transactions (want at most 4 a transaction)"
fi
eq "tokens on chain" "$(hd_balances "${seed_creators[@]}")" 920
hd_stop
hd_verify

# --- 2. 16 confirmations: a mined transaction is looked at again as its
# depth doubles
seeded_run "$T/seeded16" 200 HAECHI_BATCH_SIZE=20 HAECHI_MAX_INFLIGHT=32 HAECHI_CONFIRMATIONS=16
echo "16 confirmations: $asked receipts asked for ${txs:-?} transactions"
if [ "${txs:-0}" -ge 10 ] && [ "$asked" -ge "$txs" ] && [ "$asked" -le $((txs * 7)) ]; then ok; else
    bad "$asked receipts asked for ${txs:-?} transactions (want at most 7 a transaction)"
fi
eq "tokens on chain" "$(hd_balances "${seed_creators[@]}")" 200
hd_stop
hd_verify
HD_LEDGER=$main_ledger
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setIntervalMining 0 >/dev/null

# --- 3. one block with all of them
queue_offline 100 16
hd_automine_off
hd_start_chain HAECHI_BATCH_SIZE=1 HAECHI_MAX_INFLIGHT=32 HAECHI_BATCH_WAIT_MS=20000
pending() {
    local s
    s=$("$CAST" rpc --rpc-url "$ANVIL_RPC" txpool_status | tr -d ' \n')
    [[ $s == *'"pending":"0x10"'* ]]
}
# mined as soon as all 16 are in the pool: while none is a second old, a
# round asks only for the lowest few (older ones are all asked for)
before=$("$CAST" block-number --rpc-url "$ANVIL_RPC")
for ((i = 0; i < 1500; i++)); do pending && break; done
pending || bad "16 transactions not in the pool: $(tail -n 3 "$HD_LOG")"
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
t0=$EPOCHREALTIME
first=$(sed -n 's/.*"ts":"\([^"]*\)".*"event":"batch_sent".*/\1/p' "$HD_LOG" | head -n 1)
age=$(awk -v m="$t0" -v s="$(date -d "$first" +%s.%N)" 'BEGIN { printf "%d", (m - s) * 1000 }')
echo "one block: mined $age ms after the first of the 16 was sent"
if [ "$age" -lt 900 ]; then ok; else
    bad "the 16 were mined $age ms after the first was sent: this check needs them under a second old"
fi
until [ "$(hd_metric haechi_mints_confirmed_total)" = 16 ]; do
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a > 5) }' && break
    sleep 0.02
done
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
echo "one block: all 16 confirmed $took ms after it"
if [ "$took" -le 600 ]; then ok; else bad "16 mints in one block confirmed after $took ms"; fi
eq "blocks mined" "$("$CAST" block-number --rpc-url "$ANVIL_RPC")" $((before + 1))
hd_all_state "in one block: confirmed" confirmed "${ids[@]}"
hd_owners_ok
hd_stop

# --- 4. looked at less often, a reorganisation is still seen: the head goes
# back (evm_revert) under a mined, not yet deep transaction, and no block
# comes after (automine, nothing sent)
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setAutomine true >/dev/null
snap=$("$CAST" rpc --rpc-url "$ANVIL_RPC" evm_snapshot | tr -d '"')
hd_start_chain HAECHI_CONFIRMATIONS=4
n_before=${#ids[@]}
hd_post_work 200 "${CREATORS[1]}"
id=${ids[n_before]}
hd_wait_log 20 '"event":"batch_sent"' || bad "not sent: $(tail -n 3 "$HD_LOG")"
mined=$(hd_log_field batch_sent tx_hash)
mined_wait "$mined"
sleep 1 # haechid sees it at depth 1 (it looks every 200 ms at most), then
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
sleep 1 # at depth 2
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_revert "$snap" >/dev/null
if hd_wait_log 5 '"event":"tx_unmined_by_reorg"'; then ok; else
    bad "the head went back under a mined transaction: not seen in 5 s"
fi
# sent again (automine mines it); 3 more blocks make it 4 deep
mined_wait "$mined"
for i in 1 2 3; do "$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null; done
if hd_wait_state 20 "$id" confirmed; then ok; else bad "after the reorganisation: $(hd_state "$id")"; fi
hd_owners_ok
hd_stop
hd_verify
hd_done
