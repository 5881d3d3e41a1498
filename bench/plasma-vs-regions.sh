#!/usr/bin/env bash
# bench/plasma-vs-regions.sh: which resistance SNVs a small 2D lattice lesion
# shows to one biopsy punch, to five punches, and to plasma. Runs
# rezatapopt-continuous-lattice (detection at 1e5 cells, 2D von Neumann, push
# rule) with the mutation rate raised to 1e-7 so that every lesion carries
# resistance, five punches of radius 10 sites (about 310 cells each; punch 0
# at the centroid, the others at half the lesion's radius) at treatment start,
# day 112 and progression, and a blood draw every 28 days, then counts, per
# moment and summed over the lesions:
#   whole     SNVs present in the lesion (and at >= 1% of its cells)
#   punch 0   SNVs present in the centre punch, and at VAF >= 5% there
#   pooled    the same for the five punches together
#   plasma    SNVs the draw on that day calls (>= MIN_ALT reads, LOD)
#
#   P53EVO=/tmp/p53evo N=20 SEED=7 SHED=1.4e-4 OUT=/tmp/p53evo-pvr bash bench/plasma-vs-regions.sh
#
# SHED is observe.ctdna.shed: the default 1.4e-4 genome equivalents per death
# leaves a lesion this small invisible in plasma (tumour fraction about
# 1e-8); SHED=1e3 puts the tumour fraction at treatment start near 20%.
set -euo pipefail

P53EVO=${P53EVO:-p53evo}
N=${N:-20}
SEED=${SEED:-7}
SHED=${SHED:-1.4e-4}
OUT=${OUT:-/tmp/p53evo-pvr}
WORKERS=${WORKERS:-1}

"$P53EVO" run -q -w "$WORKERS" --force -n "$N" --seed "$SEED" -o "$OUT" -s rezatapopt-continuous-lattice \
	--set mutation.rate=1e-7 --set observe.ctdna.every=28 --set observe.ctdna.shed="$SHED" \
	--set 'observe.regions={at: [treatment_start, 112, progression], k: 5, radius: 10}'
"$P53EVO" export "$OUT" --table regions --to csv >"$OUT/regions.csv"
"$P53EVO" export "$OUT" --table ctdna --to csv >"$OUT/ctdna.csv"

# regions: replicate,moment,time,sample,punch,x,y,z,radius,cells,variant,class,carriers,fraction,vaf
# ctdna:   replicate,time,mutation,class,true_vaf,alt_reads,depth,called,tumour_fraction
awk -F, '
FNR == 1 { file++; next }
file == 1 && $12 != "truncal" {
	s = $4 == "punch" ? "punch" $5 : $4
	if (s != "punch0" && s != "pooled" && s != "whole") next
	k = $1 SUBSEP $2
	T[k] = $3; reps[$1] = 1
	if ($13 > 0) { present[$2, s]++; has[k, s, $11] = 1 }
	if ($15 != "" && $15 >= 0.05) { called[$2, s]++; hi[k, s, $11] = 1 }
	if (s == "whole" && $15 >= 0.01) { common[$2]++; one[k, $11] = 1 }
}
file == 2 {
	tf[$1, $2] = $9
	if ($8 == "true") plasma[$1, $2, $3] = 1
}
END {
	split("treatment_start day progression", ms, " ")
	for (i = 1; i <= 3; i++) {
		m = ms[i]; n = 0; pl = 0; plc = 0; plp = 0; poolx = 0; ntf = 0
		for (r in reps) {
			k = r SUBSEP m
			if (!(k in T)) continue
			n++
			if ((r, T[k]) in tf) v[++ntf] = tf[r, T[k]]
			for (x in plasma) {
				split(x, f, SUBSEP)
				if (f[1] != r || f[2] != T[k]) continue
				pl++
				if ((k, f[3]) in one) plc++
				if (!((k, "punch0", f[3]) in hi)) plp++
			}
			for (x in hi) {
				split(x, f, SUBSEP)
				if (f[1] == r && f[2] == m && f[3] == "pooled" && !((k, "punch0", f[4]) in hi)) poolx++
			}
		}
		asort_n(v, ntf)
		printf "%s: %d lesions; whole lesion %d SNVs (%d at >= 1%% of cells); centre punch %d (%d at VAF >= 5%%); five punches %d (%d at VAF >= 5%%, %d of them not so in the centre punch); plasma calls %d (%d at >= 1%% of cells, %d not at VAF >= 5%% in the centre punch); median tumour fraction %s\n", \
			m, n, present[m, "whole"], common[m], present[m, "punch0"], called[m, "punch0"], present[m, "pooled"], called[m, "pooled"], poolx, pl, plc, plp, ntf ? sprintf("%.3g", v[int((ntf + 1) / 2)]) : "(no rows)"
		delete v
	}
}
function asort_n(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}
' "$OUT/regions.csv" "$OUT/ctdna.csv"
