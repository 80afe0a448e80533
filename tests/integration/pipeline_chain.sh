#!/usr/bin/env bash
# The pipeline against a chain that misbehaves in the ways real chains do,
# one situation after another on one anvil (a block a second):
#   - a paused contract holds the queue (alert gauge), unpausing resumes it;
#   - a fee spike leaves a sent batch unmined: it is replaced at the same
#     nonce with higher fees and confirmed;
#   - fees above max_fee_per_gas hold the queue until they come down;
#   - a daily budget too small holds the queue; a bigger one resumes it;
#   - the signer key used elsewhere while haechid is down: the counter moves
#     up; a stored batch whose nonce another transaction took goes back to
#     the queue and is minted with a new nonce;
#   - a nonce gap below a stored batch (the chain's nonce set back) is
#     filled with self-transfers;
#   - a reorganisation shallower than the confirmations under a mined batch;
#   - the signer key changed with batches in flight: the new key settles
#     the old key's mined batch and re-queues one whose nonce was taken;
#   - a taken nonce on a chain that mines only when sent to (automine).
# After each: every mint confirmed exactly once (ownerOf = its creator) and,
# at the end, the token count equals the mints and the ledger verifies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
ANVIL_KEEP_STATES=64 anvil_start "$T/anvil" --block-time 1
mnemonic="test test test test test test test test test test test junk"
k() { "$CAST" wallet private-key "$mnemonic" "$1"; }
export DEPLOYER_KEY SIGNER_KEY
DEPLOYER_KEY=$(k 0)
SIGNER_KEY=$(k 8)
signer=$("$CAST" wallet address --private-key "$SIGNER_KEY")
contract=$("$HAECHI" deploy --rpc "$ANVIL_RPC" --key-env DEPLOYER_KEY)
DEPLOYER_KEY=$(k 0)
csend() { "$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$DEPLOYER_KEY" "$contract" "$@" >/dev/null; }
role=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "MINTER_ROLE()(bytes32)")
csend "grantRole(bytes32,address)" "$role" "$signer"
key=$(hd_client dept minter,auditor)
creator=$("$CAST" wallet address --private-key "$(k 12)")

base_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract"
    HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=10 HAECHI_RATE_PER_MINUTE=0
    HAECHI_BATCH_WAIT_MS=100 HAECHI_CONFIRMATIONS=3 HAECHI_REPLACE_AFTER=2
    HAECHI_NONCE_CHECK=1)
start() { hd_start "${base_env[@]}" HAECHI_SIGNER_KEY="$(k 8)" "$@"; }

