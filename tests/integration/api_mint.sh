#!/usr/bin/env bash
# api_mint.sh — haechid's mint API over real HTTP with curl, on a free
# loopback port with a temp ledger: a mint round trip (202, Location, the
# mint's fields), idempotent retries (same key → same status and body; same
# key, other request → 422), 409 for content already queued (also from
# another client), reading mints back (own client, another client → 404,
# auditor and admin see all), tokens and provenance (public), the metadata
# served byte for byte as documented and hashed (sha256sum of the response
# = the mint's metadata_hash), concurrent mints, keep-alive (GETs and their
# errors share one connection), paging through an owner's tokens (written by
# tests/seed_tokens while haechid is stopped), /metrics counters and
# `promtool check metrics`, and durability across a restart.
# SIGTERM must stop haechid with exit 0 and the ledger must verify.
#
# Environment: HAECHI, HC_BUILD_DIR (set by CTest). Needs bash, curl, sed,
# grep and coreutils; promtool (Debian's prometheus package) if present.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/haechid.bash"
: "${SEED_TOKENS:=$HC_BUILD_DIR/tests/seed_tokens}"
[[ -x $SEED_TOKENS ]] || { echo "no seed_tokens at $SEED_TOKENS" >&2; exit 1; }
hd_init

A=$(hd_client dept-a minter)
B=$(hd_client dept-b minter)
AUD=$(hd_client audit auditor)
ADM=$(hd_client root admin)
HA=(-H "Authorization: Bearer $A")
HB=(-H "Authorization: Bearer $B")

# Tokens as the chain pipeline would record them (it is not built yet).
OWNER1=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
OWNER2=0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359
"$SEED_TOKENS" "$HD_LEDGER" "$OWNER1" 7 >"$T/owner1.ids"
"$SEED_TOKENS" "$HD_LEDGER" "$OWNER2" 3 >"$T/owner2.ids"

hd_start

# ---- a mint round trip: the documented example (docs/metadata.md)
cat >"$T/meta.json" <<'EOF'
{"creator": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
 "name": {"ko": "서울의 봄", "en": "Spring in Seoul"},
 "description": {"ko": "남산에서 본 서울의 봄.\n벚꽃과 N서울타워.",
                 "en": "Spring in Seoul, seen from Namsan.\n\tCherry blossoms and \"N Seoul Tower\"."},
 "image": "https://cdn.metaverse.seoul.go.kr/works/spring.png",
 "animation_url": "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/spring.mp4",
 "external_url": "https://metaverse.seoul.go.kr/works/spring?lang=ko",
 "media_type": "image/png",
 "license": "CC-BY-4.0",
 "attributes": [{"trait_type": "구", "value": "중구"},
                {"trait_type": "year", "value": 2024},
                {"trait_type": "rating", "value": 4.5}],
 "royalty_bps": 250}
EOF
printf 'hello world\n' >"$T/hello.txt"
HELLO=$(sha "$T/hello.txt")
eq "sha256 of hello world" "$HELLO" a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447
META_HASH=e39c0b1e1e441d81540c5337c258f1cb99890691d01e1adc293d4dc5671fe0a0 # docs

mint() { # mint AUTH-ARRAY-NAME METADATA-FILE CONTENT-FILE [CURL ARGS…]
    local -n auth=$1
    local meta=$2 content=$3
    shift 3
    req POST /v1/mints "${auth[@]}" "$@" \
        -F "metadata=<$meta;type=application/json" \
        -F "content=@$content;type=application/octet-stream"
}

