#!/usr/bin/env bash
# api_errors.sh — haechid's refusals, each a problem+json with its stable
# type: 401 (no key, another scheme, malformed, unknown, wrong secret), 403
# (a role missing), 429 (a tiny per-key rate limit, Retry-After), 404, 405
# (with Allow), 415, 400 for malformed multipart bodies (missing boundary,
# missing, duplicate or unexpected parts, truncated, bare LF), 400 for a bad
# Idempotency-Key, 413 (Content-Length over the limit, a chunked upload over
# it, metadata over 64 KiB; content exactly at the limit is accepted), 422
# for each kind of bad metadata with "field" naming it (invalid UTF-8 and
# invalid JSON too), and 503 with Retry-After when the queue is full
# (HAECHI_MAX_QUEUE=1). Also: one writer per ledger (a second haechid, or
# `haechi keys`, is refused while haechid runs), configuration errors (exit 2
# naming the line or the variable), --check-config, and /readyz (503 while
# the node is unreachable); a rotated key and a disabled client's key are
# refused (401), the new key and a client enabled again accepted, with the
# CLI (haechid stopped) and online (POST /v1/clients/{name}/key, disable,
# enable: admin only, 404 for no such client); `keys list` beside haechid.
# After each group /healthz answers 200; SIGTERM stops haechid with exit 0
# and the ledger verifies.
#
# Environment: HAECHI, HC_BUILD_DIR (set by CTest). Needs bash, curl, sed,
# grep and coreutils.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/haechid.bash"
hd_init

A=$(hd_client dept-a minter)
AUD=$(hd_client audit auditor)
ADM=$(hd_client root admin)
SPARE=$(hd_client spare minter)
SLOW=$(hd_client slow minter --rate-per-minute 1 --burst 2)
HA=(-H "Authorization: Bearer $A")

hd_start HAECHI_MAX_UPLOAD=1M

CREATOR=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
META='{"creator":"'$CREATOR'","name":{"en":"x"}}'
printf '%s' "$META" >"$T/meta.json"
OWNER_PATH=/v1/owners/$CREATOR/tokens
n=0
# a fresh content file each call (so no 409), path in $CONTENT
fresh() {
    n=$((n + 1))
    CONTENT=$T/content.$n
    printf 'content %d\n' "$n" >"$CONTENT"
}

# ---- 401
unauthorized() { # NAME CURL-ARGS…
    local name=$1
    shift
    for path in /v1/mints "$OWNER_PATH" /metrics /v1/mints/00000000000000000000000000000000; do
        if [[ $path == /v1/mints ]]; then
            fresh
            req POST "$path" "$@" -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
        else
            req GET "$path" "$@"
        fi
        problem "$name $path" 401 unauthorized
        eq "$name $path: WWW-Authenticate" "$(hdr WWW-Authenticate)" 'Bearer realm="haechi"'
    done
}
unauthorized "no key"
unauthorized "basic auth" -u user:pass
unauthorized "bearer, no key" -H "Authorization: Bearer "
unauthorized "malformed key" -H "Authorization: Bearer hck_xyz"
unauthorized "key with a space" -H "Authorization: Bearer ${A:0:40} ${A:41}"
unauthorized "key one short" -H "Authorization: Bearer ${A:0:84}"
unauthorized "key one long" -H "Authorization: Bearer ${A}0"
unauthorized "unknown key id" \
    -H "Authorization: Bearer hck_0123456789abcdef_${A:21}"
other_secret=$(printf '%064d' 7)
unauthorized "wrong secret" -H "Authorization: Bearer ${A:0:21}$other_secret"
unauthorized "token scheme" -H "Authorization: Token $A"
req GET "$OWNER_PATH" -H "Authorization: bearer $A"
eq "scheme is case-insensitive" "$CODE" 200
req GET "$OWNER_PATH" -H "Authorization: Bearer   $A"
eq "spaces after Bearer" "$CODE" 200
hd_healthy "401s"

