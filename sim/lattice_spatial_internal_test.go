package sim

import (
	"testing"

	"github.com/p53evo/p53evo/model"
)

// TestSnapshotSubsampleUniform: a snapshot of k of n cells keeps exactly k
// distinct cells, and over many draws every cell is kept about k/n of the
// time (chi-square over the cells' inclusion counts, p > 0.001).
func TestSnapshotSubsampleUniform(t *testing.T) {
	m := model.Default()
	lt := NewLattice(&m, LatticeConfig{Dim: 2, Rule: RulePush}, 100)
	const n, k, draws = 60, 12, 3000
	lt.Reset(3, n, 0)
	cfg := Config{Model: m, Spatial: &SpatialConfig{Snapshot: SnapshotConfig{MaxCells: k}}}
	o := newSpatialObs(&cfg, lt)
	res := &Result{Stream: 99}
	o.res = res
	idx := map[[2]int32]int{}
	lt.eachCell(func(x, y, _ int, _ int32) { idx[[2]int32{int32(x), int32(y)}] = len(idx) })
	if len(idx) != n {
		t.Fatalf("%d cells visited, want %d", len(idx), n)
	}
	hits := make([]int, n)
	for d := range draws {
		res.Snapshots = res.Snapshots[:0]
		o.ranks = uint64(d)
		o.snapshot(MomentDay)
		if len(res.Snapshots) != k {
			t.Fatalf("draw %d: %d cells, want %d", d, len(res.Snapshots), k)
		}
		seen := map[int]bool{}
		for _, c := range res.Snapshots {
			i, ok := idx[[2]int32{c.X, c.Y}]
			if !ok || seen[i] || c.TumourCells != n {
				t.Fatalf("draw %d: cell %+v not on the lattice, drawn twice or with a wrong total", d, c)
			}
			seen[i] = true
			hits[i]++
		}
	}
	exp := float64(draws) * k / n
	chi2 := 0.0
	for _, h := range hits {
		chi2 += (float64(h) - exp) * (float64(h) - exp) / exp
	}
	// 59 degrees of freedom: the 0.999 quantile is 99.6 (the inclusions of
	// one draw are slightly negatively correlated, which only lowers chi2)
	if chi2 > 99.6 {
		t.Errorf("inclusion counts %v: chi2 %.1f on 59 df, p < 0.001", hits, chi2)
	}
	// a rank gives the same subsample again
	res.Snapshots = res.Snapshots[:0]
	o.ranks = 7
	o.snapshot(MomentDay)
	first := append([]SnapshotCell(nil), res.Snapshots...)
	res.Snapshots = res.Snapshots[:0]
	o.ranks = 7
	o.snapshot(MomentDay)
	for i := range first {
		if first[i] != res.Snapshots[i] {
			t.Fatalf("the same rank gave another subsample: %+v vs %+v", first[i], res.Snapshots[i])
		}
	}
}