mint HA "$T/meta.json" "$T/hello.txt" -H 'Idempotency-Key: req-1'
eq "mint: status" "$CODE" 202
cp "$T/body" "$T/first.json"
cp "$T/hdr" "$T/first.hdr"
MINT=$(jstr mint_id)
if [[ $MINT =~ ^[0-9a-f]{32}$ ]]; then ok; else bad "mint_id '$MINT'"; fi
eq "mint: Location" "$(hdr Location)" "http://haechi.test/v1/mints/$MINT"
eq "mint: Content-Type" "$(hdr Content-Type)" "application/json"
eq "mint: token_id" "$(jstr token_id)" "0x$HELLO"
eq "mint: content_sha256" "$(jstr content_sha256)" "$HELLO"
eq "mint: state" "$(jstr state)" queued
eq "mint: client" "$(jstr client)" dept-a
eq "mint: creator" "$(jstr creator)" "$OWNER1"
eq "mint: metadata_hash" "$(jstr metadata_hash)" "0x$META_HASH"
eq "mint: royalty_bps" "$(jnum royalty_bps)" 250
has "mint: tx_hashes" '"tx_hashes":[]'
has "mint: block" '"block":null'
has "mint: reason" '"reason":null'
if [[ $(jstr created_at) =~ ^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z$ ]]; then
    ok
else
    bad "created_at '$(jstr created_at)'"
fi

# ---- idempotent retries
mint HA "$T/meta.json" "$T/hello.txt" -H 'Idempotency-Key: req-1'
eq "retry: status" "$CODE" 202
if cmp -s "$T/body" "$T/first.json"; then ok; else bad "retry body differs: $(<"$T/body")"; fi
eq "retry: Location" "$(hdr Location)" "http://haechi.test/v1/mints/$MINT"
# the same metadata written differently renders to the same bytes: the same
# request
tr -d '\n' <"$T/meta.json" | sed 's/": /":/g' >"$T/meta-compact.json"
mint HA "$T/meta-compact.json" "$T/hello.txt" -H 'Idempotency-Key: req-1'
eq "retry, metadata re-spaced: status" "$CODE" 202
if cmp -s "$T/body" "$T/first.json"; then ok; else bad "re-spaced retry body differs"; fi
# the same key with other content, or other metadata: 422
printf 'other content\n' >"$T/other.txt"
mint HA "$T/meta.json" "$T/other.txt" -H 'Idempotency-Key: req-1'
problem "key reused, other content" 422 idempotency-key-reused Idempotency-Key
eq "key reused: mint_id" "$(jstr mint_id)" "$MINT"
sed 's/"Spring in Seoul"/"Spring in Seoul!"/' "$T/meta.json" >"$T/meta2.json"
mint HA "$T/meta2.json" "$T/hello.txt" -H 'Idempotency-Key: req-1'
problem "key reused, other metadata" 422 idempotency-key-reused Idempotency-Key

# ---- 409: the content is queued already
mint HA "$T/meta.json" "$T/hello.txt"
problem "duplicate, same client" 409 already-minted
eq "duplicate: token_id" "$(jstr token_id)" "0x$HELLO"
eq "duplicate: mint_id" "$(jstr mint_id)" "$MINT"
eq "duplicate: state" "$(jstr state)" queued
eq "duplicate: Location" "$(hdr Location)" "http://haechi.test/v1/mints/$MINT"
mint HB "$T/meta2.json" "$T/hello.txt" -H 'Idempotency-Key: req-1'
problem "duplicate, other client (its own key req-1)" 409 already-minted
eq "duplicate other client: mint_id" "$(jstr mint_id)" "$MINT"
# Idempotency-Keys are per client: dept-b's req-1 is free for its own mint
mint HB "$T/meta.json" "$T/other.txt" -H 'Idempotency-Key: req-1'
eq "other client, same key, own content: status" "$CODE" 202
MINT_B=$(jstr mint_id)
eq "other client mint: client" "$(jstr client)" dept-b
mint HB "$T/meta.json" "$T/other.txt" -H 'Idempotency-Key: req-1'
eq "other client retry: same mint" "$CODE $(jstr mint_id)" "202 $MINT_B"

