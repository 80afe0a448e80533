# Shared by integration tests: the fault-injecting JSON-RPC proxy
# (tests/integration/rpc_faultproxy.c) in front of anvil, on a free loopback
# port. Source it after lib/haechid.bash (it uses $T and HC_BUILD_DIR), then:
#   fp_start ARGS…   starts the proxy to $ANVIL_RPC with ARGS (its options);
#                    sets FP_PID, FP_URL; its log (and summary) in $T/proxy.log
#   fp_stop          SIGTERM, waits; 0 if it exited 0
# Stop it in the test's EXIT trap too: [ -z "$FP_PID" ] || kill "$FP_PID".

FP_BIN=$HC_BUILD_DIR/tests/rpc_faultproxy
FP_PID=""
# shellcheck disable=SC2034 # read by the tests
FP_URL=""

fp_start() {
    [ -x "$FP_BIN" ] || { echo "missing $FP_BIN (build the tests)" >&2; return 1; }
    rm -f "$T/proxy.port"
    "$FP_BIN" --upstream "$ANVIL_RPC" --port-file "$T/proxy.port" "$@" \
        >/dev/null 2>"$T/proxy.log" &
    FP_PID=$!
    local _
    for _ in $(seq 1 200); do
        if [ -s "$T/proxy.port" ]; then
            # shellcheck disable=SC2034 # read by the tests
            FP_URL=http://127.0.0.1:$(<"$T/proxy.port")
            return 0
        fi
        kill -0 "$FP_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "the proxy did not start: $(<"$T/proxy.log")" >&2
    return 1
}

fp_stop() {
    local rc=0
    [ -n "$FP_PID" ] || return 0
    kill -TERM "$FP_PID" 2>/dev/null || true
    wait "$FP_PID" || rc=$?
    FP_PID=""
    return $rc
}
