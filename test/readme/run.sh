#!/usr/bin/env bash
# make test-readme: run every command of README.md's ```sh blocks, as
# written, in order, in a copy of the checkout with the p53evo binary on
# PATH. Lines that run make are skipped (CI runs those targets itself). A
# command that fails fails the check, with the line and its output.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
GO=${GO:-go}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/src"
"$GO" build -o "$work/bin/p53evo" ./cmd/p53evo || exit 1
# The source tree without .git and build outputs: `go run ./cmd/p53evo`
# and paths such as examples/dose-small.yaml work as in a checkout.
tar -C "$root" --exclude=.git --exclude=./bin --exclude=./p53evo-out --exclude=./test/readers/node_modules -cf - . | tar -C "$work/src" -xf -
export PATH="$work/bin:$PATH"

# Commands: the lines of ```sh blocks, continuation lines joined.
mapfile -t cmds < <(awk '
	/^```sh[ \t]*$/ { inblock = 1; next }
	/^```/ { inblock = 0; next }
	inblock {
		line = $0
		if (cont != "") { line = cont " " line; cont = "" }
		if (line ~ /\\$/) { sub(/\\$/, "", line); cont = line; next }
		if (line ~ /^[ \t]*$/ || line ~ /^[ \t]*#/) next
		print line
	}' README.md)

[[ ${#cmds[@]} -gt 0 ]] || { echo "test-readme: no \`\`\`sh blocks found in README.md"; exit 1; }
ran=0 skipped=0
for c in "${cmds[@]}"; do
	if [[ $c =~ ^[[:space:]]*make[[:space:]] ]]; then
		echo "test-readme: skip (CI runs it): $c"
		skipped=$((skipped + 1))
		continue
	fi
	echo "test-readme: \$ $c"
	# A pipe into head closes early: SIGPIPE (141) upstream is not a failure.
	out=$(cd "$work/src" && bash -o pipefail -c "$c" 2>&1)
	rc=$?
	if [[ $rc -ne 0 && $rc -ne 141 ]]; then
		echo "$out" | tail -20
		echo "test-readme: FAILED (exit $rc): $c"
		exit 1
	fi
	ran=$((ran + 1))
done
echo "test-readme: ${ran} README commands ran, ${skipped} make lines skipped"

# The SQL blocks, in DuckDB, on what the commands wrote; needs the npm
# packages of test/readers (make test-readers installs them).
if command -v node >/dev/null 2>&1 && [[ -d test/readers/node_modules/@duckdb/node-api ]]; then
	cp test/readme/sql.mjs test/readers/.readme-sql.mjs
	node test/readers/.readme-sql.mjs "$root/README.md" "$work/src"
	rc=$?
	rm -f test/readers/.readme-sql.mjs
	[[ $rc -eq 0 ]] || exit 1
else
	echo "test-readme: SQL blocks SKIPPED (no node or no test/readers/node_modules: run make test-readers first)"
fi
