#!/usr/bin/env bash
# api_abuse.sh — hostile and broken clients must get a clean error (or a
# closed connection) and leave haechid healthy: header floods (one huge
# header, very many headers, a huge URL), garbage and pipelined requests,
# idle clients (closed after connection_timeout = 2 s from an INI file)
# while a slow but active upload is not cut, bodies that lie about their
# length (longer than sent and the client closes or goes idle; shorter than
# sent), a 2 GiB upload against the 1 GiB limit (refused with 413 at once,
# haechid's peak RSS unchanged), a 64 MiB upload streamed in bounded memory,
# and SIGTERM while a request is in flight (it completes with 202, haechid
# exits 0). After each, /healthz answers 200; the ledger verifies at the end.
#
# Environment: HAECHI, HC_BUILD_DIR (set by CTest). Needs bash (with
# /dev/tcp), curl, sed, grep and coreutils.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/haechid.bash"
hd_init

A=$(hd_client dept-a minter)
HA=(-H "Authorization: Bearer $A")
CREATOR=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
META='{"creator":"'$CREATOR'","name":{"en":"x"}}'
printf '%s' "$META" >"$T/meta.json"

cat >"$T/haechid.ini" <<EOF
; test configuration: short idle timeout, the default 1 GiB upload limit
[server]
listen = 127.0.0.1:0
connection_timeout = 2
max_upload = 1G
[ledger]
dir = $HD_LEDGER
EOF
hd_start --config "$T/haechid.ini"

now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }

# Raw connections, many at once (the idle ones take 2 s each):
#   probe NAME SECONDS FILE   in the background: connects, sends FILE, then
#                             reads until haechid closes (SECONDS at most);
#                             the answer in $T/NAME.raw
#   probes_wait               waits for them all
#   closed NAME / closed_ms NAME / status NAME
#                             1 if haechid closed it / when (ms after the
#                             send) / the first line of the answer
PROBES=()
probe() {
    local name=$1 secs=$2 data=$3
    (
        exec 3<>"/dev/tcp/127.0.0.1/$HD_PORT"
        cat "$data" >&3 2>/dev/null || true
        t0=$(now)
        rc=0
        timeout "$secs" cat <&3 >"$T/$name.raw" || rc=$?
        echo "$((rc == 0)) $(ms_since "$t0")" >"$T/$name.res"
    ) &
    PROBES+=($!)
}
probes_wait() {
    wait "${PROBES[@]}" || true
    PROBES=()
}
closed() { cut -d' ' -f1 "$T/$1.res"; }
closed_ms() { cut -d' ' -f2 "$T/$1.res"; }
status() { head -n 1 "$T/$1.raw" | tr -d '\r'; }
# closed within the idle timeout (2 s), not before
idle_closed() {
    local c ms
    c=$(closed "$1")
    ms=$(closed_ms "$1")
    if ((c && ms >= 1500 && ms <= 5000)); then
        ok
    else
        bad "$1: closed=$c after $ms ms (want about 2000)"
    fi
}

# ---- header floods
big=$(head -c 100000 /dev/zero | tr '\0' a)
req GET /healthz -H "X-Big: $big"
if [[ $CODE == 431 || $CODE == curl-failed* ]]; then ok; else bad "huge header: $CODE"; fi
hd_healthy "a 100 KB header"
flood=()
for i in $(seq 1 3000); do flood+=(-H "X-Flood-$i: v"); done
req GET /healthz "${flood[@]}"
if [[ $CODE == 431 || $CODE == curl-failed* ]]; then ok; else bad "3000 headers: $CODE"; fi
hd_healthy "3000 headers"
req GET /healthz "${flood[@]:0:400}" # 200 headers fit
eq "200 small headers" "$CODE" 200
req GET "/v1/tokens/$(head -c 100000 /dev/zero | tr '\0' 0)"
if [[ $CODE == 414 || $CODE == 431 || $CODE == curl-failed* ]]; then ok; else bad "huge URL: $CODE"; fi
hd_healthy "a 100 KB URL"

