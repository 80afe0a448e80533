# Shared by the contract_*.sh integration tests: deploy contracts/build/HaechiNFT.bin
# on a private anvil and check it with the real cast (cast send, call, receipt).
# Source it after lib/anvil.bash and after `set -euo pipefail`, then call hc_setup.
#
#   hc_setup                 starts anvil in a temp dir (removed at exit), derives
#                            the dev accounts, deploys; sets NFT, ADMIN, MINTER, U1..U4
#   hc_deploy ARGS...        deploys another instance with the given constructor
#                            args; sets DEPLOYED
#   hc_send KEY TO SIG ARGS  cast send; the receipt JSON is left in RECEIPT, the
#                            logs one per line ("address topic0 topic1 ... data") in LOGS
#   hc_reverts DATA KEY TO SIG ARGS
#                            the transaction must be refused with exactly this
#                            revert data (hex: selector and ABI-encoded arguments)
#   hc_call TO SIG ARGS      cast call (SIG with return types decodes the result)
#   hc_call_reverts DATA TO SIG ARGS
#   check NAME GOT WANT      compares case-insensitively; counts passes, exits on failure
#   hc_done                  prints "N passed, 0 failed"

: "${HC_ROOT:?}"
CAST=${CAST:-$HC_ROOT/node_modules/@foundry-rs/cast-linux-amd64/bin/cast}
HC_MNEMONIC="test test test test test test test test test test test junk"
HC_PASSED=0
HC_NAME=$(basename "$0" .sh)

hc_fail() {
    echo "FAIL ($HC_NAME): $*" >&2
    exit 1
}

check() {
    local name=$1 got=$2 want=$3
    if [ "${got,,}" != "${want,,}" ]; then
        hc_fail "$name: got '$got', want '$want'"
    fi
    HC_PASSED=$((HC_PASSED + 1))
    echo "ok $HC_PASSED - $name"
}

hc_done() {
    echo "$HC_NAME: $HC_PASSED passed, 0 failed"
}

hc_key() { "$CAST" wallet private-key "$HC_MNEMONIC" "$1"; }
hc_addr() { "$CAST" wallet address --private-key "$1"; }

# 64 lowercase hex digits (no 0x) of SHA-256 of a string.
hc_sha() { printf '%s' "$1" | sha256sum | cut -c1-64; }
# 32-byte word of a number, 0x-prefixed.
hc_word() { "$CAST" to-uint256 "$1"; }
hc_lower() { printf '%s' "$1" | tr 'A-F' 'a-f'; }
# An address as a 32-byte topic.
hc_topic_addr() { printf '0x%064s' "$(hc_lower "${1#0x}")" | tr ' ' 0; }

# Prints the logs of a receipt (JSON on stdin), one per line:
# "address topic0 topic1 ... data" (lowercase; data "0x" when empty).
hc_logs() {
    node -e '
        let s = "";
        process.stdin.on("data", d => s += d).on("end", () => {
            for (const l of JSON.parse(s).logs)
                console.log([l.address, ...l.topics, l.data].join(" ").toLowerCase());
        });'
}

RECEIPT=""
LOGS=""
hc_send() {
    local key=$1
    shift
    local err=$HC_TMP/send.err
    if ! RECEIPT=$("$CAST" send --json --rpc-url "$ANVIL_RPC" --private-key "$key" "$@" 2>"$err"); then
        hc_fail "cast send $* failed: $(cat "$err")"
    fi
    local status
    status=$(printf '%s' "$RECEIPT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).status))')
    [ "$status" = "0x1" ] || hc_fail "cast send $*: status $status"
    LOGS=$(printf '%s' "$RECEIPT" | hc_logs)
}

# Gas used by the last hc_send, in decimal.
hc_gas_used() {
    printf '%s' "$RECEIPT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(BigInt(JSON.parse(s).gasUsed).toString()))'
}

# Revert data printed by cast for a refused call or transaction ("" if none).
hc_revert_data() {
    sed -n 's/.*data: "\(0x[0-9a-fA-F]*\)".*/\1/p' "$1" | head -n 1 | tr 'A-F' 'a-f'
}

hc_reverts() {
    local want=$1 key=$2
    shift 2
    local err=$HC_TMP/revert.err
    if "$CAST" send --json --rpc-url "$ANVIL_RPC" --private-key "$key" "$@" >"$HC_TMP/revert.out" 2>"$err"; then
        hc_fail "expected a revert ($want) from: $*"
    fi
    check "reverts $(hc_error_name "$want"): $(printf '%s' "${*:2}" | cut -c1-100)" "$(hc_revert_data "$err")" "$want"
}

hc_call() {
    "$CAST" call --rpc-url "$ANVIL_RPC" "$@"
}

hc_call_reverts() {
    local want=$1
    shift
    local err=$HC_TMP/call.err
    if "$CAST" call --rpc-url "$ANVIL_RPC" "$@" >"$HC_TMP/call.out" 2>"$err"; then
        hc_fail "expected a revert ($want) from call: $*"
    fi
    check "call reverts $(hc_error_name "$want"): $(printf '%s' "${*:2}" | cut -c1-100)" "$(hc_revert_data "$err")" "$want"
}

# Revert data of a custom error: hc_err 'AlreadyMinted(uint256)' 0x12...
hc_err() {
    local sig=$1
    shift
    "$CAST" calldata "$sig" "$@" | tr 'A-F' 'a-f'
}

hc_error_name() {
    case ${1:0:10} in
    0xa593dbf8) echo AlreadyMinted ;;
    0x8a01fe58) echo TokenRetired ;;
    0xff633a38) echo LengthMismatch ;;
    0xd92e233d) echo ZeroAddress ;;
    0x5c707b49) echo RoyaltyTooHigh ;;
    0x6d3d1858) echo NotTokenOwner ;;
    0xe2517d3f) echo AccessControlUnauthorizedAccount ;;
    0xd93c0665) echo EnforcedPause ;;
    0x8dfc202b) echo ExpectedPause ;;
    0xceea21b6) echo TokenDoesNotExist ;;
    0xa1148100) echo TransferFromIncorrectOwner ;;
    0xd1a57ed6) echo TransferToNonERC721ReceiverImplementer ;;
    0x4b6e7f18) echo NotOwnerNorApproved ;;
    0xea553b34) echo TransferToZeroAddress ;;
    0x6697b232) echo AccessControlBadConfirmation ;;
    0x) echo "(no data)" ;;
    *) echo "${1:0:10}" ;;
    esac
}

