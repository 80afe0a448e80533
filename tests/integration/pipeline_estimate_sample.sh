#!/usr/bin/env bash
# What a gas estimate carries: haechid estimates a batch's gas on its first
# 4 mints and builds the limit from that figure per mint (an estimate
# executes what it is given, as costly for the node as the transaction;
# providers also limit what one call may carry). haechid talks to anvil
# through the fault-injecting proxy, which refuses any eth_estimateGas
# request over 4 KiB (`--max-body`); a mintBatch of 100 mints is about 26
# KiB of hex, of 4 mints about 2 KiB. Before, the whole batch was
# estimated: every estimate of a batch of more than about 12 mints was
# refused, and nothing was sent. 100 works to 4 creators, batch_size 100.
# Checks: every mint "confirmed"; a batch of more than 12 mints was sent;
# the proxy refused no estimate; no estimate_failed line; none reverted;
# ownerOf (cast) each its creator; the ledger verifies; no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
source "$here/lib/faultproxy.bash"
: "${CAST:?path of cast}"
N=100

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
hd_chain
fp_start --max-body eth_estimateGas:4096

hd_start_chain HAECHI_RPC="$FP_URL" HAECHI_BATCH_SIZE=$N HAECHI_BATCH_WAIT_MS=5000
ids=() files=() owners=()
for ((i = 0; i < N; i++)); do hd_post_work "$i" "${CREATORS[i % 4]}"; done
hd_confirm_all 60
most=$(sed -n 's/.*"event":"batch_sent".*"mints":\([0-9]*\).*/\1/p' "$HD_LOG" | sort -n | tail -n 1)
if [ "${most:-0}" -gt 12 ]; then ok; else bad "no batch of more than 12 mints (largest: ${most:-none})"; fi
eq "estimate_failed lines" "$(grep -c '"event":"estimate_failed"' "$HD_LOG" || true)" 0
eq "transactions reverted" "$(hd_metric haechi_txs_reverted_total)" 0
hd_stop
if fp_stop; then ok; else bad "the proxy did not exit 0"; fi
eq "estimates refused by the proxy" "$(sed -n 's/.* too_large=\([0-9]*\).*/\1/p' "$T/proxy.log" | tail -n 1)" 0
hd_owners_ok
hd_verify
hd_done
