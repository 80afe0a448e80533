#!/usr/bin/env bash
# Transactions signed offline by `haechi sign-tx` (types 0, 1 and 2, a value
# transfer and a contract creation) are accepted and mined by a real node
# (anvil), with the hash and sender haechi reports.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
: "${HAECHI:?path of the haechi binary}" "${CAST:?path of cast}"

tmp=$(mktemp -d)
trap 'anvil_stop; rm -rf "$tmp"' EXIT
anvil_start "$tmp"

mnemonic="test test test test test test test test test test test junk"
export SENDER_KEY
SENDER_KEY=$("$CAST" wallet private-key "$mnemonic" 2)
sender=$("$CAST" wallet address --private-key "$SENDER_KEY")
to=$("$CAST" wallet address --private-key "$("$CAST" wallet private-key "$mnemonic" 3)")

fail() { echo "FAIL: $*" >&2; exit 1; }

receipt=""
send() { # json -> checks receipt (left in $receipt)
    local json=$1 out raw hash from status
    out=$(printf '%s' "$json" | "$HAECHI" sign-tx --key-env SENDER_KEY --json)
    raw=$(printf '%s' "$out" | sed -n 's/.*"raw":[[:space:]]*"\(0x[0-9a-f]*\)".*/\1/p')
    hash=$(printf '%s' "$out" | sed -n 's/.*"hash":[[:space:]]*"\(0x[0-9a-f]*\)".*/\1/p')
    from=$(printf '%s' "$out" | sed -n 's/.*"from":[[:space:]]*"\(0x[0-9a-fA-F]*\)".*/\1/p')
    [ "$from" = "$sender" ] || fail "from $from, want $sender"
    receipt=$("$CAST" publish --rpc-url "$ANVIL_RPC" "$raw")
    status=$(printf '%s' "$receipt" | sed -n 's/.*"status":"\(0x[0-9]*\)".*/\1/p')
    got=$(printf '%s' "$receipt" | sed -n 's/.*"transactionHash":"\(0x[0-9a-f]*\)".*/\1/p')
    [ "$status" = "0x1" ] || fail "status $status for $json"
    [ "$got" = "$hash" ] || fail "node hash $got, haechi said $hash"
    rfrom=$(printf '%s' "$receipt" | sed -n 's/.*"from":"\(0x[0-9a-f]*\)".*/\1/p')
    [ "$rfrom" = "$(echo "$sender" | tr 'A-F' 'a-f')" ] || fail "node says from $rfrom"
    echo "ok: $(printf '%s' "$json" | cut -c1-60)…  $hash"
}

chain=$("$CAST" chain-id --rpc-url "$ANVIL_RPC")
fees='"max_fee_per_gas":"30000000000","max_priority_fee_per_gas":"1000000000"'
send "{\"type\":2,\"chain_id\":$chain,\"nonce\":0,\"gas\":21000,$fees,\"to\":\"$to\",\"value\":\"12345\"}"
send "{\"type\":0,\"chainId\":\"0x$(printf %x "$chain")\",\"nonce\":1,\"gas\":21000,\"gasPrice\":\"30000000000\",\"to\":\"$to\",\"value\":\"1\"}"
send "{\"type\":1,\"chain_id\":\"$chain\",\"nonce\":2,\"gas\":60000,\"gas_price\":\"30000000000\",\"to\":\"$to\",\"access_list\":[{\"address\":\"$to\",\"storage_keys\":[\"0x0000000000000000000000000000000000000000000000000000000000000007\"]}]}"
# contract creation: init code that stores 0x2a in slot 0 and returns nothing
send "{\"chain_id\":$chain,\"nonce\":3,\"gas\":100000,$fees,\"data\":\"0x602a60005500\"}"
created=$(printf '%s' "$receipt" | sed -n 's/.*"contractAddress":"\(0x[0-9a-f]*\)".*/\1/p')
want=$("$CAST" compute-address --nonce 3 "$sender" | sed -n 's/.*\(0x[0-9a-fA-F]\{40\}\).*/\1/p' | tr 'A-F' 'a-f')
[ "$created" = "$want" ] || fail "created $created, want $want"
slot=$("$CAST" storage --rpc-url "$ANVIL_RPC" "$created" 0)
[ "$slot" = "0x000000000000000000000000000000000000000000000000000000000000002a" ] || fail "slot 0 is $slot"

balance=$("$CAST" balance --rpc-url "$ANVIL_RPC" "$to")
[ "$balance" = "10000000000000000012346" ] || fail "recipient balance $balance"
nonce=$("$CAST" nonce --rpc-url "$ANVIL_RPC" "$sender")
[ "$nonce" = "4" ] || fail "sender nonce $nonce"
echo "anvil_send: 4 transactions mined"
