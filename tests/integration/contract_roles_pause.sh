#!/usr/bin/env bash
# HaechiNFT access control and pausing, checked with the real cast against a
# private anvil: who may grant, mint, pause and unpause; what a pause stops
# (mint, mintBatch, transfers, burns) and what it leaves alone (approvals, reads).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/contract.bash"
hc_setup

has() { hc_call "$NFT" "hasRole(bytes32,address)(bool)" "$1" "$2"; }
nft_l=$(hc_lower "$NFT")
meta=0x$(hc_sha "metadata")
t1=0x$(hc_sha "token one")
t2=0x$(hc_sha "token two")
t3=0x$(hc_sha "token three")
t4=0x$(hc_sha "token four")
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U1" "$t1" "$meta" 500

# --- roles ------------------------------------------------------------------------
check "role admin of MINTER_ROLE is DEFAULT_ADMIN_ROLE" "$(hc_call "$NFT" "getRoleAdmin(bytes32)(bytes32)" "$MINTER_ROLE")" "$ADMIN_ROLE"
check "role admin of PAUSER_ROLE is DEFAULT_ADMIN_ROLE" "$(hc_call "$NFT" "getRoleAdmin(bytes32)(bytes32)" "$PAUSER_ROLE")" "$ADMIN_ROLE"
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$MINTER" "$ADMIN_ROLE")" \
    "$MINTER_KEY" "$NFT" "grantRole(bytes32,address)" "$MINTER_ROLE" "$U2"
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U1" "$ADMIN_ROLE")" \
    "$U1_KEY" "$NFT" "grantRole(bytes32,address)" "$ADMIN_ROLE" "$U1"
check "refused grant: U2 no minter" "$(has "$MINTER_ROLE" "$U2")" false

# A second minter (another haechid instance with its own signer).
hc_send "$ADMIN_KEY" "$NFT" "grantRole(bytes32,address)" "$MINTER_ROLE" "$U2"
check "grantRole: RoleGranted(role, account, sender)" "$LOGS" \
    "$nft_l $("$CAST" keccak 'RoleGranted(bytes32,address,address)') $MINTER_ROLE $(hc_topic_addr "$U2") $(hc_topic_addr "$ADMIN") 0x"
check "grantRole: U2 is a minter" "$(has "$MINTER_ROLE" "$U2")" true
hc_send "$U2_KEY" "$NFT" "$MINT_SIG" "$U3" "$t2" "$meta" 0
check "second minter mints" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$t2")" "$U3"
hc_send "$ADMIN_KEY" "$NFT" "revokeRole(bytes32,address)" "$MINTER_ROLE" "$U2"
check "revokeRole: U2 no longer a minter" "$(has "$MINTER_ROLE" "$U2")" false
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U2" "$MINTER_ROLE")" \
    "$U2_KEY" "$NFT" "$MINT_SIG" "$U3" "$t3" "$meta" 0
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U2" "$MINTER_ROLE")" \
    "$U2_KEY" "$NFT" "$BATCH_SIG" "[$U3]" "[$t3]" "[$meta]" "[0]"
# renounceRole needs the caller's own address as confirmation.
hc_send "$ADMIN_KEY" "$NFT" "grantRole(bytes32,address)" "$MINTER_ROLE" "$U4"
hc_reverts "$(hc_err 'AccessControlBadConfirmation()')" "$U4_KEY" "$NFT" "renounceRole(bytes32,address)" "$MINTER_ROLE" "$U3"
hc_send "$U4_KEY" "$NFT" "renounceRole(bytes32,address)" "$MINTER_ROLE" "$U4"
check "renounceRole: U4 no longer a minter" "$(has "$MINTER_ROLE" "$U4")" false

# --- pause: only PAUSER_ROLE ------------------------------------------------------------
check "not paused at start" "$(hc_call "$NFT" "paused()(bool)")" false
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$MINTER" "$PAUSER_ROLE")" "$MINTER_KEY" "$NFT" "pause()"
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U1" "$PAUSER_ROLE")" "$U1_KEY" "$NFT" "pause()"
hc_reverts "$(hc_err 'ExpectedPause()')" "$ADMIN_KEY" "$NFT" "unpause()"
# A dedicated pauser (e.g. an operator's key) that is not the admin.
hc_send "$ADMIN_KEY" "$NFT" "grantRole(bytes32,address)" "$PAUSER_ROLE" "$U4"
hc_send "$U4_KEY" "$NFT" "pause()"
check "pause: Paused(account) event" "$LOGS" \
    "$nft_l $("$CAST" keccak 'Paused(address)') $(hc_topic_addr "$U4")"
check "paused()" "$(hc_call "$NFT" "paused()(bool)")" true
hc_reverts "$(hc_err 'EnforcedPause()')" "$ADMIN_KEY" "$NFT" "pause()"