n=0
all_ids=()
all_files=()
# post COUNT: posts COUNT new works; their ids in IDS
post() {
    IDS=()
    local i f
    for ((i = 0; i < $1; i++)); do
        n=$((n + 1))
        f=$T/work$n
        printf 'pipeline_chain work %d %s\n' "$n" "$T" >"$f"
        req POST /v1/mints -H "Authorization: Bearer $key" \
            -F "metadata={\"creator\":\"$creator\",\"name\":{\"en\":\"w$n\"}};type=application/json" \
            -F "content=@$f"
        eq "work $n accepted" "$CODE" 202
        IDS+=("$(jstr mint_id)")
        all_ids+=("$(jstr mint_id)")
        all_files+=("$f")
    done
}
# settled SECONDS WANT ID...: waits until every ID is in state WANT
settled() {
    local secs=$1 want=$2 id left
    shift 2
    local deadline=$((SECONDS + secs))
    while :; do
        left=0
        for id in "$@"; do
            [ "$(hd_state "$id")" = "$want" ] || { left=1; break; }
        done
        [ $left = 0 ] && return 0
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}
# held SECONDS REASON VALUE: waits for the hold gauge
held() {
    local deadline=$((SECONDS + $1))
    while [ "$(hd_metric haechi_pipeline_hold "reason=\"$2\"")" != "$3" ]; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}
# the latest transaction hash of the mint in the last answer
last_tx() { grep -o '"tx_hashes":\[[^]]*\]' "$T/body" | grep -o '0x[0-9a-f]\{64\}' | tail -n 1; }
in_log() { grep -q "$1" "$HD_LOG"; }
nonce_of() { "$CAST" nonce --rpc-url "$ANVIL_RPC" "$signer"; }
mining() { "$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setIntervalMining "$1" >/dev/null; }
# in_pool [VAR=VALUE…]: with mining stopped, restarts haechid (with these
# settings) and posts 2 works, then waits until their batch is stored and
# broadcast (it stays in the node's pool); their ids in IDS, the batch's
# nonce in POOL_NONCE, haechid still running
in_pool() {
    hd_stop
    mining 0
    start "$@"
    post 2
    local deadline=$((SECONDS + 20))
    while [ "$(hd_state "${IDS[0]}")" != submitted ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    eq "in the pool: submitted" "$(hd_state "${IDS[0]}")" submitted
    POOL_NONCE=$("$CAST" tx --rpc-url "$ANVIL_RPC" "$(last_tx)" nonce)
}
base_fee() { "$CAST" rpc --rpc-url "$ANVIL_RPC" anvil_setNextBlockBaseFeePerGas "$1" >/dev/null; }

start

# ---- a paused contract holds the queue; unpausing resumes it
csend "pause()"
post 3
paused_ids=("${IDS[@]}")
if held 20 paused 1; then ok; else bad "no paused hold: $(tail -n 3 "$HD_LOG")"; fi
eq "paused: still queued" "$(hd_state "${paused_ids[0]}")" queued
if in_log '"event":"queue_held".*"reason":"paused"'; then ok; else bad "no queue_held log"; fi
csend "unpause()"
if settled 30 confirmed "${paused_ids[@]}"; then ok; else bad "not confirmed after unpause"; fi
eq "paused hold released" "$(hd_metric haechi_pipeline_hold 'reason="paused"')" 0

# ---- a fee spike right after the batch's fees were chosen: replaced
replaced0=$(hd_metric haechi_txs_replaced_total)
base_fee 20000000000 # 20 gwei from the next block on
post 5
spike_ids=("${IDS[@]}")
if settled 60 confirmed "${spike_ids[@]}"; then ok; else bad "spiked batch not confirmed: $(tail -n 5 "$HD_LOG")"; fi
hd_state "${spike_ids[0]}" >/dev/null
nh=$(grep -o '"tx_hashes":\[[^]]*\]' "$T/body" | grep -o '0x[0-9a-f]\{64\}' | wc -l)
if [ "$nh" -ge 2 ]; then ok; else bad "a replaced mint lists $nh transaction(s), want >= 2"; fi
replaced1=$(hd_metric haechi_txs_replaced_total)
if [ "${replaced1:-0}" != "${replaced0:-0}" ]; then ok; else bad "no replacement counted ($replaced0 -> $replaced1)"; fi
if in_log '"event":"tx_replaced"'; then ok; else bad "no tx_replaced log"; fi

# ---- fees above the cap hold the queue until they come down
hd_stop
start HAECHI_MAX_FEE_PER_GAS=8gwei
base_fee 30000000000
sleep 1.2 # a block with the high base fee
post 2
cap_ids=("${IDS[@]}")
if held 20 fee_cap 1; then ok; else bad "no fee_cap hold: $(tail -n 3 "$HD_LOG")"; fi
eq "capped: still queued" "$(hd_state "${cap_ids[0]}")" queued
# the base fee falls by 1/8 a block: under 8 gwei within ~12 blocks
if settled 60 confirmed "${cap_ids[@]}"; then ok; else bad "not confirmed when fees fell"; fi
eq "fee_cap hold released" "$(hd_metric haechi_pipeline_hold 'reason="fee_cap"')" 0

# ---- a daily budget that is too small holds; a bigger one resumes
hd_stop
start HAECHI_DAILY_BUDGET=1000wei
post 2
budget_ids=("${IDS[@]}")
if held 20 budget 1; then ok; else bad "no budget hold: $(tail -n 3 "$HD_LOG")"; fi
eq "over budget: still queued" "$(hd_state "${budget_ids[0]}")" queued
hd_stop
start HAECHI_DAILY_BUDGET=1eth
if settled 30 confirmed "${budget_ids[@]}"; then ok; else bad "not confirmed with a bigger budget"; fi

# ---- the key used elsewhere while haechid is down: the counter moves up
hd_stop
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$(k 8)" "$signer" --value 1 >/dev/null
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$(k 8)" "$signer" --value 1 >/dev/null
start
post 2
up_ids=("${IDS[@]}")
if settled 30 confirmed "${up_ids[@]}"; then ok; else bad "not confirmed after foreign use of the key"; fi
if in_log '"event":"nonce_counter_moved"'; then ok; else bad "counter did not move up"; fi

# ---- a stored batch whose nonce another transaction takes: re-queued
mining 0 # the next batch stays in the node's pool
post 3
taken_ids=("${IDS[@]}")
deadline=$((SECONDS + 20))
while [ "$(hd_state "${taken_ids[0]}")" != submitted ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
eq "taken: submitted" "$(hd_state "${taken_ids[0]}")" submitted
taken_hash=$(last_tx)
taken_nonce=$("$CAST" tx --rpc-url "$ANVIL_RPC" "$taken_hash" nonce)
hd_stop
# the same nonce, paid well, by another program holding the key
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$(k 8)" --nonce "$taken_nonce" \
    --gas-price 200gwei --priority-gas-price 100gwei --async "$signer" --value 1 >/dev/null
mining 1
start
if settled 60 confirmed "${taken_ids[@]}"; then ok; else bad "taken batch not minted: $(tail -n 5 "$HD_LOG")"; fi
if in_log '"event":"nonce_taken"'; then ok; else bad "no nonce_taken log"; fi
req GET "/v1/mints/${taken_ids[0]}" -H "Authorization: Bearer $key"
h=$(last_tx)
if [ "$("$CAST" tx --rpc-url "$ANVIL_RPC" "$h" nonce)" != "$taken_nonce" ]; then ok; else bad "minted with the taken nonce?"; fi

# ---- a gap below a stored batch: filled
mining 0
post 2
gap_ids=("${IDS[@]}")
deadline=$((SECONDS + 20))
while [ "$(hd_state "${gap_ids[0]}")" != submitted ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
hd_stop
now=$(nonce_of)
"$CAST" rpc --rpc-url "$ANVIL_RPC" anvil_setNonce "$signer" "$(printf '0x%x' $((now - 2)))" >/dev/null
mining 1
start
if settled 60 confirmed "${gap_ids[@]}"; then ok; else bad "batch above the gap not minted: $(tail -n 5 "$HD_LOG")"; fi
if in_log '"event":"nonce_gap_filled"'; then ok; else bad "no gap filled"; fi

# ---- a reorganisation under a mined, not yet confirmed batch
post 3
reorg_ids=("${IDS[@]}")
deadline=$((SECONDS + 20))
mined=""
while [ -z "$mined" ] && [ $SECONDS -lt $deadline ]; do
    if [ "$(hd_state "${reorg_ids[0]}")" = submitted ]; then
        h=$(last_tx)
        mined=$("$CAST" rpc --rpc-url "$ANVIL_RPC" eth_getTransactionReceipt "$h" |
            grep -o '"blockNumber":"0x[0-9a-f]*"' || true)
    fi
    [ -z "$mined" ] && sleep 0.05
done
if [ -n "$mined" ]; then ok; else bad "the batch was not seen mined"; fi
# haechid looks every round (100 ms here); the batch needs two more blocks
# (2 s) to settle: let it see the receipt, then take the blocks away
sleep 0.5
"$CAST" rpc --rpc-url "$ANVIL_RPC" anvil_reorg 2 '[]' >/dev/null
if settled 60 confirmed "${reorg_ids[@]}"; then ok; else bad "not confirmed after the reorg: $(tail -n 5 "$HD_LOG")"; fi
reorgs=$(hd_metric haechi_reorgs_total)
if [ "${reorgs:-0}" != 0 ]; then ok; else bad "the reorg went unnoticed"; fi

# ---- the signer key changed while batches were in flight: the new key
# follows what the old one sent (receipts need no key)
csend "grantRole(bytes32,address)" "$role" "$("$CAST" wallet address --private-key "$(k 9)")"
in_pool
mined_ids=("${IDS[@]}")
hd_stop
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null # the old key's batch is mined
mining 1
start HAECHI_SIGNER_KEY="$(k 9)"
if settled 30 confirmed "${mined_ids[@]}"; then ok; else bad "old key's mined batch not settled by the new key: $(tail -n 5 "$HD_LOG")"; fi
if in_log '"event":"submitted_by_other_signer"'; then ok; else bad "no submitted_by_other_signer log"; fi
# … and one whose nonce the old key used for something else: queued again,
# minted by the new key
in_pool
gone_ids=("${IDS[@]}")
hd_stop
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$(k 8)" --nonce "$POOL_NONCE" \
    --gas-price 200gwei --priority-gas-price 100gwei --async "$signer" --value 1 >/dev/null
mining 1
start HAECHI_SIGNER_KEY="$(k 9)"
if settled 60 confirmed "${gone_ids[@]}"; then ok; else bad "old key's taken batch not minted by the new key: $(tail -n 5 "$HD_LOG")"; fi
if in_log '"event":"nonce_taken"'; then ok; else bad "no nonce_taken log for the old key"; fi
req GET "/v1/mints/${gone_ids[0]}" -H "Authorization: Bearer $key"
new_from=$("$CAST" tx --rpc-url "$ANVIL_RPC" "$(last_tx)" from)
eq "minted by the new key" "$(tr 'A-F' 'a-f' <<<"$new_from")" \
    "$(tr 'A-F' 'a-f' <<<"$("$CAST" wallet address --private-key "$(k 9)")")"

# ---- a taken nonce on a chain that mines only when a transaction comes
# (anvil's automine): no block follows the one that took it, and with 1
# confirmation that block is deep enough: released without waiting for one
in_pool HAECHI_CONFIRMATIONS=1
quiet_ids=("${IDS[@]}")
quiet_nonce=$POOL_NONCE
hd_stop
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$(k 8)" --nonce "$quiet_nonce" \
    --gas-price 200gwei --priority-gas-price 100gwei --async "$signer" --value 1 >/dev/null
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setAutomine true >/dev/null
eq "quiet chain: the nonce is used" "$(($(nonce_of) > quiet_nonce))" 1
start HAECHI_CONFIRMATIONS=1
if settled 60 confirmed "${quiet_ids[@]}"; then ok; else bad "taken batch not minted on a quiet chain: $(tail -n 5 "$HD_LOG")"; fi
if in_log '"event":"nonce_taken"'; then ok; else bad "no nonce_taken log on a quiet chain"; fi
hd_automine_off
mining 1

# ---- every mint confirmed once, on chain
hd_stop
start
for i in "${!all_ids[@]}"; do
    eq "mint $((i + 1)) confirmed" "$(hd_state "${all_ids[$i]}")" confirmed
    tid=0x$(sha "${all_files[$i]}")
    owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "$tid")
    eq "owner of work $((i + 1))" "$owner" "$creator"
done
bal=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "balanceOf(address)(uint256)" "$creator")
eq "tokens on chain = mints" "${bal%% *}" "${#all_ids[@]}"
hd_stop
hd_verify
hd_done
