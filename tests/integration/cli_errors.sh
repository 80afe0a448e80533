#!/usr/bin/env bash
# cli_errors.sh — haechi's refusals: every bad input to sign-tx, decode-tx and
# verify-message must exit 2, print nothing on stdout, and (for sign-tx and
# decode-tx) name the offending field on stderr. Each bad input is one change
# away from an input that is accepted, which is checked first.
#
# Environment: HAECHI, CAST (set by CTest; CAST is used to make two
# transactions cast signs but haechi must refuse, and skipped if missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${HC_BUILD_DIR:=$root/build}"
: "${HAECHI:=$HC_BUILD_DIR/haechi}"
: "${CAST:=$root/node_modules/@foundry-rs/cast-linux-amd64/bin/cast}"
export LC_ALL=C # English messages
unset LANG LC_MESSAGES ETH_RPC_URL CHAIN ETH_FROM

T=$(mktemp -d "${TMPDIR:-/tmp}/haechi-err.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

# A test key (the ethers.js documentation key) and its address.
KEY=0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01ed1a4f5a1
ADDR=0x4D3E9B4C97Bf141FA10295A9F3B9b5eB540eBfDb
TO=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
N=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141

pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$*" >&2
}

# run WANT_RC FIELD NAME -- CMD… (stdin from $IN): checks the exit code, that
# stderr mentions FIELD (unless empty) and that a refusal prints no stdout.
IN=/dev/null
run() {
    local want=$1 field=$2 name=$3 rc=0
    shift 4
    "$@" <"$IN" >"$T/out" 2>"$T/err" || rc=$?
    if [[ $rc != "$want" ]]; then
        bad "$name: exit $rc, want $want (stderr: $(<"$T/err"))"
    elif ((want == 2)) && [[ -s $T/out ]]; then
        bad "$name: printed on stdout: $(<"$T/out")"
    elif [[ -n $field ]] && ! grep -qF -- "$field" "$T/err"; then
        bad "$name: stderr does not name \"$field\": $(<"$T/err")"
    else
        ok
    fi
}

# sign-tx with the key in HC_KEY and JSON on stdin.
sign() {
    printf '%s' "$1" >"$T/in.json"
    IN=$T/in.json
}
st_ok() { # NAME JSON
    sign "$2"
    run 0 "" "sign-tx $1" -- env HC_KEY=$KEY "$HAECHI" sign-tx --key-env HC_KEY
}
st_bad() { # NAME FIELD JSON
    sign "$3"
    run 2 "$2" "sign-tx $1" -- env HC_KEY=$KEY "$HAECHI" sign-tx --key-env HC_KEY
}

# ------------------------------------------------------------------ sign-tx --

F2='"chain_id":1,"nonce":0,"gas":21000,"max_fee_per_gas":"1000","max_priority_fee_per_gas":1'
F0='"type":0,"chain_id":1,"nonce":0,"gas":21000,"gas_price":1'
F1='"type":1,"chain_id":1,"nonce":0,"gas":21000,"gas_price":1'
AL='[{"address":"'$TO'","storage_keys":["0x0000000000000000000000000000000000000000000000000000000000000001"]}]'

st_ok "base type 2" "{$F2,\"to\":\"$TO\"}"
st_ok "base type 0" "{$F0,\"to\":\"$TO\"}"
st_ok "base type 1" "{$F1,\"to\":\"$TO\",\"access_list\":$AL}"
st_ok "nonce 2^64-2 (hex)" '{"chain_id":1,"nonce":"0xfffffffffffffffe","gas":21000,"gas_price":1,"type":0}'
st_ok "value 2^256-1" "{$F2,\"value\":\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}"
st_ok "JSON number 2^53-1" '{"chain_id":1,"nonce":9007199254740991,"gas":21000,"gas_price":1,"type":0}'
st_ok "gas*price = 2^256-1" '{"type":0,"chain_id":1,"nonce":0,"gas":"18446744073709551615","gas_price":"0x1000000000000000100000000000000010000000000000001"}'
st_ok "legacy chain id 2^255-19" '{"type":0,"chain_id":"57896044618658097711785492504343953926634992332820282019728792003956564819949","nonce":0,"gas":21000,"gas_price":1}'
st_ok "matching from" "{$F2,\"from\":\"$ADDR\"}"

