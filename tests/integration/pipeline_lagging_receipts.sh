#!/usr/bin/env bash
# The pipeline behind nodes that disagree for a moment, with the default
# one confirmation: haechid talks to anvil (automine) through the
# fault-injecting proxy, which answers null for every receipt until 2.5 s
# after anvil first gave it (`--lag-receipts`), as a load balancer may
# send the receipt lookups to a node a block behind the one that answered
# the transaction count. Each batch is mined at once; a second later it is
# stale, the count shows its nonce used, and no receipt of ours is there
# yet: it looks taken. One reading must not release it (haechid did, and
# every mint was minted again and ended as a conflict with its own
# creator); it is looked at again for 5 s, and the receipts come.
# HC_LAG_MINTS (12) works, 3 to a batch. Checks:
#   - every mint is "confirmed"; no nonce_taken line; every mint sent in
#     one batch, one transaction per batch, none replaced; the proxy held
#     receipts back;
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
N=${HC_LAG_MINTS:-12}
B=3

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
hd_chain
fp_start --lag-receipts 2500

hd_start_chain HAECHI_RPC="$FP_URL" HAECHI_BATCH_SIZE=$B HAECHI_BATCH_WAIT_MS=200
ids=() files=() owners=()
for ((i = 0; i < N; i++)); do hd_post_work "$i" "${CREATORS[i % 4]}"; done

# nothing queued, nothing in flight, something sent
deadline=$((SECONDS + 120))
until hd_drained && [ "$(hd_metric haechi_txs_sent_total)" != 0 ]; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
done
hd_all_state "mints confirmed" confirmed "${ids[@]}"
eq "nonce_taken lines" "$(grep -c '"event":"nonce_taken"' "$HD_LOG" || true)" 0
# every mint went out once: the batches' mints add up to N, one
# transaction each
eq "mints sent" "$(sed -n 's/.*"event":"batch_sent".*"mints":\([0-9]*\).*/\1/p' "$HD_LOG" |
    awk '{ n += $1 } END { print n + 0 }')" "$N"
eq "transactions sent" "$(hd_metric haechi_txs_sent_total)" "$(grep -c '"event":"batch_sent"' "$HD_LOG")"
eq "transactions replaced" "$(hd_metric haechi_txs_replaced_total)" 0
hd_stop
if fp_stop; then ok; else bad "the proxy did not exit 0"; fi
lagged=$(sed -n 's/.* lagged=\([0-9]*\).*/\1/p' "$T/proxy.log" | tail -n 1)
if [ "${lagged:-0}" -gt 0 ]; then ok; else bad "the proxy held no receipt back: $(<"$T/proxy.log")"; fi

hd_owners_ok
eq "tokens on chain" "$(hd_balances "${CREATORS[@]}")" "$N"
hd_verify
hd_done
