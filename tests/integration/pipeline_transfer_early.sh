#!/usr/bin/env bash
# A token transferred before haechid has seen its mint: haechid talks to
# anvil (automine, one confirmation) through the fault-injecting proxy,
# which answers null for every receipt until 2.5 s after anvil first gave
# it (`--lag-receipts`). A work is minted; as soon as ownerOf (cast) shows
# the token on chain, its creator transfers it to another address, in the
# next block. The worker's Transfer follower (every second) must not move
# past a block that may hold a batch of ours not yet settled, known to be
# mined or not: it did, read the transfer while the token was not in the
# ledger, skipped it, and the ledger kept the creator as the owner for
# good. Checks: the mint is "confirmed"; GET /v1/tokens/{id} then shows the
# new owner, as ownerOf does; no nonce_taken line; the ledger verifies; no
# sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
source "$here/lib/faultproxy.bash"
: "${CAST:?path of cast}"

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
hd_chain
creator_key=$(hd_key 3) # funded: it pays for the transfer
creator=$("$CAST" wallet address --private-key "$creator_key")
buyer=$("$CAST" wallet address --private-key "$(hd_key 4)")
fp_start --lag-receipts 2500

hd_start_chain HAECHI_RPC="$FP_URL" HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=50
f=$T/work
printf 'pipeline_transfer_early %s\n' "$T" >"$f"
hd_post "$f" "$creator"
eq "work accepted" "$CODE" 202
id=$(jstr mint_id)
token=0x$(sha "$f")

owner_of() { "$CAST" call --rpc-url "$ANVIL_RPC" "$CONTRACT" "ownerOf(uint256)(address)" "$token" 2>/dev/null; }
deadline=$((SECONDS + 20))
until [ "$(owner_of | tr 'A-F' 'a-f')" = "${creator,,}" ]; do
    [ $SECONDS -lt $deadline ] || { bad "not minted on chain: $(tail -n 3 "$HD_LOG")"; break; }
    sleep 0.05
done
# the mint's receipt is still held back: haechid does not know it is mined
eq "state when the token moves" "$(hd_state "$id")" submitted
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$creator_key" "$CONTRACT" \
    "transferFrom(address,address,uint256)" "$creator" "$buyer" "$token" >/dev/null
eq "ownerOf after the transfer" "$(owner_of | tr 'A-F' 'a-f')" "${buyer,,}"

if hd_wait_state 30 "$id" confirmed; then ok; else bad "mint not confirmed: $(hd_state "$id")"; fi
owner=''
deadline=$((SECONDS + 15))
while [ $SECONDS -lt $deadline ]; do
    req GET "/v1/tokens/$token"
    owner=$(jstr owner | tr 'A-F' 'a-f')
    [ "$owner" != "${buyer,,}" ] || break
    sleep 0.5
done
eq "the ledger's owner" "$owner" "${buyer,,}"
eq "nonce_taken lines" "$(grep -c '"event":"nonce_taken"' "$HD_LOG" || true)" 0
hd_stop
if fp_stop; then ok; else bad "the proxy did not exit 0"; fi
hd_verify
hd_done