# ---- 403
fresh
req POST /v1/mints -H "Authorization: Bearer $AUD" -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
problem "auditor mints" 403 forbidden
req GET /metrics "${HA[@]}"
problem "minter reads metrics" 403 forbidden

# ---- 429: 1 per minute, burst 2 (per key)
req GET "$OWNER_PATH" -H "Authorization: Bearer $SLOW"
eq "rate: 1st" "$CODE" 200
fresh
req POST /v1/mints -H "Authorization: Bearer $SLOW" -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
eq "rate: 2nd (a mint)" "$CODE" 202
for i in 3 4; do
    fresh
    req POST /v1/mints -H "Authorization: Bearer $SLOW" -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
    problem "rate: mint $i" 429 rate-limited
    ra=$(hdr Retry-After)
    if [[ $ra =~ ^[0-9]+$ ]] && ((ra >= 1 && ra <= 60)); then ok; else bad "Retry-After '$ra'"; fi
done
req GET "$OWNER_PATH" -H "Authorization: Bearer $SLOW"
problem "rate: a GET too" 429 rate-limited
req GET "$OWNER_PATH" "${HA[@]}"
eq "rate: other keys unaffected" "$CODE" 200
req GET "$OWNER_PATH" -H "Authorization: Bearer ${SLOW:0:21}$other_secret"
problem "rate: a wrong secret is 401, not 429" 401 unauthorized

# ---- 404, 405
for path in /nope / /v1 /v1/tokens/ /v1/mints/abc/extra /v1/metadata /healthz/ /V1/mints; do
    req GET "$path"
    problem "GET $path" 404 not-found
done
allow() { # METHOD PATH ALLOW
    req "$1" "$2"
    problem "$1 $2" 405 method-not-allowed
    eq "$1 $2: Allow" "$(hdr Allow)" "$3"
}
allow GET /v1/mints POST
allow DELETE /v1/mints POST
allow PUT /v1/mints POST
allow POST /healthz GET
allow DELETE "/v1/tokens/$(printf '%064d' 1)" GET
allow POST /metrics GET
allow OPTIONS "$OWNER_PATH" GET
req HEAD /healthz -I
eq "HEAD /healthz" "$CODE" 200
hd_healthy "404/405"

# ---- 415 and malformed multipart bodies
fresh
req POST /v1/mints "${HA[@]}" -H 'Content-Type: application/json' --data-binary "@$T/meta.json"
problem "JSON body" 415 unsupported-media-type
req POST /v1/mints "${HA[@]}" -H 'Content-Type: multipart/form-data' --data-binary "@$T/meta.json"
problem "multipart without boundary" 415 unsupported-media-type
req POST /v1/mints "${HA[@]}" -H 'Content-Type: multipart/form-data; boundary=' --data-binary "@$T/meta.json"
problem "multipart with an empty boundary" 415 unsupported-media-type
req POST /v1/mints "${HA[@]}"
problem "no body at all" 415 unsupported-media-type

