#!/usr/bin/env bash
# The whole path: mints accepted over HTTP become tokens on a real chain.
# anvil + the contract (haechi deploy) + haechid with a signer; N mints are
# posted with curl, then every one must end "confirmed", ownerOf(sha256) on
# chain (cast) must be its creator, the token count must equal the number of
# requests, a restart resumes, and a file minted on chain by someone else
# first ends "conflict" with that owner. The ledger verifies at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
N=${HC_E2E_MINTS:-1000}

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
anvil_start "$T/anvil"
mnemonic="test test test test test test test test test test test junk"
export DEPLOYER_KEY HAECHI_SIGNER_KEY
DEPLOYER_KEY=$("$CAST" wallet private-key "$mnemonic" 0)
HAECHI_SIGNER_KEY=$("$CAST" wallet private-key "$mnemonic" 7)
signer=$("$HAECHI" keys address --key-env HAECHI_SIGNER_KEY)
HAECHI_SIGNER_KEY=$("$CAST" wallet private-key "$mnemonic" 7) # keys unset it
contract=$("$HAECHI" deploy --rpc "$ANVIL_RPC" --key-env DEPLOYER_KEY)
DEPLOYER_KEY=$("$CAST" wallet private-key "$mnemonic" 0)
# the service's signer gets the minter role too (two minters, one contract)
role=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "MINTER_ROLE()(bytes32)")
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$DEPLOYER_KEY" "$contract" \
    "grantRole(bytes32,address)" "$role" "$signer" >/dev/null
key=$(hd_client dept minter,auditor)

chain_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract"
           HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=25 HAECHI_RATE_PER_MINUTE=0)
hd_start "${chain_env[@]}" HAECHI_SIGNER_KEY="$HAECHI_SIGNER_KEY"
# haechid wiped the signer key from its environment once read:
# /proc/PID/environ (the process's own copy of its initial environment,
# which unsetenv alone leaves as it was) no longer holds it
if grep -qaiF -- "${HAECHI_SIGNER_KEY#0x}" "/proc/$HD_PID/environ"; then
    bad "the signer key is still in /proc/$HD_PID/environ"
else
    ok
fi

creators=()
for i in $(seq 1 4); do
    creators+=("$("$CAST" wallet address --private-key \
        "$("$CAST" wallet private-key "$mnemonic" $((10 + i)))")")
done
mkdir -p "$T/files"
ids=()
for i in $(seq 1 "$N"); do
    f="$T/files/work$i"
    printf 'work %d of a citizen, %s\n' "$i" "$T" >"$f"
    cr=${creators[$((i % 4))]}
    req POST /v1/mints -H "Authorization: Bearer $key" \
        -F "metadata={\"creator\":\"$cr\",\"name\":{\"en\":\"work $i\"}};type=application/json" \
        -F "content=@$f"
    eq "mint $i accepted" "$CODE" 202
    ids+=("$(jstr mint_id)")
    # restart once in the middle: queued and submitted mints carry on
    if [ "$i" = $((N / 2)) ]; then
        hd_stop
        HAECHI_SIGNER_KEY=$("$CAST" wallet private-key "$mnemonic" 7)
        hd_start "${chain_env[@]}" HAECHI_SIGNER_KEY="$HAECHI_SIGNER_KEY"
    fi
done

# a work minted directly on chain first, by another minter: conflict
printf 'minted elsewhere first\n' >"$T/files/elsewhere"
other=${creators[0]}
HAECHI_RPC=$ANVIL_RPC HAECHI_CONTRACT=$contract "$HAECHI" mint \
    --key-env DEPLOYER_KEY --to "$other" "$T/files/elsewhere" >/dev/null
DEPLOYER_KEY=$("$CAST" wallet private-key "$mnemonic" 0)
req POST /v1/mints -H "Authorization: Bearer $key" \
    -F "metadata={\"creator\":\"${creators[1]}\",\"name\":{\"en\":\"late\"}};type=application/json" \
    -F "content=@$T/files/elsewhere"
eq "late mint accepted" "$CODE" 202
late=$(jstr mint_id)

