#!/usr/bin/env bash
# cast_crosscheck.sh — haechi against Foundry's cast (the reference client).
#
# gen_txcases (tests/integration/gen_txcases.c) writes random transactions of
# every type and random messages; each is signed by both programs and the
# bytes must be identical:
#
#   transactions  `cast mktx --private-key K …` vs `haechi sign-tx --key-env`
#                 (JSON on stdin). How cast is driven:
#                 - type 0: --legacy; type 1: --legacy --access-list=JSON
#                   (cast builds EIP-2930 when a legacy tx has an access
#                   list, also an empty one); type 2: --priority-gas-price,
#                   with or without --access-list=JSON;
#                 - raw calldata is the SIG argument when it starts with 0x
#                   (`cast mktx TO 0xDATA`); a creation is `--create 0xCODE`.
#                 What cast mktx cannot express, checked otherwise:
#                 - fees (gas price, max fee, priority fee) of 2^128 or more
#                   (cast panics: alloy holds them in u128) and chain ids of
#                   2^64 or more (cast's --chain is a u64): these cases
#                   ("rlp" mode) are assembled with `cast to-rlp`, hashed
#                   with `cast keccak` and signed with
#                   `cast wallet sign --no-hash`, and the resulting raw
#                   transaction must equal haechi's. This covers
#                   gas * fee up to exactly 2^256 - 1 and legacy chain ids up
#                   to 2^255 - 19 (the largest whose v fits in 256 bits).
#                 - chain ids cast maps to a legacy-only chain (fantom, rsk,
#                   …) are not used for typed transactions: cast silently
#                   builds a legacy transaction there.
#                 - nonce 2^64 - 1: cast signs it, haechi refuses it
#                   (EIP-2681); see cli_errors.sh.
#                 On a sample, `haechi decode-tx` must give back the fields,
#                 the sender `cast wallet address` names and the hash
#                 `cast keccak` computes; `sign-tx --json` is checked too.
#   messages      `cast wallet sign --private-key K MSG` vs
#                 `haechi sign-message --key-env` (raw bytes on stdin) and
#                 `haechi sign-message --hex`. cast decodes a message that
#                 starts with "0x" as hex, and its arguments cannot hold NUL
#                 or non-UTF-8 bytes, so binary messages and text starting
#                 with 0x go to cast as 0x-hex. `haechi verify-message` must
#                 accept cast's signature (exit 0, also with v = 0/1),
#                 refuse it for another address (exit 1) and refuse a
#                 malformed one (exit 2); on a sample `cast wallet verify`
#                 must accept haechi's signature.
#
# Environment: HAECHI, CAST, HC_BUILD_DIR (set by CTest); HC_SEED to repeat
# a run (the seed is printed); HC_XC_NTX / HC_XC_NMSG for the counts
# (default 400 / 150); HC_XC_JOBS parallel jobs (default 2); HC_XC_KEEP=1
# keeps the work directory. No network is used: every cast call is offline.
set -euo pipefail
shopt -s extglob

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${HC_BUILD_DIR:=$root/build}"
: "${HAECHI:=$HC_BUILD_DIR/haechi}"
: "${CAST:=$root/node_modules/@foundry-rs/cast-linux-amd64/bin/cast}"
export HAECHI CAST LC_ALL=C
# cast reads these; none may leak in from the caller's environment.
unset ETH_RPC_URL ETH_FROM ETH_GAS_LIMIT ETH_GAS_PRICE ETH_PRIORITY_GAS_PRICE \
      ETH_BLOB_GAS_PRICE CHAIN ETHERSCAN_API_KEY ETH_KEYSTORE \
      ETH_KEYSTORE_ACCOUNT ETH_PASSWORD ETH_RPC_JWT_SECRET ETH_RPC_HEADERS \
      ETH_RPC_TIMEOUT TEMPO_ACCESS_KEY TEMPO_ROOT_ACCOUNT

# ---------------------------------------------------------------- workers --

# Prints "FAIL <what>: <why>" (counted by the driver).
fail() { printf 'FAIL %s\n' "$*"; }

