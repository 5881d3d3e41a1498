package scenarios

import (
	"math"
	"slices"
	"strconv"

	"github.com/p53evo/p53evo/internal/strictyaml"
	"github.com/p53evo/p53evo/sim"
)

// Moment is when a spatial observation is taken: treatment_start,
// progression (the first), end (of the replicate), or a number of days
// since treatment start (written as a number).
type Moment string

// momentWords are the named moments.
var momentWords = []string{sim.MomentTreatmentStart, sim.MomentProgression, sim.MomentEnd}

// Snapshot is observe.snapshot: the positions, clones and classes of a
// lattice tumour's cells, or of every clone in every deme of a deme tumour
// with its cells there, at chosen moments (the snapshots table).
type Snapshot struct {
	At []Moment `yaml:"at"` // required
	// MaxCells bounds one snapshot's rows: above it, a uniform subsample of
	// that many rows (cells, or deme and clone pairs; default
	// sim.DefaultSnapshotCells).
	MaxCells *int64 `yaml:"max_cells"`
}

// Regions is observe.regions: multi-region biopsies (punches) of a lattice
// or deme tumour at chosen moments (the regions table); in the deme mode a
// punch takes the demes whose site lies within its radius, whole.
type Regions struct {
	At []Moment `yaml:"at"` // required
	// K punches under rule spread (default 5): one at the lesion's centre,
	// the others evenly around it at half the lesion's radius (the largest
	// distance of a cell from the centroid).
	K *int `yaml:"k,omitempty"`
	// Radius of a punch, sites (default 5).
	Radius *float64 `yaml:"radius"`
	// Rule: spread (the default) or positions (the punches' centres listed
	// in Positions).
	Rule *string `yaml:"rule"`
	// Positions are the punch centres under rule positions: [x, y] or
	// [x, y, z] sites from the founder's site (the snapshots' coordinates).
	Positions [][]float64 `yaml:"positions,omitempty"`
}

const (
	defaultRegionK      = 5
	defaultRegionRadius = 5
	maxRegionRadius     = 1e6
)

var regionRules = []string{"spread", "positions"}

func fillSpatial(o *Observe) {
	if s := o.Snapshot; s != nil {
		def(&s.MaxCells, sim.DefaultSnapshotCells)
	}
	if r := o.Regions; r != nil {
		def(&r.Rule, "spread")
		def(&r.Radius, defaultRegionRadius)
		if *r.Rule == "spread" {
			def(&r.K, defaultRegionK)
		}
	}
}

// spatial checks observe.snapshot and observe.regions.
func (v *validator) spatial(f *Scenario, lattice bool) {
	ob := &f.Observe
	if ob.Snapshot == nil && ob.Regions == nil {
		return
	}
	if sp := *f.Engine.Space; sp != "lattice" && sp != "demes" {
		for _, p := range []struct {
			path string
			set  bool
		}{{"observe.snapshot", ob.Snapshot != nil}, {"observe.regions", ob.Regions != nil}} {
			if p.set {
				v.bad(v.pick(p.path, "engine.space"), "%s needs engine.space: lattice or demes (cells of a well-mixed tumour have no place); remove %s or set engine.space: lattice or demes", p.path, p.path)
			}
		}
		return
	}
	if s := ob.Snapshot; s != nil {
		v.moments("observe.snapshot.at", s.At, "snapshots")
		v.intRange("observe.snapshot.max_cells", *s.MaxCells, 1, sim.LatticeMaxCells, "cells in one snapshot; more are subsampled")
	}
	r := ob.Regions
	if r == nil {
		return
	}
	v.moments("observe.regions.at", r.At, "biopsies")
	v.within("observe.regions.radius", *r.Radius, 0, maxRegionRadius, "sites")
	if *r.Radius == 0 {
		v.bad("observe.regions.radius", "must be above 0 sites")
	}
	switch rule := *r.Rule; rule {
	case "spread":
		v.intRange("observe.regions.k", int64(*r.K), 1, sim.MaxPunches, "punches")
		if r.Positions != nil {
			v.bad(v.pick("observe.regions.positions", "observe.regions.rule"), "applies to rule: positions, but the rule is spread; set rule: positions or remove positions")
		}
	case "positions":
		if r.K != nil {
			v.bad(v.pick("observe.regions.k", "observe.regions.rule"), "applies to rule: spread; under rule: positions the punches are the listed positions")
		}
		if len(r.Positions) == 0 {
			v.bad("observe.regions.positions", "missing; rule: positions needs a list of punch centres, e.g. [[0, 0], [10, 0]]")
		}
		if len(r.Positions) > sim.MaxPunches {
			v.bad("observe.regions.positions", "%d punches; at most %d", len(r.Positions), sim.MaxPunches)
		}
		dim, what := 2, "lattice"
		if l := f.Engine.Lattice; l != nil && l.Dim != nil {
			dim = *l.Dim
		}
		if d := f.Engine.Demes; *f.Engine.Space == "demes" {
			what = "demes"
			if d != nil && d.Dim != nil {
				dim = *d.Dim
			}
		}
		for i, p := range r.Positions {
			path := "observe.regions.positions[" + strconv.Itoa(i) + "]"
			switch {
			case len(p) != 2 && len(p) != 3:
				v.bad(path, "expected [x, y] or [x, y, z] (sites from the founder's site), got %d numbers", len(p))
			case slices.ContainsFunc(p, func(x float64) bool { return !finite(x) || math.Abs(x) > maxRegionRadius }):
				v.bad(path, "coordinates must be finite numbers of sites within %s of the founder's site", num(maxRegionRadius))
			case dim == 2 && len(p) == 3 && p[2] != 0:
				v.bad(path, "z = %s, but the %s is 2D (engine.%s.dim: 2); give [x, y]", num(p[2]), map[string]string{"lattice": "lattice", "demes": "grid of demes"}[what], what)
			}
		}
	default:
		v.bad("observe.regions.rule", "unknown rule %q; allowed: spread (k punches: the lesion's centre and around it at half its radius), positions (the listed punch centres)%s", rule, suggest(rule, regionRules))
	}
}

