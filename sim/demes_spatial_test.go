package sim_test

import (
	"fmt"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// demesSpatialSettings are deme tumours of both dispersal modes, 2D and 3D.
var demesSpatialSettings = []sim.DemesConfig{
	{Dim: 2, K: 100, Dispersal: sim.DemeFission},
	{Dim: 3, K: 50, Dispersal: sim.DemeFission},
	{Dim: 2, K: 100, Dispersal: sim.DemeInvasion, Migration: 0.1},
}

// demesSpatialConfig is a deme tumour of 2e4 cells with many mutants.
func demesSpatialConfig(dc sim.DemesConfig, sp *sim.SpatialConfig) sim.Config {
	cfg := demesConfig(5, dc, 2e4)
	cfg.Model.MutationRate = 1e-4
	cfg.Spatial = sp
	return cfg
}

// TestDemesSnapshot: a deme snapshot under max_cells has one row per deme
// and clone, in raster order of sites with a site's clones by increasing
// id, every row with cells; its cells add up to the tumour's total and its
// classes to the class counts, at treatment start and at the end; no deme
// holds more than K cells. A subsample keeps exactly max_cells of those
// rows.
func TestDemesSnapshot(t *testing.T) {
	for _, dc := range demesSpatialSettings {
		at := sim.SpatialTimes{TreatmentStart: true, End: true}
		cfg := demesSpatialConfig(dc, &sim.SpatialConfig{Snapshot: sim.SnapshotConfig{At: at, MaxCells: 1e7}})
		full := spatialRun(t, cfg, 3, 1)
		cfg.Spatial = &sim.SpatialConfig{Snapshot: sim.SnapshotConfig{At: sim.SpatialTimes{TreatmentStart: true}, MaxCells: 40}}
		sub := spatialRun(t, cfg, 3, 1)
		resistant := int64(0)
		for i, res := range full {
			for _, m := range []struct {
				moment string
				want   [model.NumClasses]int64
			}{{sim.MomentTreatmentStart, res.AtStart}, {sim.MomentEnd, res.Final}} {
				var cls [model.NumClasses]int64
				var cells int64
				site := map[[3]int32]int64{}
				seen := map[[4]int64]bool{}
				var last sim.SnapshotCell
				rows := 0
				for _, c := range res.Snapshots {
					if c.Moment != m.moment {
						continue
					}
					if c.Cells < 1 || c.TumourCells != m.want[0]+m.want[1]+m.want[2] {
						t.Fatalf("%+v replicate %d %s: row %+v", dc, i, m.moment, c)
					}
					key := [4]int64{int64(c.X), int64(c.Y), int64(c.Z), c.Clone}
					if seen[key] {
						t.Fatalf("%+v replicate %d %s: clone %d twice at one site", dc, i, m.moment, c.Clone)
					}
					seen[key] = true
					if rows > 0 {
						a := [4]int64{int64(last.Z), int64(last.Y), int64(last.X), last.Clone}
						b := [4]int64{int64(c.Z), int64(c.Y), int64(c.X), c.Clone}
						if !(a[0] < b[0] || a[0] == b[0] && (a[1] < b[1] || a[1] == b[1] && (a[2] < b[2] || a[2] == b[2] && a[3] < b[3]))) {
							t.Fatalf("%+v replicate %d %s: row %+v after %+v: not in raster order", dc, i, m.moment, c, last)
						}
					}
					last = c
					rows++
					cls[c.Class] += c.Cells
					cells += c.Cells
					site[[3]int32{c.X, c.Y, c.Z}] += c.Cells
				}
				if rows == 0 && m.want != [model.NumClasses]int64{} {
					t.Fatalf("%+v replicate %d %s: no rows", dc, i, m.moment)
				}
				if cls != m.want || cells != m.want[0]+m.want[1]+m.want[2] {
					t.Errorf("%+v replicate %d %s: snapshot holds %d cells by class %v, the tumour %v", dc, i, m.moment, cells, cls, m.want)
				}
				for s, n := range site {
					if n > int64(dc.K) {
						t.Errorf("%+v replicate %d %s: site %v holds %d cells, K %v", dc, i, m.moment, s, n, dc.K)
					}
				}
				if m.moment == sim.MomentTreatmentStart {
					if len(site) < 20 {
						t.Errorf("%+v replicate %d: %d demes: the test proves little", dc, i, len(site))
					}
					resistant += cls[model.ClassTALoss] + cls[model.ClassPocket]
					// the subsample: exactly 40 of the full snapshot's rows
					n := 0
					for _, c := range sub[i].Snapshots {
						n++
						if !seen[[4]int64{int64(c.X), int64(c.Y), int64(c.Z), c.Clone}] {
							t.Errorf("%+v replicate %d: subsampled row %+v not in the full snapshot", dc, i, c)
						}
					}
					if n != 40 || rows <= 40 {
						t.Errorf("%+v replicate %d: subsample of %d rows out of %d, want 40", dc, i, n, rows)
					}
				}
			}
		}
		if resistant == 0 {
			t.Errorf("%+v: no resistant cell at treatment start: the class check proves little", dc)
		}
	}
}

// TestDemesRegions: a punch covering the whole deme tumour reproduces the
// whole tumour's rows exactly, and its cells are the tumour's; a punch
// holds exactly the cells of the demes whose site lies within its radius
// (read off the snapshot); disjoint punches pool to their sum.
func TestDemesRegions(t *testing.T) {
	for _, dc := range demesSpatialSettings {
		start := sim.SpatialTimes{TreatmentStart: true, End: true}
		pos := [][3]float64{{6, 0, 0}, {-6, 0, 0}, {0, 6, 0}, {0, -6.5, 0}, {0, 0, 0}}
		rad := 2.9
		cfg := demesSpatialConfig(dc, &sim.SpatialConfig{
			Snapshot: sim.SnapshotConfig{At: start, MaxCells: 1e7},
			Regions:  sim.RegionConfig{At: start, Radius: rad, Positions: pos},
		})
		res := spatialRun(t, cfg, 3, 1)
		cfg.Spatial.Regions = sim.RegionConfig{At: start, Radius: 1e4, Positions: [][3]float64{{0, 0, 0}}}
		whole := spatialRun(t, cfg, 3, 1)
		variants := 0
		for i := range res {
			for _, moment := range []string{sim.MomentTreatmentStart, sim.MomentEnd} {
				want := res[i].AtStart
				if moment == sim.MomentEnd {
					want = res[i].Final
				}
				total := want[0] + want[1] + want[2]
				w := regionsAt(&whole[i], moment)
				if total == 0 {
					if len(w) != 0 {
						t.Errorf("%+v replicate %d %s: region rows of an empty tumour", dc, i, moment)
					}
					continue
				}
				if len(w["0"]) == 0 || len(w["0"]) != len(w[sim.SampleWhole]) {
					t.Fatalf("%+v replicate %d %s: %d punch rows, %d whole rows", dc, i, moment, len(w["0"]), len(w[sim.SampleWhole]))
				}
				for j, p := range w["0"] {
					q := w[sim.SampleWhole][j]
					if p.Cells != total || p.Cells != q.Cells || p.Carriers != q.Carriers || p.Variant != q.Variant || p.Fraction != q.Fraction || p.VAF != q.VAF {
						t.Errorf("%+v replicate %d %s: whole-tumour punch %+v, whole tumour %+v, %d cells", dc, i, moment, p, q, total)
					}
				}
				if y := w["0"][0]; y.Variant != "Y220C" || y.Carriers != total {
					t.Errorf("%+v replicate %d %s: Y220C row %+v, %d cells", dc, i, moment, y, total)
				}
				variants += len(w[sim.SampleWhole])
				rg := regionsAt(&res[i], moment)
				pooled := rg[sim.SamplePooled]
				for j := range pooled {
					var cells, carriers int64
					for p := range pos {
						r := rg[fmt.Sprint(p)][j]
						cells += r.Cells
						carriers += r.Carriers
					}
					if cells != pooled[j].Cells || carriers != pooled[j].Carriers {
						t.Errorf("%+v replicate %d %s, %s: punches sum to %d cells, %d carriers; pool %d, %d", dc, i, moment, pooled[j].Variant, cells, carriers, pooled[j].Cells, pooled[j].Carriers)
					}
				}
				for p, c := range pos {
					var in int64
					for _, s := range res[i].Snapshots {
						dx, dy, dz := float64(s.X)-c[0], float64(s.Y)-c[1], float64(s.Z)-c[2]
						if s.Moment == moment && dx*dx+dy*dy+dz*dz <= rad*rad {
							in += s.Cells
						}
					}
					r := rg[fmt.Sprint(p)][0]
					if r.Variant != "Y220C" || r.Cells != in || r.Carriers != in {
						t.Errorf("%+v replicate %d %s: punch %d: %+v; the snapshot has %d cells inside", dc, i, moment, p, r, in)
					}
					if moment == sim.MomentTreatmentStart && in == 0 {
						t.Errorf("%+v replicate %d: punch %d is empty: the test proves little", dc, i, p)
					}
				}
			}
		}
		if variants <= 6 {
			t.Errorf("%+v: only Y220C in the tumours: the carrier counts prove little", dc)
		}
	}
}

// TestDemesSpatialWorkers: snapshots and biopsies of deme replicates,
// days included, are identical on 1 and 2 workers and with 2 goroutines
// advancing the demes.
func TestDemesSpatialWorkers(t *testing.T) {
	dc := sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission}
	cfg := demesSpatialConfig(dc, &sim.SpatialConfig{
		Snapshot: sim.SnapshotConfig{At: everyMoment(1, 3), MaxCells: 300},
		Regions:  sim.RegionConfig{At: everyMoment(3), Radius: 3, K: 4},
	})
	one := spatialRun(t, cfg, 4, 1)
	two := spatialRun(t, cfg, 4, 2)
	cfg.Engine.Shards = 2
	shards := spatialRun(t, cfg, 4, 1)
	moments := map[string]int{}
	for i := range one {
		a := fmt.Sprint(one[i].Snapshots, one[i].Regions)
		if b := fmt.Sprint(two[i].Snapshots, two[i].Regions); a != b {
			t.Errorf("replicate %d: 1 and 2 workers differ", i)
		}
		if b := fmt.Sprint(shards[i].Snapshots, shards[i].Regions); a != b {
			t.Errorf("replicate %d: 1 and 2 shards differ", i)
		}
		for _, c := range one[i].Snapshots {
			moments[c.Moment]++
			if c.Moment == sim.MomentDay && c.Time != 1 && c.Time != 3 {
				t.Errorf("replicate %d: a day snapshot at %v", i, c.Time)
			}
		}
		for _, r := range one[i].Regions {
			moments["regions "+r.Moment]++
		}
	}
	for _, m := range []string{sim.MomentTreatmentStart, sim.MomentEnd, sim.MomentDay, "regions day", "regions treatment_start"} {
		if moments[m] == 0 {
			t.Errorf("no %s rows in 4 replicates: %v", m, moments)
		}
	}
}
