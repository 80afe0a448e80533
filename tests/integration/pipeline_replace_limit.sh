#!/usr/bin/env bash
# A transaction replaced as often as haechid remembers hashes for a nonce
# (24 transactions: the first and 23 replacements): from then on it is only
# re-broadcast, and that must not be silent. On anvil, mining nothing (the
# test mines at the end), one batch with replace_after 1 s. Checks:
#   - 23 tx_replaced lines, then the queue holds with reason fee_cap (one
#     queue_held line, the gauge at 1, still 1 seconds later: nothing clears
#     it while the transaction is stuck), no 24th replacement;
#   - mined at last, the mint is "confirmed" (ownerOf, cast, is its
#     creator) and the hold ends (gauge 0, queue_resumed); the ledger
#     verifies; no sanitizer report.
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

hd_start_chain HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=50 HAECHI_REPLACE_AFTER=1
f=$T/work
printf 'pipeline_replace_limit %s\n' "$T" >"$f"
hd_post "$f" "$creator"
eq "work accepted" "$CODE" 202
id=$(jstr mint_id)

gauge() { hd_metric haechi_pipeline_hold 'reason="fee_cap"'; }
deadline=$((SECONDS + 90))
until [ "$(gauge)" = 1 ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
eq "fee_cap hold after the last replacement" "$(gauge)" 1
eq "replacements" "$(grep -c '"event":"tx_replaced"' "$HD_LOG" || true)" 23
sleep 3
eq "still held" "$(gauge)" 1
eq "replacements after the hold" "$(grep -c '"event":"tx_replaced"' "$HD_LOG" || true)" 23
eq "queue_held (fee_cap) lines" "$(grep -c '"event":"queue_held".*"reason":"fee_cap"' "$HD_LOG" || true)" 1
eq "the mint waits" "$(hd_state "$id")" submitted

"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
if hd_wait_state 30 "$id" confirmed; then ok; else bad "mint not confirmed: $(hd_state "$id")"; fi
deadline=$((SECONDS + 10))
until [ "$(gauge)" = 0 ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
eq "hold ended" "$(gauge)" 0
if grep -q '"event":"queue_resumed","reason":"fee_cap"' "$HD_LOG"; then ok; else bad "no queue_resumed (fee_cap)"; fi
hd_owner_is "ownerOf" "$f" "$creator"
hd_stop
hd_verify
hd_done
