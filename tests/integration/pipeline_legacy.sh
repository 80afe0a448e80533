#!/usr/bin/env bash
# Legacy transactions (EIP-155, type 0), for chains that need them:
# 1. tx_type = legacy (HAECHI_TX_TYPE) on anvil, one mint a transaction: 6
#    works, all "confirmed"; every mined transaction (cast) is type 0,
#    signed for chain 31337 (EIP-155: v is 62709 or 62710); each mint's
#    fee_paid is its receipt's gasUsed × effectiveGasPrice, and that price
#    the transaction's gas price; ownerOf (cast) the creator.
# 2. replaced: automine off (no block, so the node's gas price stays put),
#    replace_after 2 s, one work: the first transaction's gas price is the
#    node's eth_gasPrice; the replacement is type 0 and its gas price at
#    least 10 % above the first's (a node refuses less); mined (evm_mine),
#    the mint "confirmed" with the replacement's hash.
# 3. a node from before London, through the proxy (rpc_faultproxy
#    --strip-block-field baseFeePerGas --no-method eth_maxPriorityFeePerGas
#    --no-method eth_feeHistory --refuse-typed-tx): blocks without a base
#    fee, no fee methods, typed transactions refused. tx_type left at its
#    default (eip1559): haechid sends legacy ones (the proxy refused none
#    of them, and does refuse a type-2 one from cast), all confirmed,
#    type 0.
# 4. a node with a base fee that serves neither fee method (the two
#    --no-method only): haechid says so once (fees_legacy, warn) and sends
#    legacy transactions; all confirmed, type 0.
# All: the ledger verifies, no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
source "$here/lib/faultproxy.bash"
: "${CAST:?path of cast}"

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID"; hd_cleanup; anvil_stop' EXIT
hd_chain
key=${key:?set by hd_chain}
ids=() files=() owners=()

