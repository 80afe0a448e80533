#!/usr/bin/env bash
# The pipeline when its ledger cannot be written, as on a full disk.
# haechid runs with a file size limit of two pages (RLIMIT_FSIZE, SIGXFSZ
# ignored): every commit then fails, its writes refused with EFBIG where a
# full disk says ENOSPC. Accepted mints wait for it:
#   - the queue holds with reason "ledger" (the gauge, one queue_held line)
#     and the failure is logged once, not once a round; no mint fails;
#   - a new mint is refused with 503 ledger-unavailable and a Retry-After
#     ("nothing was stored"), /readyz is 503 with the ledger "not writable",
#     and the API logs ledger_unwritable once; the same request retried
#     with its Idempotency-Key once the disk has room is accepted and minted
#     like the others;
#   - once the limit is lifted (prlimit, on the running process) the hold
#     ends by itself, /readyz is 200 again (ledger_writable logged once),
#     every mint is confirmed (ownerOf = its creator), and the ledger
#     verifies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
command -v prlimit >/dev/null || { echo "prlimit (util-linux) not found" >&2; exit 1; }

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
anvil_start "$T/anvil"
mnemonic="test test test test test test test test test test test junk"
k() { "$CAST" wallet private-key "$mnemonic" "$1"; }
export DEPLOYER_KEY
DEPLOYER_KEY=$(k 0)
signer=$("$CAST" wallet address --private-key "$(k 9)")
contract=$("$HAECHI" deploy --rpc "$ANVIL_RPC" --key-env DEPLOYER_KEY --minter "$signer")
key=$(hd_client dept minter,auditor)
creator=$("$CAST" wallet address --private-key "$(k 13)")
base_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$contract"
    HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=10 HAECHI_RATE_PER_MINUTE=0
    HAECHI_BATCH_WAIT_MS=100 HAECHI_CONFIRMATIONS=1)

# wait_for SECONDS COMMAND…: until COMMAND succeeds
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}
gauge_is() { [ "$(hd_metric haechi_pipeline_hold 'reason="ledger"')" = "$1" ]; }
all_in() { # STATE: every posted mint is in it
    local id
    for id in "${ids[@]}"; do [ "$(hd_state "$id")" = "$1" ] || return 1; done
}

# post_work I [CURL ARGS…]: posts work I (a new file)
post_work() {
    local i=$1 f=$T/work$1
    shift
    printf 'pipeline_ledger_full work %d %s\n' "$i" "$T" >"$f"
    req POST /v1/mints -H "Authorization: Bearer $key" "$@" \
        -F "metadata={\"creator\":\"$creator\",\"name\":{\"en\":\"w$i\"}};type=application/json" \
        -F "content=@$f"
}

# -- mints accepted and queued while the pipeline is off (no signer key)
hd_start "${base_env[@]}"
ids=() files=()
for i in 1 2 3 4 5; do
    post_work "$i"
    eq "work $i accepted" "$CODE" 202
    ids+=("$(jstr mint_id)")
    files+=("$T/work$i")
done
hd_stop

# -- the pipeline on, every ledger write refused. The log goes through a
# pipe to a process the limit does not apply to.
# shellcheck disable=SC2016 # expanded by the launching bash
HD_LAUNCH=(bash -c 'exec 2> >(cat >>"$0"); trap "" XFSZ; ulimit -S -f 8; exec "$@"')
HD_LAUNCH+=("$T/haechid.$((HD_RUNS + 1)).log") # the log hd_start reads next
hd_start "${base_env[@]}" HAECHI_SIGNER_KEY="$(k 9)"
HD_LAUNCH=()
if wait_for 30 gauge_is 1; then ok; else bad "no ledger hold: $(tail -n 5 "$HD_LOG")"; fi
sleep 3 # rounds go on: the failures must not be logged again
held=$(grep -c '"event":"queue_held".*"reason":"ledger"' "$HD_LOG" || true)
eq "queue_held (ledger) logged once" "$held" 1
nfail=$(grep -c '"event":"batch_store_failed"\|"event":"nonce_save_failed"' "$HD_LOG" || true)
if [ "$nfail" -le 2 ]; then ok; else bad "$nfail failure lines in 3 s: $(grep -m 3 failed "$HD_LOG")"; fi
for id in "${ids[@]}"; do eq "held: $id still queued" "$(hd_state "$id")" queued; done
# a new request cannot be stored: refused, nothing kept; not ready
for _ in 1 2; do
    post_work 6 -H "Idempotency-Key: ledger-full-6"
    problem "work 6 while the disk is full" 503 ledger-unavailable
    has "work 6: nothing stored" "nothing was stored"
    eq "work 6: Retry-After" "$(hdr Retry-After)" 10
done
req GET /readyz
eq "readyz while the disk is full" "$CODE" 503
has "readyz: the ledger" '"ledger":"not writable"'
eq "ledger_unwritable logged once" "$(grep -c '"event":"ledger_unwritable"' "$HD_LOG" || true)" 1

# -- the limit lifted: the hold ends, everything is minted
prlimit --pid "$HD_PID" --fsize=unlimited
if wait_for 30 gauge_is 0; then ok; else bad "the ledger hold did not end: $(tail -n 5 "$HD_LOG")"; fi
if grep -q '"event":"queue_resumed","reason":"ledger"' "$HD_LOG"; then ok; else bad "no queue_resumed (ledger) line"; fi
ready() { req GET /readyz && [ "$CODE" = 200 ]; }
if wait_for 30 ready; then ok; else bad "not ready once the disk has room: $(cat "$T/body")"; fi
has "readyz: the ledger" '"ledger":"ok"'
eq "ledger_writable logged once" "$(grep -c '"event":"ledger_writable"' "$HD_LOG" || true)" 1
post_work 6 -H "Idempotency-Key: ledger-full-6"
eq "work 6 retried" "$CODE" 202
ids+=("$(jstr mint_id)")
files+=("$T/work6")
if wait_for 60 all_in confirmed; then ok; else bad "not all confirmed: $(tail -n 5 "$HD_LOG")"; fi
for f in "${files[@]}"; do
    id=0x$(sha256sum "$f" | cut -c1-64)
    owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "$id")
    eq "ownerOf $(basename "$f")" "${owner,,}" "${creator,,}"
done
hd_stop
hd_verify
hd_done
