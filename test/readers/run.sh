#!/usr/bin/env bash
# make test-readers: independent readers (DuckDB, apache-arrow JS) check
# p53evo's Parquet and Arrow datasets against `p53evo export` (check.mjs).
# The npm packages are pinned by package-lock.json and installed here with
# `npm ci`. Without node/npm, or when the registry cannot be reached, it
# prints why and exits 0: the check is skipped, not failed.
set -uo pipefail
cd "$(dirname "$0")"
GO=${GO:-go}

skip() { echo "test-readers: SKIPPED: $*"; exit 0; }

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[[ $major -ge 18 ]] || skip "node $(node --version) is too old (the readers need node >= 18)"

if [[ ! -d node_modules/@duckdb/node-api || package-lock.json -nt node_modules/.package-lock.json ]]; then
	log=$(mktemp)
	if ! timeout 300 npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
		tail -5 "$log"
		rm -f "$log"
		skip "npm ci failed (registry unreachable or offline?); the packages are listed in test/readers/package-lock.json"
	fi
	rm -f "$log"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$GO" build -o "$work/p53evo" ../../cmd/p53evo || exit 1
node check.mjs "$work/p53evo" "$work/data"
