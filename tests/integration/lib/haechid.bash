# Shared by the api_*.sh integration tests: a haechid on a free loopback port
# with a temp ledger, curl helpers, and pass/fail counting. Source it after
# `set -euo pipefail`, then:
#
#   hd_init                   temp dir $T (removed at exit, with any haechid
#                             still running), ledger dir $HD_LEDGER
#   hd_client NAME ROLES [ARGS…]  `haechi keys add-client` (haechid stopped);
#                             prints the API key
#   hd_start [VAR=VALUE…]     starts haechid with HAECHI_LISTEN=127.0.0.1:0,
#                             HAECHI_LEDGER_DIR=$HD_LEDGER and the given
#                             environment (or `--config FILE` after them),
#                             through the command in the array HD_LAUNCH if
#                             set (which must exec its arguments);
#                             waits for {"event":"started",…,"port":N} in its
#                             log; sets HD_PID, HD_PORT, HD_URL, HD_LOG
#   hd_stop                   SIGTERM, waits (30 s at most); checks exit 0
#   hd_verify                 `haechi ledger verify` passes (haechid stopped)
#   hd_hwm                    haechid's peak RSS (VmHWM) in kB
#   req METHOD PATH [CURL ARGS…]  one request; sets CODE, the body in $T/body,
#                             the headers in $T/hdr
#   hd_state ID               the state of mint ID (API key in $key)
#   hd_metric NAME [LABELS]   a series' value on /metrics, 0 if absent (API
#                             key in $key: auditor or admin)
#   hdr NAME                  a header of the last response ("" if absent)
#   jstr KEY / jnum KEY       the first string / number member KEY of $T/body
#   eq NAME GOT WANT, has NAME TEXT (in $T/body), ok, bad, hd_healthy, hd_done
#
# With a chain (lib/anvil.bash sourced, CAST set):
#   hd_chain [ARGS…]          anvil_start "$T/anvil" ARGS, the contract deployed
#                             with account 9 as minter (SIGNER_KEY, SIGNER,
#                             CONTRACT), an API key with roles minter and
#                             auditor in $key, CREATORS (hd_creators)
#   hd_start_chain [VAR=VALUE…]  hd_start against that chain: HAECHI_RPC
#                             ($ANVIL_RPC), HAECHI_CONTRACT, HAECHI_CHAIN_ID
#                             31337, HAECHI_CONFIRMATIONS 1,
#                             HAECHI_RATE_PER_MINUTE 0, HAECHI_SIGNER_KEY;
#                             the given ones after them (a later one wins)
#   hd_automine_off           anvil mines only when the test asks (evm_mine)
#   hd_post FILE CREATOR [CURL ARGS…]  POST /v1/mints of FILE for CREATOR (the
#                             file's name as the work's name, and the members
#                             in HD_META_EXTRA, e.g. ',"royalty_bps":500');
#                             CODE, $T/body
#   hd_wait_for SECS COMMAND…  until COMMAND succeeds (1 if not in SECS)
#   hd_wait_state SECS ID STATE   until mint ID is in STATE (1 if not in SECS)
#   hd_wait_log SECS PATTERN  until haechid's log has PATTERN (1 if not)
#   hd_log_field EVENT FIELD  FIELD (a number or a hex string) of the first
#                             EVENT line in haechid's log
#   hd_drained                nothing queued, nothing in flight (its metrics)
#   hd_all_in STATE ID…       every mint ID is in STATE
#   hd_all_state NAME STATE ID…   checks that every mint ID is in STATE,
#                             naming the others
#   hd_call ARGS…             cast call ARGS on $ANVIL_RPC, tried 3 times (a
#                             call racing anvil's interval mining can fail)
#   hd_owner_is NAME FILE OWNER   checks ownerOf(sha256(FILE)) on chain = OWNER
#   hd_balances ADDR…         the sum of their balanceOf on chain
#   hd_pool_hash ADDR NONCE   the transaction anvil's pool holds for it (ADDR
#                             with that one transaction in the pool)
#   hd_post_work I CREATOR    posts work I ($T/workI, a line naming the test,
#                             I and $T) for CREATOR, checks the 202, appends
#                             to the arrays ids, files and owners
#   hd_confirm_all SECS       checks every mint in ids is "confirmed" within
#                             SECS
#   hd_owners_ok              checks ownerOf of every work in files is its
#                             owner in owners
#
# Needs bash, curl, sed, grep and coreutils only (no python, no jq).

