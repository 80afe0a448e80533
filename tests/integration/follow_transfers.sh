#!/usr/bin/env bash
# The Transfer follower (follow.h) against a real anvil and the contract:
# three works are minted on chain (haechi mint) and recorded in a ledger as
# tokens (tests/follow_step seed); on chain one is transferred twice (cast),
# one burned by its owner, one left, and a fourth, not in the ledger, moves
# too. After following (a few blocks per step, through a proxy that refuses
# eth_getLogs over more than 2 blocks, so ranges are halved) the ledger's
# owners equal ownerOf (cast), the burned one is burned, the stranger is not
# in the ledger, `haechi ledger verify` passes, and following again changes
# nothing. A fresh cursor starts at the given block. haechid's provenance and
# owner pages show the new owners and the burn.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
source "$here/lib/haechid.bash"
: "${CAST:?path of cast}"
: "${FOLLOW:=$HC_BUILD_DIR/tests/follow_step}"
[[ -x $FOLLOW ]] || { echo "no follow_step at $FOLLOW" >&2; exit 1; }

PROXY_PID=""
hd_init
trap '[[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null; hd_cleanup; anvil_stop' EXIT
anvil_start "$T/anvil"
LEDGER=$HD_LEDGER

mnemonic="test test test test test test test test test test test junk"
key() { "$CAST" wallet private-key "$mnemonic" "$1"; }
addr() { "$CAST" wallet address --private-key "$1"; }
lower() { printf '%s' "$1" | tr 'A-F' 'a-f'; }
deployer_key=$(key 0)
creator_key=$(key 1)
buyer_key=$(key 5)
creator=$(addr "$creator_key")
buyer=$(addr "$buyer_key")
buyer2=$(addr "$(key 6)")
stranger=$(addr "$(key 7)")
chain_head() { "$CAST" block-number --rpc-url "$ANVIL_RPC"; }
send() { # KEY SIG ARGS…
    local k=$1
    shift
    "$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$k" "$contract" "$@" >/dev/null ||
        { bad "cast send $*"; return 1; }
}
owner_of() {
    "$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "$1" 2>/dev/null ||
        echo reverted
}
# runs the follower; the state it prints is left in $T/state
follow() { # DIR RPC START MAX_BLOCKS [CONFIRMATIONS]
    local dir=$1 rpc=$2
    shift 2
    if "$FOLLOW" run "$dir" "$rpc" "$contract" "$@" >"$T/state" 2>"$T/follow.err"; then
        ok
    else
        bad "follow_step run $*: $(<"$T/follow.err")"
    fi
    if grep -qE 'Sanitizer|runtime error' "$T/follow.err"; then
        bad "sanitizer: $(<"$T/follow.err")"
    fi
}
state_of() { # ID -> "owner 0x…" | "burned" | "absent"
    local l
    l=$(grep -i "^$1 " "$T/state" || true)
    if [[ -z $l ]]; then echo absent; else echo "${l#* }"; fi
}
verify() {
    if "$HAECHI" ledger verify --ledger "$1" >"$T/verify.out" 2>&1; then
        ok
    else
        bad "ledger verify $1: $(<"$T/verify.out")"
    fi
}

# ---- the contract and three works minted on chain to the creator
contract=$(DEPLOYER_KEY=$deployer_key "$HAECHI" deploy --rpc "$ANVIL_RPC" --key-env DEPLOYER_KEY)
mkdir -p "$T/files"
for w in keep move burn other; do
    printf 'the work "%s" of a citizen, %s\n' "$w" "$T" >"$T/files/$w"
done
DEPLOYER_KEY=$deployer_key HAECHI_RPC=$ANVIL_RPC HAECHI_CONTRACT=$contract \
    "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" \
    "$T/files/keep" "$T/files/move" "$T/files/burn" >"$T/mint.out" 2>&1 ||
    { cat "$T/mint.out" >&2; exit 1; }
