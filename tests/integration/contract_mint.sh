#!/usr/bin/env bash
# HaechiNFT minting, checked with the real cast against a private anvil:
# constructor and metadata, interface ids, single mint (events, tokenURI,
# custom errors), mintBatch (skipping duplicates, all-or-nothing validation,
# return value), base URI changes, and the gas of a 50-token batch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/contract.bash"
hc_setup

# --- event topics and constructor -------------------------------------------
check "Transfer topic" "$("$CAST" keccak 'Transfer(address,address,uint256)')" "$TOPIC_TRANSFER"
check "Minted topic" "$("$CAST" keccak 'Minted(uint256,address,bytes32)')" "$TOPIC_MINTED"
check "MintSkipped topic" "$("$CAST" keccak 'MintSkipped(uint256,address)')" "$TOPIC_SKIPPED"
check "BaseURIChanged topic" "$("$CAST" keccak 'BaseURIChanged(string)')" "$TOPIC_BASE_URI"
check "MINTER_ROLE" "$MINTER_ROLE" "$("$CAST" keccak MINTER_ROLE)"
check "PAUSER_ROLE" "$PAUSER_ROLE" "$("$CAST" keccak PAUSER_ROLE)"
check "name" "$(hc_call "$NFT" "name()(string)")" '"Haechi Seoul"'
check "symbol" "$(hc_call "$NFT" "symbol()(string)")" '"HAECHI"'
check "admin has DEFAULT_ADMIN_ROLE" "$(hc_call "$NFT" "hasRole(bytes32,address)(bool)" "$ADMIN_ROLE" "$ADMIN")" true
check "admin has PAUSER_ROLE" "$(hc_call "$NFT" "hasRole(bytes32,address)(bool)" "$PAUSER_ROLE" "$ADMIN")" true
check "admin lacks MINTER_ROLE" "$(hc_call "$NFT" "hasRole(bytes32,address)(bool)" "$MINTER_ROLE" "$ADMIN")" false
check "minter has MINTER_ROLE" "$(hc_call "$NFT" "hasRole(bytes32,address)(bool)" "$MINTER_ROLE" "$MINTER")" true
check "minter lacks admin" "$(hc_call "$NFT" "hasRole(bytes32,address)(bool)" "$ADMIN_ROLE" "$MINTER")" false
check "constructor emits BaseURIChanged" \
    "$(printf '%s\n' "$DEPLOY_LOGS" | grep -c " $TOPIC_BASE_URI ")" 1
check "constructor BaseURIChanged data" \
    "$("$CAST" abi-decode --input "f(string)" "$(printf '%s\n' "$DEPLOY_LOGS" | grep " $TOPIC_BASE_URI " | awk '{print $NF}')")" \
    "\"$BASE_URI\""
# A zero admin is refused; a zero minter just grants no MINTER_ROLE.
code=$(cat "$HC_ROOT/contracts/build/HaechiNFT.bin")
hc_reverts "$(hc_err 'ZeroAddress()')" "$ADMIN_KEY" --create \
    "$code$("$CAST" abi-encode "constructor(string,string,string,address,address)" n s u "$ZERO_ADDR" "$MINTER" | cut -c3-)"
hc_deploy "Second" TWO "ipfs://x/" "$U1" "$ZERO_ADDR"
NFT2=$DEPLOYED
check "minter 0: nobody has MINTER_ROLE (admin)" "$(hc_call "$NFT2" "hasRole(bytes32,address)(bool)" "$MINTER_ROLE" "$U1")" false
check "minter 0: admin of second instance" "$(hc_call "$NFT2" "hasRole(bytes32,address)(bool)" "$ADMIN_ROLE" "$U1")" true

# --- ERC-165 ------------------------------------------------------------------
for pair in 01ffc9a7:ERC165 80ac58cd:ERC721 5b5e139f:ERC721Metadata 2a55205a:ERC2981 7965db0b:AccessControl; do
    check "supportsInterface ${pair#*:} 0x${pair%:*}" "$(hc_call "$NFT" "supportsInterface(bytes4)(bool)" "0x${pair%:*}")" true
done
for pair in ffffffff:invalid 780e9d63:ERC721Enumerable d9b67a26:ERC1155 00000000:zero; do
    check "supportsInterface ${pair#*:} 0x${pair%:*} is false" "$(hc_call "$NFT" "supportsInterface(bytes4)(bool)" "0x${pair%:*}")" false
done

