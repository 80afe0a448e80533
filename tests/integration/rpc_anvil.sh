#!/usr/bin/env bash
# The JSON-RPC client (rpc.h) against a real node (anvil): every typed call
# parses what cast reads from the same node, and the errors anvil really
# returns get the right class — nonce too low, already known, replacement
# underpriced, insufficient funds, max fee below the base fee, intrinsic gas,
# and reverts that keep their exact revert bytes. Prints each class observed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
: "${CAST:?path of cast}" "${HC_BUILD_DIR:?build directory}"
PROBE=$HC_BUILD_DIR/tests/rpc_probe
[ -x "$PROBE" ] || { echo "missing $PROBE (make rpc_probe)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'anvil_stop; rm -rf "$tmp"' EXIT
# anvil_start reads anvil.log at once, while anvil's shell may not have
# created it yet (sed fails, set -e ends the test): create it first
: >"$tmp/anvil.log"
anvil_start "$tmp"
R=$ANVIL_RPC

fail() { echo "FAIL: $*" >&2; exit 1; }
lc() { tr 'A-F' 'a-f'; }
# probe ARGS…: the client's parse of a call, as JSON (fails the test on error)
probe() { "$PROBE" "$R" "$@" || fail "rpc_probe $* exited $?"; }
# same WHAT HAECHI CAST
same() {
    [ "$2" = "$3" ] || fail "$1: haechi parsed '$2', cast says '$3'"
    echo "ok: $1 = $2"
}
# expect_error WANT_CLASS WHAT PROBE-ARGS…: the call fails with that class;
# leaves the error object in $err
err=""
expect_error() {
    local want=$1 what=$2 rc=0
    shift 2
    err=$("$PROBE" "$R" "$@") || rc=$?
    [ "$rc" = 2 ] || fail "$what: rpc_probe exited $rc, want an RPC error ($err)"
    local cls code msg
    cls=$(jq -r .error.class <<<"$err")
    code=$(jq -r .error.code <<<"$err")
    msg=$(jq -r .error.message <<<"$err")
    echo "anvil: $what -> $cls (code $code: \"$msg\")"
    [ "$cls" = "$want" ] || fail "$what: class $cls, want $want"
}

mnemonic="test test test test test test test test test test test junk"
KEY=$("$CAST" wallet private-key "$mnemonic" 0)
ME=$("$CAST" wallet address --private-key "$KEY")
OTHER=$("$CAST" wallet address --private-key "$("$CAST" wallet private-key "$mnemonic" 1)")
# a key that anvil never funded
POOR_KEY=0x00000000000000000000000000000000000000000000000000000000000bad01

# deploy CODE: creates a contract from raw init code, prints its address
deploy() {
    "$CAST" send --private-key "$KEY" --rpc-url "$R" --create "$1" --json |
        jq -r .contractAddress
}
# mktx NONCE GAS MAXFEE TIP VALUE [KEY]: a signed EIP-1559 transfer to OTHER
mktx() {
    "$CAST" mktx --private-key "${6:-$KEY}" --rpc-url "$R" --nonce "$1" \
        --gas-limit "$2" --gas-price "$3" --priority-gas-price "$4" \
        "$OTHER" --value "$5"
}

# ---- contracts, assembled by hand (init code: CODECOPY the runtime, RETURN)
# Logger: LOG2(topic0 = keccak("Probe(address,bytes)"), topic1 = CALLER,
# data = the calldata), then STOP.
TOPIC0=$("$CAST" keccak "Probe(address,bytes)")
#   CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY CALLER PUSH32 topic0
#   CALLDATASIZE PUSH1 0 LOG2 STOP                     (45 = 0x2d bytes)
logger_rt="366000600037337f${TOPIC0#0x}366000a200"
LOGGER=$(deploy "0x602d600c600039602d6000f3$logger_rt")
# Custom error: REVERT(0xdeadbeef ‖ uint256(42))
#   PUSH4 deadbeef PUSH1 224 SHL PUSH1 0 MSTORE
#   PUSH1 42 PUSH1 4 MSTORE PUSH1 36 PUSH1 0 REVERT    (21 = 0x15 bytes)
CUSTOM_REVERT=0xdeadbeef000000000000000000000000000000000000000000000000000000000000002a
custom_rt="63deadbeef60e01b600052602a60045260246000fd"
REVERTER=$(deploy "0x6015600c60003960156000f3$custom_rt")
# Error(string) whose reason is "insufficient funds": a contract's words,
# which must not be read as the node's (the class is "reverted")
#   PUSH4 08c379a0 PUSH1 224 SHL PUSH1 0 MSTORE  PUSH1 0x20 PUSH1 4 MSTORE
#   PUSH1 18 PUSH1 0x24 MSTORE  PUSH32 "insufficient funds" PUSH1 0x44 MSTORE
#   PUSH1 100 PUSH1 0 REVERT                          (62 = 0x3e bytes)
reason=696e73756666696369656e742066756e64730000000000000000000000000000
STRING_REVERT=0x08c379a0
STRING_REVERT+=0000000000000000000000000000000000000000000000000000000000000020
STRING_REVERT+=0000000000000000000000000000000000000000000000000000000000000012
STRING_REVERT+=$reason
string_rt="6308c379a060e01b600052602060045260126024527f${reason}60445260646000fd"
STRINGER=$(deploy "0x603e600c600039603e6000f3$string_rt")

# A transaction with a log, sent by cast
rc=$("$CAST" send --private-key "$KEY" --rpc-url "$R" "$LOGGER" 0x0102030405 --json)
TX=$(jq -r .transactionHash <<<"$rc")
DEPLOY_TX=$("$CAST" send --private-key "$KEY" --rpc-url "$R" \
    --create "0x6015600c60003960156000f3$custom_rt" --json | jq -r .transactionHash)

# ---- every typed call parses what cast reads
same "eth_chainId" "$(probe chain-id)" "$("$CAST" chain-id --rpc-url "$R")"
same "eth_blockNumber" "$(probe block-number)" \
    "$("$CAST" block-number --rpc-url "$R")"
same "eth_getTransactionCount" "$(probe nonce "$ME")" \
    "$("$CAST" nonce --rpc-url "$R" "$ME")"
same "eth_getTransactionCount pending" "$(probe nonce "$ME" pending)" \
    "$("$CAST" nonce --rpc-url "$R" --block pending "$ME")"
same "eth_getBalance" "$(probe balance "$ME")" \
    "$("$CAST" balance --rpc-url "$R" "$ME")"
same "eth_getBalance (never funded)" \
    "$(probe balance "$("$CAST" wallet address --private-key $POOR_KEY)")" 0
same "eth_getCode" "$(probe code "$LOGGER" | jq -r .)" \
    "$("$CAST" code --rpc-url "$R" "$LOGGER")"
same "eth_getCode (logger runtime)" "$(probe code "$LOGGER" | jq -r .)" \
    "0x$logger_rt"
same "eth_maxPriorityFeePerGas" "$(probe priority-fee)" \
    "$("$CAST" to-dec "$("$CAST" rpc --rpc-url "$R" eth_maxPriorityFeePerGas | jq -r .)")"
same "eth_estimateGas" "$(probe estimate "$ME" "$LOGGER" 0x01)" \
    "$("$CAST" estimate --rpc-url "$R" --from "$ME" "$LOGGER" 0x01)"
same "eth_call" "$(probe call "$LOGGER" 0x | jq -r .)" \
    "$("$CAST" call --rpc-url "$R" "$LOGGER")"

fields='[.number, .hash, .parentHash, .timestamp, .gasLimit, .gasUsed, .baseFeePerGas] | map(tostring) | join(" ")'
n=$(probe block-number)
mine=$(probe block latest | jq -r "$fields")
theirs=$("$CAST" block latest --json --rpc-url "$R" | jq -r "$fields")
same "eth_getBlockByNumber latest" "$mine" "$theirs"
tag=$(printf '0x%x' "$((n - 1))")
same "eth_getBlockByNumber $tag" "$(probe block "$tag" | jq -r "$fields")" \
    "$("$CAST" block "$((n - 1))" --json --rpc-url "$R" | jq -r "$fields")"
same "eth_getBlockByNumber earliest" "$(probe block earliest | jq -r .number)" 0x0
probe block pending >/dev/null
echo "ok: eth_getBlockByNumber pending parses"

receipt_fields='[.transactionHash, .status, .blockNumber, .blockHash, .transactionIndex, .gasUsed, .cumulativeGasUsed, .effectiveGasPrice, .from, .to, .contractAddress] | map(tostring | ascii_downcase) | join(" ")'
log_fields='[.logs[] | [.address, (.topics | join(",")), .data, .blockNumber, .blockHash, .transactionHash, .transactionIndex, .logIndex, .removed] | map(tostring | ascii_downcase) | join(" ")] | join("; ")'
for h in "$TX" "$DEPLOY_TX"; do
    mine=$(probe receipt "$h")
    theirs=$("$CAST" receipt --rpc-url "$R" "$h" --json)
    same "eth_getTransactionReceipt ${h:0:10}…" \
        "$(jq -r "$receipt_fields" <<<"$mine")" \
        "$(jq -r "$receipt_fields" <<<"$theirs")"
    same "receipt logs ${h:0:10}…" "$(jq -r "$log_fields" <<<"$mine")" \
        "$(jq -r "$log_fields" <<<"$theirs")"
done
same "log data and topics" \
    "$(probe receipt "$TX" | jq -r '.logs[0] | [.data, .topics[0], .topics[1]] | join(" ")')" \
    "0x0102030405 $TOPIC0 0x000000000000000000000000$(lc <<<"${ME#0x}")"
same "contractAddress of a creation" \
    "$(probe receipt "$DEPLOY_TX" | jq -r '[.to, .contractAddress] | map(tostring) | join(" ")')" \
    "null $("$CAST" receipt --rpc-url "$R" "$DEPLOY_TX" contractAddress | lc)"

tx_fields='[.hash, .from, .nonce, .blockNumber] | map(tostring | ascii_downcase) | join(" ")'
same "eth_getTransactionByHash" "$(probe tx "$TX" | jq -r "$tx_fields")" \
    "$("$CAST" tx --rpc-url "$R" "$TX" --json | jq -r "$tx_fields")"

logs_fields='[.[] | [.address, (.topics | join(",")), .data, .blockNumber, .transactionHash, .logIndex] | map(tostring | ascii_downcase) | join(" ")] | join("; ")'
same "eth_getLogs" "$(probe logs "$LOGGER" 0x0 latest | jq -r "$logs_fields")" \
    "$("$CAST" logs --rpc-url "$R" --from-block 0 --to-block latest \
        --address "$LOGGER" --json | jq -r "$logs_fields")"

fh_fields='[.oldestBlock, (.baseFeePerGas | join(",")), ([.reward[][0]] | join(","))] | join(" ")'
same "eth_feeHistory" "$(probe fee-history 4 | jq -r "$fh_fields")" \
    "$("$CAST" rpc --rpc-url "$R" eth_feeHistory 0x4 latest '[50]' | jq -r "$fh_fields")"

# ---- "not found" is not an error
unknown=0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b
for args in "receipt $unknown" "tx $unknown" "block 0xffffff"; do
    rc=0
    # shellcheck disable=SC2086
    "$PROBE" "$R" $args >/dev/null || rc=$?
    [ "$rc" = 3 ] || fail "$args: exit $rc, want 3 (not found)"
    echo "ok: $args -> not found"
done

# ---- the errors anvil really returns
nonce=$(probe nonce "$ME")
raw=$(mktx "$nonce" 21000 2gwei 1gwei 1)
h=$(probe send "$raw" | jq -r .)
same "eth_sendRawTransaction hash" "$h" "$("$CAST" keccak "$raw")"
same "sent and mined" "$(probe receipt "$h" | jq -r .status)" 0x1
expect_error nonce_too_low "the same raw transaction again, once mined" \
    send "$raw"
expect_error nonce_too_low "another transaction with a used nonce" \
    send "$(mktx "$nonce" 21000 2gwei 1gwei 2)"
expect_error insufficient_funds "a transfer from a key never funded" \
    send "$(mktx 0 21000 2gwei 1gwei 1 "$POOR_KEY")"
nonce=$(probe nonce "$ME")
expect_error fee_too_low "max fee of 1 wei (base fee $(probe block latest | jq -r .baseFeePerGas))" \
    send "$(mktx "$nonce" 21000 1 1 1)"
expect_error gas_limit "a transfer with 20000 gas" \
    send "$(mktx "$nonce" 20000 2gwei 1gwei 1)"

# with automine off, the pool keeps pending transactions
"$CAST" rpc --rpc-url "$R" evm_setAutomine false >/dev/null
a=$(mktx "$nonce" 21000 2gwei 1gwei 1)
h=$(probe send "$a" | jq -r .)
same "pending transaction" "$(probe tx "$h" | jq -r .blockNumber)" null
rc=0
"$PROBE" "$R" receipt "$h" >/dev/null || rc=$?
[ "$rc" = 3 ] || fail "receipt of a pending transaction: exit $rc, want 3"
echo "ok: receipt of a pending transaction -> not found"
expect_error already_known "the same pending raw transaction again" send "$a"
expect_error replacement_underpriced \
    "another transaction with the pending nonce, same fees" \
    send "$(mktx "$nonce" 21000 2gwei 1gwei 2)"
"$CAST" rpc --rpc-url "$R" evm_mine >/dev/null
"$CAST" rpc --rpc-url "$R" evm_setAutomine true >/dev/null
same "mined after evm_mine" "$(probe tx "$h" | jq -r .nonce)" \
    "$(printf '0x%x' "$nonce")"
[ "$(probe tx "$h" | jq -r .blockNumber)" != null ] || fail "still pending"

# reverts keep their exact bytes
expect_error reverted "eth_call of a custom error" call "$REVERTER" 0x
same "revert bytes (custom error)" "$(jq -r .error.revert <<<"$err")" \
    "$CUSTOM_REVERT"
expect_error reverted "eth_estimateGas of a custom error" \
    estimate "$ME" "$REVERTER" 0x
same "revert bytes (estimate)" "$(jq -r .error.revert <<<"$err")" \
    "$CUSTOM_REVERT"
expect_error reverted "eth_call reverting with Error(\"insufficient funds\")" \
    call "$STRINGER" 0x
same "revert bytes (Error(string))" "$(jq -r .error.revert <<<"$err")" \
    "$STRING_REVERT"
expect_error method_not_found "an unknown method" raw eth_noSuchMethod

# a nonce gap is no error for anvil: the transaction waits in the pool
rc=0
out=$("$PROBE" "$R" send "$(mktx $(($(probe nonce "$ME") + 5)) 21000 2gwei 1gwei 1)") || rc=$?
if [ "$rc" = 0 ]; then
    echo "anvil: a nonce 5 ahead -> accepted (queued, no error)"
else
    echo "anvil: a nonce 5 ahead -> $(jq -r .error.class <<<"$out") ($out)"
fi
echo "rpc_anvil: all typed calls agree with cast; error classes as expected"
