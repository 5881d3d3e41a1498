package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// TestSpatialObserve: observe.snapshot and observe.regions reach the engine
// with their moments and defaults, survive a print and load, and bad
// settings are refused naming the field and what is allowed.
func TestSpatialObserve(t *testing.T) {
	base := "detection: {size: 1e4}\nengine: {space: lattice}\n"
	src := base + `observe:
  ctdna: {every: off}
  snapshot: {at: [treatment_start, 30, 90.5, progression, end]}
  regions: {at: [end, 1e2], radius: 7, rule: positions, positions: [[0, 0], [10, -3]]}
`
	s, err := Load("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	want := &sim.SpatialConfig{
		Snapshot: sim.SnapshotConfig{At: sim.SpatialTimes{TreatmentStart: true, Progression: true, End: true, Days: []float64{30, 90.5}}, MaxCells: sim.DefaultSnapshotCells},
		Regions:  sim.RegionConfig{At: sim.SpatialTimes{End: true, Days: []float64{100}}, Radius: 7, Positions: [][3]float64{{0, 0, 0}, {10, -3, 0}}},
	}
	if fmt.Sprintf("%+v", cfg.Spatial) != fmt.Sprintf("%+v", want) {
		t.Fatalf("spatial config\n%+v\nwant\n%+v", cfg.Spatial, want)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Load("y.yaml", out)
	if err != nil {
		t.Fatalf("printed scenario does not load: %v\n%s", err, out)
	}
	if cfg2, err := Resolve(s2); err != nil || fmt.Sprintf("%+v", cfg2.Spatial) != fmt.Sprintf("%+v", want) {
		t.Errorf("reloaded: %+v, %v", cfg2.Spatial, err)
	}
	// spread defaults
	s, err = Load("x.yaml", []byte(base+"observe: {ctdna: {every: off}, regions: {at: [end]}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := Resolve(s); err != nil || cfg.Spatial.Regions.K != 5 || cfg.Spatial.Regions.Radius != 5 || cfg.Spatial.Regions.Positions != nil || cfg.Spatial.Snapshot.At.Any() {
		t.Errorf("spread defaults: %+v, %v", cfg.Spatial, err)
	}

	for _, c := range []struct{ obs, want string }{
		{"snapshot: {at: [start]}", `observe.snapshot.at[0]: unknown moment "start"; allowed: treatment_start, progression, end, or a number of days since treatment start`},
		{"snapshot: {}", "observe.snapshot.at: missing; list when to take snapshots"},
		{"snapshot: {at: [end, end]}", "observe.snapshot.at[1]: end listed twice"},
		{"snapshot: {at: [30, 10]}", "observe.snapshot.at[1]: days must increase: 10 comes after 30"},
		{"snapshot: {at: [-5]}", "observe.snapshot.at[0]: must be a number of days from 0"},
		{"snapshot: {at: [end], max_cells: 0}", "observe.snapshot.max_cells:"},
		{"snapshot: {at: [end], maxcells: 10}", `observe.snapshot.maxcells: unknown key "maxcells"`},
		{"regions: {at: [end], rule: grid}", `observe.regions.rule: unknown rule "grid"; allowed: spread`},
		{"regions: {at: [end], radius: 0}", "observe.regions.radius: must be above 0 sites"},
		{"regions: {at: [end], k: 0}", "observe.regions.k:"},
		{"regions: {at: [end], rule: positions}", "observe.regions.positions: missing; rule: positions needs a list"},
		{"regions: {at: [end], rule: positions, k: 3, positions: [[0, 0]]}", "observe.regions.k: applies to rule: spread"},
		{"regions: {at: [end], positions: [[0, 0]]}", "observe.regions.positions: applies to rule: positions"},
		{"regions: {at: [end], rule: positions, positions: [[0]]}", "observe.regions.positions[0]: expected [x, y] or [x, y, z]"},
		{"regions: {at: [end], rule: positions, positions: [[0, 0, 4]]}", "observe.regions.positions[0]: z = 4, but the lattice is 2D"},
	} {
		src := base + "observe: {ctdna: {every: off}, " + c.obs + "}\n"
		if _, err := Load("x.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.obs, err, c.want)
		}
	}
	// a well-mixed scenario refuses them
	_, err = Load("x.yaml", []byte("observe: {snapshot: {at: [end]}}\n"))
	if err == nil || !strings.Contains(err.Error(), "observe.snapshot needs engine.space: lattice") {
		t.Errorf("well-mixed snapshot: %v", err)
	}
}

// TestSpatialObserveDemes: the deme mode accepts snapshots and biopsies and
// hands them to the engine; a 3D position on a 2D grid of demes is refused
// naming engine.demes.dim, and accepted in 3D.
func TestSpatialObserveDemes(t *testing.T) {
	base := "detection: {size: 1e4}\nengine: {space: demes, demes: {k: 100}}\n"
	s, err := Load("x.yaml", []byte(base+"observe: {ctdna: {every: off}, snapshot: {at: [treatment_start, 30]}, regions: {at: [end], radius: 2}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	want := &sim.SpatialConfig{
		Snapshot: sim.SnapshotConfig{At: sim.SpatialTimes{TreatmentStart: true, Days: []float64{30}}, MaxCells: sim.DefaultSnapshotCells},
		Regions:  sim.RegionConfig{At: sim.SpatialTimes{End: true}, Radius: 2, K: 5},
	}
	if cfg.Demes == nil || fmt.Sprintf("%+v", cfg.Spatial) != fmt.Sprintf("%+v", want) {
		t.Fatalf("deme mode spatial config\n%+v\nwant\n%+v", cfg.Spatial, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("the engine refuses it: %v", err)
	}
	pos := "observe: {ctdna: {every: off}, regions: {at: [end], rule: positions, positions: [[0, 0, 4]]}}\n"
	if _, err := Load("x.yaml", []byte(base+pos)); err == nil || !strings.Contains(err.Error(), "observe.regions.positions[0]: z = 4, but the grid of demes is 2D (engine.demes.dim: 2)") {
		t.Errorf("3D position on 2D demes: %v", err)
	}
	if _, err := Load("x.yaml", []byte(strings.Replace(base, "k: 100", "k: 100, dim: 3", 1)+pos)); err != nil {
		t.Errorf("3D position on 3D demes: %v", err)
	}
	// well-mixed still refused
	_, err = Load("x.yaml", []byte("observe: {regions: {at: [end]}}\n"))
	if err == nil || !strings.Contains(err.Error(), "observe.regions needs engine.space: lattice or demes") {
		t.Errorf("well-mixed regions: %v", err)
	}
}