# --- what a pause stops ------------------------------------------------------------------
hc_reverts "$(hc_err 'EnforcedPause()')" "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U1" "$t3" "$meta" 100
hc_reverts "$(hc_err 'EnforcedPause()')" "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U1,$U2]" "[$t3,$t4]" "[$meta,$meta]" "[1,2]"
hc_reverts "$(hc_err 'EnforcedPause()')" "$U1_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U1" "$U2" "$t1"
hc_reverts "$(hc_err 'EnforcedPause()')" "$U1_KEY" "$NFT" "safeTransferFrom(address,address,uint256)" "$U1" "$U2" "$t1"
hc_reverts "$(hc_err 'EnforcedPause()')" "$U1_KEY" "$NFT" "safeTransferFrom(address,address,uint256,bytes)" "$U1" "$U2" "$t1" 0x
hc_reverts "$(hc_err 'EnforcedPause()')" "$U1_KEY" "$NFT" "burn(uint256)" "$t1"
# Access control still decides first for someone without the role.
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U3" "$MINTER_ROLE")" \
    "$U3_KEY" "$NFT" "$MINT_SIG" "$U1" "$t3" "$meta" 100
# ... and what it leaves alone.
hc_send "$U1_KEY" "$NFT" "approve(address,uint256)" "$U2" "$t1"
check "paused: approve works" "$(hc_call "$NFT" "getApproved(uint256)(address)" "$t1")" "$U2"
hc_send "$U1_KEY" "$NFT" "setApprovalForAll(address,bool)" "$U3" true
check "paused: setApprovalForAll works" "$(hc_call "$NFT" "isApprovedForAll(address,address)(bool)" "$U1" "$U3")" true
hc_send "$ADMIN_KEY" "$NFT" "setBaseURI(string)" "https://paused.example/"
check "paused: admin can still set the base URI" "$(hc_call "$NFT" "baseURI()(string)")" '"https://paused.example/"'
check "paused: reads work (royaltyInfo)" \
    "$(hc_call "$NFT" "royaltyInfo(uint256,uint256)(address,uint256)" "$t1" 100 | tr '\n' ' ')" "$U1 5 "
check "paused: nothing was minted" "$(hc_call "$NFT" "exists(uint256)(bool)" "$t3")" false
check "paused: owner unchanged" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$t1")" "$U1"

# --- unpause ------------------------------------------------------------------------------
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$U1" "$PAUSER_ROLE")" "$U1_KEY" "$NFT" "unpause()"
hc_send "$ADMIN_KEY" "$NFT" "unpause()"
check "unpause: Unpaused(account) event" "$LOGS" \
    "$nft_l $("$CAST" keccak 'Unpaused(address)') $(hc_topic_addr "$ADMIN")"
check "unpaused" "$(hc_call "$NFT" "paused()(bool)")" false
hc_send "$MINTER_KEY" "$NFT" "$MINT_SIG" "$U1" "$t3" "$meta" 100
check "after unpause: mint" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$t3")" "$U1"
hc_send "$MINTER_KEY" "$NFT" "$BATCH_SIG" "[$U2]" "[$t4]" "[$meta]" "[7]"
check "after unpause: mintBatch" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$t4")" "$U2"
hc_send "$U2_KEY" "$NFT" "transferFrom(address,address,uint256)" "$U1" "$U2" "$t1"
check "after unpause: transfer by the approved account" "$(hc_call "$NFT" "ownerOf(uint256)(address)" "$t1")" "$U2"
hc_send "$U2_KEY" "$NFT" "burn(uint256)" "$t1"
check "after unpause: burn" "$(hc_call "$NFT" "retired(uint256)(bool)" "$t1")" true

# --- the admin role itself ------------------------------------------------------------------
# A new admin can take over; the old one renounces and loses every admin power.
hc_send "$ADMIN_KEY" "$NFT" "grantRole(bytes32,address)" "$ADMIN_ROLE" "$U3"
hc_send "$ADMIN_KEY" "$NFT" "renounceRole(bytes32,address)" "$ADMIN_ROLE" "$ADMIN"
check "old admin renounced" "$(has "$ADMIN_ROLE" "$ADMIN")" false
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$ADMIN" "$ADMIN_ROLE")" \
    "$ADMIN_KEY" "$NFT" "setBaseURI(string)" "https://old.example/"
hc_send "$U3_KEY" "$NFT" "setBaseURI(string)" "https://new-admin.example/"
check "new admin sets the base URI" "$(hc_call "$NFT" "baseURI()(string)")" '"https://new-admin.example/"'
# The old admin keeps PAUSER_ROLE until the new admin revokes it.
check "old admin still a pauser" "$(has "$PAUSER_ROLE" "$ADMIN")" true
hc_send "$U3_KEY" "$NFT" "revokeRole(bytes32,address)" "$PAUSER_ROLE" "$ADMIN"
hc_reverts "$(hc_err 'AccessControlUnauthorizedAccount(address,bytes32)' "$ADMIN" "$PAUSER_ROLE")" "$ADMIN_KEY" "$NFT" "pause()"

hc_done