// moments checks a list of moments: named ones, or days in increasing
// order within the horizon's bound.
func (v *validator) moments(path string, at []Moment, what string) {
	if len(at) == 0 {
		v.bad(path, "missing; list when to take %s: %s, or days since treatment start (e.g. [treatment_start, 90, progression])", what, list(momentWords))
		return
	}
	seen := map[Moment]bool{}
	last := math.Inf(-1)
	for i, m := range at {
		p := path + "[" + strconv.Itoa(i) + "]"
		if seen[m] {
			v.bad(p, "%s listed twice", m)
			continue
		}
		seen[m] = true
		if slices.Contains(momentWords, string(m)) {
			continue
		}
		d, err := strconv.ParseFloat(string(m), 64)
		if err != nil || !strictyaml.LooksNumeric(string(m)) {
			v.bad(p, "unknown moment %q; allowed: %s, or a number of days since treatment start%s", m, list(momentWords), suggest(string(m), momentWords))
			continue
		}
		switch {
		case !(d >= 0) || d > maxHorizon:
			v.bad(p, "must be a number of days from 0 to %d since treatment start, got %s", maxHorizon, num(d))
		case d <= last:
			v.bad(p, "days must increase: %s comes after %s", num(d), num(last))
		default:
			last = d
		}
	}
}

// spatialTimes turns checked moments into the engine's.
func spatialTimes(at []Moment) sim.SpatialTimes {
	var st sim.SpatialTimes
	for _, m := range at {
		switch string(m) {
		case sim.MomentTreatmentStart:
			st.TreatmentStart = true
		case sim.MomentProgression:
			st.Progression = true
		case sim.MomentEnd:
			st.End = true
		default:
			d, _ := strconv.ParseFloat(string(m), 64)
			st.Days = append(st.Days, d)
		}
	}
	return st
}

// resolveSpatial is the engine's SpatialConfig of a checked, filled
// observe section (nil without snapshots and regions).
func resolveSpatial(o *Observe) *sim.SpatialConfig {
	if o.Snapshot == nil && o.Regions == nil {
		return nil
	}
	sc := &sim.SpatialConfig{}
	if s := o.Snapshot; s != nil {
		sc.Snapshot = sim.SnapshotConfig{At: spatialTimes(s.At), MaxCells: *s.MaxCells}
	}
	if r := o.Regions; r != nil {
		sc.Regions = sim.RegionConfig{At: spatialTimes(r.At), Radius: *r.Radius}
		if *r.Rule == "positions" {
			sc.Regions.Positions = make([][3]float64, len(r.Positions))
			for i, p := range r.Positions {
				copy(sc.Regions.Positions[i][:], p)
			}
		} else {
			sc.Regions.K = *r.K
		}
	}
	return sc
}
