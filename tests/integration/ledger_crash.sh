#!/usr/bin/env bash
# ledger_crash.sh — SIGKILL crash test of the ledger's group commit (see
# tests/integration/ledger_crash.c): a child writes from 16 threads and
# reports every acknowledgement; it is killed at random moments, and after
# every kill the ledger must open, verify (hc_ledger_verify, and
# `haechi ledger verify` every 20 kills) and hold every acknowledged write.
#
# 200 kills by default; HAECHI_SOAK=1 makes it 2000 (or set
# HAECHI_CRASH_ITERATIONS). HAECHI_CRASH_SEED repeats a run (the seed is
# printed first); HAECHI_CRASH_MAX_MS sets the longest time a child writes
# before it is killed (default 50 ms).
#
# Environment: HC_BUILD_DIR (the build directory, for tests/ledger_crash),
# HAECHI (the CLI); both set by CTest.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${HC_BUILD_DIR:=$root/build}"
: "${HAECHI:=$HC_BUILD_DIR/haechi}"
export HAECHI LC_ALL=C
prog=$HC_BUILD_DIR/tests/ledger_crash
if [ ! -x "$prog" ]; then
    echo "ledger_crash.sh: $prog is missing (build the tests first)" >&2
    exit 1
fi

iterations=${HAECHI_CRASH_ITERATIONS:-}
if [ -z "$iterations" ]; then
    if [ "${HAECHI_SOAK:-0}" != 0 ]; then
        iterations=2000
    else
        iterations=200
    fi
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/haechi-crash.XXXXXX")
if "$prog" -n "$iterations" -m "${HAECHI_CRASH_MAX_MS:-50}" "$T"; then
    rm -rf "$T"
else
    echo "ledger_crash.sh: FAILED; the ledgers are left in $T" >&2
    exit 1
fi
