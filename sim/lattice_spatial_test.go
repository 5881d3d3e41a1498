package sim_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// spatialRun runs n replicates of cfg on w workers and keeps copies of the
// results.
func spatialRun(t *testing.T, cfg sim.Config, n, w int) []sim.Result {
	t.Helper()
	var out []sim.Result
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n, Workers: w}, sim.SinkFunc(func(r *sim.Result) error {
		c := *r
		c.Snapshots = slices.Clone(r.Snapshots)
		c.Regions = slices.Clone(r.Regions)
		c.Trajectory, c.Clones, c.Events, c.Genotypes = slices.Clone(r.Trajectory), slices.Clone(r.Clones), slices.Clone(r.Events), slices.Clone(r.Genotypes)
		out = append(out, c)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func everyMoment(days ...float64) sim.SpatialTimes {
	return sim.SpatialTimes{TreatmentStart: true, Progression: true, End: true, Days: days}
}

// TestSnapshotIsEveryCell: a snapshot under max_cells lists every cell of
// the lattice once, with its clone, and its classes add up to the counts.
func TestSnapshotIsEveryCell(t *testing.T) {
	for _, lc := range []sim.LatticeConfig{{Dim: 2, Rule: sim.RulePush}, {Dim: 3, Rule: sim.RulePush}} {
		cfg := latticeConfig(5, lc, 3000)
		cfg.StopAtDetection = true
		cfg.Spatial = &sim.SpatialConfig{Snapshot: sim.SnapshotConfig{At: sim.SpatialTimes{TreatmentStart: true}, MaxCells: 1e6}}
		rp := sim.NewReplicator(&cfg)
		var res sim.Result
		if err := rp.Run(0, &res); err != nil {
			t.Fatal(err)
		}
		lt := rp.Lattice()
		want := map[[3]int32]int64{}
		for i := range int(lt.Total()) {
			x, y, z, c := lt.Cell(i)
			want[[3]int32{int32(x), int32(y), int32(z)}] = int64(c)
		}
		if len(res.Snapshots) != len(want) {
			t.Fatalf("dim %d: %d snapshot rows, %d cells", lc.Dim, len(res.Snapshots), len(want))
		}
		var cls [model.NumClasses]int64
		for _, c := range res.Snapshots {
			if c.Moment != sim.MomentTreatmentStart || c.Time != 0 || c.TumourCells != lt.Total() {
				t.Fatalf("dim %d: row %+v", lc.Dim, c)
			}
			if cl, ok := want[[3]int32{c.X, c.Y, c.Z}]; !ok || cl != c.Clone {
				t.Fatalf("dim %d: row %+v: the lattice has clone %d there (present %v)", lc.Dim, c, cl, ok)
			}
			if c.Class != lt.CloneClass(int32(c.Clone)) {
				t.Fatalf("dim %d: row %+v: clone's class is %v", lc.Dim, c, lt.CloneClass(int32(c.Clone)))
			}
			cls[c.Class]++
		}
		if cls != res.AtStart {
			t.Errorf("dim %d: snapshot classes %v, counts at start %v", lc.Dim, cls, res.AtStart)
		}
		if cls[model.ClassTALoss]+cls[model.ClassPocket] == 0 {
			t.Errorf("dim %d: no resistant cell: the class check proves little", lc.Dim)
		}
	}
}

// TestSpatialObservationsKeepReplicates: snapshots and biopsies at named
// moments do not change the replicates; a subsample is a subset of the full
// snapshot of the same replicate.
func TestSpatialObservationsKeepReplicates(t *testing.T) {
	cfg := latticeConfig(5, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 3000)
	plain := runDigests(t, cfg, 4, 1)
	cfg.Spatial = &sim.SpatialConfig{
		Snapshot: sim.SnapshotConfig{At: everyMoment(), MaxCells: 1e6},
		Regions:  sim.RegionConfig{At: everyMoment(), Radius: 6, K: 5},
	}
	full := spatialRun(t, cfg, 4, 1)
	observed := runDigests(t, cfg, 4, 1)
	cfg.Spatial.Snapshot.MaxCells = 500
	sub := spatialRun(t, cfg, 4, 1)
	for i := range plain {
		if plain[i] != observed[i] {
			t.Errorf("replicate %d changed when observed", i)
		}
		all := map[string]bool{}
		for _, c := range full[i].Snapshots {
			all[fmt.Sprint(c)] = true
		}
		per := map[string]int64{}
		for _, c := range sub[i].Snapshots {
			if !all[fmt.Sprint(c)] {
				t.Fatalf("replicate %d: subsampled cell %+v is not in the full snapshot", i, c)
			}
			per[c.Moment]++
		}
		for _, c := range full[i].Snapshots {
			if want := min(500, c.TumourCells); per[c.Moment] != want {
				t.Errorf("replicate %d, %s: %d cells subsampled, want %d", i, c.Moment, per[c.Moment], want)
			}
		}
	}
}

// TestSpatialWorkers: snapshots and biopsies, days included, are the same
// whatever the worker count; days are observed at exactly that day.
func TestSpatialWorkers(t *testing.T) {
	cfg := latticeConfig(5, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 3000)
	cfg.Spatial = &sim.SpatialConfig{
		Snapshot: sim.SnapshotConfig{At: everyMoment(10, 30.5), MaxCells: 400},
		Regions:  sim.RegionConfig{At: everyMoment(30.5), Radius: 6, K: 4},
	}
	one := spatialRun(t, cfg, 6, 1)
	two := spatialRun(t, cfg, 6, 2)
	moments := map[string]int{}
	for i := range one {
		a := fmt.Sprint(one[i].Snapshots, one[i].Regions)
		if b := fmt.Sprint(two[i].Snapshots, two[i].Regions); a != b {
			t.Errorf("replicate %d: 1 and 2 workers differ", i)
		}
		for _, c := range one[i].Snapshots {
			moments[c.Moment]++
			if c.Moment == sim.MomentDay && c.Time != 10 && c.Time != 30.5 {
				t.Errorf("replicate %d: a day snapshot at %v", i, c.Time)
			}
			if c.Moment == sim.MomentProgression && c.Time != one[i].TTP {
				t.Errorf("replicate %d: progression snapshot at %v, ttp %v", i, c.Time, one[i].TTP)
			}
		}
		for _, r := range one[i].Regions {
			moments["regions "+r.Moment]++
		}
	}
	for _, m := range []string{sim.MomentTreatmentStart, sim.MomentProgression, sim.MomentEnd, sim.MomentDay, "regions day", "regions progression"} {
		if moments[m] == 0 {
			t.Errorf("no %s rows in 6 replicates: %v", m, moments)
		}
	}
}

// regionsAt are the rows of res taken at moment, by sample key.
func regionsAt(res *sim.Result, moment string) map[string][]sim.RegionRow {
	out := map[string][]sim.RegionRow{}
	for _, r := range res.Regions {
		if r.Moment == moment {
			k := r.Sample
			if r.Sample == sim.SamplePunch {
				k = fmt.Sprint(r.Punch)
			}
			out[k] = append(out[k], r)
		}
	}
	return out
}

// TestRegionsCounts: a punch covering the whole lesion reproduces the whole
// tumour's counts exactly; punches that do not overlap never count a cell
// twice (their pool is their sum) and hold exactly the snapshot's cells
// within their radius; the spread rule puts punches at half the lesion's
// radius (its farthest cell) around its centroid.
func TestRegionsCounts(t *testing.T) {
	cfg := latticeConfig(5, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 3000)
	cfg.Model.MutationRate = 1e-4
	cfg.StopAtDetection = true
	start := sim.SpatialTimes{TreatmentStart: true}
	pos := [][3]float64{{12, 0, 0}, {-12, 0, 0}, {0, 12, 0}, {0, -12.5, 0}, {0, 0, 0}}
	cfg.Spatial = &sim.SpatialConfig{
		Snapshot: sim.SnapshotConfig{At: start, MaxCells: 1e6},
		Regions:  sim.RegionConfig{At: start, Radius: 5.9, Positions: pos},
	}
	res := spatialRun(t, cfg, 3, 1)
	cfg.Spatial.Regions = sim.RegionConfig{At: start, Radius: 1e4, Positions: [][3]float64{{0, 0, 0}}}
	whole := spatialRun(t, cfg, 3, 1)
	cfg.Spatial.Regions = sim.RegionConfig{At: start, Radius: 3, K: 7}
	spread := spatialRun(t, cfg, 3, 1)
	variants := 0
	for i := range res {
		// one punch over everything
		w := regionsAt(&whole[i], sim.MomentTreatmentStart)
		if len(w["0"]) == 0 || len(w["0"]) != len(w[sim.SampleWhole]) {
			t.Fatalf("replicate %d: %d punch rows, %d whole rows", i, len(w["0"]), len(w[sim.SampleWhole]))
		}
		for j, p := range w["0"] {
			q := w[sim.SampleWhole][j]
			if p.Cells != q.Cells || p.Carriers != q.Carriers || p.Variant != q.Variant || p.Fraction != q.Fraction || p.VAF != q.VAF {
				t.Errorf("replicate %d: whole-lesion punch %+v, whole tumour %+v", i, p, q)
			}
		}
		if n := res[i].AtStart[0] + res[i].AtStart[1] + res[i].AtStart[2]; w[sim.SampleWhole][0].Cells != n {
			t.Errorf("replicate %d: whole tumour %d cells, %d at start", i, w[sim.SampleWhole][0].Cells, n)
		}
		variants += len(w[sim.SampleWhole])
		// disjoint punches
		rg := regionsAt(&res[i], sim.MomentTreatmentStart)
		pooled := rg[sim.SamplePooled]
		for j := range pooled {
			var cells, carriers int64
			for p := range pos {
				r := rg[fmt.Sprint(p)][j]
				if r.Variant != pooled[j].Variant {
					t.Fatalf("replicate %d: rows out of step: %+v vs %+v", i, r, pooled[j])
				}
				cells += r.Cells
				carriers += r.Carriers
			}
			if cells != pooled[j].Cells || carriers != pooled[j].Carriers {
				t.Errorf("replicate %d, %s: punches sum to %d cells, %d carriers; pool %d, %d", i, pooled[j].Variant, cells, carriers, pooled[j].Cells, pooled[j].Carriers)
			}
		}
		for p, c := range pos {
			var in int64
			for _, s := range res[i].Snapshots {
				dx, dy := float64(s.X)-c[0], float64(s.Y)-c[1]
				if dx*dx+dy*dy <= 5.9*5.9 {
					in++
				}
			}
			r := rg[fmt.Sprint(p)][0]
			if r.Variant != "Y220C" || r.Cells != in || r.Carriers != in || r.VAF != 1 {
				t.Errorf("replicate %d: punch %d: %+v; the snapshot has %d cells inside", i, p, r, in)
			}
			if in == 0 {
				t.Errorf("replicate %d: punch %d is empty: the test proves little", i, p)
			}
		}
		// the spread rule
		sr := regionsAt(&spread[i], sim.MomentTreatmentStart)
		var cx, cy float64
		for _, s := range res[i].Snapshots {
			cx += float64(s.X)
			cy += float64(s.Y)
		}
		n := float64(len(res[i].Snapshots))
		cx, cy = cx/n, cy/n
		half := 0.0
		for _, s := range res[i].Snapshots {
			half = max(half, math.Hypot(float64(s.X)-cx, float64(s.Y)-cy)/2)
		}
		for p := range 7 {
			r := sr[fmt.Sprint(p)][0]
			d := math.Hypot(r.X-cx, r.Y-cy)
			if want := map[bool]float64{true: 0, false: half}[p == 0]; math.Abs(d-want) > 1e-9 {
				t.Errorf("replicate %d: punch %d at distance %v from the centroid, want %v", i, p, d, want)
			}
		}
	}
	if variants <= 3 {
		t.Errorf("only Y220C in the tumours: the carrier counts prove little")
	}
}

func TestSpatialNeedsLattice(t *testing.T) {
	cfg := smallConfig(1)
	cfg.Spatial = &sim.SpatialConfig{Snapshot: sim.SnapshotConfig{At: sim.SpatialTimes{End: true}, MaxCells: 10}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "need the lattice mode") {
		t.Errorf("a well-mixed run with snapshots: %v", err)
	}
	cfg = latticeConfig(1, sim.LatticeConfig{Dim: 2}, 100)
	cfg.Spatial = &sim.SpatialConfig{Regions: sim.RegionConfig{At: sim.SpatialTimes{Days: []float64{5, 3}}, Radius: 0, K: 2}}
	err := cfg.Validate()
	for _, want := range []string{"days must increase", "radius 0"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad regions: %v, want %q", err, want)
		}
	}
}
