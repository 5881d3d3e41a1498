package sim_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// TestGoldenPatients pins, bit for bit, a few default virtual trial
// patients (lesions merged by SNV, plasma draws and biopsies): the path of
// the engine that TestGolden's lesions do not take. Regenerate with
// `go test ./sim -run TestGolden -update`, saying why in the commit.
func TestGoldenPatients(t *testing.T) {
	m := model.Default()
	m.Drugs[0].Hill = 4
	p := &sim.Policy{Phases: []sim.PhaseSpec{{Name: "rezatapopt", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndProgression}}}}
	pc := sim.DefaultPatient()
	cfg := sim.Config{Model: m, Seed: 11, Patient: &pc}
	cfg.Engine.Merge = true
	cfg.CTDNA.Every = -1
	cfg.Therapy = func() sim.Therapy { return p.Clone() }
	cfg.Defaults()
	var got []goldenRow
	err := sim.Run(t.Context(), &cfg, sim.RunOptions{Count: 3, Workers: 2}, sim.SinkFunc(func(r *sim.Result) error {
		h := sha256.New()
		// the lineage digest, then the patient's own tables (%v prints
		// floats in their shortest exact form)
		// floats in their shortest exact form); a patient without varied
		// parameters prints no Draws field, so the digest speaks only of
		// what was drawn
		text := fmt.Sprintf("%s %+v %+v", digest(r), *r.Patient, r.Genotypes)
		if len(r.Patient.Draws) == 0 {
			text = strings.Replace(text, " Draws:[]", "", 1)
		}
		io.WriteString(h, text)
		ttp := r.TTP
		if ttp != ttp {
			ttp = -1
		}
		got = append(got, goldenRow{r.Replicate, r.Outcome.String(), ttp, len(r.Clones), hex.EncodeToString(h.Sum(nil))})
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	want, ok := readGolden(t, "patient_golden.json", got)
	if !ok {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%d patients, golden has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("patient %d: got %+v, golden %+v", i, got[i], want[i])
		}
	}
}
