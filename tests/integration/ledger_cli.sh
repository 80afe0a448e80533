#!/usr/bin/env bash
# ledger_cli.sh — `haechi ledger verify` and `haechi ledger stats` on real
# ledgers made by tests/mkledger: a good ledger verifies (exit 0); copies
# with a journal byte flipped or a record deleted do not (exit 1), and the
# output names the bad journal entry; no ledger at DIR is exit 2;
# `stats --json` is well-formed and agrees with what was written; a reader
# works while a writer holds the ledger.
#
# Environment: HAECHI, HC_BUILD_DIR (set by CTest). Needs only bash, grep,
# sed and coreutils (no python or jq).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${HC_BUILD_DIR:=$root/build}"
: "${HAECHI:=$HC_BUILD_DIR/haechi}"
: "${MKLEDGER:=$HC_BUILD_DIR/tests/mkledger}"
export LC_ALL=C # English messages
unset LANG LC_MESSAGES

T=$(mktemp -d "${TMPDIR:-/tmp}/haechi-ledger.XXXXXX")
holder=
cleanup() {
    if [[ -n $holder ]]; then
        kill "$holder" 2>/dev/null || true
        wait "$holder" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT

pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$*" >&2
}

# run WANT NAME -- CMD…: runs CMD with stdout in $T/out, stderr in $T/err
# and checks the exit code. Returns 1 (after reporting) on a mismatch.
run() {
    local want=$1 name=$2 rc=0
    shift 3
    "$@" >"$T/out" 2>"$T/err" || rc=$?
    if [[ $rc != "$want" ]]; then
        bad "$name: exit $rc, want $want (stdout: $(<"$T/out") stderr: $(<"$T/err"))"
        return 1
    fi
    return 0
}

# has NAME TEXT: $T/out contains TEXT (fixed string).
has() {
    if grep -qF -- "$2" "$T/out"; then ok; else bad "$1: no \"$2\" in: $(<"$T/out")"; fi
}

# json_num KEY: the first number member KEY of $T/out.
json_num() {
    sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\(-\{0,1\}[0-9][0-9.e+]*\),\{0,1\}[[:space:]]*\$/\1/p" \
        "$T/out" | head -n 1
}

# json_ok NAME: $T/out looks like the JSON object cJSON prints: one member
# per line, balanced braces, nothing else.
json_ok() {
    local opens closes line re_member re_close
    re_member='^[[:space:]]*"[a-z_]+":[[:space:]]*(-?[0-9][0-9.e+]*|true|false|null|"[^"\\]*"|\{),?[[:space:]]*$'
    re_close='^[[:space:]]*\},?[[:space:]]*$'
    if [[ $(head -n 1 "$T/out") != "{" || $(tail -n 1 "$T/out") != "}" ]]; then
        bad "$1: not a JSON object: $(<"$T/out")"
        return
    fi
    opens=$(tr -cd '{' <"$T/out" | wc -c)
    closes=$(tr -cd '}' <"$T/out" | wc -c)
    if ((opens != closes)); then
        bad "$1: unbalanced braces"
        return
    fi
    while IFS= read -r line; do
        if ! [[ $line =~ $re_member || $line =~ $re_close ]]; then
            bad "$1: unexpected JSON line: $line"
            return
        fi
    done < <(sed '1d;$d' "$T/out")
    ok
}

