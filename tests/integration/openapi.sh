#!/usr/bin/env bash
# openapi.sh — docs/openapi.yaml is a valid OpenAPI 3.1 document and says
# what haechid does:
#
#  1. lint: the pinned Redocly CLI (package-lock.json) lints it with the
#     committed redocly.yaml (recommended-strict; examples must match their
#     schemas with no extra members), offline (in a network namespace of its
#     own when unshare works) and with telemetry off; any problem fails;
#  2. routes: the document's (method, path) pairs are exactly the server's
#     hc_api_routes (printed by tests/print_routes);
#  3. problem types: the slugs the source answers with (api.c) are exactly the
#     document's Problem.type enum, each with the status its table gives;
#  4. probes: a running haechid answers every documented (method, path),
#     never "no such route" nor 405, and HEAD where GET is; every other
#     method on a documented path is 405 with Allow = the documented methods;
#  5. live answers: ~50 real requests (every documented status of every
#     operation but 500) are recorded; each (route, status, content type)
#     must be documented, and each JSON body is validated by the same linter
#     against the schema the document gives for it (a generated document
#     whose examples are the live bodies, $ref-ing docs/openapi.yaml);
#     conversely, every documented (route, status) but 500 was seen. Also:
#     Location, Retry-After, WWW-Authenticate headers, and the metadata hash
#     recomputed from the served bytes.
#
# Environment: HAECHI, HC_BUILD_DIR (set by CTest). Needs bash, curl, sed,
# grep, awk, coreutils and node (for the linter); no python, no jq.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# lib/haechid.bash: hd_init/hd_client/hd_start/hd_stop, req, hdr, jstr, eq,
# ok, bad, hd_done; $T, $HD_LEDGER, $HD_URL, $CODE
source "$here/lib/haechid.bash"
HC_ROOT=$root
source "$here/lib/anvil.bash"
: "${HC_BUILD_DIR:=$root/build}"

DOC=$root/docs/openapi.yaml
REDOCLY=$root/node_modules/.bin/redocly
PRINT_ROUTES=$HC_BUILD_DIR/tests/print_routes
SEED_TOKENS=$HC_BUILD_DIR/tests/seed_tokens

hd_init
trap 'anvil_stop; hd_cleanup' EXIT

[[ -x $REDOCLY ]] || { echo "no $REDOCLY: run tools/setup (npm ci)" >&2; exit 1; }
[[ -x $PRINT_ROUTES ]] || { echo "no $PRINT_ROUTES" >&2; exit 1; }

# the linter, offline: no telemetry, no update check, no proxy; in a network
# namespace with no interface when we may make one (root, as in CI)
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    REDOCLY_SUPPRESS_NOTIFICATIONS=true NO_UPDATE_NOTIFIER=1
NONET=()
if unshare -n true 2>/dev/null; then NONET=(unshare -n); fi
lint() { # DIR FILE [ARGS…]: runs in DIR (its redocly.yaml applies)
    local dir=$1
    shift
    (cd "$dir" && "${NONET[@]}" "$REDOCLY" lint "$@")
}

# ---- 1. lint the document

if lint "$root" docs/openapi.yaml --format=stylish >"$T/lint.out" 2>&1; then
    if grep -qE 'valid|Woohoo' "$T/lint.out"; then ok; else bad "lint: no verdict: $(<"$T/lint.out")"; fi
else
    bad "redocly lint docs/openapi.yaml failed:
$(grep -v '║\|╔\|╚' "$T/lint.out")"
fi
eq "redocly version (package-lock.json)" \
    "$("${NONET[@]}" "$REDOCLY" --version 2>/dev/null | head -n 1)" \
    "$(grep -A1 '"node_modules/@redocly/cli"' "$root/package-lock.json" |
        sed -n 's/.*"version": "\(.*\)".*/\1/p')"

# ---- 2. the document's routes are the server's

