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
hd_chain
creator=${CREATORS[0]}
base_env=(HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$CONTRACT"
    HAECHI_CHAIN_ID=31337 HAECHI_BATCH_SIZE=10 HAECHI_RATE_PER_MINUTE=0
    HAECHI_BATCH_WAIT_MS=100 HAECHI_CONFIRMATIONS=1)

gauge_is() { [ "$(hd_metric haechi_pipeline_hold 'reason="ledger"')" = "$1" ]; }

# post_work I [CURL ARGS…]: posts work I (a new file)
post_work() {
    local i=$1 f=$T/work$1
    shift
    printf 'pipeline_ledger_full work %d %s\n' "$i" "$T" >"$f"
    hd_post "$f" "$creator" "$@"
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
hd_start "${base_env[@]}" HAECHI_SIGNER_KEY="$SIGNER_KEY"
HD_LAUNCH=()
if hd_wait_for 30 gauge_is 1; then ok; else bad "no ledger hold: $(tail -n 5 "$HD_LOG")"; fi
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
if hd_wait_for 30 gauge_is 0; then ok; else bad "the ledger hold did not end: $(tail -n 5 "$HD_LOG")"; fi
if grep -q '"event":"queue_resumed","reason":"ledger"' "$HD_LOG"; then ok; else bad "no queue_resumed (ledger) line"; fi
ready() { req GET /readyz && [ "$CODE" = 200 ]; }
if hd_wait_for 30 ready; then ok; else bad "not ready once the disk has room: $(cat "$T/body")"; fi
has "readyz: the ledger" '"ledger":"ok"'
eq "ledger_writable logged once" "$(grep -c '"event":"ledger_writable"' "$HD_LOG" || true)" 1
post_work 6 -H "Idempotency-Key: ledger-full-6"
eq "work 6 retried" "$CODE" 202
ids+=("$(jstr mint_id)")
files+=("$T/work6")
if hd_wait_for 60 hd_all_in confirmed "${ids[@]}"; then ok; else bad "not all confirmed: $(tail -n 5 "$HD_LOG")"; fi
for f in "${files[@]}"; do hd_owner_is "ownerOf $(basename "$f")" "$f" "$creator"; done
hd_stop
hd_verify
hd_done