# raw NAME BODY-FILE: POSTs the file as multipart with boundary XyZ
raw() {
    req POST /v1/mints "${HA[@]}" -H 'Content-Type: multipart/form-data; boundary=XyZ' \
        --data-binary "@$2"
}
part() { # NAME CONTENT: one part (CRLF line ends)
    printf -- '--XyZ\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$1" "$2"
}
fin() { printf -- '--XyZ--\r\n'; }
{ part metadata "$META"; part content "ok 1"; fin; } >"$T/good.mp"
raw good "$T/good.mp"
eq "hand-made multipart is accepted" "$CODE" 202
mp_bad() { # NAME FIELD(or -) DETAIL-SUBSTRING; body on stdin
    cat >"$T/bad.mp"
    raw "$1" "$T/bad.mp"
    if [[ $2 == - ]]; then
        problem "$1" 400 bad-multipart
    else
        problem "$1" 400 bad-multipart "$2"
    fi
    if [[ -n $3 ]]; then has "$1: detail" "$3"; fi
}
{ part content "c1"; fin; } | mp_bad "missing metadata" metadata "metadata part is missing"
{ part metadata "$META"; fin; } | mp_bad "missing content" content "content part is missing"
fin | mp_bad "no parts" metadata "metadata part is missing"
{ part metadata "$META"; part metadata "$META"; part content c2; fin; } |
    mp_bad "metadata twice" metadata "appears twice"
{ part metadata "$META"; part content c3; part content c3; fin; } |
    mp_bad "content twice" content "appears twice"
{ part metadata "$META"; part content c4; part extra x; fin; } |
    mp_bad "unexpected part" extra "unexpected part"
{ part metadata "$META"; part content c5; } | mp_bad "no closing boundary" - ""
{ part metadata "$META"; printf -- '--XyZ\r\nContent-Disposition: form-data; name="content"\r\n\r\nhalf a con'; } |
    mp_bad "truncated in content" - ""
{ part metadata "$META"; printf -- '--XyZ\r\nContent-Disposition: form-da'; } |
    mp_bad "truncated in part headers" - ""
printf -- '--XyZ\nContent-Disposition: form-data; name="metadata"\n\n%s\n--XyZ--\n' "$META" |
    mp_bad "bare LF line ends" - ""
{ printf -- '--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n'; fin; } | mp_bad "part without a name" - ""
{ part metadata "$META"; part content c6; fin; } | sed 's/XyZ/Other/g' | mp_bad "another boundary" - ""
printf 'not multipart at all' | mp_bad "garbage body" - ""
: | mp_bad "empty body" - ""
hd_healthy "malformed multipart"

# ---- Idempotency-Key
fresh
req POST /v1/mints "${HA[@]}" -H "Idempotency-Key: $(printf 'k%.0s' {1..129})" \
    -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
problem "Idempotency-Key of 129 characters" 400 bad-idempotency-key Idempotency-Key
req POST /v1/mints "${HA[@]}" -H "Idempotency-Key: a b" \
    -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
problem "Idempotency-Key with a space" 400 bad-idempotency-key Idempotency-Key
req POST /v1/mints "${HA[@]}" -H $'Idempotency-Key: \xed\x95\x9c' \
    -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
problem "Idempotency-Key not ASCII" 400 bad-idempotency-key Idempotency-Key
req POST /v1/mints "${HA[@]}" -H "Idempotency-Key: $(printf 'k%.0s' {1..128})" \
    -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
eq "Idempotency-Key of 128 characters" "$CODE" 202

# ---- 413 (HAECHI_MAX_UPLOAD=1M)
head -c 1048576 /dev/urandom >"$T/1m"
head -c 1048577 /dev/urandom >"$T/1m+1"
head -c 3145728 /dev/urandom >"$T/3m"
req POST /v1/mints "${HA[@]}" -F "metadata=<$T/meta.json" -F "content=@$T/1m"
eq "content of exactly the limit" "$CODE" 202
req POST /v1/mints "${HA[@]}" -F "metadata=<$T/meta.json" -F "content=@$T/1m+1"
problem "content one byte over the limit" 413 content-too-large content
req POST /v1/mints "${HA[@]}" -F "metadata=<$T/meta.json" -F "content=@$T/3m"
problem "Content-Length over the limit" 413 content-too-large
req POST /v1/mints "${HA[@]}" -H 'Transfer-Encoding: chunked' \
    -F "metadata=<$T/meta.json" -F "content=@$T/3m"
problem "chunked upload over the limit" 413 content-too-large content
req POST /v1/mints "${HA[@]}" -H 'Transfer-Encoding: chunked' -H 'Expect:' \
    -F "metadata=<$T/meta.json" -F "content=@$T/3m"