# ---- raw clients, all at once: garbage, idle, lying about their length
POST_HEAD='POST /v1/mints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer '$A'\r\nContent-Type: multipart/form-data; boundary=b\r\n'
body=$(printf -- '--b\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n%s\r\n--b\r\nContent-Disposition: form-data; name="content"\r\n\r\nabc' "$META")
{
    printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: '
    for _ in $(seq 1 20); do printf '%s' "${big:0:5000}"; done
} >"$T/endless.req"
printf '\x00\x01\x02GARBAGE\r\n\r\n' >"$T/garbage.req"
printf 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n' >"$T/http99.req"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$T/pipelined.req"
printf 'GET /healthz HTTP/1.0\r\n\r\n' >"$T/http10.req"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' >"$T/get-body.req"
: >"$T/idle-empty.req"
printf 'GET /heal' >"$T/idle-line.req"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >"$T/idle-headers.req"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >"$T/idle-keepalive.req"
printf "${POST_HEAD}Content-Length: 100000\r\n\r\n%s" "$body" >"$T/idle-body.req"
# Content-Length smaller than the body: the body is cut there (400), the
# rest is read as the next request (400) and the connection closed
printf "${POST_HEAD}Content-Length: 40\r\n\r\n%s\r\n--b--\r\n" "$body" >"$T/short-cl.req"
printf "${POST_HEAD}Content-Length: abc\r\n\r\n0123456789" >"$T/cl-abc.req"
printf "${POST_HEAD}Content-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789" >"$T/cl-two.req"
printf "${POST_HEAD}Content-Length: -5\r\n\r\n0123456789" >"$T/cl-neg.req"
for name in endless garbage http99 pipelined http10 get-body idle-empty idle-line idle-headers \
    idle-keepalive idle-body short-cl cl-abc cl-two cl-neg; do
    probe "$name" 8 "$T/$name.req"
done
# Content-Length larger than sent, and the client closes
for n in 0 10 300; do
    exec 3<>"/dev/tcp/127.0.0.1/$HD_PORT"
    printf "${POST_HEAD}Content-Length: 100000\r\n\r\n%s" "${body:0:$n}" >&3
    sleep 0.1
    exec 3<&- 3>&-
done
# meanwhile a slow but active upload (1 KiB every 0.5 s for 3.5 s) is not cut
slow_body() {
    printf -- '--b\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n%s\r\n' "$META"
    printf -- '--b\r\nContent-Disposition: form-data; name="content"\r\n\r\n'
    for i in 1 2 3 4 5 6 7; do
        head -c 1024 /dev/zero | tr '\0' "$i"
        sleep 0.5
    done
    printf -- '\r\n--b--\r\n'
}
slow_body | curl -sS -o "$T/slow.out" -w '%{http_code}' --max-time 20 "${HA[@]}" \
    -H 'Content-Type: multipart/form-data; boundary=b' -H 'Transfer-Encoding: chunked' \
    -X POST -T - "$HD_URL/v1/mints" >"$T/slow.code" 2>"$T/slow.err" &
slow=$!
# and other clients are served
hd_healthy "idle connections open"
req GET "/v1/tokens/$(printf '%064d' 0)"
eq "a read while idle connections are open" "$CODE" 404
probes_wait
wait "$slow" || true

eq "an endless header line is cut" "$(closed endless)" 1
if [[ $(status endless) == "HTTP/1.1 431"* || ! -s $T/endless.raw ]]; then ok; else bad "endless: $(status endless)"; fi
if [[ $(status garbage) == "HTTP/1.1 400"* || ! -s $T/garbage.raw ]]; then ok; else bad "garbage: $(status garbage)"; fi
eq "garbage: closed" "$(closed garbage)" 1
if [[ $(status http99) == "HTTP/1.1 505"* || $(status http99) == "HTTP/1.1 400"* ]]; then ok; else bad "HTTP/9.9: $(status http99)"; fi
eq "pipelined: two answers" "$(grep -o 'HTTP/1.1 [0-9]' "$T/pipelined.raw" | wc -l)" 2
if grep -q '"status":"ok"' "$T/pipelined.raw" && grep -q 'HTTP/1.1 404' "$T/pipelined.raw"; then
    ok
else
    bad "pipelined answers: $(<"$T/pipelined.raw")"
fi
eq "pipelined: closed at once (Connection: close)" "$(closed pipelined) $(($(closed_ms pipelined) < 1000))" "1 1"
eq "HTTP/1.0: answered and closed" "$(status http10) $(closed http10)" "HTTP/1.1 200 OK 1"
eq "a GET with a body: answered and closed" "$(status get-body) $(closed get-body) $(($(closed_ms get-body) < 3000))" "HTTP/1.1 200 OK 1 1"
idle_closed idle-empty
idle_closed idle-line
idle_closed idle-headers
idle_closed idle-keepalive
eq "idle keep-alive: answered first" "$(status idle-keepalive)" "HTTP/1.1 200 OK"
idle_closed idle-body
eq "Content-Length smaller than the body: 400" "$(status short-cl)" "HTTP/1.1 400 Bad Request"
if grep -q 'urn:haechi:problem:bad-multipart' "$T/short-cl.raw"; then ok; else bad "short-cl: $(head -c 300 "$T/short-cl.raw")"; fi
eq "Content-Length smaller than the body: closed" "$(closed short-cl)" 1
for name in cl-abc cl-two cl-neg; do
    if [[ $(status "$name") == "HTTP/1.1 4"* || ! -s $T/$name.raw ]]; then ok; else bad "$name: $(status "$name")"; fi
    eq "$name: closed" "$(closed "$name")" 1