HD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
: "${HC_BUILD_DIR:=$HD_ROOT/build}"
: "${HAECHI:=$HC_BUILD_DIR/haechi}"
: "${HAECHID:=$HC_BUILD_DIR/haechid}"
export LC_ALL=C
unset LANG LC_MESSAGES http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
# anything HAECHI_* from the caller's environment would change the service
while IFS= read -r v; do unset "$v"; done < <(compgen -e HAECHI_)

HD_NAME=$(basename "$0" .sh)
HD_LAUNCH=() # a command haechid is started through (it must exec it)
HD_PID=""
HD_PORT=""
HD_URL=""
HD_LOG=""
HD_RUNS=0
pass=0
failed=0

ok() { pass=$((pass + 1)); }
bad() {
    failed=$((failed + 1))
    printf 'FAIL (%s): %s\n' "$HD_NAME" "$*" >&2
}
eq() {
    if [[ $2 == "$3" ]]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
has() {
    if grep -qF -- "$2" "$T/body"; then ok; else bad "$1: no '$2' in: $(head -c 600 "$T/body")"; fi
}
hd_done() {
    echo "$HD_NAME: $pass passed, $failed failed"
    ((failed == 0))
}

hd_cleanup() {
    if [[ -n $HD_PID ]]; then
        kill -KILL "$HD_PID" 2>/dev/null || true
        wait "$HD_PID" 2>/dev/null || true
    fi
    if [[ -n ${HC_KEEP_TMP:-} ]]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}

hd_init() {
    [[ -x $HAECHID ]] || { echo "no haechid at $HAECHID" >&2; exit 1; }
    [[ -x $HAECHI ]] || { echo "no haechi at $HAECHI" >&2; exit 1; }
    T=$(mktemp -d "${TMPDIR:-/tmp}/haechi-$HD_NAME.XXXXXX")
    HD_LEDGER=$T/ledger
    trap hd_cleanup EXIT
}

hd_client() {
    local name=$1 roles=$2
    shift 2
    "$HAECHI" keys add-client --ledger "$HD_LEDGER" --name "$name" \
        --roles "$roles" "$@" 2>"$T/keys.err" ||
        { echo "keys add-client $name failed: $(<"$T/keys.err")" >&2; return 1; }
}

hd_start() {
    local envs=() i
    while (($#)) && [[ $1 == *=* ]]; do
        envs+=("$1")
        shift
    done
    HD_RUNS=$((HD_RUNS + 1))
    HD_LOG=$T/haechid.$HD_RUNS.log
    : >"$HD_LOG"
    "${HD_LAUNCH[@]}" env HAECHI_LISTEN=127.0.0.1:0 HAECHI_LEDGER_DIR="$HD_LEDGER" \
        HAECHI_PUBLIC_URL=http://haechi.test "${envs[@]}" \
        "$HAECHID" "$@" 2>"$HD_LOG" &
    HD_PID=$!
    HD_PORT=""
    for ((i = 0; i < 400; i++)); do
        HD_PORT=$(sed -n 's/.*"event":"started".*"port":\([0-9][0-9]*\).*/\1/p' "$HD_LOG")
        [[ -n $HD_PORT ]] && break
        if ! kill -0 "$HD_PID" 2>/dev/null; then
            wait "$HD_PID" 2>/dev/null || true
            HD_PID=""
            echo "haechid exited at start: $(<"$HD_LOG")" >&2
            return 1
        fi
        sleep 0.025
    done
    if [[ -z $HD_PORT ]]; then
        echo "haechid did not start: $(<"$HD_LOG")" >&2
        return 1
    fi
    HD_URL=http://127.0.0.1:$HD_PORT
}

# hd_stop: SIGTERM and wait; 0 if haechid exited 0 within 30 s.
hd_stop() {
    local rc=0 i
    [[ -n $HD_PID ]] || return 0
    kill -TERM "$HD_PID" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do
        kill -0 "$HD_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$HD_PID" 2>/dev/null; then
        bad "haechid did not stop within 30 s of SIGTERM"
        kill -KILL "$HD_PID" 2>/dev/null || true
    fi
    wait "$HD_PID" 2>/dev/null || rc=$?
    HD_PID=""
    if ((rc != 0)); then
        bad "haechid exited $rc after SIGTERM: $(tail -n 5 "$HD_LOG")"
        return 1
    fi
    if grep -q '"event":"stopped"' "$HD_LOG"; then ok; else bad "no stopped event in the log"; fi
    # no sanitizer report, no MHD complaint about our options
    if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$HD_LOG"; then
        bad "sanitizer report: $(grep -m 3 -E 'Sanitizer|runtime error' "$HD_LOG")"
    else
        ok
    fi
}

hd_verify() {
    if "$HAECHI" ledger verify --ledger "$HD_LEDGER" >"$T/verify.out" 2>&1; then
        ok
    else
        bad "ledger verify: $(<"$T/verify.out")"
    fi
}

hd_hwm() {
    sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$HD_PID/status"
}

CODE=""
req() {
    local method=$1 path=$2
    shift 2
    CODE=$(curl -sS -o "$T/body" -D "$T/hdr" -w '%{http_code}' --max-time 60 \
        -X "$method" "$@" "$HD_URL$path" 2>"$T/curl.err") || CODE="curl-failed($(<"$T/curl.err"))"
}

# shellcheck disable=SC2154 # key: the caller's API key
hd_state() {
    req GET "/v1/mints/$1" -H "Authorization: Bearer $key"
    jstr state
}

# shellcheck disable=SC2154 # key: the caller's API key
hd_metric() {
    local n=$1
    [ -n "${2:-}" ] && n="$1{$2}"
    curl -sS -H "Authorization: Bearer $key" "$HD_URL/metrics" |
        awk -v n="$n" '$1 == n { v = $2 } END { print v == "" ? 0 : v }'
}

hdr() {
    sed -n "s/^$1:[[:space:]]*\\(.*\\)\$/\\1/Ip" "$T/hdr" | tr -d '\r' | tail -n 1
    return 0
}

jstr() {
    grep -o "\"$1\":\"[^\"]*\"" "$T/body" | head -n 1 | sed "s/^\"$1\":\"\\(.*\\)\"\$/\\1/"
    return 0
}

jnum() {
    grep -oE "\"$1\":-?[0-9][0-9.eE+]*" "$T/body" | head -n 1 | sed "s/^\"$1\"://"
    return 0
}

# Checks status and problem type of the last response; with a field, that too.
problem() { # NAME STATUS SLUG [FIELD]
    eq "$1: status" "$CODE" "$2"
    eq "$1: type" "$(jstr type)" "urn:haechi:problem:$3"
    if [[ $CODE == [45]* ]]; then
        eq "$1: content-type" "$(hdr Content-Type)" "application/problem+json"
    fi
    if (($# > 3)); then
        eq "$1: field" "$(jstr field)" "$4"
    fi
}

hd_healthy() {
    local why=${1:-}
    req GET /healthz
    eq "healthz after $why" "$CODE" 200
}

# sha256 hex of a file
sha() { sha256sum "$1" | cut -c1-64; }

# anvil's accounts (its test mnemonic): hd_key N prints the private key of account N
HD_MNEMONIC="test test test test test test test test test test test junk"
hd_key() { "$CAST" wallet private-key "$HD_MNEMONIC" "$1"; }
# hd_creators: CREATORS, the addresses of accounts 21 to 24 (four creators)
hd_creators() {
    local i
    CREATORS=()
    for i in 1 2 3 4; do
        CREATORS+=("$("$CAST" wallet address --private-key "$(hd_key $((20 + i)))")")
    done
}

# hd_deploy SIGNER: deploys the contract on $ANVIL_RPC with account 0 of
# anvil's test mnemonic (`haechi deploy`) and grants SIGNER the minter role;
# sets CONTRACT.
hd_deploy() {
    local signer=$1 dk role
    dk=$(hd_key 0)
    CONTRACT=$(DEPLOYER_KEY=$dk "$HAECHI" deploy --rpc "$ANVIL_RPC" --key-env DEPLOYER_KEY) || return 1
    role=$("$CAST" call --rpc-url "$ANVIL_RPC" "$CONTRACT" "MINTER_ROLE()(bytes32)")
    "$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$dk" "$CONTRACT" \
        "grantRole(bytes32,address)" "$role" "$signer" >/dev/null
}

hd_chain() {
    anvil_start "$T/anvil" "$@"
    SIGNER_KEY=$(hd_key 9)
    SIGNER=$("$CAST" wallet address --private-key "$SIGNER_KEY")
    hd_deploy "$SIGNER"
    key=$(hd_client dept minter,auditor)
    hd_creators
}

hd_start_chain() {
    hd_start HAECHI_RPC="$ANVIL_RPC" HAECHI_CONTRACT="$CONTRACT" HAECHI_CHAIN_ID=31337 \
        HAECHI_CONFIRMATIONS=1 HAECHI_RATE_PER_MINUTE=0 HAECHI_SIGNER_KEY="$SIGNER_KEY" "$@"
}

hd_automine_off() { "$CAST" rpc --rpc-url "$ANVIL_RPC" evm_setAutomine false >/dev/null; }

hd_post() {
    local f=$1 c=$2
    shift 2
    req POST /v1/mints -H "Authorization: Bearer $key" "$@" \
        -F "metadata={\"creator\":\"$c\",\"name\":{\"en\":\"$(basename "$f")\"}${HD_META_EXTRA:-}};type=application/json" \
        -F "content=@$f"
}

hd_wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

hd_in_state() { [ "$(hd_state "$1")" = "$2" ]; }
hd_wait_state() { hd_wait_for "$1" hd_in_state "$2" "$3"; }
hd_wait_log() { hd_wait_for "$1" grep -q "$2" "$HD_LOG"; }

hd_log_field() {
    sed -n "s/.*\"event\":\"$1\".*\"$2\":\"\{0,1\}\([0-9a-fx]*\).*/\1/p" "$HD_LOG" | head -n 1
}

hd_drained() {
    [ "$(hd_metric haechi_queue_depth)" = 0 ] && [ "$(hd_metric haechi_pipeline_inflight)" = 0 ]
}

hd_all_in() {
    local want=$1 id
    shift
    for id in "$@"; do hd_in_state "$id" "$want" || return 1; done
}

hd_all_state() {
    local name=$1 want=$2 id st n=0 others=''
    shift 2
    for id in "$@"; do
        st=$(hd_state "$id")
        if [ "$st" = "$want" ]; then n=$((n + 1)); else others+=" $id=$st"; fi
    done
    eq "$name (others:${others:- none})" "$n" "$#"
}

# cast call, tried 3 times: while anvil mines on an interval with
# --prune-history, a call can name the block just before a new one, whose
# state is gone ("BlockOutOfRangeError: block height is 17 but requested
# was 16"). Prints the answer, or nothing (status 1).
hd_call() {
    local out _
    for _ in 1 2 3; do
        if out=$("$CAST" call --rpc-url "$ANVIL_RPC" "$@"); then
            echo "$out"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

hd_owner_is() {
    local owner
    owner=$(hd_call "$CONTRACT" "ownerOf(uint256)(address)" "0x$(sha "$2")") || true
    eq "$1" "${owner,,}" "${3,,}"
}

hd_post_work() {
    local f=$T/work$1
    printf '%s work %d %s\n' "$HD_NAME" "$1" "$T" >"$f"
    hd_post "$f" "$2"
    eq "work $1 accepted" "$CODE" 202
    ids+=("$(jstr mint_id)") files+=("$f") owners+=("$2")
}

hd_confirm_all() {
    if hd_wait_for "$1" hd_all_in confirmed "${ids[@]}"; then ok; else
        bad "not all confirmed: $(tail -n 3 "$HD_LOG")"
    fi
}

hd_owners_ok() {
    local i
    for i in "${!files[@]}"; do hd_owner_is "ownerOf work $i" "${files[i]}" "${owners[i]}"; done
}

hd_balances() {
    local a b total=0
    for a in "$@"; do
        b=$(hd_call "$CONTRACT" "balanceOf(address)(uint256)" "$a") || return 1
        total=$((total + ${b%% *}))
    done
    echo "$total"
}

hd_pool_hash() {
    "$CAST" rpc --rpc-url "$ANVIL_RPC" txpool_content | tr -d ' \n' |
        grep -o "\"${1,,}\":{\"$2\":{[^}]*}" | grep -o '"hash":"0x[0-9a-f]*"' | cut -d'"' -f4
}