# ---- GET /v1/mints/{id}
req GET "/v1/mints/$MINT" "${HA[@]}"
eq "get own mint: status" "$CODE" 200
if cmp -s "$T/body" "$T/first.json"; then ok; else bad "get mint differs from the 202: $(<"$T/body")"; fi
req GET "/v1/mints/$MINT" "${HB[@]}"
problem "get other client's mint" 404 not-found
req GET "/v1/mints/$MINT_B" "${HA[@]}"
problem "get other client's mint (b)" 404 not-found
req GET "/v1/mints/$MINT" -H "Authorization: Bearer $AUD"
eq "auditor sees all" "$CODE $(jstr mint_id)" "200 $MINT"
req GET "/v1/mints/$MINT_B" -H "Authorization: Bearer $ADM"
eq "admin sees all" "$CODE $(jstr mint_id)" "200 $MINT_B"
req GET "/v1/mints/$MINT"
problem "get mint without a key" 401 unauthorized
req GET "/v1/mints/00000000000000000000000000000000" "${HA[@]}"
problem "unknown mint" 404 not-found
req GET "/v1/mints/xyz" "${HA[@]}"
problem "malformed mint id" 400 bad-mint-id
req GET "/v1/mints/0x$MINT" "${HA[@]}"
problem "mint id with 0x" 400 bad-mint-id

# ---- tokens and provenance (public)
req GET "/v1/tokens/0x$HELLO"
eq "token: status" "$CODE" 200
eq "token: token_id" "$(jstr token_id)" "0x$HELLO"
eq "token: state" "$(jstr state)" queued
eq "token: metadata_hash" "$(jstr metadata_hash)" "0x$META_HASH"
eq "token: metadata_url" "$(jstr metadata_url)" "http://haechi.test/v1/metadata/$HELLO"
has "token: no owner yet" '"owner":null'
has "token: no block yet" '"block":null'
cp "$T/body" "$T/token.json"
req GET "/v1/tokens/$HELLO"
if [[ $CODE == 200 ]] && cmp -s "$T/body" "$T/token.json"; then ok; else bad "token id without 0x: $CODE"; fi
req GET "/v1/provenance/$HELLO"
eq "provenance: status" "$CODE" 200
eq "provenance: creator" "$(jstr creator)" "$OWNER1"
eq "provenance: metadata_hash" "$(jstr metadata_hash)" "0x$META_HASH"
has "provenance: mint_block" '"mint_block":null'
req GET "/v1/tokens/$(printf '%064d' 0)"
problem "unknown token" 404 not-found
req GET "/v1/provenance/$(printf '%064d' 0)"
problem "unknown provenance" 404 not-found
req GET "/v1/tokens/12345"
problem "malformed token id" 400 bad-token-id
req GET "/v1/provenance/${HELLO}00"
problem "token id too long" 400 bad-token-id

# ---- the metadata, byte for byte
req GET "/v1/metadata/$HELLO"
eq "metadata: status" "$CODE" 200
eq "metadata: sha256 = metadata_hash" "$(sha "$T/body")" "$META_HASH"
eq "metadata: size" "$(wc -c <"$T/body")" 923
eq "metadata: Content-Type" "$(hdr Content-Type)" "application/json; charset=utf-8"
eq "metadata: Cache-Control" "$(hdr Cache-Control)" "public, max-age=31536000, immutable"
eq "metadata: CORS" "$(hdr Access-Control-Allow-Origin)" "*"
grep '^{"name":"Spring in Seoul"' "$HD_ROOT/docs/metadata.md" | tr -d '\n' >"$T/doc-meta.json"
if cmp -s "$T/body" "$T/doc-meta.json"; then ok; else bad "served metadata differs from docs/metadata.md"; fi
cp "$T/body" "$T/meta-served.json"
req GET "/v1/tokens/0x$HELLO/metadata"
if [[ $CODE == 200 ]] && cmp -s "$T/body" "$T/meta-served.json"; then ok; else bad "token metadata route: $CODE"; fi
req GET "/v1/metadata/$(printf '%064d' 0)"
problem "metadata of an unknown token" 404 not-found
# other content: the hash of what is served matches what the mint recorded
req GET "/v1/mints/$MINT_B" "${HB[@]}"
want=$(jstr metadata_hash)
req GET "/v1/metadata/$(sha "$T/other.txt")"
eq "metadata of dept-b's mint hashes to its metadata_hash" "0x$(sha "$T/body")" "$want"
has "metadata names its content" "\"content_sha256\":\"$(sha "$T/other.txt")\",\"content_size\":14}"

