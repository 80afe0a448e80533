#!/usr/bin/env bash
# HaechiNFT royalties, transfers and burns, checked with the real cast against a
# private anvil: the royalty receiver stays the creator however often the token
# changes hands (the creator is written to storage only on the first transfer);
# only the owner burns; a burned id is retired for good.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/contract.bash"
hc_setup

royalty() { hc_call "$NFT" "royaltyInfo(uint256,uint256)(address,uint256)" "$1" "$2" | sed 's/ \[.*//' | tr '\n' ' '; }
id=0x$(hc_sha "a song about Cheonggyecheon")
meta=0x$(hc_sha "its metadata")
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U1" "$id" "$meta" 750

# --- before any transfer: the creator is the owner -----------------------------------
check "royalty before transfer, price 1 ether" "$(royalty "$id" 1000000000000000000)" "$U1 75000000000000000 "
check "royalty rounds down (12345 * 750 / 10000)" "$(royalty "$id" 12345)" "$U1 925 "
check "royalty of price 13 is 0" "$(royalty "$id" 13)" "$U1 0 "
check "royalty of price 0" "$(royalty "$id" 0)" "$U1 0 "
# 2^256-1 * 750 overflows 256 bits; the contract divides at full precision.
check "royalty of price 2^256-1 does not overflow" \
    "$(royalty "$id" 115792089237316195423570985008687907853269984665640564039457584007913129639935)" \
    "$U1 8684406692798714656767823875651593088995248849923042302959318800593484722995 "
check "creatorOf before transfer" "$(hc_call "$NFT" "creatorOf(uint256)(address)" "$id")" "$U1"
# Storage: one word holds owner | bps << 160 | minted flag (bit 176); no creator slot yet.
u1=$(hc_lower "${U1#0x}")
check "ownership word at mint: flag, 750 bps (0x02ee), owner" "$(hc_ownership_word "$id")" "0x0000000000000000000102ee$u1"
check "no creator slot written at mint" "$(hc_moved_creator_word "$id")" "$ZERO_WORD"

# --- first transfer: creator -> U2 (transferFrom by the owner) -----------------------
hc_send "$U1_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U1" "$U2" "$id"
check "transfer 1: one Transfer log" "$LOGS" \
    "$(hc_lower "$NFT") $TOPIC_TRANSFER $(hc_topic_addr "$U1") $(hc_topic_addr "$U2") $id 0x"
# ownership word, the two balances, and the creator's own slot
u2=$(hc_lower "${U2#0x}")
check "transfer 1: creator written to its own slot" "$(hc_moved_creator_word "$id")" "$(hc_topic_addr "$U1")"
check "transfer 1: ownership word gains the creator-moved flag (bit 177)" "$(hc_ownership_word "$id")" "0x0000000000000000000302ee$u2"
check "transfer 1: ownerOf" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$id")" "$U2"
check "transfer 1: royalty receiver is still the creator" "$(royalty "$id" 1000000)" "$U1 75000 "
check "transfer 1: creatorOf" "$(hc_call "$NFT" "creatorOf(uint256)(address)" "$id")" "$U1"
check "transfer 1: balances" \
    "$(hc_call "$NFT" "balanceOf(address)(uint256)" "$U1") $(hc_call "$NFT" "balanceOf(address)(uint256)" "$U2")" "0 1"

