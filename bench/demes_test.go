package bench

import (
	"testing"
	"time"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// demesGrow grows one Y220C cell (the lesion's rates: b = 0.14, d = 0.13 per
// day, default catalog and mutation rate) in the deme mode until the
// tumour first holds size cells, replacing founders that die out, on
// shards goroutines; it returns the deme updates, the demes, the days and
// the radius at the end.
func demesGrow(b *testing.B, dc sim.DemesConfig, size float64, shards int) (updates int64, demes int, days, radius float64) {
	m := model.Default()
	dm := sim.NewDemes(&m, dc, sim.Options{RecordAt: 1000, Shards: shards})
	defer dm.Close()
	for seed := uint64(1); ; seed++ {
		dm.Reset(seed, 1, 0)
		for dm.Total() > 0 && float64(dm.Total()) < size {
			dm.Advance(dm.Time()+7, sim.NoDrug{})
		}
		updates += dm.Updates
		if dm.Total() > 0 {
			return updates, dm.Demes(), dm.Time(), dm.Radius()
		}
		if seed > 1000 {
			b.Fatal("no founder survived")
		}
	}
}

// BenchmarkDemes: one op is one tumour grown from one cell in the deme mode
// on 2 goroutines (engine.shards 2): fission in 2D with K = 1e4 to 1e9
// cells, and invasion in 2D (K = 1e4, migration 0.1/day) to 1e8 cells.
// Reported: ns per deme update (one deme advanced over one 0.25-day step,
// dispersal and bookkeeping included), demes at the end, days, radius.
func BenchmarkDemes(b *testing.B) {
	for _, c := range []struct {
		name string
		dc   sim.DemesConfig
		size float64
	}{
		{"fission-2d-1e9", sim.DemesConfig{Dim: 2, K: 1e4, Dispersal: sim.DemeFission}, 1e9},
		{"invasion-2d-1e8", sim.DemesConfig{Dim: 2, K: 1e4, Dispersal: sim.DemeInvasion, Migration: 0.1}, 1e8},
	} {
		b.Run(c.name, func(b *testing.B) {
			var updates int64
			var demes int
			var days, radius float64
			start := time.Now()
			for b.Loop() {
				updates, demes, days, radius = demesGrow(b, c.dc, c.size, 2)
			}
			wall := time.Since(start).Seconds() / float64(b.N)
			b.ReportMetric(wall*1e9/float64(updates), "ns/deme-update")
			b.ReportMetric(float64(updates), "deme-updates")
			b.ReportMetric(float64(demes), "demes")
			b.ReportMetric(days, "days")
			b.ReportMetric(radius, "radius")
		})
	}
}