# ---- concurrent mints: all distinct ones are accepted, one of the same
pids=()
for i in 1 2 3 4 5 6 7 8; do
    printf 'parallel %d\n' "$i" >"$T/par$i.txt"
    curl -sS -o "$T/par$i.out" -w '%{http_code}' "${HA[@]}" \
        -F "metadata=<$T/meta.json" -F "content=@$T/par$i.txt" \
        "$HD_URL/v1/mints" >"$T/par$i.code" &
    pids+=($!)
done
printf 'contended\n' >"$T/same.txt"
for i in 1 2 3 4; do
    auth=$A
    ((i % 2)) && auth=$B
    curl -sS -o "$T/same$i.out" -w '%{http_code}' -H "Authorization: Bearer $auth" \
        -F "metadata=<$T/meta.json" -F "content=@$T/same.txt" \
        "$HD_URL/v1/mints" >"$T/same$i.code" &
    pids+=($!)
done
wait "${pids[@]}"
codes=""
for i in 1 2 3 4 5 6 7 8; do codes+="$(<"$T/par$i.code") "; done
eq "8 parallel mints" "$codes" "202 202 202 202 202 202 202 202 "
ids=$(for i in 1 2 3 4 5 6 7 8; do grep -o '"mint_id":"[0-9a-f]*"' "$T/par$i.out"; done | sort -u | wc -l)
eq "8 parallel mints: distinct ids" "$ids" 8
codes=$(for i in 1 2 3 4; do cat "$T/same$i.code"; echo; done | sort | tr '\n' ' ')
eq "4 parallel mints of one content" "$codes" "202 409 409 409 "
ids=$(grep -ho '"mint_id":"[0-9a-f]*"' "$T"/same?.out | sort -u | wc -l)
eq "4 parallel mints of one content: one mint id" "$ids" 1
QUEUED=11 # hello, other, 8 parallel, contended

# ---- seeded tokens: owner, block, tx hash
first=$(head -n 1 "$T/owner1.ids")
req GET "/v1/tokens/$first"
eq "seeded token: status" "$CODE" 200
eq "seeded token: owner" "$(jstr owner)" "$OWNER1"
eq "seeded token: state" "$(jstr state)" confirmed
eq "seeded token: block" "$(jnum block)" 1000
if [[ $(jstr tx_hash) =~ ^0x[0-9a-f]{64}$ ]]; then ok; else bad "seeded token tx_hash"; fi
has "seeded token: not burned" '"burned":false'
req GET "/v1/provenance/${first#0x}"
eq "seeded provenance: mint_block" "$(jnum mint_block)" 1000
if [[ $(jstr mint_time) =~ ^20[0-9]{2}-.*Z$ ]]; then ok; else bad "seeded provenance mint_time"; fi

