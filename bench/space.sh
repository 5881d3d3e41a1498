#!/usr/bin/env bash
# bench/space.sh: what space changes. Runs continuous rezatapopt and the
# adaptive rule in three geometries with the same biology and detection
# size, and compares them with p53evo analyze:
#   mixed  the well-mixed engine (one lesion)
#   push   the 2D von Neumann lattice, push rule (rezatapopt-continuous-lattice,
#          adaptive-lattice)
#   wait   the same lattice, wait rule (a daughter needs an empty neighbour)
#
#   P53EVO=/tmp/p53evo N=100 SEED=7 OUT=/tmp/p53evo-space bash bench/space.sh
#
# The rates are not the library's: at b = 0.14, d = 0.13 a wait-rule lattice
# never grows (a founder's lineage dies out every time: with births only into
# empty neighbours the lattice needs b/d well above 1, like the contact
# process), so every arm here uses b = 0.02, d = 0.01: the library's net rate
# (0.01 per day untreated, -0.03 under full-dose rezatapopt, whose kill of
# 0.04 per day is unchanged) at b/d = 2, where the wait rule grows. Lowering
# d alone (b = 0.14, d = 0.07) would make the untreated net rate 0.07 per day:
# adaptive therapy's pauses then regrow the tumour sevenfold between scans
# and, as the adaptive arms treat on after progression, push-rule lesions grow
# to millions of cells for five years. Detection at 1e4 cells with the
# mutation rate raised to 1e-8 keeps pre-existing resistance about as common
# as at 1e5 cells and 1e-9, at a tenth of the cost.
set -euo pipefail

P53EVO=${P53EVO:-p53evo}
N=${N:-100}
SEED=${SEED:-7}
OUT=${OUT:-/tmp/p53evo-space}
WORKERS=${WORKERS:-1}
mkdir -p "$OUT"

common=(--set detection.size=1e4 --set growth.birth=0.02 --set growth.death=0.01 --set mutation.rate=1e-8)
wait_rule=(--set engine.lattice.rule=wait)

run() {
	local name=$1
	shift
	echo "== $name" >&2
	"$P53EVO" run -q -w "$WORKERS" --force -n "$N" --seed "$SEED" -o "$OUT/$name" "${common[@]}" "$@"
}

run mixed-continuous -s rezatapopt-continuous-lesion --set observe.ctdna.every=off
run push-continuous -s rezatapopt-continuous-lattice
run wait-continuous -s rezatapopt-continuous-lattice "${wait_rule[@]}"
run mixed-adaptive -s adaptive-lattice --set engine.space=none --set engine.lattice=null
run push-adaptive -s adaptive-lattice
run wait-adaptive -s adaptive-lattice "${wait_rule[@]}"

for g in mixed push wait; do
	echo "== $g: adaptive against continuous"
	"$P53EVO" analyze "$OUT/$g-continuous" "$OUT/$g-adaptive"
done
for arm in continuous adaptive; do
	echo "== $arm: push and wait against well mixed"
	"$P53EVO" analyze "$OUT/mixed-$arm" "$OUT/push-$arm" "$OUT/wait-$arm"
done
