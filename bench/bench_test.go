package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
	"github.com/p53evo/p53evo/sim/theory"
)

// runReplicates runs b.N replicates of cfg on one goroutine and returns the
// results' f values.
func runReplicates(b *testing.B, cfg sim.Config, f func(*sim.Result) float64) []float64 {
	b.Helper()
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var res sim.Result
	out := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := rp.Run(i, &res); err != nil {
			b.Fatal(err)
		}
		if f != nil {
			out = append(out, f(&res))
		}
	}
	return out
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkLesion: one replicate of the clinical workload per op, on one
// core: with one clone per lineage (the default) at detection sizes 1e9
// and 1e11; with clones merged by SNV (engine.merge with blood draws) at
// 1e9 to 1e12; and merged by catalog entry (engine.merge, draws off) at 1e9
// and 1e11.
func BenchmarkLesion(b *testing.B) {
	type variant struct {
		size  float64
		mode  string
		merge bool
		draws bool
	}
	var vs []variant
	for _, size := range []float64{1e9, 1e11} {
		vs = append(vs, variant{size, "", false, true})
	}
	for _, size := range []float64{1e9, 1e10, 1e11, 1e12} {
		vs = append(vs, variant{size, "/merged", true, true})
	}
	for _, size := range []float64{1e9, 1e11} {
		vs = append(vs, variant{size, "/merged-nodraws", true, false})
	}
	for _, v := range vs {
		b.Run(fmt.Sprintf("size=%.0e%s", v.size, v.mode), func(b *testing.B) {
			cfg := lesion(v.size, 1)
			cfg.Engine.Merge = v.merge
			if !v.draws {
				cfg.CTDNA.Every = -1
			}
			clones := runReplicates(b, cfg, func(r *sim.Result) float64 { return float64(r.ClonesBorn) })
			b.ReportMetric(median(clones), "clones/op")
		})
	}
}

// BenchmarkEqualLesions: one patient-sized burden per op, on one core: 12 independent
// lesions of equal size summing to 5e10 or 3e11 cells (the median and the
// largest burden of the virtual-patient cohort), each grown from one cell to
// its detection size and treated with continuous rezatapopt until RECIST
// progression or five years, with clones merged by SNV and blood draws
// every 28 days.
func BenchmarkEqualLesions(b *testing.B) {
	const lesions = 12
	for _, total := range []float64{5e10, 3e11} {
		b.Run(fmt.Sprintf("total=%.0e/lesions=%d", total, lesions), func(b *testing.B) {
			cfg := lesion(total/lesions, 1)
			cfg.Engine.Merge = true
			rp := sim.NewReplicator(&cfg)
			defer rp.Close()
			var res sim.Result
			rows := 0
			for i := 0; b.Loop(); i++ {
				for l := range lesions {
					if err := rp.Run(i*lesions+l, &res); err != nil {
						b.Fatal(err)
					}
					rows += len(res.CTDNA)
				}
			}
			b.ReportMetric(float64(rows)/float64(b.N), "ctdna-rows/op")
		})
	}
}

// BenchmarkPeer4Type: one replicate per op; reports the median R1 count at
// the stop (compare: about 70 at 1e8; near 1050 at 1e9 over 500-1000
// replicates in both p53evo and OncoSimulR, whose figure of 1200 came from
// 20 replicates).
func BenchmarkPeer4Type(b *testing.B) {
	for _, size := range []float64{1e6, 1e8, 1e9} {
		b.Run(fmt.Sprintf("size=%.0e", size), func(b *testing.B) {
			cfg := peer4Type(size, 1)
			rp := sim.NewReplicator(&cfg)
			defer rp.Close()
			var res sim.Result
			r1 := make([]float64, 0, b.N)
			for i := 0; b.Loop(); i++ {
				if err := rp.Run(i, &res); err != nil {
					b.Fatal(err)
				}
				r1 = append(r1, float64(rp.Tumor().CountGenotype("R1")))
			}
			b.ReportMetric(median(r1), "medianR1")
		})
	}
}

// BenchmarkExactRegime: event-by-event simulation of one clone from 1e3 to
// 1e6 cells (b=1.5, d=1, no mutation). It takes on average
// (b+d)/(b-d) (1e6 - 1e3) ~ 5.0e6 events, so ns/event = ns/op / 4.995e6.
func BenchmarkExactRegime(b *testing.B) {
	m := model.Model{Birth: 1.5, Death: 1, Alleles: model.Alleles{Copies: 1, Dominance: 1}}
	cfg := sim.Config{Model: m, Founder: 1000, Detect: 1e6, Seed: 3, Step: 1, GrowthGrid: 1, StopAtDetection: true, Engine: sim.Options{ExactBelow: theory.AllExact}}
	cfg.Defaults()
	runReplicates(b, cfg, nil)
	const events = 2.5 / 0.5 * (1e6 - 1e3)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/events, "ns/event")
}

// BenchmarkStep: the hot loop alone: one 7-day step of a treated 1e9-cell
// tumour, serial and split across two goroutines. The mutation rate sets how
// many clones the tumour holds (about 600, 5,000 and 43,000 at 1e-9, 1e-8
// and 1e-7), which shows from what size sharding pays. Reports ns per live
// clone.
func BenchmarkStep(b *testing.B) {
	for _, rate := range []float64{1e-9, 1e-8, 1e-7} {
		for _, shards := range []int{1, 2} {
			b.Run(fmt.Sprintf("rate=%.0e/shards=%d", rate, shards), func(b *testing.B) {
				m := model.Default()
				m.MutationRate = rate
				tm := sim.NewTumor(&m, sim.Options{ExactBelow: sim.DefaultExactBelow, RecordAt: 100, Shards: shards, ShardMin: 1})
				defer tm.Close()
				var drug sim.Exposure = sim.Constant{C: []float64{2000, 0, 0}}
				tm.Reset(5, 1e9, 0)
				t := 0.0
				for i := 0; i < 20; i++ {
					t += 7
					tm.Advance(t, drug)
				}
				clones := 0
				b.ResetTimer()
				for b.Loop() {
					if tm.Total() == 0 || tm.Time() > 700 {
						b.StopTimer()
						tm.Reset(5, 1e9, 0)
						t = 0
						b.StartTimer()
					}
					clones += tm.Clones()
					t += 7
					tm.Advance(t, drug)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(clones), "ns/clone")
				b.ReportMetric(float64(clones)/float64(b.N), "clones")
			})
		}
	}
}

// BenchmarkRun: replicates of the 1e9 lesion through the worker pool with 1
// and 2 workers (one op = one replicate).
func BenchmarkRun(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			cfg := lesion(1e9, 2)
			err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: b.N, Workers: w}, sim.SinkFunc(func(*sim.Result) error { return nil }))
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
