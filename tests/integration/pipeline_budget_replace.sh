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
anvil_start "$T/anvil"
signer_key=$(hd_key 9)
signer=$("$CAST" wallet address --private-key "$signer_key")
hd_deploy "$signer"
contract=$CONTRACT
key=$(hd_client dept minter,auditor)
hd_creators
creator=${CREATORS[0]}
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setAutomine false >/dev/null # the test mines
base_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract" HAECHI_CHAIN_ID=31337
    HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=50 HAECHI_CONFIRMATIONS=1
    HAECHI_RATE_PER_MINUTE=0 HAECHI_SIGNER_KEY="$signer_key")
wait_log() { # PATTERN: until haechid's log has it (20 s at most)
    local deadline=$((SECONDS + 20))
    until grep -q "$1" "$HD_LOG"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# -- 1. one batch in the pool, no budget
hd_start "${base_env[@]}" HAECHI_REPLACE_AFTER=600
f=$T/work
printf 'pipeline_budget_replace %s\n' "$T" >"$f"
req POST /v1/mints -H "Authorization: Bearer $key" \
    -F "metadata={\"creator\":\"$creator\",\"name\":{\"en\":\"w\"}};type=application/json" \
    -F "content=@$f"
eq "work accepted" "$CODE" 202
id=$(jstr mint_id)
wait_log '"event":"batch_sent"' || bad "no batch sent: $(tail -n 3 "$HD_LOG")"
hash=$(sed -n 's/.*"event":"batch_sent".*"tx_hash":"\(0x[0-9a-f]*\)".*/\1/p' "$HD_LOG" | head -n 1)
nonce=$(sed -n 's/.*"event":"batch_sent","nonce":\([0-9]*\).*/\1/p' "$HD_LOG" | head -n 1)
hd_stop
txj=$("$CAST" tx --json --rpc-url "$ANVIL_RPC" "$hash")
gas=$(($(grep -o '"gas":"0x[0-9a-f]*"' <<<"$txj" | cut -d'"' -f4)))
fee=$(($(grep -o '"maxFeePerGas":"0x[0-9a-f]*"' <<<"$txj" | cut -d'"' -f4)))
budget=$(awk -v g="$gas" -v f="$fee" 'BEGIN { printf "%.0f", g * f * 1.6 }')
echo "pipeline_budget_replace: gas limit $gas, max fee $fee wei; budget ${budget}wei"

# -- 2. a budget with room for the replacement's extra, not for both
hd_start "${base_env[@]}" HAECHI_REPLACE_AFTER=2 HAECHI_DAILY_BUDGET="${budget}wei"
if wait_log '"event":"tx_replaced"'; then ok; else bad "not replaced: $(tail -n 3 "$HD_LOG")"; fi
eq "budget hold" "$(grep -c '"event":"queue_held".*"reason":"budget"' "$HD_LOG" || true)" 0
h=$(sed -n 's/.*"event":"tx_replaced".*"tx_hash":"\(0x[0-9a-f]*\)".*/\1/p' "$HD_LOG" | head -n 1)
pool=$("$CAST" rpc --rpc-url "$ANVIL_RPC" txpool_content | tr -d ' \n' |
    grep -o "\"${signer,,}\":{\"$nonce\":{[^}]*}" | grep -o '"hash":"0x[0-9a-f]*"' | cut -d'"' -f4)
eq "the pool holds the replacement" "$pool" "$h"

"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
deadline=$((SECONDS + 30))
until [ "$(hd_state "$id")" = confirmed ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
eq "mint confirmed" "$(hd_state "$id")" confirmed
owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "0x$(sha "$f")")
eq "ownerOf" "${owner,,}" "${creator,,}"
hd_stop
hd_verify
hd_done
