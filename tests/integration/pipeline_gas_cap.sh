#!/usr/bin/env bash
# Batches on a chain whose blocks hold less gas than a full batch needs.
# anvil runs with a block gas limit of 5,500,000; haechid with a batch size
# of 100, whose mints to new owners need about 5.0 million gas (about 6.0
# million with the estimate's margin). A node refuses a transaction above
# the block's limit ("intrinsic gas too high"), and haechid kept
# broadcasting it: its nonce stuck and with it every mint after (seen
# before the fix). haechid now keeps a transaction's limit within half the
# latest block's (and EIP-7825's 2^24) and makes its batches smaller to
# fit: (2,750,000 × 8/9 − 30,000) / 52,000 gas a mint = 46 mints a batch,
# logged once as batch_size_limited. Checks: 120 mints to new owners all
# "confirmed", ownerOf (cast) each its creator; every transaction at most
# 46 mints and a gas limit of at most 2,750,000 (cast tx); none reverted;
# the ledger verifies; no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
N=120

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
hd_chain --gas-limit 5500000

hd_start_chain HAECHI_BATCH_SIZE=100 HAECHI_BATCH_WAIT_MS=5000
ids=() files=() owners=()
for ((i = 0; i < N; i++)); do
    hd_post_work "$i" "0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
done
hd_confirm_all 90
eq "batch_size_limited: mints" "$(hd_log_field batch_size_limited mints)" 46
eq "batch_size_limited: gas_cap" "$(hd_log_field batch_size_limited gas_cap)" 2750000
eq "transactions reverted" "$(hd_metric haechi_txs_reverted_total)" 0
most=0 sent=0
while read -r mints hash; do
    sent=$((sent + 1))
    [ "$mints" -le "$most" ] || most=$mints
    gas=$("$CAST" tx --rpc-url "$ANVIL_RPC" "$hash" gas 2>&1) || true
    if [[ $gas =~ ^[0-9]+$ ]] && [ "$gas" -le 2750000 ]; then ok; else
        bad "$hash: gas limit $gas, not at most 2750000"
    fi
done < <(sed -n 's/.*"event":"batch_sent".*"mints":\([0-9]*\),"tx_hash":"\(0x[0-9a-f]*\)".*/\1 \2/p' "$HD_LOG")
if [ "$most" -le 46 ]; then ok; else bad "a transaction of $most mints"; fi
if [ "$sent" -ge 3 ]; then ok; else bad "$sent transactions for $N mints of at most 46"; fi
hd_owners_ok
hd_stop
hd_verify
hd_done