# wait for every mint to settle
deadline=$((SECONDS + 300))
pending=1
while [ "$pending" = 1 ] && [ $SECONDS -lt $deadline ]; do
    pending=0
    for id in "${ids[@]}" "$late"; do
        req GET "/v1/mints/$id" -H "Authorization: Bearer $key"
        case "$(jstr state)" in
        confirmed | conflict | failed) ;;
        *) pending=1; break ;;
        esac
    done
    [ "$pending" = 1 ] && sleep 0.5
done
eq "all settled in time" "$pending" 0

confirmed=0
for i in $(seq 1 "$N"); do
    req GET "/v1/mints/${ids[$((i - 1))]}" -H "Authorization: Bearer $key"
    eq "mint $i confirmed" "$(jstr state)" confirmed
    [ "$(jstr state)" = confirmed ] && confirmed=$((confirmed + 1))
    tid=0x$(sha "$T/files/work$i")
    owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "$tid")
    eq "owner of work $i on chain" "$owner" "${creators[$((i % 4))]}"
done
# confirmations: at least 1, at most what the chain's head says now
req GET "/v1/mints/${ids[0]}" -H "Authorization: Bearer $key"
blk=$(jnum block) conf=$(jnum confirmations)
head=$("$CAST" block-number --rpc-url "$ANVIL_RPC")
if [ -n "$conf" ] && [ -n "$blk" ] && [ "$conf" -ge 1 ] && [ "$conf" -le $((head - blk + 1)) ]; then
    ok
else
    bad "confirmations of mint 1: got '${conf:-null}', want 1 to $((head - ${blk:-0} + 1)) (block ${blk:-null}, head $head)"
fi
req GET "/v1/mints/$late" -H "Authorization: Bearer $key"
eq "minted elsewhere: conflict" "$(jstr state)" conflict
eq "conflict names the chain owner" "$(jstr owner)" "$other"

total=0
for c in "${creators[@]}"; do
    b=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "balanceOf(address)(uint256)" "$c")
    total=$((total + ${b%% *}))
done
eq "tokens on chain = requests + the one minted elsewhere" "$total" $((N + 1))
eq "confirmed count" "$confirmed" "$N"

# ready, with a funded signer
req GET /readyz
eq "readyz" "$CODE" 200
eq "readyz: signer" "$(jstr signer)" funded

# the provenance route reflects the chain
req GET "/v1/provenance/$(sha "$T/files/work1")"
eq "provenance" "$CODE" 200
eq "provenance owner" "$(jstr owner)" "${creators[1]}"

# the token changes hands on chain (its creator sells it): the pipeline's
# Transfer follower updates the owner in the ledger
buyer=${creators[3]}
seller_key=$("$CAST" wallet private-key "$mnemonic" 12) # creators[1]
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$("$CAST" wallet private-key "$mnemonic" 0)" \
    "${creators[1]}" --value 1ether >/dev/null # gas money
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$seller_key" "$contract" \
    "transferFrom(address,address,uint256)" "${creators[1]}" "$buyer" \
    "0x$(sha "$T/files/work1")" >/dev/null
# one more block on top (confirmations) and a round of the follower
"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
deadline=$((SECONDS + 30))
while :; do
    req GET "/v1/provenance/$(sha "$T/files/work1")"
    [ "$(jstr owner)" = "$buyer" ] && break
    [ $SECONDS -ge $deadline ] && break
    sleep 0.3
done
eq "provenance owner after a transfer on chain" "$(jstr owner)" "$buyer"
hd_stop

# configured for another chain: the API stays up, the pipeline refuses to
# sign (chain_id_mismatch) and readyz says why
HAECHI_SIGNER_KEY=$("$CAST" wallet private-key "$mnemonic" 7)
hd_start HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract" HAECHI_CHAIN_ID=1 \
    HAECHI_SIGNER_KEY="$HAECHI_SIGNER_KEY"
deadline=$((SECONDS + 10))
until grep -q '"event":"chain_id_mismatch"' "$HD_LOG" || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
if grep -q '"event":"chain_id_mismatch".*"configured":1,"node":31337' "$HD_LOG"; then ok; else bad "no chain_id_mismatch: $(tail -n 3 "$HD_LOG")"; fi
hd_healthy "a chain id mismatch"
req GET /readyz
eq "readyz, wrong chain" "$CODE" 503
eq "readyz: chain" "$(jstr chain)" "wrong chain id"
hd_stop
hd_verify
hd_done