st_bad "unknown field" '"frobnicate"' "{$F2,\"frobnicate\":1}"
st_bad "unknown field (snake/camel mix-up)" '"max_fee"' "{\"chain_id\":1,\"nonce\":0,\"gas\":21000,\"max_fee\":1,\"max_priority_fee_per_gas\":1}"
st_bad "missing chain_id" '"chain_id"' '{"nonce":0,"gas":21000,"max_fee_per_gas":1,"max_priority_fee_per_gas":1}'
st_bad "missing nonce" '"nonce"' '{"chain_id":1,"gas":21000,"max_fee_per_gas":1,"max_priority_fee_per_gas":1}'
st_bad "missing gas" '"gas_limit"' '{"chain_id":1,"nonce":0,"max_fee_per_gas":1,"max_priority_fee_per_gas":1}'
st_bad "missing gas_price (type 0)" '"gas_price"' '{"type":0,"chain_id":1,"nonce":0,"gas":21000}'
st_bad "missing max_priority_fee_per_gas" '"max_priority_fee_per_gas"' '{"chain_id":1,"nonce":0,"gas":21000,"max_fee_per_gas":1}'
st_bad "nonce 2^64-1 (EIP-2681)" "nonce" '{"type":0,"chain_id":1,"nonce":"18446744073709551615","gas":21000,"gas_price":1}'
st_bad "nonce 2^64-1 (hex)" "nonce" '{"type":0,"chain_id":1,"nonce":"0xffffffffffffffff","gas":21000,"gas_price":1}'
st_bad "nonce 2^64" "nonce" '{"type":0,"chain_id":1,"nonce":"18446744073709551616","gas":21000,"gas_price":1}'
st_bad "gas 2^64" "gas" '{"type":0,"chain_id":1,"nonce":0,"gas":"18446744073709551616","gas_price":1}'
st_bad "value 2^256" "value" "{$F2,\"value\":\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"}"
st_bad "value 2^256 (hex)" "value" "{$F2,\"value\":\"0x10000000000000000000000000000000000000000000000000000000000000000\"}"
st_bad "gas*price = 2^256" "gas" '{"type":0,"chain_id":1,"nonce":0,"gas":"18446744073709551615","gas_price":"0x1000000000000000100000000000000010000000000000002"}'
st_bad "chain_id 0" "chain_id" '{"type":0,"chain_id":0,"nonce":0,"gas":21000,"gas_price":1}'
st_bad "legacy chain id 2^255-18" "chain_id" '{"type":0,"chain_id":"57896044618658097711785492504343953926634992332820282019728792003956564819950","nonce":0,"gas":21000,"gas_price":1}'
st_bad "type 3" "type" "{$F2,\"type\":3}"
st_bad "to: bad checksum" 'to:' "{$F2,\"to\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\"}"
st_bad "to: short" 'to:' "{$F2,\"to\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea\"}"
st_bad "to: long" 'to:' "{$F2,\"to\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00\"}"
st_bad "to: no 0x" 'to:' "{$F2,\"to\":\"5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"}"
st_bad "to: non-hex" 'to:' "{$F2,\"to\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg\"}"
st_bad "to: a number" 'to:' "{$F2,\"to\":1}"
st_bad "gas_price on type 2" '"gas_price"' "{$F2,\"gas_price\":1}"
st_bad "gasPrice on type 2" '"gasPrice"' "{$F2,\"gasPrice\":1}"
st_bad "max_fee_per_gas on type 0" '"max_fee_per_gas"' "{$F0,\"max_fee_per_gas\":1}"
st_bad "access_list on type 0" '"access_list"' "{$F0,\"access_list\":[]}"
st_bad "accessList on type 0" '"accessList"' "{$F0,\"accessList\":$AL}"
st_bad "access list: short storage key" "storage_keys[0]" "{$F1,\"access_list\":[{\"address\":\"$TO\",\"storage_keys\":[\"0x01\"]}]}"
st_bad "access list: bad address" "address" "{$F1,\"access_list\":[{\"address\":\"0x1234\",\"storage_keys\":[]}]}"
st_bad "access list: unknown member" '"slots"' "{$F1,\"access_list\":[{\"address\":\"$TO\",\"slots\":[]}]}"
st_bad "access list: not an array" "access_list" "{$F1,\"access_list\":{}}"
st_bad "field given twice" '"chain_id"' "{$F2,\"chainId\":1}"
st_bad "JSON number 2^53" "nonce" '{"type":0,"chain_id":1,"nonce":9007199254740992,"gas":21000,"gas_price":1}'
st_bad "JSON number 1.5" "value" "{$F2,\"value\":1.5}"
st_bad "JSON number -1" "gas_price" '{"type":0,"chain_id":1,"nonce":0,"gas":21000,"gas_price":-1}'
st_bad "JSON number 1e400" "gas" '{"type":0,"chain_id":1,"nonce":0,"gas":1e400,"gas_price":1}'
st_bad "negative string" "value" "{$F2,\"value\":\"-1\"}"
st_bad "empty string" "nonce" '{"type":0,"chain_id":1,"nonce":"","gas":21000,"gas_price":1}'
st_bad "boolean" "value" "{$F2,\"value\":true}"
st_bad "data: odd hex" 'data:' "{$F2,\"data\":\"0x123\"}"
st_bad "data: no 0x" 'input:' "{$F2,\"input\":\"1234\"}"
st_bad "from: not the key's" "from" "{$F2,\"from\":\"$TO\"}"
st_bad "malformed JSON" "JSON" "{$F2"
st_bad "trailing comma" "JSON" "{$F2,}"
st_bad "not an object" "JSON" "[1,2]"
st_bad "empty stdin" "JSON" ""

