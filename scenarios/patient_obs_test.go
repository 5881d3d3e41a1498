package scenarios

import (
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// Bad plasma assays and biopsies are refused with the field at fault and
// what is allowed.
func TestPatientObservationErrors(t *testing.T) {
	const head = "engine: {merge: true}\nobserve: {ctdna: {every: off}}\npatient:\n"
	cases := []struct {
		name, src string
		want      []string
	}{
		{"unknown assay", "  plasma: {assay: clinicl}\n", []string{"patient.plasma.assay", `unknown assay "clinicl"`, "allowed: clinical, research", `did you mean "clinical"`}},
		{"unknown biopsy key", "  biopsy: {cels: 1e6}\n", []string{"patient.biopsy.cels", "allowed here:", "cells", `did you mean "cells"`}},
		{"unknown biopsy time", "  biopsy: {at: [baseline, progresion]}\n", []string{"patient.biopsy.at[1]", `unknown time "progresion"`, "allowed: baseline, progression"}},
		{"biopsy time twice", "  biopsy: {at: [baseline, baseline]}\n", []string{"patient.biopsy.at[1]", "listed twice"}},
		{"empty biopsy times", "  biopsy: {at: []}\n", []string{"patient.biopsy.at", "empty"}},
		{"unknown lesion choice", "  biopsy: {lesion: biggest}\n", []string{"patient.biopsy.lesion", `unknown lesion choice "biggest"`, "allowed: largest-progressing, largest, random"}},
		{"purity zero", "  biopsy: {purity: 0}\n", []string{"patient.biopsy.purity", "must be in (0, 1]"}},
		{"purity above one", "  biopsy: {purity: 1.5}\n", []string{"patient.biopsy.purity", "got 1.5"}},
		{"cells", "  biopsy: {cells: 0.5}\n", []string{"patient.biopsy.cells", "tumour cells sampled"}},
		{"depth", "  biopsy: {depth: 0}\n", []string{"patient.biopsy.depth", "reads at the locus"}},
		{"min_alt above depth", "  biopsy: {depth: 10, min_alt: 20}\n", []string{"patient.biopsy.min_alt", "exceeds depth"}},
		{"lod", "  biopsy: {lod: 2}\n", []string{"patient.biopsy.lod", "must be in [0, 1]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load("x.yaml", []byte(head+c.src))
			if err == nil {
				_, err = Resolve(s)
			}
			if err == nil {
				t.Fatalf("accepted:\n%s", c.src)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// The assay presets fill the plasma assay, explicit keys override them;
// biopsy: {} takes the defaults; no biopsy key, no biopsy; a ctDNA end
// rule is allowed with patient draws.
func TestPatientObservationPresets(t *testing.T) {
	resolve := func(src string) sim.Config {
		t.Helper()
		s, err := Load("x.yaml", []byte("engine: {merge: true}\nobserve: {ctdna: {every: off}}\n"+src))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	research, _ := sim.PlasmaAssayNamed("research")
	clinical, _ := sim.PlasmaAssayNamed("clinical")
	if clinical.Molecules == research.Molecules || clinical.LOD == research.LOD {
		t.Fatalf("presets alike: %+v %+v", clinical, research)
	}
	cfg := resolve("patient: {plasma: {assay: research, depth: 9000}}\n")
	pl := cfg.Patient.Plasma
	if pl.Molecules != research.Molecules || pl.MinAlt != research.MinAlt || pl.LOD != research.LOD || pl.Depth != 9000 {
		t.Errorf("research with depth 9000: %+v", pl)
	}
	cfg = resolve("patient: {}\n")
	if pl := cfg.Patient.Plasma; pl.Molecules != clinical.Molecules || pl.Depth != clinical.Depth || cfg.Patient.Biopsy != nil {
		t.Errorf("default patient: plasma %+v, biopsy %+v", pl, cfg.Patient.Biopsy)
	}
	def := sim.DefaultPatient().Plasma
	if def.Molecules != clinical.Molecules || def.Depth != clinical.Depth || def.MinAlt != clinical.MinAlt || def.LOD != clinical.LOD {
		t.Errorf("the default patient's assay %+v is not the clinical preset %+v", def, clinical)
	}
	cfg = resolve("patient: {biopsy: {}}\n")
	b, want := cfg.Patient.Biopsy, sim.DefaultBiopsy()
	if b == nil || b.Cells != want.Cells || b.Purity != want.Purity || b.Depth != want.Depth || b.LOD != want.LOD || b.Lesion != want.Lesion || len(b.At) != 2 {
		t.Errorf("biopsy {}: %+v, want %+v", b, want)
	}
	cfg = resolve("patient: {biopsy: {at: [progression], lesion: random, cells: 2e5}}\n")
	if b := cfg.Patient.Biopsy; len(b.At) != 1 || b.At[0] != sim.BiopsyProgression || b.Lesion != sim.BiopsyRandom || b.Cells != 2e5 {
		t.Errorf("biopsy at progression, random, 2e5 cells: %+v", b)
	}
	resolve("patient: {}\ntreatment:\n  phases:\n    - {doses: {rezatapopt: 2000}, until: {ctdna: {class: pocket, vaf: 0.01}}}\n")
}
