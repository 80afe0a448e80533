#!/usr/bin/env bash
# A stuck transaction replaced within a daily budget that holds it: only one
# of a nonce's transactions can be mined, so a replacement adds to the
# budget's worst case only what it costs more than the one it replaces.
# haechid counted both in full and held the queue ("budget") instead of
# replacing, though the replacement fit. On anvil, mining nothing (the test
# mines at the end):
#   1. with no budget, one batch is sent and stays in the pool; its worst
#      case W (gas limit x max fee, read with cast) is noted;
#   2. haechid restarts with daily_budget = 1.6 W and replace_after 2 s:
#      the replacement (fees +12.5 %, worst about 1.13 W) fits; the two in
#      full (about 2.1 W) would not.
# Checks: a tx_replaced line and no budget hold in that run; the node's pool
# holds the replacement for the nonce; mined at last, the mint is
# "confirmed" with ownerOf (cast) its creator; the ledger verifies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
hd_chain
creator=${CREATORS[0]}
hd_automine_off # the test mines
base_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$CONTRACT" HAECHI_CHAIN_ID=31337
    HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=50 HAECHI_CONFIRMATIONS=1
    HAECHI_RATE_PER_MINUTE=0 HAECHI_SIGNER_KEY="$SIGNER_KEY")

# -- 1. one batch in the pool, no budget
hd_start "${base_env[@]}" HAECHI_REPLACE_AFTER=600
f=$T/work
printf 'pipeline_budget_replace %s\n' "$T" >"$f"
hd_post "$f" "$creator"
eq "work accepted" "$CODE" 202
id=$(jstr mint_id)
hd_wait_log 20 '"event":"batch_sent"' || bad "no batch sent: $(tail -n 3 "$HD_LOG")"
hash=$(hd_log_field batch_sent tx_hash)
nonce=$(hd_log_field batch_sent nonce)
hd_stop
txj=$("$CAST" tx --json --rpc-url "$ANVIL_RPC" "$hash")
gas=$(($(grep -o '"gas":"0x[0-9a-f]*"' <<<"$txj" | cut -d'"' -f4)))
fee=$(($(grep -o '"maxFeePerGas":"0x[0-9a-f]*"' <<<"$txj" | cut -d'"' -f4)))
budget=$(awk -v g="$gas" -v f="$fee" 'BEGIN { printf "%.0f", g * f * 1.6 }')
echo "pipeline_budget_replace: gas limit $gas, max fee $fee wei; budget ${budget}wei"

# -- 2. a budget with room for the replacement's extra, not for both
hd_start "${base_env[@]}" HAECHI_REPLACE_AFTER=2 HAECHI_DAILY_BUDGET="${budget}wei"
if hd_wait_log 20 '"event":"tx_replaced"'; then ok; else bad "not replaced: $(tail -n 3 "$HD_LOG")"; fi
eq "budget hold" "$(grep -c '"event":"queue_held".*"reason":"budget"' "$HD_LOG" || true)" 0
eq "the pool holds the replacement" "$(hd_pool_hash "$SIGNER" "$nonce")" "$(hd_log_field tx_replaced tx_hash)"

"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
if hd_wait_state 30 "$id" confirmed; then ok; else bad "mint not confirmed: $(hd_state "$id")"; fi
hd_owner_is "ownerOf" "$f" "$creator"
hd_stop
hd_verify
hd_done
