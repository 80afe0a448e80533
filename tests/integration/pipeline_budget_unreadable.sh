#!/usr/bin/env bash
# The daily budget when the day's spending cannot be read from the ledger:
# the record holding today's fees for the signer is damaged (5 bytes instead
# of a 32-byte number; written through the library with
# `mkledger kvput`, so the journal agrees). haechid took an unreadable
# record for "nothing spent today" and minted on (seen before the fix); it
# now counts the whole budget as spent, so the queue holds for `budget`
# until the next UTC day, and logs spent_unreadable once. Then haechid is
# restarted without a budget (what an operator can do for the rest of the
# day): the mints are confirmed, and the record is written anew, readable.
# Checks: the hold (log line, gauge), one spent_unreadable line, nothing
# sent and the mints queued while it lasts; without the budget every mint
# "confirmed", ownerOf (cast) each its creator; with the budget again, no
# spent_unreadable line (the record reads); the ledger verifies; no
# sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
MKLEDGER=$HC_BUILD_DIR/tests/mkledger
N=3

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
hd_chain
# not across midnight (UTC): the record is today's, and the hold must come
# the same day
while (($(date -u +%s) % 86400 > 86400 - 300)); do sleep 5; done
day=$(($(date -u +%s) / 86400))
spent_key=$(printf '7370656e74%s%012x' "${SIGNER#0x}" "$day")
"$MKLEDGER" kvput "$HD_LEDGER" "$spent_key" 0102030405

# run BUDGET
run() {
    hd_start_chain HAECHI_BATCH_SIZE=$N HAECHI_BATCH_WAIT_MS=200 HAECHI_DAILY_BUDGET="$1"
}
run 1ether
ids=() files=() owners=()
for ((i = 0; i < N; i++)); do hd_post_work "$i" "${CREATORS[i]}"; done
if hd_wait_log 20 '"event":"queue_held".*"reason":"budget"'; then ok; else
    bad "no budget hold: $(tail -n 3 "$HD_LOG")"
fi
sleep 2 # rounds go on under the hold
eq "budget hold gauge" "$(hd_metric haechi_pipeline_hold 'reason="budget"')" 1
eq "spent_unreadable lines" "$(grep -c '"event":"spent_unreadable"' "$HD_LOG" || true)" 1
eq "transactions sent" "$(hd_metric haechi_txs_sent_total)" 0
hd_all_state "mints queued under the hold" queued "${ids[@]}"
if hd_stop; then ok; else bad "haechid did not stop cleanly"; fi

# without a budget
run 0
hd_confirm_all 60
hd_owners_ok
if hd_stop; then ok; else bad "haechid did not stop cleanly"; fi
# with it again: the record reads (the day's fees), nothing is held
run 1ether
hd_post_work "$N" "${CREATORS[0]}"
if hd_wait_state 30 "${ids[N]}" confirmed; then ok; else
    bad "not confirmed with the budget again: $(tail -n 3 "$HD_LOG")"
fi
eq "spent_unreadable lines, budget again" "$(grep -c '"event":"spent_unreadable"' "$HD_LOG" || true)" 0
eq "budget hold gauge, budget again" "$(hd_metric haechi_pipeline_hold 'reason="budget"')" 0
hd_stop
hd_verify
hd_done
