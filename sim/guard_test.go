package sim_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// A cancelled run stops the replicate in flight at its next step end,
// in the growth phase and under treatment, instead of finishing it. The
// test counts engine steps, not seconds: cancelling from the step callback
// must be followed by no further step.
func TestRunStopsReplicateInFlight(t *testing.T) {
	for _, cancelAt := range []float64{-1, 30} { // growth phase; treatment (day 30, before the first scan)
		m := model.Default()
		cfg := sim.Config{Model: m, Detect: 1e8, Seed: 5, Horizon: 1e5, Lethal: 1e15}
		cfg.Defaults()
		ctx, cancel := context.WithCancel(context.Background())
		var steps, after atomic.Int64
		var cancelled atomic.Bool
		last, treating := -1.0, false
		opt := sim.RunOptions{Count: 1, Workers: 1, Step: func(rep int, day float64, clones int) {
			steps.Add(1)
			if cancelled.Load() {
				after.Add(1)
				return
			}
			// time restarts from 0 at treatment start
			treating = treating || day < last
			last = day
			if (cancelAt < 0 && steps.Load() == 20) || (cancelAt >= 0 && treating && day >= cancelAt) {
				cancelled.Store(true)
				cancel()
			}
		}}
		delivered := 0
		err := sim.Run(ctx, &cfg, opt, sim.SinkFunc(func(*sim.Result) error { delivered++; return nil }))
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel at %v: Run returned %v, want context.Canceled", cancelAt, err)
		}
		if delivered != 0 {
			t.Errorf("cancel at %v: %d replicates delivered after the cancellation", cancelAt, delivered)
		}
		if after.Load() > 0 {
			t.Errorf("cancel at %v: %d engine steps after the cancellation", cancelAt, after.Load())
		}
		if cancelAt >= 0 && !treating {
			t.Errorf("treatment never reached")
		}
		if !strings.Contains(err.Error(), "stopped at tumour day") {
			t.Errorf("error does not say where it stopped: %v", err)
		}
	}
}

// A replicate whose live clones exceed MaxClones stops with an error that
// names the way out.
func TestMaxClones(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-6
	cfg := sim.Config{Model: m, Detect: 1e8, Seed: 1, MaxClones: 20000}
	cfg.Defaults()
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 2, Workers: 1}, sim.SinkFunc(func(*sim.Result) error { return nil }))
	var ce *sim.CloneLimitError
	if !errors.As(err, &ce) || !errors.Is(err, sim.ErrTooManyClones) {
		t.Fatalf("Run: %v, want a CloneLimitError", err)
	}
	if max(ce.Clones, sim.GenotypeWeight*ce.Shapes+ce.Genotypes) <= 20000 || ce.Limit != 20000 {
		t.Errorf("error %+v", ce)
	}
	for _, w := range []string{"engine.max_clones 20000", "engine.merge: true"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	// A negative cap is no cap.
	cfg.Detect, cfg.Lethal, cfg.MaxClones = 1e6, 1e7, -1
	if err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 1, Workers: 1}, sim.SinkFunc(func(*sim.Result) error { return nil })); err != nil {
		t.Errorf("without a cap: %v", err)
	}
}

// The cost estimate warns for the examples and stays quiet for the
// default scenario and for merged clones.
func TestCostWarning(t *testing.T) {
	cfg := sim.Config{Model: model.Default()}
	cfg.Defaults()
	if n := sim.LineagesBeforeDetection(&cfg); n < 5e3 || n > 2e4 {
		t.Errorf("default: %g lineages expected before detection; about 1.2e4 are born per replicate", n)
	}
	if w := sim.CostWarning(&cfg); w != "" {
		t.Errorf("default scenario warned: %s", w)
	}
	hot := cfg
	hot.Model.MutationRate = 1e-3
	w := sim.CostWarning(&hot)
	for _, want := range []string{"engine.merge: true", "engine.max_clones 2000000"} {
		if !strings.Contains(w, want) {
			t.Errorf("mutation.rate=1e-3: warning lacks %q: %q", want, w)
		}
	}
	big := cfg
	big.Detect, big.Lethal = 1e15, 1e16
	if w := sim.CostWarning(&big); !strings.Contains(w, "engine.merge") {
		t.Errorf("detection.size=1e15: %q", w)
	}
	hot.Engine.Merge = true
	if w := sim.CostWarning(&hot); w != "" {
		t.Errorf("merged clones warned: %s", w)
	}
}