# the key
sign "{$F2}"
run 2 "--key-env" "sign-tx without --key-env" -- "$HAECHI" sign-tx
run 2 "HC_UNSET_KEY" "sign-tx key variable unset" -- env -u HC_UNSET_KEY "$HAECHI" sign-tx --key-env HC_UNSET_KEY
run 2 "HC_KEY" "sign-tx key variable empty" -- env HC_KEY= "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key = 0" -- env HC_KEY=0x0000000000000000000000000000000000000000000000000000000000000000 "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key = n" -- env HC_KEY=$N "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key = n+1" -- env HC_KEY=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142 "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key = 2^256-1" -- env HC_KEY=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key short" -- env HC_KEY=0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01ed1a4f5 "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key without 0x" -- env HC_KEY=${KEY#0x} "$HAECHI" sign-tx --key-env HC_KEY
run 2 "HC_KEY" "sign-tx key non-hex" -- env HC_KEY=0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01ed1a4f5ag "$HAECHI" sign-tx --key-env HC_KEY
run 0 "" "sign-tx key = n-1" -- env HC_KEY=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140 "$HAECHI" sign-tx --key-env HC_KEY
run 2 "" "sign-tx key on the command line is refused" -- env HC_KEY=$KEY "$HAECHI" sign-tx --key-env HC_KEY "$KEY"
# the key never shows up in an error message
sign '{"chain_id":1'
run 2 "" "sign-tx bad input (key not echoed)" -- env HC_KEY=$KEY "$HAECHI" sign-tx --key-env HC_KEY
if grep -qi "${KEY#0x}" "$T/err"; then bad "sign-tx printed the key"; else ok; fi

# ---------------------------------------------------------------- decode-tx --

# signed by cast: mktx --nonce 7 --gas-limit 21000 --gas-price 1000
# --priority-gas-price 1 --chain 1 --value 1 $TO 0xdeadbeef
TX=0x02f8680107018203e8825208945aaeb6053f3e94c9b9a09f33669435e7ef1beaed0184deadbeefc001a0f16754ae21ec38947b56030c6c2170a31a2122d0ec5cfc622457387ee7e4452aa028af98cff14fa31b2e46fa682df2e3a0f7d9cf685e0d145c04fd3d5cfc010bb6
# the same with s replaced by n - s and the y-parity flipped: the EIP-2
# high-s twin (a valid ECDSA signature of the same key)
TX_HIGH_S=0x02f8680107018203e8825208945aaeb6053f3e94c9b9a09f33669435e7ef1beaed0184deadbeefc080a0f16754ae21ec38947b56030c6c2170a31a2122d0ec5cfc622457387ee7e4452aa0d75067300eb05ce4d1b90597d20d1c5dc2d50d7e513b8bdfbad5212fd435358b
IN=/dev/null
run 0 "" "decode-tx base" -- "$HAECHI" decode-tx --compact "$TX"
if grep -qF "\"from\":\"$ADDR\"" "$T/out"; then ok; else bad "decode-tx base: sender is not $ADDR: $(<"$T/out")"; fi
printf '  %s\n' "$TX" >"$T/in.txt"
IN=$T/in.txt
run 0 "" "decode-tx from stdin" -- "$HAECHI" decode-tx -
IN=/dev/null
run 2 "odd" "decode-tx odd hex" -- "$HAECHI" decode-tx "${TX}0"
run 2 "0x" "decode-tx without 0x" -- "$HAECHI" decode-tx "${TX#0x}"
run 2 "hex" "decode-tx non-hex digit" -- "$HAECHI" decode-tx "${TX:0:20}zz${TX:22}"
run 2 "rlp" "decode-tx empty" -- "$HAECHI" decode-tx 0x
run 2 "rlp" "decode-tx truncated by one byte" -- "$HAECHI" decode-tx "${TX:0:${#TX}-2}"
run 2 "rlp" "decode-tx truncated to the type byte" -- "$HAECHI" decode-tx 0x02
run 2 "rlp" "decode-tx trailing garbage" -- "$HAECHI" decode-tx "${TX}00"
run 2 "type" "decode-tx type 3" -- "$HAECHI" decode-tx "0x03${TX:4}"
run 2 "type" "decode-tx type 0x7f" -- "$HAECHI" decode-tx "0x7f${TX:4}"
run 2 "type" "decode-tx type 0x05" -- "$HAECHI" decode-tx 0x05c0
run 2 "s" "decode-tx high s (EIP-2)" -- "$HAECHI" decode-tx "$TX_HIGH_S"
run 2 "y_parity" "decode-tx y-parity 2" -- "$HAECHI" decode-tx "${TX:0:${#TX}-134}02${TX:${#TX}-132}"
run 2 "" "decode-tx two arguments" -- "$HAECHI" decode-tx "$TX" "$TX"
run 2 "" "decode-tx no argument" -- "$HAECHI" decode-tx

