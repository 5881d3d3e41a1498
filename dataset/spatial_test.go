package dataset

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// spatialRows are made-up snapshot and region rows for replicate i (none
// for every third replicate), with nulls.
func spatialRows(i int) ([]sim.SnapshotCell, []sim.RegionRow) {
	if i%3 == 2 {
		return nil, nil
	}
	var sn []sim.SnapshotCell
	for k := range i%4 + 2 {
		sn = append(sn, sim.SnapshotCell{Moment: sim.MomentDay, Time: float64(i) + 0.5, X: int32(k - i), Y: int32(i), Z: int32(-k),
			Clone: int64(i*10 + k), Class: model.Class(k % 3), Cells: int64(k + 1), TumourCells: int64(100 + i)})
	}
	nan := math.NaN()
	rg := []sim.RegionRow{
		{Moment: sim.MomentEnd, Time: float64(i), Sample: sim.SamplePunch, Punch: i % 2, X: 1.5, Y: -2, Z: 0, Radius: 4,
			Cells: int64(i + 1), Variant: "Y220C", MutClass: 0, Carriers: int64(i + 1), Fraction: 1, VAF: 1},
		{Moment: sim.MomentEnd, Time: float64(i), Sample: sim.SamplePunch, Punch: 0, X: 1.5, Y: -2, Z: 0, Radius: 4,
			Cells: 0, Variant: "R248W", MutClass: model.TALoss, Carriers: 0, Fraction: nan, VAF: nan},
		{Moment: sim.MomentProgression, Time: 3, Sample: sim.SampleWhole, Punch: -1, X: nan, Y: nan, Z: nan, Radius: nan,
			Cells: 8, Variant: "nonsense#2", MutClass: model.Pocket, Carriers: 2, Fraction: 0.25, VAF: 0.125},
	}
	return sn, rg
}

func wantSnapshots(rs []sim.Result) []SnapshotRow {
	var out []SnapshotRow
	for _, r := range rs {
		for _, c := range r.Snapshots {
			out = append(out, SnapshotRow{Replicate: r.Replicate, Moment: c.Moment, Time: c.Time, X: int(c.X), Y: int(c.Y), Z: int(c.Z),
				Clone: c.Clone, Class: c.Class.String(), Cells: c.Cells, TumourCells: c.TumourCells})
		}
	}
	return out
}

func wantRegions(rs []sim.Result) []RegionRow {
	var out []RegionRow
	for _, r := range rs {
		for _, x := range r.Regions {
			cls := map[model.MutClass]string{0: "truncal", model.TALoss: "ta-loss", model.Pocket: "pocket", model.Passenger: "passenger"}[x.MutClass]
			out = append(out, RegionRow{Replicate: r.Replicate, Moment: x.Moment, Time: x.Time, Sample: x.Sample, Punch: x.Punch,
				X: x.X, Y: x.Y, Z: x.Z, Radius: x.Radius, Cells: x.Cells, Variant: x.Variant, Class: cls,
				Carriers: x.Carriers, Fraction: x.Fraction, VAF: x.VAF})
		}
	}
	return out
}

func checkSpatialTables(t *testing.T, d *Dataset, rs []sim.Result) {
	t.Helper()
	checkTable(t, "snapshots", d.Snapshots, wantSnapshots(rs))
	checkTable(t, "regions", d.Regions, wantRegions(rs))
}

// TestSpatialTablesFromLattice: a lattice run's snapshots and regions reach
// the tables as the engine took them, and the table files are the same
// bytes whatever the worker count.
func TestSpatialTablesFromLattice(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-5
	cfg := sim.Config{Model: m, Detect: 2000, Seed: 9, Horizon: 200, Lethal: 1e6,
		Lattice: &sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}}
	cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
	cfg.Defaults()
	cfg.CTDNA.Every = -1
	every := sim.SpatialTimes{TreatmentStart: true, Progression: true, End: true, Days: []float64{20}}
	cfg.Spatial = &sim.SpatialConfig{Snapshot: sim.SnapshotConfig{At: every, MaxCells: 700}, Regions: sim.RegionConfig{At: every, Radius: 5, K: 3}}
	var rs []sim.Result
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 4, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
		c := *r
		c.Snapshots = append([]sim.SnapshotCell(nil), r.Snapshots...)
		c.Regions = append([]sim.RegionRow(nil), r.Regions...)
		rs = append(rs, c)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[int]map[string]string{}
	for _, w := range []int{1, 2} {
		dir := filepath.Join(t.TempDir(), "run")
		meta := SimMeta(Meta{ScenarioName: "t", Seed: 9, Count: 4, Workers: w}, &cfg, []byte("name: t\n"))
		if err := Simulate(context.Background(), dir, meta, &cfg, sim.RunOptions{Count: 4, Workers: w}); err != nil {
			t.Fatal(err)
		}
		d, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		checkSpatialTables(t, d, rs)
		hashes[w] = map[string]string{}
		for _, f := range d.Manifest().Files {
			hashes[w][f.Table] = f.SHA256
		}
		if sn, _ := d.Snapshots(); len(sn) < 4*700 {
			t.Errorf("%d snapshot rows: fewer than one full snapshot per replicate", len(sn))
		}
	}
	for _, table := range []string{TableSnapshots, TableRegions} {
		if hashes[1][table] != hashes[2][table] {
			t.Errorf("%s: 1 and 2 workers write different files", table)
		}
	}
}

// TestSpatialTablesFromDemes: a deme run's snapshots (one row per deme and
// clone) and regions reach the tables as the engine took them; a full
// snapshot's cells add up to its tumour_cells; lattice rows have cells 1.
func TestSpatialTablesFromDemes(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-5
	cfg := sim.Config{Model: m, Detect: 5000, Seed: 9, Horizon: 60, Lethal: 1e6,
		Demes: &sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission}}
	cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
	cfg.Defaults()
	cfg.CTDNA.Every = -1
	every := sim.SpatialTimes{TreatmentStart: true, End: true, Days: []float64{5}}
	cfg.Spatial = &sim.SpatialConfig{Snapshot: sim.SnapshotConfig{At: every, MaxCells: 1e6}, Regions: sim.RegionConfig{At: every, Radius: 3, K: 3}}
	var rs []sim.Result
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 3, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
		c := *r
		c.Snapshots = append([]sim.SnapshotCell(nil), r.Snapshots...)
		c.Regions = append([]sim.RegionRow(nil), r.Regions...)
		rs = append(rs, c)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	meta := SimMeta(Meta{ScenarioName: "t", Seed: 9, Count: 3, Workers: 2}, &cfg, []byte("name: t\n"))
	if err := Simulate(context.Background(), dir, meta, &cfg, sim.RunOptions{Count: 3, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkSpatialTables(t, d, rs)
	sn, err := d.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		rep    int
		moment string
	}
	sum, want := map[key]int64{}, map[key]int64{}
	many := false
	for _, r := range sn {
		sum[key{r.Replicate, r.Moment}] += r.Cells
		want[key{r.Replicate, r.Moment}] = r.TumourCells
		many = many || r.Cells > 1
	}
	if len(sum) < 6 || !many {
		t.Fatalf("%d snapshots, a row with more than one cell: %v", len(sum), many)
	}
	for k, n := range sum {
		if n != want[k] {
			t.Errorf("%+v: snapshot rows hold %d cells, tumour_cells %d", k, n, want[k])
		}
	}
}