# ---- paging through an owner's tokens
# page OWNER LIMIT: follows next_cursor; the ids in $T/paged, the page sizes
# in PAGES
page() {
    local owner=$1 limit=$2 cursor="" n=0 q
    : >"$T/paged"
    PAGES=""
    while :; do
        q="limit=$limit"
        [[ -n $cursor ]] && q+="&cursor=$cursor"
        req GET "/v1/owners/$owner/tokens?$q" "${HA[@]}"
        if [[ $CODE != 200 ]]; then
            bad "page $owner $q: $CODE $(<"$T/body")"
            return
        fi
        grep -o '"token_id":"0x[0-9a-f]*"' "$T/body" | sed 's/.*"\(0x[0-9a-f]*\)"/\1/' >>"$T/paged" || true
        PAGES+="$(grep -o '"token_id"' "$T/body" | wc -l) "
        cursor=$(jstr next_cursor)
        [[ -n $cursor ]] || break
        n=$((n + 1))
        ((n < 20)) || { bad "page $owner: no end"; return; }
    done
    has "page $owner: last page" '"next_cursor":null'
}
# in the order the mints were accepted: seed_tokens writes them so
cp "$T/owner1.ids" "$T/owner1.order"
cp "$T/owner2.ids" "$T/owner2.order"
# (not the order of the token ids: that would be a coincidence)
if cmp -s "$T/owner1.ids" <(LC_ALL=C sort "$T/owner1.ids"); then bad "owner1 seeded ids happen to be sorted"; else ok; fi
for lim in 1 2 3 6 7 8 100; do
    page "$OWNER1" "$lim"
    if cmp -s "$T/paged" "$T/owner1.order"; then
        ok
    else
        bad "owner1 limit $lim: pages differ: $(tr '\n' ' ' <"$T/paged")"
    fi
done
page "$OWNER1" 3
eq "owner1 limit 3: page sizes" "$PAGES" "3 3 1 "
page "$OWNER1" 7
eq "owner1 limit 7: one page" "$PAGES" "7 "
page "$OWNER2" 2
eq "owner2 limit 2: page sizes" "$PAGES" "2 1 "
if cmp -s "$T/paged" "$T/owner2.order"; then ok; else bad "owner2 pages differ"; fi
req GET "/v1/owners/$OWNER1/tokens" "${HA[@]}" # default limit 50
eq "owner1 default limit" "$(grep -o '"token_id"' "$T/body" | wc -l)" 7
eq "owner echoed (checksummed)" "$(jstr owner)" "$OWNER1"
req GET "/v1/owners/${OWNER1,,}/tokens" "${HA[@]}"
eq "lowercase owner address" "$CODE $(grep -o '"token_id"' "$T/body" | wc -l)" "200 7"
req GET "/v1/owners/$OWNER1/tokens?cursor=$(tail -n 1 "$T/owner1.order" | cut -c3-)" "${HA[@]}"
eq "cursor at the end: empty page" "$CODE $(grep -c '"tokens":\[\]' "$T/body")" "200 1"
req GET "/v1/owners/0x0000000000000000000000000000000000000001/tokens" "${HA[@]}"
has "owner without tokens" '"tokens":[],"next_cursor":null'
for q in limit=0 limit=101 limit=abc limit= limit=-1; do
    req GET "/v1/owners/$OWNER1/tokens?$q" "${HA[@]}"
    problem "owner tokens $q" 400 bad-limit
done
req GET "/v1/owners/$OWNER1/tokens?cursor=zz" "${HA[@]}"
problem "bad cursor" 400 bad-cursor
# well-formed, but no token or mint of that id: the page cannot go on
req GET "/v1/owners/$OWNER1/tokens?cursor=$(printf '%064d' 7)" "${HA[@]}"
problem "cursor of no token" 400 bad-cursor
req GET "/v1/owners/0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD/tokens" "${HA[@]}"
problem "bad checksum address" 400 bad-address
req GET "/v1/owners/nobody/tokens" "${HA[@]}"
problem "not an address" 400 bad-address
req GET "/v1/owners/$OWNER1/tokens"
problem "owner tokens without a key" 401 unauthorized

# ---- keep-alive: GETs (answers and errors) share one connection
conns=$(curl -sS -o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects} ' "${HA[@]}" \
    "$HD_URL/healthz" "$HD_URL/v1/tokens/0x$HELLO" "$HD_URL/nope" "$HD_URL/v1/owners/$OWNER1/tokens")
eq "four GETs on one connection" "$conns" "1 0 0 0 "