# 0x-hex of a 32-byte word as a minimal RLP integer string.
minhex() {
    local h=${1##+(0)}
    ((${#h} % 2)) && h=0$h
    printf '0x%s' "$h"
}

# Prefixes the transaction type byte (types 1, 2) to 0x-hex RLP.
typed() {
    if (($1 == 0)); then printf '%s' "$2"; else printf '0x0%s%s' "$1" "${2#0x}"; fi
}

# Builds the transaction from its fields with cast alone: cast to-rlp of the
# unsigned payload, cast keccak, cast wallet sign --no-hash, cast to-rlp of
# the signed list. Prints the raw transaction.
rlp_build() {
    local id=$1 type=$2 key=$3 v0=$4 v1=$5 d=$T/tx
    local u h sig r s v tpl
    u=$("$CAST" to-rlp "$(<"$d/$id.rlpu")") || return 1
    h=$("$CAST" keccak "$(typed "$type" "$u")") || return 1
    sig=$("$CAST" wallet sign --no-hash --private-key "$key" "$h") || return 1
    r=$(minhex "${sig:2:64}")
    s=$(minhex "${sig:66:64}")
    case ${sig:130:2} in
    1b) v=$v0 ;;
    1c) v=$v1 ;;
    *) echo "bad v in $sig" >&2; return 1 ;;
    esac
    tpl=$(<"$d/$id.rlps")
    tpl=${tpl/@V@/$v}
    tpl=${tpl/@R@/$r}
    tpl=${tpl/@S@/$s}
    typed "$type" "$("$CAST" to-rlp "$tpl")"
}

# Checks one transaction case; prints "ok tx ID TAGS…" or FAIL lines.
tx_case() {
    local id=$1 d=$T/tx type mode key v0 v1 ours theirs tags=""
    read -r type mode key v0 v1 <"$d/$id.meta"
    export HC_XC_KEY=$key
    if ! ours=$("$HAECHI" sign-tx --key-env HC_XC_KEY <"$d/$id.json" 2>"$T/err.$id"); then
        fail "tx $id: haechi sign-tx failed: $(<"$T/err.$id") (input $(<"$d/$id.json"))"
        return
    fi
    if [[ $mode == cast ]]; then
        local args
        mapfile -d '' -t args <"$d/$id.args"
        if ! theirs=$("$CAST" "${args[0]}" --private-key "$key" "${args[@]:1}" 2>"$T/err.$id"); then
            fail "tx $id: cast ${args[*]} failed: $(<"$T/err.$id")"
            return
        fi
        if [[ $ours != "$theirs" ]]; then
            fail "tx $id: haechi and cast mktx differ
  input: $(<"$d/$id.json")
  cast:  ${args[*]}
  haechi raw: $ours
  cast raw:   $theirs"
            return
        fi
        tags+=" mktx"
    fi
    # rlp mode always; a sample of the cast mode as well
    if [[ $mode == rlp ]] || ((10#$id % 9 == 4)); then
        if ! theirs=$(rlp_build "$id" "$type" "$key" "$v0" "$v1" 2>"$T/err.$id"); then
            fail "tx $id: building with cast to-rlp failed: $(<"$T/err.$id")"
            return
        fi
        if [[ $ours != "$theirs" ]]; then
            fail "tx $id: haechi and cast to-rlp/wallet sign differ
  input: $(<"$d/$id.json")
  haechi raw: $ours
  cast raw:   $theirs"
            return
        fi
        tags+=" rlp"
    fi
    # decode a sample (and every rlp-mode case): sender, hash, fields
    if [[ $mode == rlp ]] || ((10#$id % 4 == 0)); then
        local dec from hash addr kh
        if ! dec=$("$HAECHI" decode-tx --compact "$ours" 2>"$T/err.$id"); then
            fail "tx $id: haechi decode-tx refuses its own output: $(<"$T/err.$id") ($ours)"
            return
        fi
        from=$(sed -n 's/.*"from":"\(0x[0-9a-fA-F]*\)".*/\1/p' <<<"$dec")
        hash=$(sed -n 's/.*"hash":"\(0x[0-9a-f]*\)".*/\1/p' <<<"$dec")
        addr=$("$CAST" wallet address --private-key "$key")
        kh=$("$CAST" keccak "$ours")
        if [[ $from != "$addr" || $hash != "$kh" ]]; then
            fail "tx $id: decode-tx says from $from hash $hash; cast says $addr $kh"
            return
        fi
        if [[ -n $have_jq ]] &&
            ! jq -e --slurpfile e "$d/$id.exp" \
                '. as $d | $e[0] | to_entries | all(.value == $d[.key])' \
                <<<"$dec" >/dev/null; then
            fail "tx $id: decode-tx fields differ from the input
  expected: $(<"$d/$id.exp")
  decoded:  $dec"
            return
        fi
        tags+=" decode"
        if ((10#$id % 8 == 0)); then
            local j
            j=$("$HAECHI" sign-tx --json --key-env HC_XC_KEY <"$d/$id.json" | tr -d ' \n\t')
            if [[ $j != "{\"raw\":\"$ours\",\"hash\":\"$kh\",\"from\":\"$addr\"}" ]]; then
                fail "tx $id: sign-tx --json gives $j"
                return
            fi
            tags+=" json"
        fi
    fi
    echo "ok tx $id$tags"
}

# Runs haechi verify-message; prints its exit code.
verify_rc() { # MSGFILE ADDRESS SIG [--hex]
    local rc=0
    "$HAECHI" verify-message --address "$2" --signature "$3" ${4-} <"$1" >/dev/null 2>&1 || rc=$?
    echo "$rc"
}

msg_case() {
    local id=$1 d=$T/msg mode key other m theirs ours ours_hex addr tags=""
    read -r mode key other <"$d/$id.meta"
    export HC_XC_KEY=$key
    local bin=$d/$id.bin hexf=$d/$id.hex hex
    hex=$(<"$hexf")
    if [[ $mode == text ]]; then
        m=$(cat "$bin"; printf x)
        m=${m%x}
    else
        m=$hex
    fi
    if ! theirs=$("$CAST" wallet sign --private-key "$key" -- "$m" 2>"$T/err.m$id"); then
        fail "msg $id: cast wallet sign failed: $(<"$T/err.m$id")"
        return
    fi
    ours=$("$HAECHI" sign-message --key-env HC_XC_KEY <"$bin")
    ours_hex=$("$HAECHI" sign-message --key-env HC_XC_KEY --hex <"$hexf")
    if [[ $ours != "$theirs" || $ours_hex != "$theirs" ]]; then
        fail "msg $id ($mode, $(stat -c %s "$bin") bytes, $hex): cast $theirs, haechi $ours, haechi --hex $ours_hex"
        return
    fi
    tags+=" sign"
    addr=$("$CAST" wallet address --private-key "$key")
    local rc rc2 rc3 alt
    # cast's signature is accepted, from the raw bytes and from hex
    rc=$(verify_rc "$bin" "$addr" "$theirs")
    rc2=$(verify_rc "$hexf" "$addr" "$theirs" --hex)
    # v as 0/1 instead of 27/28
    alt=${theirs:0:130}$(printf '%02x' $((16#${theirs:130:2} - 27)))
    rc3=$(verify_rc "$bin" "$addr" "$alt")
    if [[ $rc$rc2$rc3 != 000 ]]; then
        fail "msg $id: verify-message of cast's signature: exit $rc (raw), $rc2 (--hex), $rc3 (v=0/1)"
        return
    fi
    # another address: not verified
    rc=$(verify_rc "$bin" "$other" "$theirs")
    if [[ $rc != 1 ]]; then
        fail "msg $id: verify-message against $other: exit $rc, want 1"
        return
    fi
    # malformed: exit 2
    local bad why
    case $((10#$id % 9)) in
    0) bad=${theirs:0:130} why="64 bytes" ;;
    1) bad=${theirs}00 why="66 bytes" ;;
    2) bad=${theirs#0x} why="no 0x" ;;
    3) bad=${theirs:0:20}zz${theirs:22} why="non-hex digit" ;;
    4) bad=${theirs:0:131} why="odd length" ;;
    5) bad=${theirs:0:130}1d why="v = 29" ;;
    6) bad=${theirs:0:130}02 why="v = 2" ;;
    7) bad=0x$(printf '0%.0s' {1..64})${theirs:66} why="r = 0" ;;
    8) bad=${theirs:0:66}$(printf 'f%.0s' {1..64})${theirs:130} why="s >= n" ;;
    esac
    rc=$(verify_rc "$bin" "$addr" "$bad")
    if [[ $rc != 2 ]]; then
        fail "msg $id: verify-message of a malformed signature ($why: $bad): exit $rc, want 2"
        return
    fi
    # and a malformed address
    rc=$(verify_rc "$bin" "${addr:0:41}" "$theirs")
    if [[ $rc != 2 ]]; then
        fail "msg $id: verify-message with a 19.5-byte address: exit $rc, want 2"
        return
    fi
    tags+=" verify"
    # cast accepts haechi's signature (sample)
    if ((10#$id % 3 == 0)); then
        if ! "$CAST" wallet verify --address "$addr" -- "$m" "$ours" >/dev/null 2>"$T/err.m$id"; then
            fail "msg $id: cast wallet verify refuses haechi's signature: $(<"$T/err.m$id")"
            return
        fi
        tags+=" castverify"
    fi
    echo "ok msg $id$tags"
}

if [[ ${1-} == --worker ]]; then
    kind=$2
    shift 2
    for id in "$@"; do
        if [[ $kind == tx ]]; then tx_case "$id"; else msg_case "$id"; fi
    done
    exit 0
fi

# ----------------------------------------------------------------- driver --

start=$SECONDS
for f in "$HAECHI" "$CAST" "$HC_BUILD_DIR/tests/gen_txcases"; do
    if [[ ! -x $f ]]; then
        echo "cast_crosscheck: $f is missing (build first)" >&2
        exit 1
    fi
done
ntx=${HC_XC_NTX:-400}
nmsg=${HC_XC_NMSG:-150}
jobs=${HC_XC_JOBS:-2}
have_jq=$(command -v jq || true)
[[ -n $have_jq ]] || echo "cast_crosscheck: jq not found; decoded fields are not compared" >&2

T=$(mktemp -d "${TMPDIR:-/tmp}/haechi-xc.XXXXXX")
if [[ ${HC_XC_KEEP-} == 1 ]]; then
    trap 'echo "work directory kept: $T"' EXIT
else
    trap 'rm -rf "$T"' EXIT
fi
export T have_jq
cd "$T" # cast reads foundry.toml from the working directory; there is none

echo "cast: $("$CAST" --version | head -n1)"
gen_out=$("$HC_BUILD_DIR/tests/gen_txcases" "$T" "$ntx" "$nmsg")
echo "$gen_out"
seed=$(sed -n 's/^seed //p' <<<"$gen_out")

(cd "$T/tx" && ls -- *.json | sed 's/\.json$//') |
    xargs -P "$jobs" -n 25 bash "$here/cast_crosscheck.sh" --worker tx >"$T/tx.log"
(cd "$T/msg" && ls -- *.meta | sed 's/\.meta$//') |
    xargs -P "$jobs" -n 10 bash "$here/cast_crosscheck.sh" --worker msg >"$T/msg.log"

count() { grep -c -E -- "$1" "$2" || true; }
tagged() { count "^ok .* $1( |\$)" "$2"; }
failures=$(cat "$T/tx.log" "$T/msg.log" | grep -c '^FAIL' || true)
tx_ok=$(count '^ok tx' "$T/tx.log")
msg_ok=$(count '^ok msg' "$T/msg.log")
if ((failures)); then
    grep -A6 '^FAIL' "$T/tx.log" "$T/msg.log" | head -n 200 >&2
fi
echo "summary: transactions $tx_ok/$ntx identical" \
    "($(tagged mktx "$T/tx.log") vs cast mktx, $(tagged rlp "$T/tx.log") vs cast to-rlp + wallet sign --no-hash," \
    "$(tagged decode "$T/tx.log") decoded with sender/hash checked, $(tagged json "$T/tx.log") sign-tx --json);" \
    "messages $msg_ok/$nmsg identical ($(tagged verify "$T/msg.log") verify-message 0/1/2 checks," \
    "$(tagged castverify "$T/msg.log") cast wallet verify); failures $failures;" \
    "seed $seed; $((SECONDS - start)) s"
if ((failures || tx_ok != ntx || msg_ok != nmsg)); then
    echo "cast_crosscheck: FAILED; repeat with HC_SEED=$seed" >&2
    exit 1
fi