problem "chunked upload over the limit, no Expect" 413 content-too-large content
# metadata over 64 KiB
{
    printf '{"creator":"%s","name":{"en":"x"},"description":{"en":"' "$CREATOR"
    head -c 70000 /dev/zero | tr '\0' d
    printf '"}}'
} >"$T/bigmeta.json"
fresh
req POST /v1/mints "${HA[@]}" -F "metadata=<$T/bigmeta.json" -F "content=@$CONTENT"
problem "metadata over 64 KiB" 413 metadata-too-large metadata
hd_healthy "413s"

# ---- 422: each kind of bad metadata names its field
m422() { # FIELD METADATA-JSON
    printf '%s' "$2" >"$T/m422.json"
    fresh
    req POST /v1/mints "${HA[@]}" -F "metadata=<$T/m422.json" -F "content=@$CONTENT"
    problem "422 for $(head -c 70 "$T/m422.json")" 422 invalid-metadata "$1"
    if [[ -n $(jstr detail) ]]; then ok; else bad "422 for $1: no detail"; fi
}
C='"creator":"'$CREATOR'"'
m422 creator '{"name":{"en":"x"}}'
m422 creator '{"creator":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD","name":{"en":"x"}}'
m422 creator '{"creator":"0x0000000000000000000000000000000000000000","name":{"en":"x"}}'
m422 creator '{"creator":"0x1234","name":{"en":"x"}}'
m422 creator '{"creator":null,"name":{"en":"x"}}'
m422 name "{$C}"
m422 name "{$C,\"name\":{}}"
m422 name "{$C,\"name\":\"x\"}"
m422 name.en "{$C,\"name\":{\"en\":\"\"}}"
m422 name.en "{$C,\"name\":{\"en\":\"   \"}}"
m422 name.en "{$C,\"name\":{\"en\":\"x\\u0000\"}}"
m422 name.en "{$C,\"name\":{\"en\":\"x\",\"en\":\"y\"}}"
m422 name.ko "{$C,\"name\":{\"ko\":\"$(printf 'a%.0s' {1..201})\"}}"
m422 name.fr "{$C,\"name\":{\"fr\":\"x\"}}"
m422 name.ko "{$C,\"name\":{\"ko\":\"$(printf '\xed\xa0\x80')\"}}" # surrogate
m422 name.ko "{$C,\"name\":{\"ko\":\"$(printf 'a\xffb')\"}}"       # invalid UTF-8
m422 colour "{$C,\"name\":{\"en\":\"x\"},\"colour\":\"red\"}"
m422 description.en "{$C,\"name\":{\"en\":\"x\"},\"description\":{\"en\":\"a\\rb\"}}"
m422 image "{$C,\"name\":{\"en\":\"x\"},\"image\":\"javascript:alert(1)\"}"
m422 image "{$C,\"name\":{\"en\":\"x\"},\"image\":\"https://seoul.go.kr@evil.example/\"}"
m422 animation_url "{$C,\"name\":{\"en\":\"x\"},\"animation_url\":\"https://a.example/a b\"}"
m422 external_url "{$C,\"name\":{\"en\":\"x\"},\"external_url\":\"/relative\"}"
m422 media_type "{$C,\"name\":{\"en\":\"x\"},\"media_type\":\"image\"}"
m422 license "{$C,\"name\":{\"en\":\"x\"},\"license\":\"\"}"
m422 royalty_bps "{$C,\"name\":{\"en\":\"x\"},\"royalty_bps\":10001}"
m422 royalty_bps "{$C,\"name\":{\"en\":\"x\"},\"royalty_bps\":1.5}"
m422 royalty_bps "{$C,\"name\":{\"en\":\"x\"},\"royalty_bps\":\"250\"}"
m422 'attributes[1].value' "{$C,\"name\":{\"en\":\"x\"},\"attributes\":[{\"trait_type\":\"a\",\"value\":1},{\"trait_type\":\"b\",\"value\":{}}]}"
m422 'attributes[0].trait_type' "{$C,\"name\":{\"en\":\"x\"},\"attributes\":[{\"value\":1}]}"
m422 'attributes[0].value' "{$C,\"name\":{\"en\":\"x\"},\"attributes\":[{\"trait_type\":\"n\",\"value\":1e300}]}"
# the document itself: invalid JSON, invalid UTF-8 outside a field
m422 metadata '{"creator":"'$CREATOR'","name":{"en":"x"},}'
m422 metadata "{'creator':'$CREATOR'}"
m422 metadata '[1,2]'
m422 metadata ''
m422 metadata 'null'
m422 metadata '{"creator":"'$CREATOR'","name":{"en":"x"}} trailing'
m422 metadata "$(printf '\xef\xbb\xbf')$META" # a byte order mark
m422 metadata "$(printf '{"\xff":1}')"
m422 royalty_bps "{$C,\"name\":{\"en\":\"x\"},\"royalty_bps\":NaN}"
# metadata after the content is checked too
printf '{"name":{"en":"x"}}' >"$T/m422.json"
fresh
req POST /v1/mints "${HA[@]}" -F "content=@$CONTENT" -F "metadata=<$T/m422.json"
problem "bad metadata after the content" 422 invalid-metadata creator
hd_healthy "422s"
req GET "/v1/tokens/$(sha "$CONTENT")"
problem "nothing stored for a refused mint" 404 not-found

