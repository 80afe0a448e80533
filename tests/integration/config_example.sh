#!/usr/bin/env bash
# The documented example configuration is valid and says what the defaults
# are: `haechid --check-config` accepts it and prints the same effective
# settings as with no file at all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${HC_BUILD_DIR:?build dir}"
haechid=$HC_BUILD_DIR/haechid
unset HAECHI_LISTEN HAECHI_LEDGER_DIR HAECHI_RPC HAECHI_CONTRACT HAECHI_CHAIN_ID
with=$("$haechid" --config "$root/docs/haechid.ini.example" --check-config)
without=$("$haechid" --check-config)
if [ "$with" != "$without" ]; then
    echo "FAIL: docs/haechid.ini.example differs from the built-in defaults:" >&2
    diff <(echo "$without") <(echo "$with") >&2 || true
    exit 1
fi
echo "config_example: ok"
