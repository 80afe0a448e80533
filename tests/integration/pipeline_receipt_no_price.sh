#!/usr/bin/env bash
# Fees from a node whose receipts leave effectiveGasPrice out (nodes before
# London): haechid talks to anvil (automine) through the fault-injecting
# proxy, which removes that member from every receipt
# (`--strip-receipt-field`). haechid counted such a transaction as free: no
# fee in the metrics, in the mints' fee_paid, nor in the daily budget (seen
# before the fix). It now counts the gas used at the transaction's fee cap,
# which is at least what was paid. 9 works to 3 creators, 3 to a batch,
# with a daily budget of 1 ether (ample). Checks:
#   - every mint "confirmed"; the proxy stripped receipts;
#   - haechi_fees_paid_gwei_total is at least what the transactions really
#     cost (gasUsed × effectiveGasPrice of each, read with cast from anvil
#     itself) and at most their fee caps allow (gasUsed × maxFeePerGas);
#   - a mint's fee_paid is not zero;
#   - ownerOf each its creator (cast); the ledger verifies; no sanitizer
#     report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
source "$here/lib/faultproxy.bash"
: "${CAST:?path of cast}"
N=9
B=3

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
hd_chain
fp_start --strip-receipt-field effectiveGasPrice

hd_start_chain HAECHI_RPC="$FP_URL" HAECHI_BATCH_SIZE=$B \
    HAECHI_BATCH_WAIT_MS=200 HAECHI_DAILY_BUDGET=1ether
ids=() files=() owners=()
for ((i = 0; i < N; i++)); do hd_post_work "$i" "${CREATORS[i % 3]}"; done
hd_confirm_all 60

# what the transactions cost, and at most could, in wei (anvil, not the proxy)
real=0 most=0 sent=0
while read -r hash; do
    sent=$((sent + 1))
    used=$("$CAST" receipt --rpc-url "$ANVIL_RPC" "$hash" gasUsed)
    price=$("$CAST" receipt --rpc-url "$ANVIL_RPC" "$hash" effectiveGasPrice)
    cap=$(("$("$CAST" tx --json --rpc-url "$ANVIL_RPC" "$hash" |
        sed -n 's/.*"maxFeePerGas":"\(0x[0-9a-f]*\)".*/\1/p')"))
    real=$((real + used * price)) most=$((most + used * cap))
done < <(sed -n 's/.*"event":"batch_sent".*"tx_hash":"\(0x[0-9a-f]*\)".*/\1/p' "$HD_LOG")
if [ "$sent" -gt 0 ]; then ok; else bad "no batch_sent line"; fi
eq "transactions replaced" "$(hd_metric haechi_txs_replaced_total)" 0
fees=$(hd_metric haechi_fees_paid_gwei_total)
if awk -v f="$fees" -v r="$real" -v m="$most" 'BEGIN { exit !(f > 0 && f * 1e9 >= r * 0.999999 && f * 1e9 <= m * 1.000001) }'; then ok; else
    bad "haechi_fees_paid_gwei_total $fees gwei: not within $real..$most wei"
fi
# shellcheck disable=SC2154 # key: set by hd_chain
req GET "/v1/mints/${ids[0]}" -H "Authorization: Bearer $key"
paid=$(jstr fee_paid)
if [[ $paid =~ ^[1-9][0-9]*$ ]]; then ok; else bad "fee_paid of a mint: '$paid'"; fi

hd_stop
if fp_stop; then ok; else bad "the proxy did not exit 0"; fi
stripped=$(sed -n 's/.* stripped=\([0-9]*\).*/\1/p' "$T/proxy.log" | tail -n 1)
if [ "${stripped:-0}" -gt 0 ]; then ok; else bad "the proxy stripped no receipt: $(<"$T/proxy.log")"; fi
hd_owners_ok
hd_verify
hd_done
