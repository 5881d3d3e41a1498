#!/usr/bin/env bash
# bench/selftest.sh: check that the benchmark gate can pass and can fail.
#
#   (i)  the working tree against itself (both untagged) must PASS;
#   (ii) the working tree built with -tags p53evo_slow (about 200 ns of
#        extra work per clone advanced, see sim/slow_on.go) against the
#        same tree untagged must FAIL.
#
# Both sides are built from the working tree (BASE=WORKTREE), so
# uncommitted changes cannot make (i) fail. Run as `make bench-selftest`;
# COUNT, BENCH and BENCHTIME may be overridden. Takes about 1 minute on 2
# cores (3 minutes when other jobs load the machine).
#
# The subset: Step (the hot loop; the slow tag adds ~60-80% there) and
# Peer4Type/size=1e+09 (few clones, many steps: ~+120%) must fail;
# ExactRegime (one clone, so the tag adds nothing) checks that an unchanged
# benchmark does not drag the verdict. Peer4Type/size=1e+08 (30 us a
# replicate) is too short for 5 iterations to be stable on a busy machine.
# A fixed -benchtime 5x keeps b.N equal on both sides, so allocs/op is
# gated too; COUNT=6 lets benchstat reach p = 0.002.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

export COUNT=${COUNT:-6}
export BENCH=${BENCH:-'Step|ExactRegime|Peer4Type/size=1e\+09'}
export BENCHTIME=${BENCHTIME:-5x}
export BASE=WORKTREE GATE=1
unset BENCH_GATE HEAD_TAGS BASE_TAGS

start=$SECONDS
status=0

echo "=== selftest (i): working tree vs itself, expect PASS"
rc=0
OUT=.bench-compare/selftest-same bash bench/compare.sh || rc=$?
if ((rc == 0)); then
	echo "=== selftest (i): PASS as expected"
else
	echo "=== selftest (i): UNEXPECTED exit $rc (the gate failed a build against itself: noisy machine, or a gate bug)"
	status=1
fi

echo "=== selftest (ii): -tags p53evo_slow vs untagged, expect FAIL"
rc=0
OUT=.bench-compare/selftest-slow HEAD_TAGS=p53evo_slow bash bench/compare.sh || rc=$?
if ((rc == 1)); then
	echo "=== selftest (ii): FAIL as expected"
else
	echo "=== selftest (ii): UNEXPECTED exit $rc (want 1: the gate missed a deliberate regression)"
	status=1
fi

echo "=== bench-selftest: $( ((status == 0)) && echo OK || echo BROKEN ) in $((SECONDS - start))s"
exit $status
