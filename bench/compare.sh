#!/usr/bin/env bash
# bench/compare.sh: compare the benchmarks of a base commit with the working
# tree (head) on this machine, print benchstat's table and apply the gate
# (bench/cmd/benchgate). Usually run as
#
#   make bench-compare [BASE=<git ref>] [COUNT=10] [BENCH=regex] [GATE=1]
#
# Environment (all optional):
#   BASE        git ref to compare against (default HEAD~1). A branch name
#               means `git merge-base HEAD <branch>`. The literal WORKTREE
#               builds base from the working tree too (used by selftest.sh
#               to compare a build with itself or with different tags).
#   COUNT       runs of each binary (default 10), interleaved base, head, ...
#   BENCH       -test.bench regexp (default .)
#   BENCHTIME   -test.benchtime (default: go test's, 1s)
#   GATE        1 = enforce the gate (default), 0 = report only.
#   BENCH_GATE  "report" = report only (same as GATE=0).
#   HOT         regexp of hot-loop benchmarks for the geomean rule
#               (default Lesion|Peer4Type|ExactRegime|Step)
#   THRESH_GEOMEAN, THRESH_ONE  percent limits (default 10, 20)
#               allocs/op rises fail only with BENCHTIME=<n>x (equal b.N on
#               both sides); otherwise they are reported. See bench/README.md.
#   HEAD_TAGS, BASE_TAGS        build tags for the head / base test binary
#   OUT         directory for base.txt, head.txt, benchstat.txt, benchstat.csv
#               (default .bench-compare)
#   BENCHSTAT   benchstat binary (default: .tools/benchstat, then PATH)
#
# Exit status: 0 pass (or report mode, or nothing to compare: base has no
# bench/ directory or the default base HEAD~1 does not exist), 1 gate
# failure, 2 usage or build error.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
if [[ -n "${BENCHSTAT:-}" && "$BENCHSTAT" == */* ]]; then
	BENCHSTAT=$(realpath "$BENCHSTAT") # relative to the caller's directory
fi
cd "$root"

COUNT=${COUNT:-10}
BENCH=${BENCH:-.}
BENCHTIME=${BENCHTIME:-}
GATE=${GATE:-1}
HOT=${HOT:-Lesion|Peer4Type|ExactRegime|Step}
THRESH_GEOMEAN=${THRESH_GEOMEAN:-10}
THRESH_ONE=${THRESH_ONE:-20}
HEAD_TAGS=${HEAD_TAGS:-}
BASE_TAGS=${BASE_TAGS:-}
OUT=${OUT:-.bench-compare}
GO=${GO:-go}

say() { echo "bench-compare: $*"; }
die() { echo "bench-compare: ERROR: $*" >&2; exit 2; }

report=0
if [[ "$GATE" == 0 || "${BENCH_GATE:-}" == report ]]; then
	report=1
fi
[[ "$COUNT" =~ ^[1-9][0-9]*$ ]] || die "COUNT must be a positive integer, not '$COUNT'"

if [[ -n "${BENCHSTAT:-}" ]]; then
	:
elif [[ -x "$root/.tools/benchstat" ]]; then
	BENCHSTAT=$root/.tools/benchstat
elif command -v benchstat >/dev/null; then
	BENCHSTAT=$(command -v benchstat)
else
	die "benchstat not found: run 'make bench-compare' (it installs it into .tools/) or set BENCHSTAT"
fi

# Resolve the base.
base_desc=
if [[ "${BASE:-}" == WORKTREE ]]; then
	base_rev=WORKTREE
	base_desc="working tree${BASE_TAGS:+ (tags $BASE_TAGS)}"
else
	if [[ -z "${BASE:-}" ]]; then
		if ! base_rev=$(git rev-parse -q --verify 'HEAD~1^{commit}'); then
			say "SKIP: HEAD~1 does not exist (first commit, or a shallow clone), nothing to compare against"
			exit 0
		fi
		base_desc="HEAD~1"
	elif git show-ref -q --verify "refs/heads/$BASE" || git show-ref -q --verify "refs/remotes/$BASE"; then
		base_rev=$(git merge-base HEAD "$BASE") || die "no merge base of HEAD and $BASE"
		base_desc="merge-base HEAD $BASE"
	else
		base_rev=$(git rev-parse -q --verify "$BASE^{commit}") || die "BASE=$BASE is not a commit"
		base_desc=$BASE
	fi
	base_desc="$base_desc = $(git log -1 --format='%h %s' "$base_rev" | cut -c1-72)"
	if ! git cat-file -e "$base_rev:bench" 2>/dev/null; then
		say "SKIP: base $base_desc has no bench/ directory"
		exit 0
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")
wt=
cleanup() {
	if [[ -n "$wt" ]]; then
		git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true
		git -C "$root" worktree prune >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build both test binaries once.
if [[ "$base_rev" == WORKTREE ]]; then
	base_dir=$root
else
	wt=$tmp/base
	git worktree add -q --detach "$wt" "$base_rev" || die "git worktree add $base_rev failed"
	base_dir=$wt
fi
say "base: $base_desc"
say "head: working tree at $(git log -1 --format='%h' HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo ' + uncommitted changes')${HEAD_TAGS:+ (tags $HEAD_TAGS)}"

build() { # dir tags out
	(cd "$1" && "$GO" test -c ${2:+-tags "$2"} -o "$3" ./bench/)
}
build "$root" "$HEAD_TAGS" "$tmp/head.test" || die "building head's bench test binary failed"
[[ -x "$tmp/head.test" ]] || die "head's bench/ has no test files"
"$GO" build -o "$tmp/benchgate" ./bench/cmd/benchgate || die "building bench/cmd/benchgate failed"
if ! build "$base_dir" "$BASE_TAGS" "$tmp/base.test"; then
	say "SKIP: base's bench test binary does not build; nothing to compare against"
	exit 0
fi
if [[ ! -x "$tmp/base.test" ]]; then
	say "SKIP: base's bench/ has no test files; nothing to compare against"
	exit 0
fi

mkdir -p "$OUT"
: >"$OUT/base.txt"
: >"$OUT/head.txt"
args=(-test.run '^$' -test.bench "$BENCH" -test.benchmem -test.count 1)
if [[ -n "$BENCHTIME" ]]; then
	args+=(-test.benchtime "$BENCHTIME")
fi

# Interleave: base, head, base, head, ... so that drift of the machine
# (thermal, other jobs) hits both sides alike.
say "running ${COUNT}x interleaved: -test.bench '$BENCH'${BENCHTIME:+ -test.benchtime $BENCHTIME}"
start=$SECONDS
for ((i = 1; i <= COUNT; i++)); do
	if ! (cd "$base_dir/bench" && "$tmp/base.test" "${args[@]}") >>"$OUT/base.txt" 2>"$tmp/base.err"; then
		say "warning: base run $i failed (its partial output is kept):"
		tail -n 5 "$tmp/base.err" | sed 's/^/    /'
	fi
	(cd "$root/bench" && "$tmp/head.test" "${args[@]}") >>"$OUT/head.txt" 2>"$tmp/head.err" ||
		{ tail -n 20 "$tmp/head.err" "$OUT/head.txt" >&2; die "head run $i failed"; }
	say "run $i/$COUNT done ($((SECONDS - start))s)"
done

names() { grep -oE '^Benchmark[^[:space:]]+' "$1" | sed -E 's/-[0-9]+$//' | sort -u; }
grep -q '^Benchmark' "$OUT/head.txt" || die "no benchmark matched -test.bench '$BENCH' on head"
new=$(comm -13 <(names "$OUT/base.txt") <(names "$OUT/head.txt"))
if [[ -n "$new" ]]; then
	say "absent on base (reported, not compared): $(echo "$new" | tr '\n' ' ')"
fi

(cd "$OUT" && "$BENCHSTAT" base.txt head.txt) >"$OUT/benchstat.txt" 2>&1
(cd "$OUT" && "$BENCHSTAT" -format csv base.txt head.txt) >"$OUT/benchstat.csv" 2>/dev/null
cat "$OUT/benchstat.txt"
echo

gate_args=(-in "$OUT/benchstat.csv" -hot "$HOT" -geomean "$THRESH_GEOMEAN" -one "$THRESH_ONE")
if [[ ! "$BENCHTIME" =~ ^[0-9]+x$ ]]; then
	gate_args+=(-allocs-gate=false)
fi
if ((report)); then
	gate_args+=(-report)
fi
"$tmp/benchgate" "${gate_args[@]}"