txf() { "$CAST" tx --rpc-url "$ANVIL_RPC" "$1" "$2"; }
# a member of the node's JSON for transaction HASH, as it gives it (cast's
# FIELD reads neither type nor chainId, and gives v as 27 or 28): txj HASH NAME
txj() {
    "$CAST" tx --json --rpc-url "$ANVIL_RPC" "$1" | grep -o "\"$2\":\"[^\"]*\"" | cut -d'"' -f4
}
rcf() { "$CAST" receipt --rpc-url "$ANVIL_RPC" "$1" "$2"; }
hashes() { # a mint's tx_hashes, oldest first
    req GET "/v1/mints/$1" -H "Authorization: Bearer $key"
    grep -o '"tx_hashes":\[[^]]*\]' "$T/body" | grep -o '0x[0-9a-f]\{64\}' || true
}
# transaction HASH is type 0, for chain 31337: legacy_tx NAME HASH
legacy_tx() {
    eq "$1: type" "$(txj "$2" type)" 0x0
    eq "$1: chain id" "$(txj "$2" chainId)" 0x7a69
}
# every mined transaction of mints ids[FROM..] is legacy: legacy_ok FROM
legacy_ok() {
    local i
    for ((i = $1; i < ${#ids[@]}; i++)); do
        legacy_tx "work $i" "$(hashes "${ids[i]}" | tail -n 1)"
    done
}

# --- 1. tx_type = legacy
hd_start_chain HAECHI_TX_TYPE=legacy HAECHI_BATCH_SIZE=1
for i in 0 1 2 3 4 5; do hd_post_work "$i" "${CREATORS[i % 4]}"; done
hd_confirm_all 30
for i in 0 1 2 3 4 5; do
    h=$(hashes "${ids[i]}" | tail -n 1)
    fee=$(sed -n 's/.*"fee_paid":"\([0-9]*\)".*/\1/p' "$T/body")
    legacy_tx "work $i" "$h"
    v=$(txj "$h" v)
    if [ "$v" = 0xf4f5 ] || [ "$v" = 0xf4f6 ]; then ok; else bad "work $i: v $v (EIP-155 for 31337: 0xf4f5 or 0xf4f6)"; fi
    gp=$(txf "$h" gasPrice)
    eq "work $i: effective gas price" "$(rcf "$h" effectiveGasPrice)" "$gp"
    eq "work $i: fee_paid" "$fee" "$(($(rcf "$h" gasUsed) * gp))"
done
hd_owners_ok
hd_stop

# --- 2. a legacy replacement
hd_automine_off
price=$("$CAST" gas-price --rpc-url "$ANVIL_RPC")
hd_start_chain HAECHI_TX_TYPE=legacy HAECHI_REPLACE_AFTER=2
hd_post_work 6 "${CREATORS[2]}"
hd_wait_log 20 '"event":"batch_sent"' || bad "not sent: $(tail -n 3 "$HD_LOG")"
# in the pool until it is replaced, 2 s after it was sent
first_price=$(txf "$(hd_log_field batch_sent tx_hash)" gasPrice) || bad "the first transaction is not in the pool"
eq "the first one's gas price: eth_gasPrice" "$first_price" "$price"
if hd_wait_log 20 '"event":"tx_replaced"'; then ok; else bad "not replaced: $(tail -n 3 "$HD_LOG")"; fi
mapfile -t hs < <(hashes "${ids[6]}")
if [ "${#hs[@]}" -ge 2 ]; then ok; else bad "replacement: tx_hashes ${hs[*]}"; fi
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
if hd_wait_state 30 "${ids[6]}" confirmed; then ok; else bad "replaced mint: $(hd_state "${ids[6]}")"; fi
mined=$(hashes "${ids[6]}" | tail -n 1)
eq "the replacement is the one mined" "$(rcf "$mined" transactionHash)" "$mined"
eq "replacement: type" "$(txj "$mined" type)" 0x0
new_price=$(txf "$mined" gasPrice)
echo "legacy replacement: gas price $first_price -> $new_price"
if [ -n "$first_price" ] && [ "$new_price" -ge $((first_price + first_price / 10)) ]; then ok; else
    bad "replacement gas price $new_price, first ${first_price:-?} (want +10 %)"
fi
hd_stop
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setAutomine true >/dev/null

# --- 3. a node from before London
fp_start --strip-block-field baseFeePerGas --no-method eth_maxPriorityFeePerGas \
    --no-method eth_feeHistory --refuse-typed-tx
# the proxy refuses a typed transaction (signed offline: cast mktx)
raw=$("$CAST" mktx --private-key "$(hd_key 5)" --nonce 0 --chain 31337 --gas-limit 21000 \
    --gas-price 2gwei --priority-gas-price 1gwei "${CREATORS[0]}" --value 1)
if out=$("$CAST" publish --rpc-url "$FP_URL" "$raw" 2>&1); then
    bad "the proxy let a type-2 transaction through: $out"
elif [[ $out == *"transaction type not supported"* ]]; then ok; else
    bad "type-2 transaction: $out"
fi
from=${#ids[@]}
hd_start_chain HAECHI_RPC="$FP_URL"
for i in 7 8 9 10; do hd_post_work "$i" "${CREATORS[i % 4]}"; done
hd_confirm_all 30
legacy_ok "$from"
hd_stop
fp_stop || bad "the proxy did not stop cleanly"
summary=$(tail -n 1 "$T/proxy.log")
echo "pre-London proxy: ${summary#rpc_faultproxy: }"
[[ $summary =~ \ typed_refused=1( |$) ]] && ok || bad "typed transactions sent (1 is the probe's): $summary"
[[ $summary =~ \ blocks_stripped=[1-9] ]] && ok || bad "no block stripped: $summary"
eq "fees_legacy lines (no base fee: legacy without a word)" "$(grep -c '"event":"fees_legacy"' "$HD_LOG" || true)" 0

# --- 4. a base fee, but neither fee method
fp_start --no-method eth_maxPriorityFeePerGas --no-method eth_feeHistory
from=${#ids[@]}
hd_start_chain HAECHI_RPC="$FP_URL"
for i in 11 12 13 14; do hd_post_work "$i" "${CREATORS[i % 4]}"; done
hd_confirm_all 30
legacy_ok "$from"
eq "fees_legacy lines" "$(grep -c '"level":"warn","event":"fees_legacy"' "$HD_LOG" || true)" 1
hd_stop
fp_stop || bad "the proxy did not stop cleanly"
summary=$(tail -n 1 "$T/proxy.log")
echo "no fee methods: ${summary#rpc_faultproxy: }"
[[ $summary =~ \ no_method=[1-9] ]] && ok || bad "no method refused: $summary"

hd_owners_ok
hd_verify
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$T"/haechid.*.log; then
    bad "sanitizer report: $(grep -h -m 3 -E 'Sanitizer|runtime error' "$T"/haechid.*.log)"
else
    ok
fi
hd_done