# ---- /metrics: counters move, and the exposition is valid
metric() { # the value of a series (exact name and labels) in $T/body; 0 if absent
    local v
    v=$(grep -v '^#' "$T/body" | grep -F "$1 " | sed 's/.* //' | head -n 1) || true
    echo "${v:-0}"
}
req GET /metrics -H "Authorization: Bearer $AUD"
eq "metrics: status" "$CODE" 200
eq "metrics: Content-Type" "$(hdr Content-Type)" "text/plain; version=0.0.4; charset=utf-8"
has "metrics: HELP" "# HELP haechi_http_requests_total "
has "metrics: TYPE" "# TYPE haechi_http_request_seconds histogram"
eq "metrics: queue depth" "$(metric haechi_queue_depth)" "$QUEUED"
eq "metrics: 409s" "$(metric 'haechi_http_requests_total{route="/v1/mints",status="409"}')" 5
eq "metrics: 422s" "$(metric 'haechi_http_requests_total{route="/v1/mints",status="422"}')" 2
h0=$(metric 'haechi_http_requests_total{route="/healthz",status="200"}')
b0=$(metric haechi_bytes_hashed_total)
m0=$(metric 'haechi_http_requests_total{route="/v1/mints",status="202"}')
c0=$(metric 'haechi_http_request_seconds_count{route="/v1/mints"}')
cp "$T/body" "$T/metrics.txt"
if command -v promtool >/dev/null 2>&1; then
    if promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1; then
        ok
    else
        bad "promtool check metrics: $(<"$T/promtool.out")"
    fi
else
    echo "SKIP: promtool not installed (Debian package prometheus): exposition format not checked by promtool"
fi
req GET /healthz
head -c 100000 /dev/urandom >"$T/100k.bin"
mint HA "$T/meta.json" "$T/100k.bin"
eq "one more mint" "$CODE" 202
QUEUED=$((QUEUED + 1))
req GET /metrics -H "Authorization: Bearer $ADM"
eq "metrics: healthz +1" "$(metric 'haechi_http_requests_total{route="/healthz",status="200"}')" "$((h0 + 1))"
eq "metrics: mints 202 +1" "$(metric 'haechi_http_requests_total{route="/v1/mints",status="202"}')" "$((m0 + 1))"
eq "metrics: bytes hashed +100000" "$(metric haechi_bytes_hashed_total)" "$((b0 + 100000))"
eq "metrics: latency count +1" "$(metric 'haechi_http_request_seconds_count{route="/v1/mints"}')" "$((c0 + 1))"
eq "metrics: +Inf bucket = count" \
    "$(metric 'haechi_http_request_seconds_bucket{route="/v1/mints",le="+Inf"}')" "$((c0 + 1))"
eq "metrics: queue depth +1" "$(metric haechi_queue_depth)" "$QUEUED"
eq "metrics: the 401 counted" "$(metric 'haechi_http_requests_total{route="/v1/owners/{address}/tokens",status="401"}')" 1
eq "metrics: the metrics request counted" "$(metric 'haechi_http_requests_total{route="/metrics",status="200"}')" 1
if grep -q '^haechi_ledger_commit_seconds_count [1-9]' "$T/body"; then ok; else bad "no ledger commit observed"; fi
req GET /metrics "${HA[@]}"
problem "metrics for a minter" 403 forbidden
req GET /metrics
problem "metrics without a key" 401 unauthorized

# ---- stop, verify, restart: everything is still there
hd_stop
hd_verify
hd_start
req GET "/v1/mints/$MINT" "${HA[@]}"
if [[ $CODE == 200 ]] && cmp -s "$T/body" "$T/first.json"; then ok; else bad "mint after restart: $CODE"; fi
req GET "/v1/metadata/$HELLO"
eq "metadata after restart" "$(sha "$T/body")" "$META_HASH"
req GET /metrics -H "Authorization: Bearer $ADM"
eq "queue depth after restart" "$(metric haechi_queue_depth)" "$QUEUED"
mint HA "$T/meta.json" "$T/hello.txt" -H 'Idempotency-Key: req-1'
if [[ $CODE == 202 ]] && cmp -s "$T/body" "$T/first.json"; then ok; else bad "retry after restart: $CODE"; fi
hd_healthy "restart"
hd_stop
hd_verify

hd_done
