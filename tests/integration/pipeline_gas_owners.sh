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
anvil_start "$T/anvil"
signer=$("$CAST" wallet address --private-key "$(hd_key 9)")
hd_deploy "$signer"
contract=$CONTRACT
key=$(hd_client dept minter,auditor)
hd_creators

hd_start HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract" HAECHI_CHAIN_ID=31337 \
    HAECHI_BATCH_SIZE=$B HAECHI_BATCH_WAIT_MS=5000 HAECHI_CONFIRMATIONS=1 \
    HAECHI_RATE_PER_MINUTE=0 HAECHI_SIGNER_KEY="$(hd_key 9)"
ids=() files=() owners=()
# post I CREATOR
post() {
    local f=$T/work$1
    printf 'pipeline_gas_owners work %d %s\n' "$1" "$T" >"$f"
    req POST /v1/mints -H "Authorization: Bearer $key" \
        -F "metadata={\"creator\":\"$2\",\"name\":{\"en\":\"w$1\"},\"royalty_bps\":500};type=application/json" \
        -F "content=@$f"
    eq "work $1 accepted" "$CODE" 202
    ids+=("$(jstr mint_id)") files+=("$f") owners+=("$2")
}
all_confirmed() {
    local id
    for id in "${ids[@]}"; do [ "$(hd_state "$id")" = confirmed ] || return 1; done
}
wait_confirmed() {
    local deadline=$((SECONDS + 60))
    until all_confirmed; do
        [ $SECONDS -lt $deadline ] || { bad "$1: not all confirmed: $(tail -n 3 "$HD_LOG")"; return 1; }
        sleep 0.2
    done
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
for i in "${!files[@]}"; do
    owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "0x$(sha "${files[i]}")")
    eq "ownerOf work $i" "${owner,,}" "${owners[i],,}"
done
hd_stop
hd_verify
hd_done
