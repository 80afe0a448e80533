#!/usr/bin/env bash
# The gas limit of a batch whose owners are new, after one whose owners
# were not: a mint to an address that holds no token yet writes its
# balance from zero (22,100 gas more than a repeat owner's). haechid
# estimates one batch and reuses its figure per mint for the next ones; a
# figure from a batch of one repeated owner made the limit of a batch of
# new owners too small: it ran out of gas and reverted (its mints were
# queued again, the fees were lost). On anvil (automine), 20 works to one
# creator in one batch, then 20 works to 20 new addresses. Checks: no
# transaction reverted (haechi_txs_reverted_total); every mint "confirmed",
# ownerOf (cast) each its creator; the ledger verifies; no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
B=20

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
hd_chain

hd_start_chain HAECHI_BATCH_SIZE=$B HAECHI_BATCH_WAIT_MS=5000
ids=() files=() owners=()
# shellcheck disable=SC2034 # read by hd_post
HD_META_EXTRA=',"royalty_bps":500'
# post I CREATOR
post() {
    local f=$T/work$1
    printf 'pipeline_gas_owners work %d %s\n' "$1" "$T" >"$f"
    hd_post "$f" "$2"
    eq "work $1 accepted" "$CODE" 202
    ids+=("$(jstr mint_id)") files+=("$f") owners+=("$2")
}
wait_confirmed() {
    if hd_wait_for 60 hd_all_in confirmed "${ids[@]}"; then ok; else bad "$1: not all confirmed: $(tail -n 3 "$HD_LOG")"; fi
}

# one batch, one owner (the first mint makes it an owner)
for ((i = 0; i < B; i++)); do post "$i" "${CREATORS[0]}"; done
wait_confirmed "one owner"
# one batch, every owner new
for ((i = B; i < 2 * B; i++)); do
    post "$i" "0x$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')"
done
wait_confirmed "new owners"
eq "transactions reverted" "$(hd_metric haechi_txs_reverted_total)" 0
eq "transactions sent" "$(hd_metric haechi_txs_sent_total)" 2
for i in "${!files[@]}"; do hd_owner_is "ownerOf work $i" "${files[i]}" "${owners[i]}"; done
hd_stop
hd_verify
hd_done