# --- second transfer: U2 -> U3 with safeTransferFrom ----------------------------------
hc_send "$U2_KEY" "$NFT" "safeTransferFrom(address,address,uint256)" "$U2" "$U3" "$id"
check "transfer 2: creator slot unchanged" "$(hc_moved_creator_word "$id")" "$(hc_topic_addr "$U1")"
check "transfer 2: ownership word" "$(hc_ownership_word "$id")" "0x0000000000000000000302ee$(hc_lower "${U3#0x}")"
check "transfer 2: ownerOf" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$id")" "$U3"
check "transfer 2: royalty receiver is still the creator" "$(royalty "$id" 1000000)" "$U1 75000 "
check "transfer 2: creatorOf" "$(hc_call "$NFT" "creatorOf(uint256)(address)" "$id")" "$U1"

# --- third transfer by an approved account, back to the creator, then away again -------
hc_send "$U3_KEY" "$NFT" "approve(address,uint256)" "$U4" "$id"
check "approve: getApproved" "$(hc_call "$NFT" "getApproved(uint256)(address)" "$id")" "$U4"
hc_send "$U4_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U3" "$U1" "$id"
check "transfer 3 (approved account): back with the creator" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$id")" "$U1"
check "transfer 3: approval cleared" "$(hc_call "$NFT" "getApproved(uint256)(address)" "$id")" "$ZERO_ADDR"
hc_send "$U1_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U1" "$U4" "$id"
check "transfer 4: royalty receiver is still the creator" "$(royalty "$id" 20000)" "$U1 1500 "
check "transfer 4: creatorOf" "$(hc_call "$NFT" "creatorOf(uint256)(address)" "$id")" "$U1"

# --- transfer errors ------------------------------------------------------------------------
hc_reverts "$(hc_err 'NotOwnerNorApproved()')" "$U1_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U4" "$U1" "$id"
hc_reverts "$(hc_err 'TransferFromIncorrectOwner()')" "$U4_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U1" "$U2" "$id"
hc_reverts "$(hc_err 'TransferToZeroAddress()')" "$U4_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U4" "$ZERO_ADDR" "$id"
# Solady makes the transfers and approve payable; the contract refuses ether like
# a non-payable function (empty revert data).
hc_reverts 0x "$U4_KEY" --value 1 "$NFT" "transferFrom(address,address,uint256)" "$U4" "$U2" "$id"
hc_reverts 0x "$U4_KEY" --value 1 "$NFT" "approve(address,uint256)" "$U2" "$id"
hc_reverts "$(hc_err 'TransferToNonERC721ReceiverImplementer()')" "$U4_KEY" \
    "$NFT" "safeTransferFrom(address,address,uint256)" "$U4" "$NFT" "$id"
check "after refused transfers: owner unchanged" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$id")" "$U4"

# --- a royalty of 0, and per-token royalties ----------------------------------------------
free=0x$(hc_sha "a free work")
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U2" "$free" "$meta" 0
check "royalty 0 bps: creator, amount 0" "$(royalty "$free" 1000000)" "$U2 0 "
hc_send "$U2_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U2" "$U3" "$free"
check "royalty 0 bps after transfer" "$(royalty "$free" 1000000)" "$U2 0 "
check "the other token's royalty is its own" "$(royalty "$id" 1000000)" "$U1 75000 "

# --- burn ---------------------------------------------------------------------------------
# Only the owner: not the creator, not an approved account, not an operator.
hc_reverts "$(hc_err 'NotTokenOwner(uint256,address)' "$id" "$U1")" "$U1_KEY" "$NFT" "burn(uint256)" "$id"
hc_send "$U4_KEY" "$NFT" "approve(address,uint256)" "$U2" "$id"
hc_reverts "$(hc_err 'NotTokenOwner(uint256,address)' "$id" "$U2")" "$U2_KEY" "$NFT" "burn(uint256)" "$id"
hc_send "$U4_KEY" "$NFT" "setApprovalForAll(address,bool)" "$U3" true
hc_reverts "$(hc_err 'NotTokenOwner(uint256,address)' "$id" "$U3")" "$U3_KEY" "$NFT" "burn(uint256)" "$id"
hc_reverts "$(hc_err 'NotTokenOwner(uint256,address)' "$id" "$ADMIN")" "$ADMIN_KEY" "$NFT" "burn(uint256)" "$id"
nope=0x$(hc_sha "no such work")
hc_reverts "$(hc_err 'NotTokenOwner(uint256,address)' "$nope" "$U4")" "$U4_KEY" "$NFT" "burn(uint256)" "$nope"
hc_send "$U4_KEY" "$NFT" "burn(uint256)" "$id"
check "burn: Transfer(owner, 0, id)" "$LOGS" \
    "$(hc_lower "$NFT") $TOPIC_TRANSFER $(hc_topic_addr "$U4") $ZERO_WORD $id 0x"
check "burn: not exists" "$(hc_call "$NFT" "exists(uint256)(bool)" "$id")" false
check "burn: retired" "$(hc_call "$NFT" "retired(uint256)(bool)" "$id")" true
check "burn: balance" "$(hc_call "$NFT" "balanceOf(address)(uint256)" "$U4")" 0
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "getApproved(uint256)(address)" "$id"
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "ownerOf(uint256)(address)" "$id"
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "creatorOf(uint256)(address)" "$id"
hc_call_reverts "$(hc_err 'TokenDoesNotExist()')" "$NFT" "tokenURI(uint256)(string)" "$id"
check "burned: royaltyInfo is (0, 0)" "$(royalty "$id" 1000000)" "$ZERO_ADDR 0 "
hc_reverts "$(hc_err 'NotTokenOwner(uint256,address)' "$id" "$U4")" "$U4_KEY" "$NFT" "burn(uint256)" "$id"
hc_reverts "$(hc_err 'TokenDoesNotExist()')" "$U4_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U4" "$U1" "$id"

# --- a burned id can never be minted again, by anyone ----------------------------------------
hc_reverts "$(hc_err 'TokenRetired(uint256)' "$id")" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U1" "$id" "$meta" 750
hc_reverts "$(hc_err 'TokenRetired(uint256)' "$id")" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U4" "$id" "$meta" 0
fresh=0x$(hc_sha "a fresh work")
check "batch with a retired id: returns 1 (eth_call)" \
    "$(hc_call --from "$MINTER" "$NFT" "$BATCH_SIG(uint256)" "[$U1,$U2]" "[$id,$fresh]" "[$meta,$meta]" "[750,10]")" 1
hc_send "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$id,$fresh]" "[$meta,$meta]" "[750,10]"
nft_l=$(hc_lower "$NFT")
check "batch with a retired id: MintSkipped(id, 0), then the fresh mint" "$LOGS" \
"$nft_l $TOPIC_SKIPPED $id $ZERO_WORD 0x
$nft_l $TOPIC_TRANSFER $ZERO_WORD $(hc_topic_addr "$U2") $fresh 0x
$nft_l $TOPIC_MINTED $fresh 0x$(a=$(hc_topic_addr "$U2"); echo "${a#0x}${meta#0x}")"
check "retired id still retired" "$(hc_call "$NFT" "retired(uint256)(bool)" "$id")" true
check "retired id still does not exist" "$(hc_call "$NFT" "exists(uint256)(bool)" "$id")" false

# A token burned by its creator before any transfer is retired as well.
early=0x$(hc_sha "withdrawn at once")
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U3" "$early" "$meta" 300
hc_send "$U3_KEY" "$NFT" "burn(uint256)" "$early"
check "burned before any transfer: retired" "$(hc_call "$NFT" "retired(uint256)(bool)" "$early")" true
hc_reverts "$(hc_err 'TokenRetired(uint256)' "$early")" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U3" "$early" "$meta" 300

hc_done
