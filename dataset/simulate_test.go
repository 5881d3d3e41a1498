package dataset

import (
	"bytes"
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
	d := mustOpen(t, dir)
	if runs, err := d.Runs(); err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	err := Simulate(context.Background(), dir, meta, &cfg, sim.RunOptions{Count: 4, Workers: 1})
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

// Virtual trial patients (merged lesions keyed by SNV, plasma draws of
// resistance SNVs, tissue biopsies) write byte-identical tables with 1 and
// 3 workers.
func TestSimulatePatientsWorkers(t *testing.T) {
	m := model.Default()
	m.Drugs[0].Hill = 4
	pc := sim.DefaultPatient()
	pc.Lesions = sim.Fixed(3)
	pc.Burden = sim.LogNormal10(3e9, 0.3).Truncate(1e9, 1e10)
	b := sim.DefaultBiopsy()
	b.Lesion = sim.BiopsyRandom
	pc.Biopsy = &b
	cfg := sim.Config{Model: m, Seed: 9, Patient: &pc, Horizon: 400}
	cfg.Engine.Merge = true
	cfg.CTDNA.Every = -1
	cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
	cfg.Defaults()
	const n = 6
	dirs := map[int]string{}
	for _, w := range []int{1, 3} {
		dirs[w] = filepath.Join(t.TempDir(), "run")
		meta := SimMeta(Meta{ScenarioName: "t", Seed: 9, Count: n, Workers: 1}, &cfg, []byte("name: t\n"))
		if err := Simulate(context.Background(), dirs[w], meta, &cfg, sim.RunOptions{Count: n, Workers: w}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(dirs[1])
	if err != nil {
		t.Fatal(err)
	}
	ct, err := d.CTDNA()
	if err != nil {
		t.Fatal(err)
	}
	snvs := 0
	for _, r := range ct {
		if r.Mutation != "Y220C" {
			snvs++
		}
		if !(r.TumourFraction > 0) {
			t.Fatalf("draw without a tumour fraction: %+v", r)
		}
	}
	if snvs == 0 {
		t.Errorf("%d ctdna rows, none for a resistance SNV", len(ct))
	}
	if bs, err := d.Biopsies(); err != nil || len(bs) == 0 {
		t.Errorf("biopsies: %d rows, %v", len(bs), err)
	}
	for _, table := range Tables {
		fa, err := os.ReadFile(filepath.Join(dirs[1], table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := os.ReadFile(filepath.Join(dirs[3], table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between 1 and 3 workers", table)
		}
	}
}
