package scenarios

import (
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// TestLatticeScenario: engine.space: lattice reaches the engine with its
// defaults filled in, survives a print and load, and bad settings are
// refused naming the field and the allowed values.
func TestLatticeScenario(t *testing.T) {
	base := "detection: {size: 1e4}\nobserve: {ctdna: {every: off}}\n"
	s, err := Load("x.yaml", []byte(base+"engine: {space: lattice, lattice: {dim: 3, rule: wait}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.Lattice; l == nil || *l != (sim.LatticeConfig{Dim: 3, Moore: false, Rule: sim.RuleWait}) {
		t.Fatalf("lattice config %+v", l)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "space: lattice") || !strings.Contains(string(out), "neighbourhood: von-neumann") {
		t.Errorf("printed scenario lacks the lattice:\n%s", out)
	}
	s2, err := Load("y.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if cfg2, err := Resolve(s2); err != nil || *cfg2.Lattice != *cfg.Lattice {
		t.Errorf("reloaded: %+v, %v", cfg2.Lattice, err)
	}
	// hex reaches the engine
	s, err = Load("x.yaml", []byte(base+"engine: {space: lattice, lattice: {neighbourhood: hex}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := Resolve(s); err != nil || *cfg.Lattice != (sim.LatticeConfig{Dim: 2, Hex: true, Rule: sim.RulePush}) {
		t.Errorf("hex: lattice %+v, %v", cfg.Lattice, err)
	}
	// the default stays well mixed
	s, _ = Load("x.yaml", []byte(base))
	if cfg, err := Resolve(s); err != nil || cfg.Lattice != nil {
		t.Errorf("default: lattice %+v, %v", cfg.Lattice, err)
	}

	for _, c := range []struct{ src, want string }{
		{"engine: {space: latice}\n", `engine.space: unknown space "latice"; allowed: none (well mixed), lattice`},
		{"engine: {lattice: {dim: 2}}\n", "engine.lattice: set, but engine.space is none"},
		{"engine: {space: lattice, lattice: {dim: 4}}\n", "engine.lattice.dim: must be 2 or 3, got 4"},
		{"engine: {space: lattice, lattice: {neighbourhood: hexagonal}}\n", `engine.lattice.neighbourhood: unknown neighbourhood "hexagonal"; allowed: von-neumann (4 neighbours in 2D, 6 in 3D), moore (8 in 2D, 26 in 3D), hex (6 neighbours, 2D only)`},
		{"engine: {space: lattice, lattice: {dim: 3, neighbourhood: hex}}\n", "engine.lattice.neighbourhood: hex is a 2D neighbourhood; with dim: 3 use von-neumann"},
		{"engine: {space: lattice, lattice: {rule: shove}}\n", `engine.lattice.rule: unknown rule "shove"; allowed: push`},
		{"engine: {space: lattice, merge: true}\n", "engine.merge: engine.merge does not apply"},
		{"detection: {size: 1e9}\nengine: {space: lattice}\n", "detection.size: at most 1e+08 cells with engine.space: lattice"},
		{"engine: {space: lattice, lattice: {update: block}}\n", `engine.lattice.update: unknown update "block"; allowed: serial (the exact engine, the default), blocks`},
		{"engine: {space: lattice, lattice: {block: 32}}\n", "engine.lattice.block: applies only with engine.lattice.update: blocks"},
		{"engine: {space: lattice, lattice: {update: serial, goroutines: 2}}\n", "engine.lattice.goroutines: applies only with engine.lattice.update: blocks"},
		{"engine: {space: lattice, lattice: {update: blocks, block: 24}}\n", "engine.lattice.block: must be a power of two from 16 to 1024 sites, got 24"},
		{"engine: {space: lattice, lattice: {update: blocks, block: 8}}\n", "engine.lattice.block: must be a power of two from 16 to 1024 sites, got 8"},
		{"engine: {space: lattice, lattice: {update: blocks, goroutines: 0}}\n", "engine.lattice.goroutines: must be from 1 to 64, got 0"},
		{"engine: {space: lattice, lattice: {update: blocks, goroutines: 65}}\n", "engine.lattice.goroutines: must be from 1 to 64, got 65"},
	} {
		src := c.src
		if !strings.HasPrefix(src, "detection") {
			src = "detection: {size: 1e4}\n" + src
		}
		src += "observe: {ctdna: {every: off}}\n"
		_, err := Load("x.yaml", []byte(src))
		if err == nil {
			s, _ := Load("x.yaml", []byte(src))
			_, err = Resolve(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
	spaceDraws(t, "engine: {space: lattice}\n", "the lattice mode does not take virtual trial patients (a patient's lesions are well mixed); remove patient, set engine.space: none, or start from a single-lesion scenario (--scenario rezatapopt-continuous-lesion")
}

// spaceDraws checks blood draws in a spatial mode (engine, one line of
// YAML): on by default, they reach the engine, a phase may end at a ctDNA
// call, and virtual trial patients stay refused, naming the field.
func spaceDraws(t *testing.T, engine, patientErr string) {
	t.Helper()
	s, err := Load("x.yaml", []byte("detection: {size: 1e4}\n"+engine))
	if err != nil {
		t.Fatalf("%q with blood draws (the default): %v", engine, err)
	}
	cfg, err := Resolve(s)
	if err != nil || cfg.CTDNA.Every != 28 || (cfg.Lattice == nil && cfg.Demes == nil) {
		t.Fatalf("%q: blood draws every %v days, lattice %v, demes %v, %v", engine, cfg.CTDNA.Every, cfg.Lattice, cfg.Demes, err)
	}
	src := "detection: {size: 1e4}\n" + engine + "observe: {ctdna: {every: 14}}\n" +
		"treatment:\n  phases:\n    - {name: a, doses: {rezatapopt: 2000}, until: {ctdna: {class: ta-loss, vaf: 0.01}}, next: b}\n    - {name: b, doses: {rezatapopt: 0}}\n"
	if s, err = Load("x.yaml", []byte(src)); err != nil {
		t.Fatalf("%q: a phase ending at a ctDNA call: %v", engine, err)
	}
	if cfg, err = Resolve(s); err != nil || cfg.CTDNA.Every != 14 {
		t.Fatalf("%q: a phase ending at a ctDNA call: every %v, %v", engine, cfg.CTDNA.Every, err)
	}
	// without draws, the end rule is refused as in the well-mixed mode
	_, err = Load("x.yaml", []byte(strings.Replace(src, "every: 14", "every: off", 1)))
	if err == nil || !strings.Contains(err.Error(), "blood draws are off (observe.ctdna.every)") {
		t.Errorf("%q: ctDNA end rule without draws: %v", engine, err)
	}
	_, err = Load("x.yaml", []byte("detection: {size: 1e4}\n"+engine+"patient: {}\n"))
	if err == nil || !strings.Contains(err.Error(), patientErr) {
		t.Errorf("%q with a patient: got %v, want %q", engine, err, patientErr)
	}
}

// TestLatticeBlocksScenario: engine.lattice.update: blocks reaches the
// engine with its defaults (block 32 in 2D, 16 in 3D; 2 goroutines) or the
// values given, survives a print and load, and a serial lattice keeps
// Block 0 (the exact engine) and prints no block fields.
func TestLatticeBlocksScenario(t *testing.T) {
	base := "detection: {size: 1e4}\nobserve: {ctdna: {every: off}}\n"
	for _, c := range []struct {
		src  string
		want sim.LatticeConfig
	}{
		{"engine: {space: lattice, lattice: {update: blocks}}\n", sim.LatticeConfig{Dim: 2, Rule: sim.RulePush, Block: 32, Goroutines: 2}},
		{"engine: {space: lattice, lattice: {dim: 3, rule: wait, update: blocks}}\n", sim.LatticeConfig{Dim: 3, Rule: sim.RuleWait, Block: 16, Goroutines: 2}},
		{"engine: {space: lattice, lattice: {update: blocks, block: 64, goroutines: 8}}\n", sim.LatticeConfig{Dim: 2, Rule: sim.RulePush, Block: 64, Goroutines: 8}},
		{"engine: {space: lattice, lattice: {update: serial}}\n", sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}},
		{"engine: {space: lattice}\n", sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}},
	} {
		s, err := Load("x.yaml", []byte(base+c.src))
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if *cfg.Lattice != c.want {
			t.Errorf("%q: lattice %+v, want %+v", c.src, *cfg.Lattice, c.want)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%q: %v", c.src, err)
		}
		out, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(string(out), "block:"); has != (c.want.Block > 0) {
			t.Errorf("%q: printed scenario has block: %v, want %v:\n%s", c.src, has, c.want.Block > 0, out)
		}
		s2, err := Load("y.yaml", out)
		if err != nil {
			t.Fatal(err)
		}
		if cfg2, err := Resolve(s2); err != nil || *cfg2.Lattice != c.want {
			t.Errorf("%q reloaded: %+v, %v", c.src, cfg2.Lattice, err)
		}
	}
}
