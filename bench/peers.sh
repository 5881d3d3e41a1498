#!/usr/bin/env bash
# bench/peers.sh: time p53evo's spatial and well-mixed growth side by side
# with two peer simulators, tumopp (one cell per site, 2D/3D lattices) and
# demon (demes of K cells), in the nearest equivalent configurations. The
# peers are not part of p53evo: build them yourself and pass their binaries.
#
#   P53EVO=/tmp/p53evo TUMOPP=/path/to/tumopp DEMON=/path/to/demon \
#     REPS=3 OUT=/tmp/peers bash bench/peers.sh [CONFIG...]
#
# CONFIG names (default: all of the cheap ones, push0-1e5 push0-1e6 pushbd-1e5
# hex0-1e5 wait-1e5 demon-k13-1e6 demon-k20-1e6):
#   push0-N    2D von Neumann, push along a random direction, b = 1, d = 0,
#              from one cell to N cells (tumopp -Lconst -Prandom)
#   pushbd-N   the same with p53evo's default rates b = 0.14, d = 0.13 (both
#              retry founders that die out)
#   hex0-N     the hexagonal lattice (6 neighbours), push, b = 1, d = 0
#   wait-N     2D von Neumann, the daughter goes to a uniformly chosen empty
#              neighbour or the division is lost (tumopp -Lstep -Pmindrag),
#              b = 1, d = 0.3
#   demon-kK-N demon with demes of 2^K cells (invasion, migration rate set by
#              demon itself, no mutation, no death) against p53evo's
#              well-mixed engine and its push lattice, b = 1, d = 0, to N
# N is written 1e5, 1e6, ...
#
# Runs alternate between the simulators (A B A B ...), REPS of each. Each run
# is timed with /usr/bin/time; one TSV row per run goes to $OUT/runs.tsv
# (config, tool, rep, wall s, user s, sys s, max RSS KB) and a summary of
# medians and CPU-time ratios to standard output. On a shared machine CPU time
# (user + sys) is the steadier figure; wall time includes waiting for a core.
# p53evo runs use one worker (-w 1) and write a one-replicate dataset; the
# peers write nothing (tumopp -o '') or their usual small files (demon).
set -euo pipefail

P53EVO=${P53EVO:-p53evo}
TUMOPP=${TUMOPP:-}
DEMON=${DEMON:-}
REPS=${REPS:-3}
OUT=${OUT:-/tmp/p53evo-peers}
mkdir -p "$OUT"
runs=$OUT/runs.tsv
[ -s "$runs" ] || printf 'config\ttool\trep\twall_s\tuser_s\tsys_s\tmaxrss_kb\n' >"$runs"