# eq NAME GOT WANT
eq() {
    if [[ $2 == "$3" ]]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

[[ -x $MKLEDGER ]] || { echo "no mkledger at $MKLEDGER" >&2; exit 1; }

# ---- a good ledger
entries=$("$MKLEDGER" create "$T/good")
eq "mkledger entries" "$entries" 19

if run 0 "verify good" -- "$HAECHI" ledger verify --ledger "$T/good"; then
    has "verify good" "verified: $entries journal entries, 11 records, 11 index rows"
fi
if run 0 "verify --json good" -- "$HAECHI" ledger verify --ledger "$T/good" --json; then
    json_ok "verify --json good"
    if grep -Eq '"ok":[[:space:]]*true' "$T/out"; then ok; else bad "verify --json good: not ok"; fi
    eq "verify --json entries" "$(json_num entries)" "$entries"
    if grep -q '"bad_entry"' "$T/out"; then bad "verify --json good names a bad entry"; else ok; fi
fi

# ---- --expect-head: a head kept outside the ledger proves nothing was cut
head=$(sed -n 's/^head: //p' <(HAECHI_X=1 "$HAECHI" ledger verify --ledger "$T/good"))
eq "verify prints the head" "${head%%:*}" "$entries"
run 0 "expect-head current" -- "$HAECHI" ledger verify --ledger "$T/good" --expect-head "$head" || true
run 1 "expect-head later than the journal" -- "$HAECHI" ledger verify --ledger "$T/good" \
    --expect-head "$((entries + 5)):${head#*:}" || true
run 1 "expect-head wrong hash" -- "$HAECHI" ledger verify --ledger "$T/good" \
    --expect-head "$entries:0x$(printf '%064d' 7)" || true
run 2 "expect-head malformed" -- "$HAECHI" ledger verify --ledger "$T/good" \
    --expect-head "nonsense" || true

# ---- stats
if run 0 "stats --json" -- "$HAECHI" ledger stats --ledger "$T/good" --json; then
    json_ok "stats --json"
    eq "stats journal_entries" "$(json_num journal_entries)" "$entries"
    eq "stats head_seq" "$(json_num head_seq)" "$entries"
    eq "stats mints" "$(json_num mints)" 3
    eq "stats tokens" "$(json_num tokens)" 2
    eq "stats kv" "$(json_num kv)" 2
    eq "stats outbox" "$(json_num outbox)" 2
    eq "stats clients" "$(json_num clients)" 2
    eq "stats idx_owners" "$(json_num idx_owners)" 2
    eq "stats idx_active" "$(json_num idx_active)" 1
    eq "stats queued" "$(json_num queued)" 1
    eq "stats confirmed" "$(json_num confirmed)" 2
    eq "stats failed" "$(json_num failed)" 0
    if grep -Eq '"head_hash":[[:space:]]*"0x[0-9a-f]{64}"' "$T/out"; then ok; else bad "stats head_hash"; fi
    map=$(json_num map_size)
    used=$(json_num used_bytes)
    if [[ -n $map && -n $used ]] && ((used > 0 && used <= map)); then ok; else bad "stats sizes: $used of $map"; fi
fi
if run 0 "stats" -- "$HAECHI" ledger stats --ledger "$T/good"; then
    has "stats" "journal: $entries entries, head $entries 0x"
    has "stats" "confirmed"
fi

# ---- damaged copies: exit 1, the bad entry named
# flip DIR SEQ OFF WANT_ENTRY TEXT…: copy of good, one bit of entry SEQ
# flipped, verify must fail naming WANT_ENTRY and saying TEXT.
flip_case() {
    local dir=$1 seq=$2 off=$3 want=$4
    shift 4
    cp -r "$T/good" "$T/$dir"
    "$MKLEDGER" flip "$T/$dir" "$seq" "$off"
    if run 1 "verify $dir" -- "$HAECHI" ledger verify --ledger "$T/$dir"; then
        has "verify $dir" "NOT VERIFIED: "
        has "verify $dir" "first bad journal entry: $want"
        for text in "$@"; do has "verify $dir" "$text"; done
    fi
    if run 1 "verify --json $dir" -- "$HAECHI" ledger verify --ledger "$T/$dir" --json; then
        json_ok "verify --json $dir"
        if grep -Eq '"ok":[[:space:]]*false' "$T/out"; then ok; else bad "verify --json $dir: ok"; fi
        eq "verify --json $dir bad_entry" "$(json_num bad_entry)" "$want"
    fi
}
# entry 11 is the first kv write: "k/alpha" = "one" (body at byte 36)
flip_case op-byte 11 20 11 "journal entry 11 is malformed"
flip_case prev-hash 11 -1 11 "journal entry 11 does not follow entry 10"
flip_case time 11 12 12 "journal entry 12 does not follow entry 11"
# entry 13 wrote "k/alpha" = "uno", the record's current value
flip_case body 13 36 13 "kv 0x6b2f616c706861 differs from what journal entry 13 wrote"
flip_case last "$entries" 5 "$entries" "journal entry $entries says it is entry"

# a record deleted behind the journal's back: the entry that wrote it
cp -r "$T/good" "$T/deleted"
"$MKLEDGER" del "$T/deleted" kv k/gamma
if run 1 "verify deleted" -- "$HAECHI" ledger verify --ledger "$T/deleted"; then
    has "verify deleted" "kv 0x6b2f67616d6d61, written by journal entry 14, is missing"
    has "verify deleted" "first bad journal entry: 14"
fi
# an index row deleted: jongno-gu's API key id is "00000000" (0x30 × 8);
# its client record was written by entry 2
cp -r "$T/good" "$T/index"
"$MKLEDGER" del "$T/index" idx_client_keys 00000000
if run 1 "verify index" -- "$HAECHI" ledger verify --ledger "$T/index"; then
    has "verify index" "client jongno-gu: key index row missing"
    has "verify index" "first bad journal entry: 2"
fi
# a ledger of schema 1 (before idx_active; tokens under their ids): a
# reader refuses it and says why; the writer's first open upgrades it (the
# two tokens moved, a delete and a put each), then it verifies
cp -r "$T/good" "$T/schema1"
"$MKLEDGER" schema1 "$T/schema1"
for sub in verify stats; do
    if run 2 "$sub schema 1" -- "$HAECHI" ledger "$sub" --ledger "$T/schema1"; then
        if grep -qF "must first be upgraded" "$T/err"; then ok; else bad "$sub schema 1: stderr: $(<"$T/err")"; fi
    fi
done
"$MKLEDGER" hold "$T/schema1" </dev/null >/dev/null
if run 0 "verify upgraded" -- "$HAECHI" ledger verify --ledger "$T/schema1"; then
    # + 4: mkledger moved the 2 tokens back; + 4: the upgrade moved them on
    has "verify upgraded" "verified: $((entries + 1 + 4 + 4)) journal entries, 12 records, 11 index rows"
fi
if run 0 "stats upgraded" -- "$HAECHI" ledger stats --ledger "$T/schema1" --json; then
    eq "stats upgraded idx_active" "$(json_num idx_active)" 1
    eq "stats upgraded idx_owners" "$(json_num idx_owners)" 2
fi
# the untouched ledger still verifies (the copies were independent)
run 0 "verify good again" -- "$HAECHI" ledger verify --ledger "$T/good" || true

# ---- no ledger: exit 2, nothing on stdout
for d in "$T/missing" "$T/empty"; do
    [[ $d == "$T/empty" ]] && mkdir "$d"
    for sub in verify stats; do
        if run 2 "$sub $d" -- "$HAECHI" ledger "$sub" --ledger "$d"; then
            if [[ -s $T/out ]]; then bad "$sub $d: stdout: $(<"$T/out")"; else ok; fi
            if grep -qF "no ledger here" "$T/err"; then ok; else bad "$sub $d: stderr: $(<"$T/err")"; fi
        fi
    done
done
if [[ -e $T/missing ]]; then bad "verify created $T/missing"; else ok; fi
run 2 "verify without --ledger" -- "$HAECHI" ledger verify || true
run 2 "unknown ledger command" -- "$HAECHI" ledger frobnicate --ledger "$T/good" || true

# ---- a reader while the writer holds the ledger
mkfifo "$T/hold.in"
"$MKLEDGER" hold "$T/good" <"$T/hold.in" >"$T/hold.out" 2>&1 &
holder=$!
exec 3>"$T/hold.in" # keeps the holder waiting until closed
for _ in $(seq 1 200); do
    grep -q ready "$T/hold.out" 2>/dev/null && break
    sleep 0.05
done
if grep -q ready "$T/hold.out"; then
    ok
    if run 0 "verify while held" -- "$HAECHI" ledger verify --ledger "$T/good"; then
        has "verify while held" "verified: $((entries + 1)) journal entries"
    fi
    run 0 "stats while held" -- "$HAECHI" ledger stats --ledger "$T/good" --json || true
    # a second writer is refused
    if run 1 "second writer" -- "$MKLEDGER" hold "$T/good"; then
        if grep -qF "in use by another process" "$T/err"; then ok; else bad "second writer: $(<"$T/err")"; fi
    fi
else
    bad "mkledger hold did not start: $(<"$T/hold.out")"
fi
exec 3>&-
if wait "$holder"; then ok; else bad "mkledger hold failed"; fi
holder=

echo "ledger_cli: $pass passed, $failed failed"
((failed == 0))
