package sim_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// latticeDigest hashes a lattice's whole state bit for bit: the clock, the
// event count, the counts, the clone records, and every cell in the order of
// the cell list (position relative to the centre, clone id), so it does not
// depend on how the grid is laid out in memory.
func latticeDigest(lt *sim.Lattice) string {
	h := sha256.New()
	w := func(vs ...any) {
		for _, v := range vs {
			binary.Write(h, binary.LittleEndian, v)
		}
	}
	w(math.Float64bits(lt.Time()), lt.Events, lt.Total(), lt.Counts(), lt.Born(), int64(lt.Clones()))
	for _, r := range lt.Records() {
		w(r.ID, r.Parent, math.Float64bits(r.Born), r.Peak, math.Float64bits(r.PeakTime), math.Float64bits(r.Extinct))
	}
	for i := range int(lt.Total()) {
		x, y, z, c := lt.Cell(i)
		w(int32(x), int32(y), int32(z), c)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// latticeKey names a lattice setting, e.g. "2D von-neumann push".
func latticeKey(lc sim.LatticeConfig) string {
	nb := "von-neumann"
	switch {
	case lc.Moore:
		nb = "moore"
	case lc.Hex:
		nb = "hex"
	}
	return fmt.Sprintf("%dD %s %s", lc.Dim, nb, lc.Rule)
}

// latticeGoldenCases are the lattices TestLatticeGolden pins.
var latticeGoldenCases = []sim.LatticeConfig{
	{Dim: 2, Rule: sim.RulePush},
	{Dim: 2, Rule: sim.RuleWait},
	{Dim: 2, Moore: true, Rule: sim.RulePush},
	{Dim: 2, Moore: true, Rule: sim.RuleWait},
	{Dim: 2, Hex: true, Rule: sim.RulePush},
	{Dim: 2, Hex: true, Rule: sim.RuleWait},
	{Dim: 3, Rule: sim.RulePush},
	{Dim: 3, Moore: true, Rule: sim.RuleWait},
}

// TestLatticeGolden pins the lattice mode bit for bit: for each lattice, a
// lesion grown from one cell to 20,000 cells (b = 1, d = 0.3, mutation rate
// 1e-4, founders that die out retried) and treated for 5 days, digested
// cell by cell after growth and after treatment; and two whole replicates
// of a treated lattice scenario. A change that alters any random draw or
// any cell's place shows up here; if intended, regenerate with
// `go test ./sim -run TestLatticeGolden -update` and say why in the commit.
func TestLatticeGolden(t *testing.T) {
	got := map[string]string{}
	for _, lc := range latticeGoldenCases {
		m := model.Default()
		m.Birth, m.Death, m.MutationRate = 1, 0.3, 1e-4
		lt := sim.NewLattice(&m, lc, 5)
		for seed := uint64(1); lt.Total() < 20_000; seed++ {
			lt.Reset(seed, 1, 0)
			lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 20_000)
		}
		if err := lt.Check(); err != nil {
			t.Fatal(err)
		}
		key := latticeKey(lc)
		got[key+" grown"] = latticeDigest(lt)
		lt.Advance(lt.Time()+5, sim.Constant{C: []float64{2000, 0, 0}})
		if err := lt.Check(); err != nil {
			t.Fatal(err)
		}
		got[key+" treated"] = latticeDigest(lt)
	}
	for _, lc := range []sim.LatticeConfig{{Dim: 2, Rule: sim.RulePush}, {Dim: 3, Rule: sim.RuleWait}} {
		cfg := latticeConfig(9, lc, 4000)
		for _, row := range runDigests(t, cfg, 2, 2) {
			got[fmt.Sprintf("%s replicate %d", latticeKey(lc), row.Replicate)] = row.Digest
		}
	}
	want, ok := readGolden(t, "lattice_golden.json", got)
	if !ok {
		return
	}
	if len(got) != len(want) {
		t.Errorf("%d digests, golden has %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %s, golden %s", k, got[k], v)
		}
	}
}