mint_block=$(chain_head)
KEEP=0x$(sha "$T/files/keep")
MOVE=0x$(sha "$T/files/move")
BURN=0x$(sha "$T/files/burn")
OTHER=0x$(sha "$T/files/other")
for id in "$KEEP" "$MOVE" "$BURN"; do
    grep -q "^${id#0x}  minted" "$T/mint.out" || bad "not minted: $id: $(<"$T/mint.out")"
done
# someone else's token, not in the ledger
DEPLOYER_KEY=$deployer_key HAECHI_RPC=$ANVIL_RPC HAECHI_CONTRACT=$contract \
    "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" "$T/files/other" >/dev/null

# ---- the ledger records the three tokens, owned by their creator
"$FOLLOW" seed "$LEDGER" "$creator" "$mint_block" "$KEEP" "$MOVE" "$BURN"
"$FOLLOW" show "$LEDGER" "$contract" >"$T/state"
eq "fresh ledger: no cursor" "$(sed -n 1p "$T/state")" "cursor none"
eq "seeded: move owned by the creator" "$(lower "$(state_of "$MOVE")")" "owner $(lower "$creator")"

# ---- on chain: move goes creator -> buyer -> buyer2, burn is burned by its
# owner, keep stays, other moves (ignored)
send "$creator_key" "transferFrom(address,address,uint256)" "$creator" "$buyer" "$MOVE"
send "$creator_key" "burn(uint256)" "$BURN"
send "$creator_key" "transferFrom(address,address,uint256)" "$creator" "$stranger" "$OTHER"
send "$buyer_key" "transferFrom(address,address,uint256)" "$buyer" "$buyer2" "$MOVE"
eq "cast: burned token has no owner" "$(owner_of "$BURN")" reverted
top=$(chain_head)

# ---- a proxy that refuses eth_getLogs over more than 2 blocks
node -e '
const http = require("http");
const up = new URL(process.argv[1]);
let refused = 0;
http.createServer((req, res) => {
    let body = "";
    req.on("data", d => body += d).on("end", () => {
        let j = null;
        try { j = JSON.parse(body); } catch (e) {}
        if (j && j.method === "eth_getLogs") {
            const p = j.params[0];
            const n = BigInt(p.toBlock) - BigInt(p.fromBlock) + 1n;
            if (n > 2n) {
                console.error("refused " + n);
                res.setHeader("Content-Type", "application/json");
                res.end(JSON.stringify({jsonrpc: "2.0", id: j.id,
                    error: {code: -32602, message: "block range is too wide (max 2)"}}));
                return;
            }
        }
        const f = http.request({host: up.hostname, port: up.port, path: "/", method: "POST",
            headers: {"Content-Type": "application/json"}}, r => {
            res.writeHead(r.statusCode, {"Content-Type": "application/json"});
            r.pipe(res);
        });
        f.on("error", () => { res.writeHead(502); res.end(); });
        f.end(body);
    });
}).listen(0, "127.0.0.1", function () { console.log(this.address().port); });
' "$ANVIL_RPC" >"$T/proxy.port" 2>"$T/proxy.log" &
PROXY_PID=$!
for ((i = 0; i < 200; i++)); do
    [[ -s $T/proxy.port ]] && break
    sleep 0.05
done
PROXY="http://127.0.0.1:$(<"$T/proxy.port")"

# ---- follow from before the mint, 8 blocks a step (halved to 2)
follow "$LEDGER" "$PROXY" $((mint_block - 1)) 8
if grep -q '^refused' "$T/proxy.log"; then ok; else bad "the proxy refused no range: the halving was not exercised"; fi
eq "cursor at the head" "$(sed -n 1p "$T/state")" "cursor $top"
eq "moved: ledger = ownerOf" "$(lower "$(state_of "$MOVE")")" "owner $(lower "$(owner_of "$MOVE")")"
eq "moved: the last owner" "$(lower "$(state_of "$MOVE")")" "owner $(lower "$buyer2")"
eq "kept: ledger = ownerOf" "$(lower "$(state_of "$KEEP")")" "owner $(lower "$(owner_of "$KEEP")")"
eq "kept: the creator" "$(lower "$(state_of "$KEEP")")" "owner $(lower "$creator")"
eq "burned" "$(state_of "$BURN")" burned
eq "someone else's token is not taken in" "$(state_of "$OTHER")" absent
verify "$LEDGER"
cp "$T/state" "$T/state.1"