# --- single mint ----------------------------------------------------------------
# The token id is the SHA-256 of a real file, as sha256sum prints it.
printf 'A drawing of Gyeongbokgung by a citizen\n' >"$HC_TMP/work.txt"
sum=$(sha256sum "$HC_TMP/work.txt" | cut -c1-64)
id=0x$sum
meta=0x$(hc_sha "metadata of work.txt")
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U1" "$id" "$meta" 250
nft_l=$(hc_lower "$NFT")
check "mint: two logs" "$(printf '%s\n' "$LOGS" | wc -l)" 2
check "mint: Transfer(0, owner, id)" "$(printf '%s\n' "$LOGS" | sed -n 1p)" \
    "$nft_l $TOPIC_TRANSFER $ZERO_WORD $(hc_topic_addr "$U1") $id 0x"
# Minted(uint256 indexed tokenId, address creator, bytes32 metadataHash):
# the creator is in the data (the Transfer log before it indexes it already)
minted_data() { local a; a=$(hc_topic_addr "$1"); echo "0x${a#0x}${2#0x}"; }
check "mint: Minted(id; creator, metadataHash)" "$(printf '%s\n' "$LOGS" | sed -n 2p)" \
    "$nft_l $TOPIC_MINTED $id $(minted_data "$U1" "$meta")"
check "mint: ownerOf" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$id")" "$U1"
check "mint: balanceOf" "$(hc_call "$NFT" "balanceOf(address)(uint256)" "$U1")" 1
check "mint: exists" "$(hc_call "$NFT" "exists(uint256)(bool)" "$id")" true
check "mint: not retired" "$(hc_call "$NFT" "retired(uint256)(bool)" "$id")" false
check "mint: creatorOf" "$(hc_call "$NFT" "creatorOf(uint256)(address)" "$id")" "$U1"
check "tokenURI = base URI + sha256sum" "$(hc_call "$NFT" "tokenURI(uint256)(string)" "$id")" "\"$BASE_URI$sum\""
# An id with leading zero bytes keeps all 64 digits.
small=0x00000000000000000000000000000000000000000000000000000000000000ab
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U2" "$small" "$meta" 0
check "tokenURI keeps leading zeros" "$(hc_call "$NFT" "tokenURI(uint256)(string)" "$small")" \
    "\"${BASE_URI}00000000000000000000000000000000000000000000000000000000000000ab\""
max=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U2" "$max" "$meta" 10000
check "tokenURI is lowercase" "$(hc_call "$NFT" "tokenURI(uint256)(string)" "$max")" \
    "\"${BASE_URI}ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\""
check "balanceOf after two more" "$(hc_call "$NFT" "balanceOf(address)(uint256)" "$U2")" 2
absent=0x$(hc_sha "never minted")
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "tokenURI(uint256)(string)" "$absent"
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "ownerOf(uint256)(address)" "$absent"
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "creatorOf(uint256)(address)" "$absent"
check "exists(absent)" "$(hc_call "$NFT" "exists(uint256)(bool)" "$absent")" false
check "retired(absent)" "$(hc_call "$NFT" "retired(uint256)(bool)" "$absent")" false

# Errors of mint().
hc_reverts "$(hc_err 'AlreadyMinted(uint256)' "$id")" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U2" "$id" "$meta" 100
hc_reverts "$(hc_err 'ZeroAddress()')" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$ZERO_ADDR" "$absent" "$meta" 100
hc_reverts "$(hc_err 'RoyaltyTooHigh(uint256)' 10001)" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U2" "$absent" "$meta" 10001
hc_reverts "$(hc_err 'RoyaltyTooHigh(uint256)' 65535)" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U2" "$absent" "$meta" 65535
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U3" "$MINTER_ROLE")" \
    "$U3_KEY" "$NFT" "$MINT_SIG" "$U3" "$absent" "$meta" 100
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$ADMIN" "$MINTER_ROLE")" \
    "$ADMIN_KEY" "$NFT" "$MINT_SIG" "$U3" "$absent" "$meta" 100
check "nothing minted by the refused calls" "$(hc_call "$NFT" "exists(uint256)(bool)" "$absent")" false