# doc_table: "METHOD PATH STATUS REF" for every documented response, REF the
# name under components/responses or "-" when inline; operations without
# responses give STATUS "-". Reads the document's layout: paths at 2 spaces,
# methods at 4, responses at 6, status codes at 8.
doc_table() {
    awk '
        function flush(ref) { if (pending != "") print pending, ref; pending = "" }
        /^paths:/ { inp = 1; next }
        /^[^ #]/ { flush("-"); inp = 0 }
        !inp { next }
        /^  \/[^ ]*:[ ]*$/ { flush("-"); sub(/^  /, ""); sub(/:[ ]*$/, ""); path = $0; method = ""; next }
        /^    [a-z]+:[ ]*$/ {
            flush("-"); m = $1; sub(/:$/, "", m); inresp = 0; method = ""
            if (m ~ /^(get|put|post|delete|options|head|patch|trace)$/) {
                method = toupper(m); ops[method " " path] = 1
            }
            next
        }
        method == "" { next }
        /^      responses:[ ]*$/ { inresp = 1; next }
        /^      [^ ]/ { flush("-"); inresp = 0; next }
        inresp && /^        .[0-9X][0-9X][0-9X].:[ ]*$/ {
            flush("-"); s = $1; gsub(/[^0-9X]/, "", s)
            pending = method " " path " " s; seen[method " " path] = 1; next
        }
        inresp && pending != "" && /^          \$ref:/ {
            r = $0; sub(/.*#\/components\/responses\//, "", r); gsub(/[^A-Za-z0-9_.-]/, "", r)
            flush(r); next
        }
        inresp && pending != "" { flush("-") }
        END { flush("-"); for (k in ops) if (!(k in seen)) print k, "-", "-" }
    ' "$DOC"
}
doc_table >"$T/doc.table"
cut -d' ' -f1,2 "$T/doc.table" | sort -u >"$T/doc.routes"
"$PRINT_ROUTES" | sort -u >"$T/server.routes"
if [[ -s $T/doc.routes ]] && cmp -s "$T/doc.routes" "$T/server.routes"; then
    ok
else
    bad "routes differ (< docs/openapi.yaml, > hc_api_routes):
$(diff "$T/doc.routes" "$T/server.routes" || true)"
fi
eq "number of routes" "$(wc -l <"$T/server.routes")" "$(wc -l <"$T/doc.routes")"
if grep -q ' - -$' "$T/doc.table"; then
    bad "operations without responses: $(grep ' - -$' "$T/doc.table")"
else
    ok
fi

# ---- 3. problem types: source vs the document

grep -ohE '[0-9]{3},[[:space:]]*"[a-z]+(-[a-z]+)*"' "$root/src/service/api.c" |
    sed 's/^\([0-9]*\),[[:space:]]*"\(.*\)"$/\2 \1/' | sort -u >"$T/src.problems"
sed -n 's/^ *- urn:haechi:problem:\([a-z-]*\)[ ]*$/\1/p' "$DOC" | sort -u >"$T/doc.slugs"
sed -n 's/^ *| `\([a-z-]*\)` | \([0-9][0-9][0-9]\) |.*/\1 \2/p' "$DOC" | sort -u >"$T/doc.problems"
cut -d' ' -f1 "$T/src.problems" | sort -u >"$T/src.slugs"
if [[ -s $T/src.slugs ]] && cmp -s "$T/src.slugs" "$T/doc.slugs"; then
    ok
else
    bad "problem slugs differ (< api.c, > Problem.type enum):
$(diff "$T/src.slugs" "$T/doc.slugs" || true)"
fi
if cmp -s "$T/src.problems" "$T/doc.problems"; then
    ok
else
    bad "problem (slug, status) pairs differ (< api.c, > the Problem table):
$(diff "$T/src.problems" "$T/doc.problems" || true)"
fi

# ---- a running haechid

MINTER=$(hd_client culture-dept minter)
AUDITOR=$(hd_client audit-office auditor)
SLOW=$(hd_client slow-office minter,auditor,admin --rate-per-minute 1 --burst 1)
ADMIN=$(hd_client it-office admin)
SPARE=$(hd_client spare-office minter)
OWNER=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
SEEDED=""
if [[ -x $SEED_TOKENS ]]; then
    # confirmed tokens, as the pipeline will write them
    SEEDED=$("$SEED_TOKENS" "$HD_LEDGER" "$OWNER" 3 openapi | head -n 1)
fi
hd_start HAECHI_MAX_UPLOAD=4096
PUBLIC=http://haechi.test

# ---- 4. every documented route answers; other methods are 405

MINT_HEX=00000000000000000000000000000000
TOKEN_HEX=0000000000000000000000000000000000000000000000000000000000000000
concrete() { # TEMPLATE -> a path with example values
    local p=$1
    p=${p//\{address\}/$OWNER}
    p=${p//\{sha256\}/$TOKEN_HEX}
    p=${p//\{name\}/no-such-office}
    if [[ $p == /v1/mints/* ]]; then p=${p//\{id\}/$MINT_HEX}; else p=${p//\{id\}/$TOKEN_HEX}; fi
    printf '%s' "$p"
}
no_route() { [[ $CODE == 404 ]] && grep -q '"detail":"no such route"' "$T/body"; }
for tmpl in $(cut -d' ' -f2 "$T/doc.routes" | sort -u); do
    path=$(concrete "$tmpl")
    documented=$(awk -v p="$tmpl" '$2 == p { print $1 }' "$T/doc.routes" | sort | paste -sd' ')
    for m in GET POST PUT DELETE PATCH; do
        req "$m" "$path" -H "Authorization: Bearer $MINTER"
        if [[ " $documented " == *" $m "* ]]; then
            if no_route || [[ $CODE == 405 ]]; then
                bad "$m $tmpl ($path) is documented but answers $CODE: $(<"$T/body")"
            else
                ok
            fi
        else
            eq "$m $tmpl: undocumented method" "$CODE" 405
            eq "$m $tmpl: Allow" "$(hdr Allow | tr -d ' ' | tr ',' '\n' | sort | paste -sd' ')" "$documented"
        fi
    done
    if [[ " $documented " == *" GET "* ]]; then
        code=$(curl -sS -o /dev/null -w '%{http_code}' -I --max-time 30 \
            -H "Authorization: Bearer $MINTER" "$HD_URL$path") || code=curl-failed
        if [[ $code == 405 || $code == 404 && $tmpl != *"{"* ]]; then
            bad "HEAD $tmpl answers $code"
        else
            ok
        fi
    fi
done
req GET /v1/no-such-route
if no_route; then ok; else bad "an undocumented path: $CODE $(<"$T/body")"; fi

# ---- 5. live answers

: >"$T/cases"
N=0
# record NAME METHOD TEMPLATE WANT [SLUG]: checks the last answer's status
# (and problem type) and keeps it for the schema check below.
record() {
    local name=$1 method=$2 tmpl=$3 want=$4 slug=${5:-}
    eq "$name: status" "$CODE" "$want"
    if [[ -n $slug ]]; then
        eq "$name: type" "$(jstr type)" "urn:haechi:problem:$slug"
        eq "$name: content type" "$(hdr Content-Type)" application/problem+json
    fi
    N=$((N + 1))
    cp "$T/body" "$T/case$N.body"
    printf '%s|%s|%s|%s|%s|%s\n' "$N" "$method" "$tmpl" "$CODE" \
        "$(hdr Content-Type)" "$name" >>"$T/cases"
}

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
printf 'hello world\n' >"$T/work.txt"
printf 'another work\n' >"$T/other.txt"
head -c 5000 /dev/zero >"$T/big.bin"
{
    printf '{"creator": "%s", "name": {"en": "x"}, "license": "' "$OWNER"
    head -c 70000 /dev/zero | tr '\0' 'a'
    printf '"}'
} >"$T/bigmeta.json"
AUTH=(-H "Authorization: Bearer $MINTER")
META=(-F "metadata=<$T/meta.json;type=application/json")
TOKEN=a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447

req POST /v1/mints "${AUTH[@]}" -H 'Idempotency-Key: spring-2024-001' "${META[@]}" -F "content=@$T/work.txt"
record "mint" POST /v1/mints 202
MINT=$(jstr mint_id)
eq "mint: Location" "$(hdr Location)" "$PUBLIC/v1/mints/$MINT"
eq "mint: token id" "$(jstr token_id)" "0x$TOKEN"
eq "mint: metadata hash" "$(jstr metadata_hash)" 0xe39c0b1e1e441d81540c5337c258f1cb99890691d01e1adc293d4dc5671fe0a0
req POST /v1/mints "${AUTH[@]}" -H 'Idempotency-Key: spring-2024-001' "${META[@]}" -F "content=@$T/work.txt"
record "idempotent retry" POST /v1/mints 202
eq "retry: same mint" "$(jstr mint_id)" "$MINT"
req POST /v1/mints "${AUTH[@]}" "${META[@]}" -F "content=@$T/work.txt"
record "duplicate content" POST /v1/mints 409 already-minted
eq "409: Location" "$(hdr Location)" "$PUBLIC/v1/mints/$MINT"
eq "409: mint_id" "$(jstr mint_id)" "$MINT"
req POST /v1/mints "${AUTH[@]}" -H 'Idempotency-Key: spring-2024-001' "${META[@]}" -F "content=@$T/other.txt"
record "idempotency key reused" POST /v1/mints 422 idempotency-key-reused
req POST /v1/mints "${AUTH[@]}" -F 'metadata={"creator":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD","name":{"en":"x"}};type=application/json' -F "content=@$T/other.txt"
record "invalid metadata" POST /v1/mints 422 invalid-metadata
eq "invalid metadata: field" "$(jstr field)" creator
req POST /v1/mints "${AUTH[@]}" "${META[@]}"
record "no content part" POST /v1/mints 400 bad-multipart
req POST /v1/mints "${AUTH[@]}" -H 'Idempotency-Key: a b' "${META[@]}" -F "content=@$T/other.txt"
record "bad Idempotency-Key" POST /v1/mints 400 bad-idempotency-key
req POST /v1/mints "${AUTH[@]}" -H 'Content-Type: application/json' --data-binary @"$T/meta.json"
record "JSON body" POST /v1/mints 415 unsupported-media-type
req POST /v1/mints "${AUTH[@]}" "${META[@]}" -F "content=@$T/big.bin"
record "content over max_upload" POST /v1/mints 413 content-too-large
req POST /v1/mints "${AUTH[@]}" -F "metadata=<$T/bigmeta.json;type=application/json" -F "content=@$T/other.txt"
record "metadata over 64 KiB" POST /v1/mints 413 metadata-too-large
req POST /v1/mints -H "Authorization: Bearer $AUDITOR" "${META[@]}" -F "content=@$T/other.txt"
record "auditor mints" POST /v1/mints 403 forbidden
req POST /v1/mints "${META[@]}" -F "content=@$T/other.txt"
record "no key" POST /v1/mints 401 unauthorized
eq "401: WWW-Authenticate" "$(hdr WWW-Authenticate)" 'Bearer realm="haechi"'

req GET "/v1/mints/$MINT" "${AUTH[@]}"
record "mint" GET '/v1/mints/{id}' 200
req GET "/v1/mints/$MINT" -H "Authorization: Bearer $AUDITOR"
record "mint, auditor" GET '/v1/mints/{id}' 200
req GET "/v1/mints/0x$MINT" "${AUTH[@]}"
record "mint id with 0x" GET '/v1/mints/{id}' 400 bad-mint-id
req GET "/v1/mints/$MINT_HEX" "${AUTH[@]}"
record "unknown mint" GET '/v1/mints/{id}' 404 not-found
req GET "/v1/mints/$MINT" -H "Authorization: Bearer hck_0123456789abcdef_00"
record "malformed key" GET '/v1/mints/{id}' 401 unauthorized
if [[ -n $SEEDED ]]; then
    # seed_tokens: token 0's content is "openapi/OWNER/0"; the 409 names
    # its mint
    printf 'openapi/%s/0' "$OWNER" >"$T/seeded.txt"
    req POST /v1/mints "${AUTH[@]}" "${META[@]}" -F "content=@$T/seeded.txt"
    record "content minted on chain" POST /v1/mints 409 already-minted
    eq "409 of a minted token: state" "$(jstr state)" confirmed
    eq "409 of a minted token: token_id" "$(jstr token_id)" "$SEEDED"
    seeded_mint=$(jstr mint_id)
    [[ $seeded_mint =~ ^[0-9a-f]{32}$ ]] && ok || bad "409 of a minted token: mint_id '$seeded_mint'"
    req GET "/v1/mints/$seeded_mint" -H "Authorization: Bearer $AUDITOR"
    record "confirmed mint" GET '/v1/mints/{id}' 200
    eq "confirmed mint: state" "$(jstr state)" confirmed
fi

for tmpl in '/v1/tokens/{id}' '/v1/provenance/{sha256}'; do
    base=${tmpl%/\{*}
    req GET "$base/$TOKEN"
    record "queued token" GET "$tmpl" 200
    eq "$tmpl: metadata_url" "$(jstr metadata_url)" "$PUBLIC/v1/metadata/$TOKEN"
    req GET "$base/0x$TOKEN"
    record "token id with 0x" GET "$tmpl" 200
    req GET "$base/1234"
    record "short token id" GET "$tmpl" 400 bad-token-id
    req GET "$base/$TOKEN_HEX"
    record "unknown token" GET "$tmpl" 404 not-found
    if [[ -n $SEEDED ]]; then
        req GET "$base/$SEEDED"
        record "minted token" GET "$tmpl" 200
    fi
done
for tmpl in '/v1/tokens/{id}/metadata' '/v1/metadata/{id}'; do
    path=${tmpl/\{id\}/$TOKEN}
    req GET "$path"
    record "metadata" GET "$tmpl" 200
    eq "$tmpl: metadata hash" "$(sha256sum <"$T/body" | cut -c1-64)" e39c0b1e1e441d81540c5337c258f1cb99890691d01e1adc293d4dc5671fe0a0
    eq "$tmpl: Cache-Control" "$(hdr Cache-Control)" "public, max-age=31536000, immutable"
    req GET "${tmpl/\{id\}/xyz}"
    record "bad token id" GET "$tmpl" 400 bad-token-id
    req GET "${tmpl/\{id\}/$TOKEN_HEX}"
    record "no metadata" GET "$tmpl" 404 not-found
done

O='/v1/owners/{address}/tokens'
req GET "/v1/owners/$OWNER/tokens?limit=2" "${AUTH[@]}"
record "owner page" GET "$O" 200
cursor=$(jstr next_cursor)
if [[ -n $SEEDED ]]; then
    eq "owner page: a cursor" "${#cursor}" 64
    req GET "/v1/owners/$OWNER/tokens?limit=2&cursor=$cursor" "${AUTH[@]}"
    record "owner page 2" GET "$O" 200
    eq "owner page 2: last" "$(grep -c '"next_cursor":null' "$T/body")" 1
fi
req GET "/v1/owners/0x0000000000000000000000000000000000000001/tokens" "${AUTH[@]}"
record "empty owner page" GET "$O" 200
req GET "/v1/owners/0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD/tokens" "${AUTH[@]}"
record "bad checksum" GET "$O" 400 bad-address
req GET "/v1/owners/$OWNER/tokens?limit=101" "${AUTH[@]}"
record "limit 101" GET "$O" 400 bad-limit
req GET "/v1/owners/$OWNER/tokens?cursor=zz" "${AUTH[@]}"
record "bad cursor" GET "$O" 400 bad-cursor
req GET "/v1/owners/$OWNER/tokens"
record "no key" GET "$O" 401 unauthorized

req GET /healthz
record "healthz" GET /healthz 200
req GET /readyz
record "readyz without a chain" GET /readyz 503
req GET /metrics -H "Authorization: Bearer $AUDITOR"
record "metrics" GET /metrics 200
if grep -q '^haechi_http_requests_total{route="/v1/mints",status="202"} 2$' "$T/body"; then ok; else bad "metrics: no 2 mints counted: $(head -c 600 "$T/body")"; fi
req GET /metrics "${AUTH[@]}"
record "metrics, minter" GET /metrics 403 forbidden
req GET /metrics
record "metrics, no key" GET /metrics 401 unauthorized

# clients (admin): a new key, disabled, enabled again
C='/v1/clients/{name}'
req POST /v1/clients/spare-office/key -H "Authorization: Bearer $ADMIN"
record "new key" POST "$C/key" 200
SPARE2=$(jstr api_key)
req GET "/v1/owners/$OWNER/tokens" -H "Authorization: Bearer $SPARE"
eq "the old key after a new one" "$CODE" 401
req GET "/v1/owners/$OWNER/tokens" -H "Authorization: Bearer $SPARE2"
eq "the new key" "$CODE" 200
req POST /v1/clients/spare-office/disable -H "Authorization: Bearer $ADMIN"
record "disable" POST "$C/disable" 200
req GET "/v1/owners/$OWNER/tokens" -H "Authorization: Bearer $SPARE2"
eq "a disabled client's key" "$CODE" 401
req POST /v1/clients/spare-office/enable -H "Authorization: Bearer $ADMIN"
record "enable" POST "$C/enable" 200
req GET "/v1/owners/$OWNER/tokens" -H "Authorization: Bearer $SPARE2"
eq "an enabled client's key" "$CODE" 200
for what in key disable enable; do
    req POST "/v1/clients/spare-office/$what" "${AUTH[@]}"
    record "$what, minter" POST "$C/$what" 403 forbidden
    req POST "/v1/clients/spare-office/$what"
    record "$what, no key" POST "$C/$what" 401 unauthorized
    req POST "/v1/clients/no-such-office/$what" -H "Authorization: Bearer $ADMIN"
    record "$what, no such client" POST "$C/$what" 404 not-found
    req POST "/v1/clients/spare-office/$what" -H "Authorization: Bearer $ADMIN" -d x
    record "$what, a body" POST "$C/$what" 413 content-too-large
done
req GET "/v1/owners/$OWNER/tokens" -H "Authorization: Bearer $SPARE2"
eq "the key after the refused requests" "$CODE" 200

# the slow key has a burst of 1: its first request passes, the rest are 429
req GET "/v1/mints/$MINT" -H "Authorization: Bearer $SLOW"
record "slow key, first" GET '/v1/mints/{id}' 200
for op in 'POST /v1/mints' "GET /v1/mints/{id}" "GET $O" 'GET /metrics' \
    "POST $C/key" "POST $C/disable" "POST $C/enable"; do
    m=${op%% *} tmpl=${op#* }
    if [[ $m == POST ]]; then
        req POST "$(concrete "$tmpl")" -H "Authorization: Bearer $SLOW" "${META[@]}" -F "content=@$T/other.txt"
    else
        req GET "$(concrete "$tmpl")" -H "Authorization: Bearer $SLOW"
    fi
    record "rate limited" "$m" "$tmpl" 429 rate-limited
    ra=$(hdr Retry-After)
    if [[ $ra =~ ^[1-9][0-9]*$ ]]; then ok; else bad "429 $op: Retry-After '$ra'"; fi
done

req DELETE /v1/mints
record "405" DELETE '*' 405 method-not-allowed
eq "405: Allow" "$(hdr Allow)" POST
req GET /v1/nothing
record "no such route" GET '*' 404 not-found

hd_stop

# a full queue (one mint is queued), and a reachable chain
anvil_start "$T/anvil"
hd_start HAECHI_MAX_QUEUE=1 HAECHI_RPC="$ANVIL_RPC" HAECHI_CHAIN_ID=31337
req POST /v1/mints "${AUTH[@]}" "${META[@]}" -F "content=@$T/other.txt"
record "queue full" POST /v1/mints 503 queue-full
ra=$(hdr Retry-After)
if [[ $ra =~ ^[1-9][0-9]*$ ]]; then ok; else bad "503: Retry-After '$ra'"; fi
req GET /readyz
record "readyz with a chain" GET /readyz 200
hd_stop
anvil_stop

# every answer is documented: (route, status, content type), and each JSON
# body conforms to the schema the document gives for it. A generated
# document holds the bodies as examples with $refs into docs/openapi.yaml;
# the linter resolves each $ref (an undocumented answer does not resolve)
# and validates each example against it.
ptr() { # escape a JSON pointer token, and what a URI fragment may not hold
    local s=${1//\~/~0}
    s=${s//\//\~1}
    s=${s// /%20}
    printf '%s' "$s"
}
mkdir -p "$T/live"
cat >"$T/live/redocly.yaml" <<'EOF'
telemetry: off
rules:
  struct: error
  no-unresolved-refs: error
  no-invalid-media-type-examples:
    severity: error
    allowAdditionalProperties: false
EOF
{
    printf 'openapi: 3.1.0\ninfo:\n  title: haechid live answers\n  version: "0"\n'
    printf 'security: []\npaths:\n'
    while IFS='|' read -r n method tmpl code ctype name; do
        if [[ $tmpl == '*' ]]; then
            schema="#/components/schemas/Problem"
        else
            ref=$(awk -v m="$method" -v p="$tmpl" -v s="$code" \
                '$1 == m && $2 == p && $3 == s { print $4 }' "$T/doc.table")
            if [[ -z $ref ]]; then
                bad "$name: $method $tmpl answered $code, not documented"
                continue
            fi
            if [[ $ref == - ]]; then
                base="#/paths/$(ptr "$tmpl")/$(tr A-Z a-z <<<"$method")/responses/$code"
            else
                base="#/components/responses/$ref"
            fi
            schema="$base/content/$(ptr "$ctype")/schema"
        fi
        printf '  /case/%s:\n    get:\n      operationId: case%s\n' "$n" "$n"
        printf '      summary: "%s %s: %s"\n' "$method" "$tmpl" "$name"
        printf '      responses:\n        "%s":\n          description: "%s"\n' "$code" "$code"
        printf '          content:\n            application/json:\n'
        printf '              schema:\n                $ref: %s\n' "'$DOC$schema'"
        if [[ $ctype == *json* ]]; then
            if [[ $(wc -l <"$T/case$n.body") != 0 ]]; then
                bad "$name: body is not one line"
            fi
            printf '              example: %s\n' "$(<"$T/case$n.body")"
        fi
    done <"$T/cases"
} >"$T/live/live.yaml"
if lint "$T/live" live.yaml --format=stylish >"$T/live.out" 2>&1; then
    ok
else
    bad "live answers do not match docs/openapi.yaml:
$(grep -v '║\|╔\|╚' "$T/live.out" | head -n 80)"
fi
# the check above must have checked something: break one body on purpose
sed 's/"status":"ok"/"status":"fine","extra":1/' "$T/live/live.yaml" >"$T/live/broken.yaml"
if lint "$T/live" broken.yaml >"$T/broken.out" 2>&1; then
    bad "a wrong body passed the schema check"
else
    ok
fi

# conversely, every documented (route, status) was seen, but 500
cut -d'|' -f2-4 "$T/cases" | tr '|' ' ' | sort -u >"$T/seen"
awk '$3 != "500" && $3 != "-" { print $1, $2, $3 }' "$T/doc.table" | sort -u >"$T/documented"
missing=$(comm -23 "$T/documented" "$T/seen")
if [[ -z $missing ]]; then ok; else bad "documented answers never seen: $missing"; fi
echo "openapi: $(grep -c . "$T/cases") live answers checked against the document"

hd_done