# ---- 503: the queue is full (HAECHI_MAX_QUEUE=1, some mints queued)
hd_stop
hd_verify
hd_start HAECHI_MAX_QUEUE=1
fresh
req POST /v1/mints "${HA[@]}" -F "metadata=<$T/meta.json" -F "content=@$CONTENT"
problem "queue full" 503 queue-full
eq "queue full: Retry-After" "$(hdr Retry-After)" 5
req POST /v1/mints "${HA[@]}" -H 'Expect:' -F "metadata=<$T/meta.json" -F "content=@$T/1m"
problem "queue full, body sent anyway" 503 queue-full
req GET "$OWNER_PATH" "${HA[@]}"
eq "reads work while the queue is full" "$CODE" 200
hd_healthy "503"
# one writer per ledger: a second haechid, or `haechi keys`, is refused
rc=0
env HAECHI_LISTEN=127.0.0.1:0 HAECHI_LEDGER_DIR="$HD_LEDGER" "$HAECHID" 2>"$T/second.log" || rc=$?
eq "a second haechid on the ledger: exit" "$rc" 1
if grep -q '"event":"ledger_open_failed"' "$T/second.log"; then ok; else bad "second haechid: $(<"$T/second.log")"; fi
rc=0
"$HAECHI" keys add-client --ledger "$HD_LEDGER" --name late --roles minter >"$T/late.out" 2>&1 || rc=$?
eq "keys add-client while haechid runs: exit" "$rc" 2
hd_healthy "a second writer"
hd_stop
hd_verify

