package sim_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

func patientConfig(dose float64, seed uint64) sim.Config {
	m := model.Default()
	p := &sim.Policy{Phases: []sim.PhaseSpec{{Name: "rez", Doses: []float64{dose, 0, 0}}}}
	pc := sim.DefaultPatient()
	env := func(k string, d *float64) {
		if v := os.Getenv(k); v != "" {
			fmt.Sscan(v, d)
		}
	}
	g, gcv, k, kcv, nd, hill := 1.0, 0.5, 1.0, 0.6, pc.NonDependent, m.Drugs[0].Hill
	env("G", &g)
	env("GCV", &gcv)
	env("K", &k)
	env("KCV", &kcv)
	env("ND", &nd)
	env("HILL", &hill)
	lkcv := 0.3
	env("LKCV", &lkcv)
	pc.LesionKill = sim.LogNormalCV(1, lkcv).Truncate(0.2, 5)
	m.Drugs[0].Hill = hill
	pc.Growth = sim.LogNormalCV(g, gcv).Truncate(0.2, 5)
	pc.Kill = sim.LogNormalCV(k, kcv).Truncate(0.05, 5)
	pc.NonDependent = nd
	cfg := sim.Config{Model: m, Seed: seed, Patient: &pc}
	cfg.Engine.Merge = true
	cfg.CTDNA.Every = -1
	cfg.Therapy = func() sim.Therapy { return p.Clone() }
	cfg.Defaults()
	return cfg
}

func TestExplorePatients(t *testing.T) {
	if os.Getenv("P53EVO_EXPLORE") == "" {
		t.Skip()
	}
	for _, dose := range []float64{600, 1150, 2000} {
		cfg := patientConfig(dose, 1)
		n := 150
		var resp, det, tf10, prog int
		var dors, ttps []float64
		t0 := time.Now()
		err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n, Workers: 2}, sim.SinkFunc(func(r *sim.Result) error {
			if r.BestResponse == sim.PR || r.BestResponse == sim.CR {
				resp++
				if !math.IsNaN(r.Patient.DoR) {
					dors = append(dors, r.Patient.DoR)
				}
			}
			if r.Patient.BaselineDetected {
				det++
			}
			if r.Patient.BaselineTF >= 0.1 {
				tf10++
			}
			if !math.IsNaN(r.TTP) {
				prog++
				ttps = append(ttps, r.TTP)
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		sort.Float64s(dors)
		sort.Float64s(ttps)
		med := func(x []float64) float64 {
			if len(x) == 0 {
				return math.NaN()
			}
			return x[len(x)/2] / 30.4375
		}
		cnt := map[float64]int{}
		for _, x := range ttps {
			cnt[x]++
		}
		mx := 0
		for _, c := range cnt {
			mx = max(mx, c)
		}
		fmt.Printf("dose %v: ORR %d/%d, DoR median %.1f mo (n=%d, of responders), progressed %d, TTP med %.1f, max share one scan %.2f, ctDNA detect %d, TF>=10%% %d, %.1fs\n",
			dose, resp, n, med(dors), len(dors), prog, med(ttps), float64(mx)/float64(max(1, prog)), det, tf10, time.Since(t0).Seconds())
	}
}

func TestExploreOne(t *testing.T) {
	if os.Getenv("P53EVO_EXPLORE") == "" {
		t.Skip()
	}
	cfg := patientConfig(2000, 1)
	rp := sim.NewReplicator(&cfg)
	var r sim.Result
	for rep := 0; rep < 25; rep++ {
		if err := rp.Run(rep, &r); err != nil {
			t.Fatal(err)
		}
		p := r.Patient
		fr := float64(r.AtStart[1]+r.AtStart[2]) / float64(r.AtStart[0]+r.AtStart[1]+r.AtStart[2])
		fmt.Printf("rep %2d K=%2d B=%.2g g=%.2f k=%.2f BOR=%s best=%.0f%% resp=%.0f ttp=%.0f dor=%.0f resfrac=%.2g tf=%.3f targets=%d base=%.0fmm newles=%v\n",
			rep, p.Lesions, p.Burden, p.GrowthMult, p.KillMult, r.BestResponse, p.BestPct, p.ResponseTime, r.TTP, p.DoR, fr, p.BaselineTF, p.Targets, p.BaselineSum, p.NewLesion)
	}
}
