# Shared by integration tests: start a private anvil on a free loopback port
# and stop it by its PID. Source it, then:
#   anvil_start DIR [ARGS…]  sets ANVIL_PID, ANVIL_RPC (http://127.0.0.1:PORT)
#   anvil_stop               SIGTERM, then SIGKILL if it is still there 5 s later
# ARGS, if any, are passed on to anvil after the defaults (e.g. --no-mining
# for a node that keeps transactions pending until evm_mine).
# anvil runs with --prune-history and --hardfork cancun (it slows down with
# chain height otherwise) and keeps its state under DIR. ANVIL_KEEP_STATES=N
# keeps the last N states (anvil_reorg needs them).

: "${HC_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}"
ANVIL_BIN=${ANVIL:-$HC_ROOT/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}

anvil_start() {
    local dir=$1
    shift
    mkdir -p "$dir"
    : >"$dir/anvil.log" # exists before anvil writes to it (sed reads it)
    "$ANVIL_BIN" --host 127.0.0.1 --port 0 --chain-id 31337 \
        --prune-history${ANVIL_KEEP_STATES:+=$ANVIL_KEEP_STATES} --hardfork cancun --cache-path "$dir/cache" \
        "$@" >"$dir/anvil.log" 2>&1 &
    ANVIL_PID=$!
    local port=""
    for _ in $(seq 1 200); do
        port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/anvil.log")
        [ -n "$port" ] && break
        if ! kill -0 "$ANVIL_PID" 2>/dev/null; then
            echo "anvil exited:" >&2
            cat "$dir/anvil.log" >&2
            return 1
        fi
        sleep 0.05
    done
    if [ -z "$port" ]; then
        echo "anvil did not start" >&2
        return 1
    fi
    ANVIL_RPC="http://127.0.0.1:$port"
}

anvil_stop() {
    if [ -n "${ANVIL_PID:-}" ]; then
        kill "$ANVIL_PID" 2>/dev/null || true
        # a hung anvil does not end on SIGTERM (seen once with 1.7.1: every
        # thread waiting on a lock, no call answered); after 5 s, SIGKILL
        for _ in $(seq 1 250); do
            kill -0 "$ANVIL_PID" 2>/dev/null || break
            sleep 0.02
        done
        if kill -0 "$ANVIL_PID" 2>/dev/null; then
            echo "anvil did not stop on SIGTERM in 5 s: killed" >&2
            kill -KILL "$ANVIL_PID" 2>/dev/null || true
        fi
        wait "$ANVIL_PID" 2>/dev/null || true
        ANVIL_PID=""
    fi
}