# ---- a key rotated, a client disabled then enabled again (haechid stopped:
# one writer per ledger)
rc=0
"$HAECHI" keys rotate-client --ledger "$HD_LEDGER" --name dept-a >"$T/rot.out" 2>"$T/rot.err" || rc=$?
eq "rotate-client: exit" "$rc" 0
A2=$(<"$T/rot.out")
if [[ $A2 == hck_* && ${#A2} == "${#A}" && $A2 != "$A" ]]; then ok; else bad "rotate-client printed '$A2'"; fi
if grep -qF "the old one no longer works" "$T/rot.err"; then ok; else bad "rotate-client: $(<"$T/rot.err")"; fi
"$HAECHI" keys disable-client --ledger "$HD_LEDGER" --name audit 2>"$T/dis.err"
if grep -qF "client audit disabled" "$T/dis.err"; then ok; else bad "disable-client: $(<"$T/dis.err")"; fi
rc=0
"$HAECHI" keys rotate-client --ledger "$HD_LEDGER" --name nobody >"$T/no.out" 2>"$T/no.err" || rc=$?
eq "rotate-client of no client: exit" "$rc" 2
eq "rotate-client of no client: stdout" "$(<"$T/no.out")" ""
if grep -qF "no client 'nobody'" "$T/no.err"; then ok; else bad "rotate-client nobody: $(<"$T/no.err")"; fi
hd_verify
hd_start
# keys list reads only: it runs beside haechid
rc=0
"$HAECHI" keys list --ledger "$HD_LEDGER" --json >"$T/list.json" 2>"$T/list.err" || rc=$?
eq "keys list beside haechid: exit" "$rc" 0
list=$(tr -d ' \t\n' <"$T/list.json")
if [[ $list == *'"client":"dept-a","roles":"minter","disabled":false,"key_id":"'"${A2:0:20}"'"'* ]]; then ok; else bad "keys list: dept-a: $list"; fi
if [[ $list == *'"client":"audit","roles":"auditor","disabled":true,'* ]]; then ok; else bad "keys list: audit: $list"; fi
if grep -q "${A2:21}" "$T/list.json"; then bad "keys list shows a secret"; else ok; fi
"$HAECHI" keys list --ledger "$HD_LEDGER" >"$T/list.txt"
if grep -qE '^audit +auditor +disabled +hck_[0-9a-f]{16}  20[0-9-]+T' "$T/list.txt"; then ok; else bad "keys list (text): $(<"$T/list.txt")"; fi
unauthorized "the key before its rotation" "${HA[@]}"
req GET "$OWNER_PATH" -H "Authorization: Bearer $A2"
eq "the new key" "$CODE" 200
unauthorized "a disabled client's key" -H "Authorization: Bearer $AUD"
hd_stop
"$HAECHI" keys enable-client --ledger "$HD_LEDGER" --name audit 2>/dev/null
hd_start
req GET /metrics -H "Authorization: Bearer $AUD"
eq "enabled again" "$CODE" 200

# ---- the same online, by an admin key (POST /v1/clients/{name}/…)
req POST /v1/clients/spare/key -H "Authorization: Bearer $ADM"
eq "online rotation: status" "$CODE" 200
eq "online rotation: client" "$(jstr client)" spare
eq "online rotation: roles" "$(jstr roles)" minter
SPARE2=$(jstr api_key)
if [[ $SPARE2 == hck_* && ${#SPARE2} == "${#SPARE}" && $SPARE2 != "$SPARE" ]]; then ok; else bad "online rotation: api_key '$SPARE2'"; fi
eq "online rotation: Cache-Control" "$(hdr Cache-Control)" no-store
unauthorized "the key before its online rotation" -H "Authorization: Bearer $SPARE"
req GET "$OWNER_PATH" -H "Authorization: Bearer $SPARE2"
eq "the key after its online rotation" "$CODE" 200
req POST /v1/clients/spare/disable -H "Authorization: Bearer $ADM"
eq "online disable: status, disabled" "$CODE $(grep -o '"disabled":[a-z]*' "$T/body")" '200 "disabled":true'
unauthorized "a client disabled online" -H "Authorization: Bearer $SPARE2"
req POST /v1/clients/spare/enable -H "Authorization: Bearer $ADM"
eq "online enable: status, disabled" "$CODE $(grep -o '"disabled":[a-z]*' "$T/body")" '200 "disabled":false'
req GET "$OWNER_PATH" -H "Authorization: Bearer $SPARE2"
eq "a client enabled online" "$CODE" 200
for what in key disable enable; do
    req POST "/v1/clients/spare/$what" -H "Authorization: Bearer $A2"
    problem "$what by a minter" 403 forbidden
    req POST "/v1/clients/spare/$what"
    problem "$what without a key" 401 unauthorized
    req POST "/v1/clients/nobody/$what" -H "Authorization: Bearer $ADM"
    problem "$what of no client" 404 not-found
    req GET "/v1/clients/spare/$what" -H "Authorization: Bearer $ADM"
    problem "GET $what" 405 method-not-allowed
done
req POST /v1/clients/spare/key -H "Authorization: Bearer $ADM" -d x
problem "a body on a client route" 413 content-too-large
req GET "$OWNER_PATH" -H "Authorization: Bearer $SPARE2"
eq "refused requests changed nothing" "$CODE" 200
# an upload that began before its client was disabled is refused when it
# ends (2 MiB at 512 KiB/s: the disable comes a second in)
head -c 2097152 /dev/urandom >"$T/slow.bin"
curl -sS -o "$T/slow.body" -w '%{http_code}' --max-time 60 --limit-rate 512k \
    -H "Authorization: Bearer $SPARE2" -F "metadata=<$T/meta.json" \
    -F "content=@$T/slow.bin" "$HD_URL/v1/mints" >"$T/slow.code" &
slow_pid=$!
sleep 1
req POST /v1/clients/spare/disable -H "Authorization: Bearer $ADM"
eq "disabled during an upload" "$CODE" 200
wait "$slow_pid" || true
eq "the upload of a client disabled meanwhile" "$(<"$T/slow.code")" 401
if grep -qF "replaced or disabled during the upload" "$T/slow.body"; then ok; else bad "slow upload: $(<"$T/slow.body")"; fi
req POST /v1/clients/spare/enable -H "Authorization: Bearer $ADM"
eq "enabled after the upload" "$CODE" 200
stored=$(grep -c '"event":"mint_accepted".*"client":"spare"' "$HD_LOG" || true)
eq "nothing of that upload was stored" "$stored" 0
if grep -q '"event":"client_key_rotated".*"client":"spare","by":"root"' "$HD_LOG"; then ok; else bad "no client_key_rotated line"; fi
if grep -q "${SPARE2:21}" "$HD_LOG"; then bad "the new key's secret is in the log"; else ok; fi
hd_stop
hd_verify

# ---- configuration errors stop haechid at once (exit 2), naming the line
printf '[server]\nlisten = 127.0.0.1:0\nbogus = 1\n' >"$T/bad.ini"
rc=0
"$HAECHID" --config "$T/bad.ini" >"$T/cfg.out" 2>"$T/cfg.err" || rc=$?
eq "bad INI: exit" "$rc" 2
if grep -qF "$T/bad.ini line 3: [server] bogus: unknown setting" "$T/cfg.err"; then ok; else bad "bad INI: $(<"$T/cfg.err")"; fi
rc=0
HAECHI_MAX_UPLOAD=1X "$HAECHID" >"$T/cfg.out" 2>"$T/cfg.err" || rc=$?
eq "bad HAECHI_MAX_UPLOAD: exit" "$rc" 2
if grep -qF "HAECHI_MAX_UPLOAD: invalid value" "$T/cfg.err"; then ok; else bad "bad env: $(<"$T/cfg.err")"; fi
rc=0
"$HAECHID" --config "$T/nonexistent.ini" >"$T/cfg.out" 2>"$T/cfg.err" || rc=$?
eq "missing INI: exit" "$rc" 2
rc=0
HAECHI_LISTEN=127.0.0.1:0 HAECHI_MAX_UPLOAD=64KiB "$HAECHID" --check-config >"$T/cfg.out" 2>"$T/cfg.err" || rc=$?
eq "--check-config: exit" "$rc" 0
if grep -qx 'listen = 127.0.0.1:0' "$T/cfg.out" && grep -qx 'max_upload = 65536' "$T/cfg.out"; then
    ok
else
    bad "--check-config: $(<"$T/cfg.out")"
fi

# ---- readyz: not ready without a reachable chain
hd_start HAECHI_RPC=http://127.0.0.1:1
req GET /readyz
eq "readyz, node unreachable: status" "$CODE" 503
has "readyz: ledger ok" '"ledger":"ok"'
has "readyz: chain unreachable" '"chain":"unreachable"'
hd_stop
hd_verify

hd_done
