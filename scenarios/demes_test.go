package scenarios

import (
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// TestDemesScenario: engine.space: demes reaches the engine with its
// defaults filled in, survives a print and load, and bad settings are
// refused naming the field and the allowed values.
func TestDemesScenario(t *testing.T) {
	base := "detection: {size: 1e6}\nobserve: {ctdna: {every: off}}\n"
	for _, c := range []struct {
		src  string
		want sim.DemesConfig
	}{
		{"engine: {space: demes}\n", sim.DemesConfig{Dim: 2, K: 1e4, Dispersal: sim.DemeFission, Step: 0.25}},
		{"engine: {space: demes, demes: {dim: 3, k: 500, push: false, step: 0.5}}\n", sim.DemesConfig{Dim: 3, K: 500, Dispersal: sim.DemeFission, Step: 0.5, Wait: true}},
		{"engine: {space: demes, demes: {dispersal: invasion, migration: 0.1}}\n", sim.DemesConfig{Dim: 2, K: 1e4, Dispersal: sim.DemeInvasion, Migration: 0.1, Step: 0.25}},
	} {
		s, err := Load("x.yaml", []byte(base+c.src))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		if d := cfg.Demes; d == nil || *d != c.want || cfg.Lattice != nil {
			t.Fatalf("%q: demes config %+v, want %+v", c.src, d, c.want)
		}
		out, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "space: demes") || !strings.Contains(string(out), "dispersal: ") {
			t.Errorf("printed scenario lacks the demes:\n%s", out)
		}
		s2, err := Load("y.yaml", out)
		if err != nil {
			t.Fatal(err)
		}
		if cfg2, err := Resolve(s2); err != nil || *cfg2.Demes != *cfg.Demes {
			t.Errorf("reloaded: %+v, %v", cfg2.Demes, err)
		}
	}

	for _, c := range []struct{ src, want string }{
		{"engine: {space: deme}\n", `engine.space: unknown space "deme"; allowed: none (well mixed), lattice (one cell per lattice site), demes`},
		{"engine: {demes: {dim: 2}}\n", "engine.demes: set, but engine.space is none"},
		{"engine: {space: lattice, demes: {dim: 2}}\n", "engine.demes: set, but engine.space is lattice"},
		{"engine: {space: demes, lattice: {dim: 2}}\n", "engine.lattice: set, but engine.space is demes"},
		{"engine: {space: demes, demes: {dim: 4}}\n", "engine.demes.dim: must be 2 or 3, got 4"},
		{"engine: {space: demes, demes: {k: 1}}\n", "engine.demes.k: must be a whole number of cells from 2 to 1e15"},
		{"engine: {space: demes, demes: {k: 100.5}}\n", "engine.demes.k: must be a whole number"},
		{"engine: {space: demes, demes: {dispersal: fision}}\n", `engine.demes.dispersal: unknown dispersal "fision"; allowed: fission (a deme reaching k splits into a neighbour site), invasion`},
		{"engine: {space: demes, demes: {dispersal: invasion}}\n", "engine.demes.migration: required with dispersal: invasion"},
		{"engine: {space: demes, demes: {dispersal: invasion, migration: -1}}\n", "engine.demes.migration: must be a positive rate per day, got -1"},
		{"engine: {space: demes, demes: {migration: 0.1}}\n", "engine.demes.migration: applies only to dispersal: invasion"},
		{"engine: {space: demes, demes: {dispersal: invasion, migration: 0.1, push: true}}\n", "engine.demes.push: applies only to dispersal: fission"},
		{"engine: {space: demes, demes: {step: 0}}\n", "engine.demes.step:"},
		{"engine: {space: demes, demes: {spep: 1}}\n", "spep"},
		{"engine: {space: demes, merge: true}\n", "engine.merge: engine.merge does not apply to engine.space: demes"},
		{"detection: {size: 1e12}\nengine: {space: demes, demes: {k: 100}}\n", "detection.size: detection.size / engine.demes.k = 1e+10 demes at detection; at most 5000000 allowed"},
	} {
		src := c.src
		if !strings.HasPrefix(src, "detection") {
			src = "detection: {size: 1e6}\n" + src
		}
		src += "observe: {ctdna: {every: off}}\n"
		s, err := Load("x.yaml", []byte(src))
		if err == nil {
			_, err = Resolve(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
	spaceDraws(t, "engine: {space: demes, demes: {k: 100}}\n", "the demes mode does not take virtual trial patients")
}
