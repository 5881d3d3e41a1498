package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// The draws of patient.vary are written one row per patient and per-patient
// parameter (lesion null) and per lesion and per-lesion parameter, read
// back as the engine drew them, and byte-identical with 1 and 3 workers.
func TestDrawsTable(t *testing.T) {
	m := model.Default()
	m.Drugs[0].Hill = 4
	pc := sim.DefaultPatient()
	pc.Lesions = sim.Fixed(2)
	pc.Burden = sim.Fixed(2e9)
	pc.Vary = []sim.VaryParam{
		{Path: "drugs[rezatapopt].ec50", Field: sim.VaryDrugEC50, Law: sim.LogNormalCV(900, 0.5).Truncate(100, 5000)},
		{Path: "growth.death", Field: sim.VaryDeath, Law: sim.Dist{Kind: sim.DistUniform, Lo: 0.12, Hi: 0.13}, PerLesion: true},
	}
	cfg := sim.Config{Model: m, Seed: 5, Patient: &pc, Horizon: 200}
	cfg.Engine.Merge = true
	cfg.CTDNA.Every = -1
	cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
	cfg.Defaults()
	const n = 4
	var want []DrawRow
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
		for _, d := range r.Patient.Draws {
			want = append(want, DrawRow{Replicate: r.Replicate, Lesion: d.Lesion, Parameter: d.Param, Value: d.Value})
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != n*(1+2) {
		t.Fatalf("%d draws for %d patients of 2 lesions, want %d", len(want), n, n*3)
	}
	dirs := map[int]string{}
	for _, w := range []int{1, 3} {
		dirs[w] = filepath.Join(t.TempDir(), "run")
		meta := SimMeta(Meta{ScenarioName: "t", Seed: 5, Count: n, Workers: 1}, &cfg, []byte("name: t\n"))
		if err := Simulate(context.Background(), dirs[w], meta, &cfg, sim.RunOptions{Count: n, Workers: w}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(dirs[3])
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Draws()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows read, %d drawn", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: read %+v, drew %+v", i, got[i], want[i])
		}
	}
	if got[0].Lesion != -1 || got[1].Lesion != 0 || got[2].Lesion != 1 || got[1].Value == got[2].Value {
		t.Errorf("first patient's rows %+v", got[:3])
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