done
eq "slow but active upload: accepted" "$(<"$T/slow.code")" 202
hd_healthy "raw clients"

# ---- 2 GiB against the 1 GiB limit: refused at once, no memory growth
hwm0=$(hd_hwm)
t0=$(now)
code=$(head -c 2G /dev/zero | curl -sS -o "$T/big.out" -w '%{http_code}' --max-time 30 "${HA[@]}" \
    -H 'Content-Type: multipart/form-data; boundary=b' -H 'Content-Length: 2147483648' \
    -X POST -T - "$HD_URL/v1/mints" 2>"$T/big.err") || true
took=$(ms_since "$t0")
eq "2 GiB upload: 413" "$code" 413
if grep -q 'urn:haechi:problem:content-too-large' "$T/big.out"; then ok; else bad "2 GiB upload: $(<"$T/big.out") $(<"$T/big.err")"; fi
if ((took < 5000)); then ok; else bad "2 GiB upload took ${took} ms to refuse"; fi
code=$(head -c 2G /dev/zero | curl -sS -o "$T/big.out" -w '%{http_code}' --max-time 30 "${HA[@]}" -H 'Expect:' \
    -H 'Content-Type: multipart/form-data; boundary=b' -H 'Content-Length: 2147483648' \
    -X POST -T - "$HD_URL/v1/mints" 2>"$T/big.err") || true
eq "2 GiB upload without Expect: 413" "$code" 413
hwm1=$(hd_hwm)
echo "2 GiB refused: peak RSS $hwm0 -> $hwm1 kB"
if ((hwm1 - hwm0 < 8192)); then ok; else bad "peak RSS grew from $hwm0 to $hwm1 kB"; fi
hd_healthy "a 2 GiB upload"

# ---- 64 MiB streamed: hashed as it arrives, not held in memory
head -c 64M /dev/urandom >"$T/64m"
hwm0=$(hd_hwm)
req POST /v1/mints "${HA[@]}" -F "metadata=<$T/meta.json" -F "content=@$T/64m"
eq "64 MiB upload" "$CODE" 202
eq "64 MiB upload: token id" "$(jstr content_sha256)" "$(sha "$T/64m")"
hwm1=$(hd_hwm)
echo "64 MiB streamed: peak RSS $hwm0 -> $hwm1 kB"
if ((hwm1 - hwm0 < 16384)); then ok; else bad "64 MiB upload: peak RSS grew from $hwm0 to $hwm1 kB"; fi
rm -f "$T/64m"
hd_healthy "a 64 MiB upload"

# ---- SIGTERM with a request in flight: it completes, then haechid stops
head -c 300000 /dev/urandom >"$T/inflight"
curl -sS -o "$T/inflight.out" -w '%{http_code}' --max-time 30 --limit-rate 100K "${HA[@]}" \
    -F "metadata=<$T/meta.json" -F "content=@$T/inflight" "$HD_URL/v1/mints" \
    >"$T/inflight.code" 2>"$T/inflight.err" &
cpid=$!
sleep 1 # the upload is under way (about 3 s in all)
pid=$HD_PID
t0=$(now)
hd_stop
took=$(ms_since "$t0")
wait "$cpid" || true
eq "in flight during SIGTERM: 202" "$(<"$T/inflight.code")" 202
eq "in flight during SIGTERM: stored" "$(grep -o '"content_sha256":"[0-9a-f]*"' "$T/inflight.out")" \
    "\"content_sha256\":\"$(sha "$T/inflight")\""
if ((took >= 500 && took < 15000)); then ok; else bad "stop took ${took} ms"; fi
if grep -q '"event":"stopping","signal":"SIGTERM"' "$HD_LOG"; then ok; else bad "no stopping event"; fi
if kill -0 "$pid" 2>/dev/null; then bad "haechid still running"; else ok; fi
hd_verify

# ---- a restart stops at once when nothing is in flight, and the in-flight
# mint is there
hd_start --config "$T/haechid.ini"
req GET "/v1/tokens/$(sha "$T/inflight")"
eq "the in-flight mint after restart" "$CODE" 200
exec 3<>"/dev/tcp/127.0.0.1/$HD_PORT" # an idle connection does not hold up the stop
t0=$(now)
hd_stop
took=$(ms_since "$t0")
exec 3<&- 3>&- || true
if ((took < 3000)); then ok; else bad "idle stop took ${took} ms"; fi
hd_verify

hd_done