# ---- again: nothing to do, nothing written (same cursor, same journal)
follow "$LEDGER" "$ANVIL_RPC" 0 0
if cmp -s "$T/state" "$T/state.1"; then ok; else bad "a second run changed: $(diff "$T/state.1" "$T/state")"; fi
journal=$(sed -n 2p "$T/state")

# ---- a later transfer, followed with one confirmation: not before a block
# is mined on top of it
send "$creator_key" "transferFrom(address,address,uint256)" "$creator" "$buyer" "$KEEP"
follow "$LEDGER" "$ANVIL_RPC" 0 0 1
eq "unconfirmed transfer not followed" "$(lower "$(state_of "$KEEP")")" "owner $(lower "$creator")"
eq "unconfirmed: nothing written" "$(sed -n 2p "$T/state")" "$journal"
"$CAST" rpc --rpc-url "$ANVIL_RPC" anvil_mine 1 >/dev/null
follow "$LEDGER" "$ANVIL_RPC" 0 0 1
eq "confirmed transfer followed" "$(lower "$(state_of "$KEEP")")" "owner $(lower "$buyer")"
eq "cursor: head - 1" "$(sed -n 1p "$T/state")" "cursor $(($(chain_head) - 1))"
eq "one owner_changed and one cursor entry" "$(sed -n 2p "$T/state")" "journal $((${journal#journal } + 2))"
verify "$LEDGER"

# ---- a fresh ledger starts at `start` (and stores it though nothing is read)
L2=$T/ledger2
"$FOLLOW" seed "$L2" "$creator" "$mint_block" "$MOVE"
h=$(chain_head)
follow "$L2" "$ANVIL_RPC" "$h" 0
eq "fresh cursor pinned at start" "$(sed -n 1p "$T/state")" "cursor $h"
eq "earlier transfers are not read" "$(lower "$(state_of "$MOVE")")" "owner $(lower "$creator")"
send "$(key 6)" "transferFrom(address,address,uint256)" "$buyer2" "$stranger" "$MOVE"
follow "$L2" "$ANVIL_RPC" 0 0
eq "transfer after start followed" "$(lower "$(state_of "$MOVE")")" "owner $(lower "$stranger")"
verify "$L2"

# ---- haechid shows the owners the follower wrote
follow "$LEDGER" "$ANVIL_RPC" 0 0
akey=$(hd_client auditor auditor)
hd_start
req GET "/v1/provenance/$MOVE"
eq "provenance moved: status" "$CODE" 200
eq "provenance moved: owner" "$(lower "$(jstr owner)")" "$(lower "$stranger")"
eq "provenance moved: creator" "$(lower "$(jstr creator)")" "$(lower "$creator")"
has "provenance moved: not burned" '"burned":false'
req GET "/v1/provenance/$BURN"
eq "provenance burned: status" "$CODE" 200
has "provenance burned: no owner" '"owner":null'
has "provenance burned: burned" '"burned":true'
req GET "/v1/owners/$stranger/tokens" -H "Authorization: Bearer $akey"
eq "owners stranger: status" "$CODE" 200
has "owners stranger: the moved token" "\"token_id\":\"$MOVE\""
if grep -q "$OTHER" "$T/body"; then bad "someone else's token listed"; else ok; fi
req GET "/v1/owners/$creator/tokens" -H "Authorization: Bearer $akey"
eq "owners creator: nothing left" "$(grep -o '"token_id"' "$T/body" | wc -l)" 0
req GET "/v1/owners/$buyer/tokens" -H "Authorization: Bearer $akey"
has "owners buyer: the kept token" "\"token_id\":\"$KEEP\""
hd_stop
verify "$LEDGER"
hd_done