# Deploys HaechiNFT with constructor (name, symbol, baseURI, admin, minter),
# sent by $HC_DEPLOY_KEY; sets DEPLOYED to its address (and RECEIPT, LOGS).
hc_deploy() {
    local args code
    args=$("$CAST" abi-encode "constructor(string,string,string,address,address)" "$@")
    code=$(cat "$HC_ROOT/contracts/build/HaechiNFT.bin")
    hc_send "$HC_DEPLOY_KEY" --create "$code${args#0x}"
    DEPLOYED=$(printf '%s' "$RECEIPT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).contractAddress))')
}

hc_setup() {
    HC_TMP=$(mktemp -d)
    trap 'anvil_stop; rm -rf "$HC_TMP"' EXIT
    anvil_start "$HC_TMP/anvil"
    ADMIN_KEY=$(hc_key 0)
    MINTER_KEY=$(hc_key 1)
    U1_KEY=$(hc_key 2)
    U2_KEY=$(hc_key 3)
    U3_KEY=$(hc_key 4)
    U4_KEY=$(hc_key 5)
    ADMIN=$(hc_addr "$ADMIN_KEY")
    MINTER=$(hc_addr "$MINTER_KEY")
    U1=$(hc_addr "$U1_KEY")
    U2=$(hc_addr "$U2_KEY")
    U3=$(hc_addr "$U3_KEY")
    U4=$(hc_addr "$U4_KEY")
    HC_DEPLOY_KEY=$ADMIN_KEY
    BASE_URI="https://haechi.example/v1/tokens/"
    hc_deploy "Haechi Seoul" HAECHI "$BASE_URI" "$ADMIN" "$MINTER"
    NFT=$DEPLOYED
    DEPLOY_LOGS=$LOGS
    MINTER_ROLE=$(hc_call "$NFT" "MINTER_ROLE()(bytes32)")
    PAUSER_ROLE=$(hc_call "$NFT" "PAUSER_ROLE()(bytes32)")
    ADMIN_ROLE=0x0000000000000000000000000000000000000000000000000000000000000000
}

# Raw storage, to check the layout documented in contracts/README.md.
# Solady ERC721's ownership word of token ID: slot = 2*id + keccak256(id[0:28] ++ 7d882553).
hc_ownership_slot() {
    local id=${1#0x} h
    id=$(printf '%064s' "$(hc_lower "$id")" | tr ' ' 0)
    h=$("$CAST" keccak "0x${id:0:56}7d882553")
    node -e 'const m=(1n<<256n);console.log("0x"+((2n*BigInt(process.argv[1])+BigInt(process.argv[2]))%m).toString(16).padStart(64,"0"))' "0x$id" "$h"
}
hc_ownership_word() { "$CAST" storage --rpc-url "$ANVIL_RPC" "$NFT" "$(hc_ownership_slot "$1")"; }
# _movedCreator[id]: Solidity mapping at slot 5 (contracts/build/HaechiNFT.json, storageLayout).
hc_moved_creator_word() { "$CAST" storage --rpc-url "$ANVIL_RPC" "$NFT" "$("$CAST" index uint256 "$1" 5)"; }

MINT_SIG="mint(address,bytes32,bytes32,uint16)"
BATCH_SIG="mintBatch(address[],bytes32[],bytes32[],uint16[])"
TOPIC_TRANSFER=0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef
TOPIC_MINTED=0x735d687607ce9e35b73121f5b238c4cd2854db103741adba51d670bb706051cc
TOPIC_SKIPPED=0x69e422c56336fd50168cf80df95c19c3faa6f37321624c038c8d0c18427d9a28
TOPIC_BASE_URI=0x5411e8ebf1636d9e83d5fc4900bf80cbac82e8790da2a4c94db4895e889eedf6
ZERO_WORD=0x0000000000000000000000000000000000000000000000000000000000000000
ZERO_ADDR=0x0000000000000000000000000000000000000000
