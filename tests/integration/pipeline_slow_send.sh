#!/usr/bin/env bash
# The broadcasting thread's queue on a node slow to take transactions:
# haechid talks to anvil (mining nothing; the test mines) through the
# fault-injecting proxy, which holds every eth_sendRawTransaction for 1 s
# (`--slow`). 8 mints go out one per transaction and wait in the pool;
# each is broadcast again every 5 s, 1.6 sends a second against the 1 the
# node takes. The queue kept every one of them, so it grew without bound
# (memory) and a new batch's first send waited behind all of them (about
# 25 s after 40 s; seen before the fix). It now holds at most one send per
# nonce, a newer one taking the older one's place in the line (sent to the
# back instead, the replacement of a stuck transaction, re-broadcast every
# 5 s, could wait for ever). replace_after is 20 s: the transaction at the
# chain's next nonce is replaced after 20 s. Checks:
#   - the first replacement is in anvil's pool within 15 s of its
#     tx_replaced line;
#   - after 40 s, a 9th mint's transaction is in anvil's pool within 15 s
#     of its batch_sent line (before: behind about 25 queued sends);
#   - mined, every mint is "confirmed";
#     ownerOf (cast) each its creator; the ledger verifies; no sanitizer
#     report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
source "$here/lib/faultproxy.bash"
: "${CAST:?path of cast}"
N=8

hd_init
trap '[ -z "$FP_PID" ] || kill "$FP_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
hd_chain
hd_automine_off # the test mines
fp_start --slow eth_sendRawTransaction:1000

hd_start_chain HAECHI_RPC="$FP_URL" HAECHI_BATCH_SIZE=1 \
    HAECHI_BATCH_WAIT_MS=200 HAECHI_MAX_INFLIGHT=16 HAECHI_REPLACE_AFTER=20
ids=() files=() owners=()
post() { hd_post_work "$1" "${CREATORS[$1 % 4]}"; }
sent() { [ "$(grep -c '"event":"batch_sent"' "$HD_LOG" || true)" -ge "$1" ]; }
for ((i = 0; i < N; i++)); do post "$i"; done
if hd_wait_for 30 sent "$N"; then ok; else bad "not $N batches sent: $(tail -n 3 "$HD_LOG")"; fi
# re-broadcasts every 5 s, faster than the node takes them; the first
# replacement after 20 s
in_pool() { "$CAST" tx --rpc-url "$ANVIL_RPC" "$1" hash >/dev/null 2>&1; }
t_start=$SECONDS
if hd_wait_log 40 '"event":"tx_replaced"'; then ok; else bad "no replacement: $(tail -n 3 "$HD_LOG")"; fi
t0=$SECONDS
h=$(sed -n 's/.*"event":"tx_replaced".*"tx_hash":"\(0x[0-9a-f]*\)".*/\1/p' "$HD_LOG" | head -n 1)
if hd_wait_for 60 in_pool "$h"; then ok; else bad "the replacement ($h) never reached the pool"; fi
waited=$((SECONDS - t0))
echo "pipeline_slow_send: the replacement in the pool $waited s after its tx_replaced"
if [ "$waited" -le 15 ]; then ok; else bad "the replacement reached the pool $waited s after tx_replaced"; fi
sleep $((t_start + 40 - SECONDS > 0 ? t_start + 40 - SECONDS : 0))

post "$N"
if hd_wait_for 30 sent $((N + 1)); then ok; else bad "the last batch not sent: $(tail -n 3 "$HD_LOG")"; fi
t0=$SECONDS
h=$(sed -n 's/.*"event":"batch_sent","nonce":'"$N"',.*"tx_hash":"\(0x[0-9a-f]*\)".*/\1/p' "$HD_LOG")
if hd_wait_for 60 in_pool "$h"; then ok; else bad "nonce $N ($h) never reached the pool"; fi
waited=$((SECONDS - t0))
echo "pipeline_slow_send: nonce $N in the pool $waited s after its batch_sent"
if [ "$waited" -le 15 ]; then ok; else bad "nonce $N reached the pool $waited s after batch_sent"; fi

"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
hd_confirm_all 60
hd_stop
if fp_stop; then ok; else bad "the proxy did not exit 0"; fi
hd_owners_ok
hd_verify
hd_done