if [ $# -eq 0 ]; then
	set -- push0-1e5 push0-1e6 pushbd-1e5 hex0-1e5 wait-1e5 demon-k13-1e6 demon-k20-1e6
fi

# int N: 1e5 -> 100000
int() { awk -v x="$1" 'BEGIN { printf "%d", x }'; }

# timed CONFIG TOOL REP CMD...: run CMD under /usr/bin/time, append a row.
timed() {
	local cfg=$1 tool=$2 rep=$3
	shift 3
	local tf=$OUT/time.$$
	if ! /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$tf" "$@" >"$OUT/last.log" 2>&1; then
		echo "peers.sh: $tool failed on $cfg (see $OUT/last.log)" >&2
		return 1
	fi
	printf '%s\t%s\t%s\t%s\n' "$cfg" "$tool" "$rep" "$(cat "$tf")" >>"$runs"
	rm -f "$tf"
}

# p53evo_lattice REP N NEIGH RULE BIRTH DEATH: sets cmd to one replicate of
# the lattice twin grown to N cells; treatment lasts 0.01 day after detection.
p53evo_lattice() {
	local rep=$1 n=$2 neigh=$3 rule=$4 b=$5 d=$6
	cmd=("$P53EVO" run -q -w 1 --force -o "$OUT/p53evo-ds" -s rezatapopt-continuous-lattice -n 1 --seed "$rep"
		--set detection.size="$n" --set stop.horizon=0.01 --set growth.birth="$b" --set growth.death="$d"
		--set "engine.lattice={dim: 2, neighbourhood: $neigh, rule: $rule}")
}

# p53evo_demes REP N LOG2K: sets cmd to the deme twin, b = 1, d = 0, grown
# to N cells in 2D demes of 2^LOG2K cells dispersing by invasion (demon's
# nearest mode; p53evo's migration rate 0.1/day is its own, not demon's).
p53evo_demes() {
	local rep=$1 n=$2 k=$((1 << $3))
	cmd=("$P53EVO" run -q -w 1 --force -o "$OUT/p53evo-ds" -s rezatapopt-continuous-demes -n 1 --seed "$rep"
		--set detection.size="$n" --set stop.horizon=0.01 --set growth.birth=1 --set growth.death=0
		--set "engine.demes={dim: 2, k: $k, dispersal: invasion, migration: 0.1}")
}

# p53evo_mixed REP N: sets cmd to the well-mixed single lesion, b = 1, d = 0,
# grown to N cells.
p53evo_mixed() {
	local rep=$1 n=$2
	cmd=("$P53EVO" run -q -w 1 --force -o "$OUT/p53evo-ds" -s rezatapopt-continuous-lesion -n 1 --seed "$rep"
		--set detection.size="$n" --set stop.horizon=0.01 --set growth.birth=1 --set growth.death=0
		--set observe.ctdna.every=off)
}

# demon_cfg LOG2K N SEED: a demon configuration file on standard output.
demon_cfg() {
	cat <<CFG
parameters
{
    spatial_structure { log2_deme_carrying_capacity $1 }
    dispersal { migration_type 0 init_migration_rate -1 migration_edge_only 0 migration_rate_scales_with_K 1 }
    mutation_rates { mu_driver_birth 0 mu_passenger 0 mu_driver_migration 0 passenger_pop_threshold -1 }
    fitness_effects { normal_birth_rate -1 baseline_death_rate 0 s_driver_birth 0 s_passenger 0 s_driver_migration 0 max_relative_birth_rate 10 max_relative_migration_rate 10 }
    non_biological_parameters { init_pop 1 matrix_max -1 max_pop $2 max_time 86400 max_generations 1000000 seed $3 write_grid 0 write_clones_file 0 write_demes_file 0 record_matrix 0 write_phylo 0 calculate_total_diversity 0 biopsy_size_per_sample 100 }
}
CFG
}

need() {
	if [ -z "$2" ]; then
		echo "peers.sh: $1 is not set; skipping $3" >&2
		return 1
	fi
}

for cfg in "$@"; do
	n=$(int "${cfg##*-}")
	for rep in $(seq 1 "$REPS"); do
		case $cfg in
		push0-* | pushbd-* | hex0-* | wait-*)
			need TUMOPP "$TUMOPP" "$cfg" || continue 2
			case $cfg in
			push0-*) neigh=von-neumann rule=push b=1 d=0 targs=(-Cneumann -Lconst -Prandom) ;;
			pushbd-*) neigh=von-neumann rule=push b=0.14 d=0.13 targs=(-Cneumann -Lconst -Prandom) ;;
			hex0-*) neigh=hex rule=push b=1 d=0 targs=(-Chex -Lconst -Prandom) ;;
			wait-*) neigh=von-neumann rule=wait b=1 d=0.3 targs=(-Cneumann -Lstep -Pmindrag) ;;
			esac
			timed "$cfg" tumopp "$rep" "$TUMOPP" -D2 "${targs[@]}" -k1 -b"$b" -d"$d" -N"$n" --seed "$rep" -o ''
			p53evo_lattice "$rep" "$n" "$neigh" "$rule" "$b" "$d"
			timed "$cfg" p53evo-lattice "$rep" "${cmd[@]}"
			;;
		demon-k*)
			need DEMON "$DEMON" "$cfg" || continue 2
			k=${cfg#demon-k}
			k=${k%%-*}
			dir=$OUT/demon-$cfg-$rep
			rm -rf "$dir" && mkdir -p "$dir"
			demon_cfg "$k" "$n" "$rep" >"$dir/config.dat"
			timed "$cfg" demon "$rep" "$DEMON" "$dir/" config.dat
			p53evo_mixed "$rep" "$n"
			timed "$cfg" p53evo-mixed "$rep" "${cmd[@]}"
			p53evo_lattice "$rep" "$n" von-neumann push 1 0
			timed "$cfg" p53evo-lattice "$rep" "${cmd[@]}"
			p53evo_demes "$rep" "$n" "$k"
			timed "$cfg" p53evo-demes "$rep" "${cmd[@]}"
			;;
		*)
			echo "peers.sh: unknown configuration $cfg" >&2
			exit 2
			;;
		esac
	done
done

# Summary: per configuration and tool, the medians, then each tool's median
# CPU time over p53evo-lattice's (or p53evo-mixed's when it has no lattice run).
awk -F'\t' '
NR == 1 { next }
{ k = $1 SUBSEP $2; n[k]++; w[k, n[k]] = $4; c[k, n[k]] = $5 + $6; m[k, n[k]] = $7
  if (!(k in seen)) { seen[k] = 1; order[++no] = k } }
function med(a, k, cnt,   i, j, t, v) {
	for (i = 1; i <= cnt; i++) v[i] = a[k, i]
	for (i = 2; i <= cnt; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return cnt % 2 ? v[(cnt+1)/2] : (v[cnt/2] + v[cnt/2+1]) / 2
}
END {
	printf "%-16s %-15s %4s %10s %10s %12s %14s\n", "config", "tool", "runs", "wall_s", "cpu_s", "maxrss_MB", "cpu/p53evo"
	for (i = 1; i <= no; i++) { k = order[i]; split(k, p, SUBSEP)
		mc[k] = med(c, k, n[k]) }
	for (i = 1; i <= no; i++) { k = order[i]; split(k, p, SUBSEP)
		ref = p[1] SUBSEP "p53evo-lattice"; if (!(ref in mc)) ref = p[1] SUBSEP "p53evo-mixed"
		r = (ref in mc && mc[ref] > 0) ? sprintf("%.1f", mc[k] / mc[ref]) : "-"
		printf "%-16s %-15s %4d %10.2f %10.2f %12.0f %14s\n", p[1], p[2], n[k], med(w, k, n[k]), mc[k], med(m, k, n[k]) / 1024, r }
}' "$runs"