# --- mintBatch --------------------------------------------------------------------
b1=0x$(hc_sha "batch one")
b2=0x$(hc_sha "batch two")
b3=0x$(hc_sha "batch three")
m1=0x$(hc_sha "meta one")
m2=0x$(hc_sha "meta two")
m3=0x$(hc_sha "meta three")
# b1, then the already minted $id (owned by U1), then b2, then b1 again (a duplicate
# inside the batch), then b3: 3 minted, 2 skipped.
to="[$U3,$U4,$U3,$U2,$U4]"
ids="[$b1,$id,$b2,$b1,$b3]"
metas="[$m1,$m2,$m2,$m3,$m3]"
bps="[100,200,0,300,10000]"
check "mintBatch returns the number minted (eth_call)" \
    "$(hc_call --from "$MINTER" "$NFT" "$BATCH_SIG(uint256)" "$to" "$ids" "$metas" "$bps")" 3
hc_send "$MINTER_KEY" "$NFT" "$BATCH_SIG" "$to" "$ids" "$metas" "$bps"
want="$nft_l $TOPIC_TRANSFER $ZERO_WORD $(hc_topic_addr "$U3") $b1 0x
$nft_l $TOPIC_MINTED $b1 $(minted_data "$U3" "$m1")
$nft_l $TOPIC_SKIPPED $id $(hc_topic_addr "$U1") 0x
$nft_l $TOPIC_TRANSFER $ZERO_WORD $(hc_topic_addr "$U3") $b2 0x
$nft_l $TOPIC_MINTED $b2 $(minted_data "$U3" "$m2")
$nft_l $TOPIC_SKIPPED $b1 $(hc_topic_addr "$U3") 0x
$nft_l $TOPIC_TRANSFER $ZERO_WORD $(hc_topic_addr "$U4") $b3 0x
$nft_l $TOPIC_MINTED $b3 $(minted_data "$U4" "$m3")"
check "mintBatch: logs in order (Transfer+Minted per mint, MintSkipped per duplicate)" "$LOGS" "$want"
check "mintBatch: existing token keeps its owner" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$id")" "$U1"
check "mintBatch: in-batch duplicate keeps the first owner" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$b1")" "$U3"
check "mintBatch: balance U3" "$(hc_call "$NFT" "balanceOf(address)(uint256)" "$U3")" 2
check "mintBatch: balance U4" "$(hc_call "$NFT" "balanceOf(address)(uint256)" "$U4")" 1
check "mintBatch: royalty of b1 from its first entry" \
    "$(hc_call "$NFT" "royaltyInfo(uint256,uint256)(address,uint256)" "$b1" 10000 | tr '\n' ' ')" "$U3 100 "
check "mintBatch: royalty of b3 (10000 bps = 100 %)" \
    "$(hc_call "$NFT" "royaltyInfo(uint256,uint256)(address,uint256)" "$b3" 777 | tr '\n' ' ')" "$U4 777 "
check "mintBatch: all duplicates -> returns 0" \
    "$(hc_call --from "$MINTER" "$NFT" "$BATCH_SIG(uint256)" "[$U1,$U2]" "[$b1,$b2]" "[$m1,$m1]" "[1,1]")" 0
check "mintBatch: empty batch returns 0" \
    "$(hc_call --from "$MINTER" "$NFT" "$BATCH_SIG(uint256)" "[]" "[]" "[]" "[]")" 0

# All-or-nothing validation: a bad entry anywhere reverts the whole batch.
c1=0x$(hc_sha "refused one")
c2=0x$(hc_sha "refused two")
hc_reverts "$(hc_err 'LengthMismatch()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$c1]" "[$m1,$m2]" "[1,2]"
hc_reverts "$(hc_err 'LengthMismatch()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$c1,$c2]" "[$m1]" "[1,2]"
hc_reverts "$(hc_err 'LengthMismatch()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$c1,$c2]" "[$m1,$m2]" "[1]"
hc_reverts "$(hc_err 'LengthMismatch()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1]" "[$c1,$c2]" "[$m1,$m2]" "[1,2]"
hc_reverts "$(hc_err 'ZeroAddress()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$ZERO_ADDR]" "[$c1,$c2]" "[$m1,$m2]" "[1,2]"
hc_reverts "$(hc_err 'RoyaltyTooHigh(uint256)' 10001)" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$c1,$c2]" "[$m1,$m2]" "[1,10001]"
# ...even when the bad entry is a duplicate that would have been skipped.
hc_reverts "$(hc_err 'ZeroAddress()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$ZERO_ADDR]" "[$c1,$id]" "[$m1,$m2]" "[1,2]"
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U1" "$MINTER_ROLE")" \
    "$U1_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$c1,$c2]" "[$m1,$m2]" "[1,2]"
