#!/usr/bin/env bash
# The wall clock set back while a transaction waits: haechid runs with
# tests/integration/preload/clockshift.c preloaded, which moves its
# CLOCK_REALTIME by what the test writes in a file (the machine's clock is
# not touched). On anvil, mining nothing (the test mines at the end), one
# batch with replace_after 6 s; once it is sent, the clock goes back an
# hour. haechid timed its waits on the wall clock: the transaction was not
# replaced for an hour, and the worker's timed wait, taken by the kernel
# on the real clock, returned at once, so it spun (both seen before the
# fix). Waits now run on a clock that never steps. Checks:
#   - no tx_replaced line before the step, one within 20 s after it;
#   - haechid's CPU time over 4 s after the step under 2 s (no spinning);
#   - mined at last, the mint is "confirmed", ownerOf (cast) its creator;
#     the ledger verifies; no sanitizer report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
SHIFT_LIB=$HC_BUILD_DIR/tests/libhc_clockshift.so
[ -f "$SHIFT_LIB" ] || { echo "missing $SHIFT_LIB (build the tests)" >&2; exit 1; }

hd_init
trap 'hd_cleanup; anvil_stop' EXIT
hd_chain
creator=${CREATORS[0]}
hd_automine_off # the test mines

echo 0 >"$T/shift"
HD_LAUNCH=(env "LD_PRELOAD=$SHIFT_LIB" "HC_CLOCK_SHIFT_FILE=$T/shift")
hd_start_chain HAECHI_BATCH_SIZE=1 HAECHI_BATCH_WAIT_MS=200 HAECHI_REPLACE_AFTER=6
f=$T/work
printf 'pipeline_clock_step %s\n' "$T" >"$f"
hd_post "$f" "$creator"
eq "work accepted" "$CODE" 202
id=$(jstr mint_id)
if hd_wait_log 20 '"event":"batch_sent"'; then ok; else bad "no batch_sent: $(tail -n 3 "$HD_LOG")"; fi

# an hour back, before replace_after has passed
echo -3600 >"$T/shift"
eq "replacements before the step" "$(grep -c '"event":"tx_replaced"' "$HD_LOG" || true)" 0
cpu() { awk '{ print $14 + $15 }' "/proc/$HD_PID/stat"; }
c0=$(cpu)
sleep 4
used=$(($(cpu) - c0)) hz=$(getconf CLK_TCK)
if [ "$used" -lt $((2 * hz)) ]; then ok; else bad "haechid used $used/$hz s of CPU in 4 s after the step"; fi
if hd_wait_log 20 '"event":"tx_replaced"'; then ok; else
    bad "no replacement after the clock went back: $(tail -n 3 "$HD_LOG")"
fi

"$CAST" rpc --rpc-url "$ANVIL_RPC" evm_mine >/dev/null
if hd_wait_state 30 "$id" confirmed; then ok; else bad "mint not confirmed: $(hd_state "$id")"; fi
hd_owner_is "ownerOf" "$f" "$creator"
hd_stop
HD_LAUNCH=()
hd_verify
hd_done
