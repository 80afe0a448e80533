#!/usr/bin/env bash
# The committed contract artifacts (contracts/build/) are exactly what
# tools/compile-contracts produces from the committed sources with the pinned
# compiler: recompile into a temp dir and compare byte for byte. Also checks
# that each .bin is one line of plain hex equal to the .json's bytecode, and
# that the compiler and settings recorded are the pinned ones.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HC_ROOT=$(cd "$here/../.." && pwd)
cd "$HC_ROOT"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
fail() { echo "FAIL (contract_artifacts): $*" >&2; exit 1; }
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }

tools/compile-contracts "$tmp/build" >"$tmp/compile.log" 2>&1 || { cat "$tmp/compile.log" >&2; fail "compilation failed"; }
committed=$(cd contracts/build && ls | LC_ALL=C sort)
fresh=$(cd "$tmp/build" && ls | LC_ALL=C sort)
[ "$committed" = "$fresh" ] || fail "contracts/build has [$committed], the compiler writes [$fresh]"
ok "same artifact files: $(printf "%s " $fresh)"
for f in $fresh; do
    if ! cmp -s "contracts/build/$f" "$tmp/build/$f"; then
        diff <(head -c 2000 "contracts/build/$f") <(head -c 2000 "$tmp/build/$f") | head -20 >&2 || true
        fail "contracts/build/$f differs from a fresh compile: run tools/compile-contracts and commit the result"
    fi
    ok "contracts/build/$f matches a fresh compile"
done

# Twice the same bytes (no time stamps, no absolute paths).
tools/compile-contracts "$tmp/again" >/dev/null 2>&1
for f in $fresh; do cmp -s "$tmp/build/$f" "$tmp/again/$f" || fail "$f differs between two compiles"; done
ok "a second compile gives the same bytes"
if grep -l "$HC_ROOT" "$tmp/build"/* >/dev/null 2>&1; then
    fail "an artifact contains the checkout's absolute path"
fi
ok "no absolute path in the artifacts"

for json in contracts/build/*.json; do
    bin=${json%.json}.bin
    [ "$(wc -l <"$bin")" = 1 ] || fail "$bin is not one line"
    grep -qx '[0-9a-f]\+' "$bin" || fail "$bin is not plain lowercase hex without 0x"
    node -e '
        const fs = require("fs");
        const [json, bin] = process.argv.slice(1);
        const a = JSON.parse(fs.readFileSync(json, "utf8"));
        const hex = fs.readFileSync(bin, "utf8").trim();
        const pinned = require("./node_modules/solc/package.json").version;
        const problems = [];
        if (a.bytecode !== "0x" + hex) problems.push("bytecode differs from the .bin");
        if (!a.compiler.version.startsWith(pinned + "+")) problems.push(`compiler ${a.compiler.version}, pinned ${pinned}`);
        if (a.settings.evmVersion !== "cancun") problems.push("evmVersion " + a.settings.evmVersion);
        if (!a.settings.optimizer.enabled) problems.push("optimizer off");
        if (!Array.isArray(a.abi) || a.abi.length === 0) problems.push("no abi");
        if (!/^0x[0-9a-f]+$/.test(a.deployedBytecode)) problems.push("deployedBytecode");
        if (problems.length) { console.error(json + ": " + problems.join("; ")); process.exit(1); }
    ' "$json" "$bin" || fail "$json"
    ok "$(basename "$json"): bytecode = .bin, solc $(node -p "require('./$json').compiler.version"), cancun, optimizer on"
done

# The interface the C side is written against.
node -e '
    const a = require("./contracts/build/HaechiNFT.json");
    const want = {
        "mint(address,bytes32,bytes32,uint16)": "fbe48ef3",
    };
    for (const sig of ["mintBatch(address[],bytes32[],bytes32[],uint16[])", "burn(uint256)", "setBaseURI(string)",
        "creatorOf(uint256)", "exists(uint256)", "retired(uint256)", "royaltyInfo(uint256,uint256)",
        "tokenURI(uint256)", "ownerOf(uint256)", "balanceOf(address)", "pause()", "unpause()",
        "MINTER_ROLE()", "PAUSER_ROLE()", "grantRole(bytes32,address)", "supportsInterface(bytes4)",
        "transferFrom(address,address,uint256)", "safeTransferFrom(address,address,uint256)"])
        if (!(sig in a.methodIdentifiers)) { console.error("missing " + sig); process.exit(1); }
    for (const [sig, sel] of Object.entries(want))
        if (a.methodIdentifiers[sig] !== sel) { console.error(sig + " is " + a.methodIdentifiers[sig]); process.exit(1); }
    const ev = a.abi.filter(x => x.type === "event").map(e =>
        e.name + "(" + e.inputs.map(i => (i.indexed ? "indexed " : "") + i.type).join(",") + ")");
    for (const e of ["Minted(indexed uint256,address,bytes32)", "MintSkipped(indexed uint256,indexed address)",
        "BaseURIChanged(string)", "Transfer(indexed address,indexed address,indexed uint256)"])
        if (!ev.includes(e)) { console.error("missing event " + e + " in " + ev.join(" ")); process.exit(1); }
    const ctor = a.abi.find(x => x.type === "constructor").inputs.map(i => i.type).join(",");
    if (ctor !== "string,string,string,address,address") { console.error("constructor(" + ctor + ")"); process.exit(1); }
' || fail "HaechiNFT ABI does not match the agreed interface"
ok "HaechiNFT ABI has the agreed functions, events and constructor"

echo "contract_artifacts: $passed passed, 0 failed"
