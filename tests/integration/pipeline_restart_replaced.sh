#!/usr/bin/env bash
# A replaced transaction across restarts: anvil mines nothing (the test
# mines at the end), haechid replaces its one batch every 2 s
# (`replace_after`), and is stopped after each replacement and started
# again. The ledger's stored transactions for a nonce come back in hash
# order; the one haechid raises the fees of (and re-broadcasts) must be the
# last it signed, whatever its hash: priced from an older one, the
# replacement is refused by the node ("underpriced"), and the nonce waits.
# (Priced from the one before the latest, it is that latest again, since
# signatures are deterministic.) So after every restart the first
# replacement is a transaction not sent before, and it is the one anvil
# holds in its pool for that nonce (txpool_content): the node took it;
# no broadcast failed; and at least one restart (up to 8: until two, and the run after them)
# is one where the latest transaction's hash is not the highest of the
# nonce's, the case that tells. At the end one block mines it: the mint is
# "confirmed", ownerOf (cast) is its creator, the ledger verifies; no
# sanitizer report.
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
start() {
    hd_start_chain HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=50 HAECHI_REPLACE_AFTER=2
}

start
f=$T/work
printf 'pipeline_restart_replaced %s\n' "$T" >"$f"
hd_post "$f" "$creator"
eq "work accepted" "$CODE" 202
id=$(jstr mint_id)
hd_wait_log 20 '"event":"batch_sent"' || bad "no batch sent: $(tail -n 3 "$HD_LOG")"
nonce=$(hd_log_field batch_sent nonce)
hashes=("$(hd_log_field batch_sent tx_hash)")

telling=0
for ((round = 1; round <= 9; round++)); do
    if ! hd_wait_log 20 '"event":"tx_replaced"'; then
        bad "run $round: no replacement: $(tail -n 3 "$HD_LOG")"
        break
    fi
    h=$(hd_log_field tx_replaced tx_hash) # the first of this run
    new=1
    for x in "${hashes[@]}"; do [ "$x" != "$h" ] || new=0; done
    eq "run $round: the replacement is a new transaction" "$new" 1
    deadline=$((SECONDS + 10))
    until [ "$(hd_pool_hash "$SIGNER" "$nonce")" = "$h" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
    eq "run $round: the replacement is in the pool" "$(hd_pool_hash "$SIGNER" "$nonce")" "$h"
    eq "run $round: broadcasts failed" "$(grep -c '"event":"broadcast_failed"' "$HD_LOG" || true)" 0
    [ "$telling" -lt 2 ] && [ "$round" -lt 9 ] || break
    hd_stop
    # does the next start tell? (the latest is not the highest hash)
    hashes+=("$h")
    highest=$(printf '%s\n' "${hashes[@]}" | sort | tail -n 1)
    [ "$highest" = "$h" ] || telling=$((telling + 1))
    start
done
if [ "$telling" -ge 1 ]; then ok; else bad "no restart with the latest hash below another (by chance: run it again)"; fi

# one block mines it
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
if hd_wait_state 30 "$id" confirmed; then ok; else bad "mint not confirmed: $(hd_state "$id")"; fi
hd_owner_is "ownerOf" "$f" "$creator"
hd_stop
hd_verify
hd_done
