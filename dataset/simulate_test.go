package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// Simulate writes a complete dataset, leaves nothing for a cancelled run,
// and marks a refusal to start with ErrCreate.
func TestSimulate(t *testing.T) {
	m := model.Default()
	cfg := sim.Config{Model: m, Detect: 1e5, Seed: 3}
	cfg.Defaults()
	meta := SimMeta(Meta{ScenarioName: "t", Seed: 3, Count: 4, Workers: 1}, &cfg, []byte("name: t\n"))
	if len(meta.Drugs) != len(m.Drugs) || len(meta.Scenario) == 0 {
		t.Fatalf("SimMeta: drugs %v, scenario %q", meta.Drugs, meta.Scenario)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := Simulate(context.Background(), dir, meta, &cfg, sim.RunOptions{Count: 4, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runs, err := d.Runs(); err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	err = Simulate(context.Background(), dir, meta, &cfg, sim.RunOptions{Count: 4, Workers: 1})
	if !errors.Is(err, ErrCreate) {
		t.Errorf("a second run into a dataset: %v, want ErrCreate", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := filepath.Join(t.TempDir(), "cancelled")
	if err := Simulate(ctx, gone, meta, &cfg, sim.RunOptions{Count: 4, Workers: 1}); err == nil || errors.Is(err, ErrCreate) {
		t.Errorf("cancelled run: %v, want the cancellation", err)
	}
	if _, err := os.Stat(filepath.Join(gone, ManifestName)); err == nil {
		t.Error("a cancelled run left a manifest")
	}
}