check "refused batches minted nothing" "$(hc_call "$NFT" "exists(uint256)(bool)" "$c1")" false
# Hand-made calldata: a dirty address word (upper bits set) is refused like the ABI decoder would.
good=$("$CAST" calldata "$BATCH_SIG" "[$U1]" "[$c1]" "[$m1]" "[1]")
u1w=$(printf '%064s' "$(hc_lower "${U1#0x}")" | tr ' ' 0)
dirty=${good/$u1w/01${u1w:2}}
[ "$dirty" != "$good" ] || hc_fail "could not build dirty calldata"
if "$CAST" call --rpc-url "$ANVIL_RPC" --from "$MINTER" "$NFT" "$dirty" >/dev/null 2>"$HC_TMP/dirty.err"; then
    hc_fail "dirty address accepted"
fi
check "dirty address word: empty revert" "$(hc_revert_data "$HC_TMP/dirty.err")" 0x
bpsw=$(hc_word 1)
dirty=${good%"${bpsw#0x}"}$(hc_word 0x10001 | cut -c3-)
[ "$dirty" != "$good" ] || hc_fail "could not build dirty calldata"
if "$CAST" call --rpc-url "$ANVIL_RPC" --from "$MINTER" "$NFT" "$dirty" >/dev/null 2>"$HC_TMP/dirty.err"; then
    hc_fail "dirty uint16 accepted"
fi
check "uint16 word above 0xffff: empty revert" "$(hc_revert_data "$HC_TMP/dirty.err")" 0x
check "clean version of the same calldata succeeds" \
    "$("$CAST" call --rpc-url "$ANVIL_RPC" --from "$MINTER" "$NFT" "$good")" "$(hc_word 1)"

# --- base URI ----------------------------------------------------------------------
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$MINTER" "$ADMIN_ROLE")" \
    "$MINTER_KEY" "$NFT" "setBaseURI(string)" "https://evil.example/"
new_base="https://metaverse.seoul.go.kr/haechi/"
hc_send "$ADMIN_KEY" "$NFT" "setBaseURI(string)" "$new_base"
check "setBaseURI: one BaseURIChanged log" "$(printf '%s\n' "$LOGS" | awk '{print $2}')" "$TOPIC_BASE_URI"
check "setBaseURI: event data" "$("$CAST" abi-decode --input "f(string)" "$(printf '%s' "$LOGS" | awk '{print $NF}')")" "\"$new_base\""
check "baseURI()" "$(hc_call "$NFT" "baseURI()(string)")" "\"$new_base\""
check "tokenURI follows the new base" "$(hc_call "$NFT" "tokenURI(uint256)(string)" "$id")" "\"$new_base$sum\""
hc_send "$ADMIN_KEY" "$NFT" "setBaseURI(string)" ""
check "empty base URI: tokenURI is the bare hex id" "$(hc_call "$NFT" "tokenURI(uint256)(string)" "$id")" "\"$sum\""

# --- gas: 50 tokens to 50 distinct new owners, each with a royalty -------------------
# Deterministic inputs, so the figure is exact; a regression guard, not a benchmark
# (tools/bench/gas compares with OpenZeppelin).
tos=() cids=() mds=() bpss=()
for i in $(seq 1 50); do
    tos+=("0x$(hc_sha "gas owner $i" | cut -c1-40)")
    cids+=("0x$(hc_sha "gas content $i")")
    mds+=("0x$(hc_sha "gas metadata $i")")
    bpss+=($((i * 100)))
done
join() { local IFS=,; echo "[$*]"; }
hc_send "$MINTER_KEY" "$NFT" "$BATCH_SIG" "$(join "${tos[@]}")" "$(join "${cids[@]}")" "$(join "${mds[@]}")" "$(join "${bpss[@]}")"
check "50-token batch: 100 logs" "$(printf '%s\n' "$LOGS" | wc -l)" 100
check "50-token batch: last owner" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "${cids[49]}")" "${tos[49]}"
check "50-token batch: its balance" "$(hc_call "$NFT" "balanceOf(address)(uint256)" "${tos[49]}")" 1
check "50-token batch: its royalty (5000 bps)" \
    "$(hc_call "$NFT" "royaltyInfo(uint256,uint256)(address,uint256)" "${cids[49]}" 1000 | tr '\n' ' ')" "${tos[49]} 500 "
gas=$(hc_gas_used)
per=$((gas / 50))
echo "# mintBatch of 50 with royalties: $gas gas, $per per token"
guard=50400
if [ "$per" -gt "$guard" ]; then
    hc_fail "mintBatch of 50 costs $per gas per token, more than the $guard this contract reached"
fi
check "50-token batch: gas per token <= $guard" ok ok

hc_done