if [[ -x $CAST ]]; then
    # cast 1.7.1 signs a nonce of 2^64-1, which EIP-2681 makes invalid
    raw=$("$CAST" mktx --private-key $KEY --nonce 18446744073709551615 --gas-limit 21000 \
        --gas-price 1 --legacy --chain 1 $TO)
    run 2 "nonce" "decode-tx of cast's nonce 2^64-1" -- "$HAECHI" decode-tx "$raw"
    # and chain id 0 (v = 35/36), which no chain can use
    raw=$("$CAST" mktx --private-key $KEY --nonce 0 --gas-limit 21000 \
        --gas-price 1 --legacy --chain 0 $TO)
    run 2 "v" "decode-tx of cast's chain id 0" -- "$HAECHI" decode-tx "$raw"
fi

# ----------------------------------------------------------- verify-message --

# cast wallet sign --private-key $KEY hello
SIG=0xc931439c98e35efb2ad4acfecaadbc3bb5ee44c04dafc25b66e04c56c1e8618b7283bbe228567e00cf374ae0bd5f300941d14ebacd68d860febbc87b3c73b7c81b
# its high-s twin (s -> n - s, v 27 -> 28)
SIG_HIGH_S=0xc931439c98e35efb2ad4acfecaadbc3bb5ee44c04dafc25b66e04c56c1e8618b8d7c441dd7a981ff30c8b51f42a0cff578dd8e2be1dfc7dac116961193c289791c
printf hello >"$T/hello"
IN=$T/hello
vm() { "$HAECHI" verify-message "$@"; }
run 0 "" "verify-message base" -- vm --address $ADDR --signature $SIG
run 1 "" "verify-message other address" -- vm --address $TO --signature $SIG
run 2 "signature" "verify-message high s" -- vm --address $ADDR --signature $SIG_HIGH_S
run 2 "signature" "verify-message v = 29" -- vm --address $ADDR --signature "${SIG:0:130}1d"
run 2 "signature" "verify-message v = 26" -- vm --address $ADDR --signature "${SIG:0:130}1a"
run 2 "signature" "verify-message r = 0" -- vm --address $ADDR --signature "0x$(printf '0%.0s' {1..64})${SIG:66}"
run 2 "signature" "verify-message s = n" -- vm --address $ADDR --signature "${SIG:0:66}${N#0x}${SIG:130}"
run 2 "signature" "verify-message 64 bytes" -- vm --address $ADDR --signature "${SIG:0:130}"
run 2 "signature" "verify-message no 0x" -- vm --address $ADDR --signature "${SIG#0x}"
run 2 "address" "verify-message bad checksum" -- vm --address 0x4d3E9B4C97Bf141FA10295A9F3B9b5eB540eBfDb --signature $SIG
run 2 "address" "verify-message short address" -- vm --address ${ADDR:0:40} --signature $SIG
run 2 "" "verify-message no --signature" -- vm --address $ADDR
printf 'hello\n' >"$T/hello2"
IN=$T/hello2
run 1 "" "verify-message trailing newline is part of the message" -- vm --address $ADDR --signature $SIG
printf '0x68656c6c6f\n' >"$T/hellohex"
IN=$T/hellohex
run 0 "" "verify-message --hex" -- vm --hex --address $ADDR --signature $SIG
printf '0x68656c6c6' >"$T/oddhex"
IN=$T/oddhex
run 2 "hex" "verify-message --hex odd" -- vm --hex --address $ADDR --signature $SIG

echo "summary: cli_errors $pass passed, $failed failed"
((failed == 0))
