#!/usr/bin/env bash
# haechi deploy / mint / verify / owner against a real anvil, cross-checked
# with sha256sum and cast: the token id is the file's SHA-256, the owner and
# royalty are what the chain says, the Minted event is where verify found it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
source "$here/lib/anvil.bash"
: "${HAECHI:?path of the haechi binary}" "${CAST:?path of cast}"

tmp=$(mktemp -d)
trap 'anvil_stop; rm -rf "$tmp"' EXIT
anvil_start "$tmp"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # code cmd...
    local want=$1 got=0
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
    [ "$got" = "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "exit $got, want $want: $*"; }
}
jget() { sed -n "s/.*\"$1\":[[:space:]]*\"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" "$tmp/out" | head -1; }

mnemonic="test test test test test test test test test test test junk"
export DEPLOYER_KEY OTHER_KEY
DEPLOYER_KEY=$("$CAST" wallet private-key "$mnemonic" 0)
OTHER_KEY=$("$CAST" wallet private-key "$mnemonic" 5)
creator=$("$CAST" wallet address --private-key "$("$CAST" wallet private-key "$mnemonic" 1)")
buyer_key=$("$CAST" wallet private-key "$mnemonic" 1)

# deploy
expect_exit 0 "$HAECHI" deploy --rpc "$ANVIL_RPC" --key-env DEPLOYER_KEY --json \
    --base-uri "https://haechi.example/v1/metadata/"
contract=$(jget address)
[ -n "$contract" ] || fail "no address"
code=$("$CAST" code --rpc-url "$ANVIL_RPC" "$contract")
[ ${#code} -gt 100 ] || fail "no code at $contract"
export HAECHI_RPC=$ANVIL_RPC HAECHI_CONTRACT=$contract

printf 'a citizen drawing\n' >"$tmp/one.png"
printf 'a second work' >"$tmp/two.bin"
head -c 300000 /dev/urandom >"$tmp/three.bin"
id1=$(sha256sum "$tmp/one.png" | cut -c1-64)

# not minted yet
expect_exit 1 "$HAECHI" verify "$tmp/one.png"
grep -q "NOT MINTED" "$tmp/out" || fail "verify did not say NOT MINTED"
expect_exit 1 "$HAECHI" owner "$tmp/one.png"

# single mint with a royalty and a metadata hash
meta=0x$(printf 'metadata' | sha256sum | cut -c1-64)
expect_exit 0 "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" \
    --royalty-bps 250 --metadata-hash "$meta" "$tmp/one.png"
grep -q "^$id1  minted" "$tmp/out" || fail "mint output: $(cat "$tmp/out")"

# verify == sha256sum + cast call ownerOf
expect_exit 0 "$HAECHI" verify --json "$tmp/one.png"
[ "$(jget token_id)" = "0x$id1" ] || fail "token id $(jget token_id)"
[ "$(jget owner)" = "$creator" ] || fail "owner $(jget owner)"
[ "$(jget creator)" = "$creator" ] || fail "creator $(jget creator)"
[ "$(jget metadata_hash)" = "$meta" ] || fail "metadata hash $(jget metadata_hash)"
cast_owner=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "0x$id1")
[ "$cast_owner" = "$creator" ] || fail "cast says owner $cast_owner"
txh=$(jget mint_tx)
rcpt=$("$CAST" receipt --rpc-url "$ANVIL_RPC" "$txh" blockNumber)
[ "$rcpt" = "$(jget block)" ] || fail "block $(jget block), cast says $rcpt"
royalty=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" \
    "royaltyInfo(uint256,uint256)(address,uint256)" "0x$id1" 10000 | tr '\n' ' ')
[ "$royalty" = "$creator 250 " ] || fail "royaltyInfo: $royalty"
uri=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "tokenURI(uint256)(string)" "0x$id1")
[ "$uri" = "\"https://haechi.example/v1/metadata/$id1\"" ] || fail "tokenURI $uri"

# owner, by file and by token id
expect_exit 0 "$HAECHI" owner "$tmp/one.png"
[ "$(cat "$tmp/out")" = "$creator" ] || fail "owner: $(cat "$tmp/out")"
expect_exit 0 "$HAECHI" owner --json --token "0x$id1"
[ "$(jget owner)" = "$creator" ] || fail "owner --token"

# a batch with one file minted before: it is skipped, the others minted
expect_exit 1 "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" \
    "$tmp/one.png" "$tmp/two.bin" "$tmp/three.bin"
grep -q "^$id1  skipped" "$tmp/out" || fail "batch did not skip: $(cat "$tmp/out")"
for f in two.bin three.bin; do
    id=$(sha256sum "$tmp/$f" | cut -c1-64)
    grep -q "^$id  minted" "$tmp/out" || fail "$f not minted"
    o=$("$CAST" call --rpc-url "$ANVIL_RPC" "$contract" "ownerOf(uint256)(address)" "0x$id")
    [ "$o" = "$creator" ] || fail "$f owner $o"
done
# a single duplicate is reported, not an error
expect_exit 1 "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" "$tmp/one.png"
grep -q "skipped (minted before)" "$tmp/out" || fail "single duplicate: $(cat "$tmp/out")"

# after a transfer, verify shows the new owner and the same creator
new_owner=$("$CAST" wallet address --private-key "$OTHER_KEY")
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$buyer_key" "$contract" \
    "transferFrom(address,address,uint256)" "$creator" "$new_owner" "0x$id1" >/dev/null
expect_exit 0 "$HAECHI" verify --json "$tmp/one.png"
[ "$(jget owner)" = "$new_owner" ] || fail "owner after transfer $(jget owner)"
[ "$(jget creator)" = "$creator" ] || fail "creator after transfer $(jget creator)"

# the owner withdraws the work: burned, retired, verify says so
"$CAST" send --rpc-url "$ANVIL_RPC" --private-key "$OTHER_KEY" "$contract" \
    "burn(uint256)" "0x$id1" >/dev/null
expect_exit 1 "$HAECHI" verify "$tmp/one.png"
grep -q "withdrawn" "$tmp/out" || fail "verify after burn: $(cat "$tmp/out")"
expect_exit 1 "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" "$tmp/one.png"
grep -q "withdrawn" "$tmp/out" || fail "re-mint after burn: $(cat "$tmp/out")"

# a key without the minter role: reverted with the role error, exit 2
printf 'x' >"$tmp/four"
expect_exit 2 "$HAECHI" mint --key-env OTHER_KEY --to "$creator" "$tmp/four"
grep -q "AccessControlUnauthorizedAccount" "$tmp/err" || fail "role error: $(cat "$tmp/err")"

# usage and reachability
expect_exit 2 "$HAECHI" verify --contract 0x1234 "$tmp/two.bin"
expect_exit 2 "$HAECHI" verify "$tmp/no-such-file"
expect_exit 2 "$HAECHI" mint --key-env DEPLOYER_KEY --to "$creator" --royalty-bps 10001 "$tmp/two.bin"
expect_exit 2 "$HAECHI" mint --key-env DEPLOYER_KEY "$tmp/two.bin"
HAECHI_RPC= expect_exit 2 "$HAECHI" verify "$tmp/two.bin"
expect_exit 3 "$HAECHI" verify --rpc http://127.0.0.1:9 "$tmp/two.bin"
expect_exit 3 "$HAECHI" owner --rpc http://127.0.0.1:9 "$tmp/two.bin"
expect_exit 2 "$HAECHI" verify --rpc ftp://127.0.0.1:9 "$tmp/two.bin"
echo "cli_chain: ok (contract $contract)"
