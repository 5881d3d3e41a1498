package sweep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/strictyaml"
	"github.com/p53evo/p53evo/scenarios"
	"github.com/p53evo/p53evo/sim"
	"github.com/p53evo/p53evo/sim/rng"
)

// Plan is a checked sweep: its points in a fixed order and its work units.
type Plan struct {
	Spec       *Spec
	Name       string // the sweep's name
	BaseName   string // the base scenario's name
	Replicates int    // per point
	Batch      int    // replicates per work unit
	// Columns are the varied scenario paths, in axis order (an lhs block
	// contributes its ranges' paths); Point.Values follows them.
	Columns []string
	Points  []Point
	// Format and Compression of the table files (default Arrow, Zstd): set
	// them before Run; a directory keeps those of its first run.
	Format      dataset.Format
	Compression dataset.Compression

	base    *scenarios.Scenario // the base scenario with Spec.Set applied
	options [][][]Assignment    // per axis, per value: what it sets
}

// Point is one combination of axis values.
type Point struct {
	Index  int    // position in the plan (the cartesian order of the axes, first axis slowest)
	ID     string // PointID of the point's scenario
	Seed   uint64 // PointSeed(sweep seed, ID): the seed of the point's scenario
	Values []string
}

// Unit is a work unit: replicates First .. First+Count-1 of one point.
type Unit struct {
	Index        int // position in the sweep's global unit order
	Point        int // index of the point in Plan.Points
	First, Count int
}

// PointID is the identity of a point: "p" and the first 12 hex digits of
// the SHA-256 of "p53evo sweep point v1\n" followed by the scenario printed
// fully resolved by scenarios.Marshal, with name, description, seed and
// replicates replaced by constants. It depends only on the parameters the
// point simulates, not on the sweep's other points, the axis order, how the
// values were spelt (1e8 or 100000000) or how the sweep is split; it
// changes when p53evo's defaults or scenario format change, as the results
// may too. The letter keeps readers that infer types from Hive partition
// values (point=<id>) from taking an id such as 067122114e60 for a number.
func PointID(s *scenarios.Scenario) (_ string, err error) {
	defer errprefix.Wrap(&err, "sweep")
	c := *s
	c.Name, c.Description, c.File = "point", "", ""
	seed, reps := uint64(0), 1
	c.Seed, c.Replicates = &seed, &reps
	b, err := scenarios.Marshal(&c)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte("p53evo sweep point v1\n"))
	h.Write(b)
	return "p" + hex.EncodeToString(h.Sum(nil)[:6]), nil
}

// PointSeed is the seed of a point's scenario: the first 8 bytes (big
// endian) of the SHA-256 of "p53evo sweep seed v1\n<seed>\n<id>" with the
// sweep seed in decimal. Replicate r of the point is replicate r of
// `p53evo run` of the point's scenario with this seed.
func PointSeed(sweepSeed uint64, id string) uint64 {
	h := sha256.Sum256([]byte("p53evo sweep seed v1\n" + strconv.FormatUint(sweepSeed, 10) + "\n" + id))
	return binary.BigEndian.Uint64(h[:8])
}

// formatNumber prints a generated value with 12 significant digits at most,
// so that 0.1 + 0.2 prints as 0.3.
func formatNumber(x float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	return strconv.FormatFloat(r, 'g', -1, 64)
}

// Values lists the values of a linear or log range.
func (r Range) Values(log bool) []string {
	out := make([]string, r.N)
	for i := range r.N {
		t := 0.0
		if r.N > 1 {
			t = float64(i) / float64(r.N-1)
		}
		var x float64
		switch {
		case i == 0:
			x = r.From
		case i == r.N-1:
			x = r.To
		case log:
			x = math.Pow(10, math.Log10(r.From)*(1-t)+math.Log10(r.To)*t)
		default:
			x = r.From*(1-t) + r.To*t
		}
		out[i] = formatNumber(x)
	}
	return out
}

// Points draws the Latin hypercube: N rows, one value per range. Range k
// uses the stream rng.New(seed, k): a uniformly random permutation of the
// N strata (Fisher-Yates) and a uniform position within each stratum.
// Values are rounded to 6 significant digits.
func (l *LHS) Points(seed uint64) [][]string {
	out := make([][]string, l.N)
	for i := range out {
		out[i] = make([]string, len(l.Ranges))
	}
	for k, r := range l.Ranges {
		s := rng.New(seed, uint64(k))
		perm := make([]int, l.N)
		for i := range perm {
			perm[i] = i
		}
		for i := l.N - 1; i > 0; i-- {
			j := bounded(&s, uint64(i+1))
			perm[i], perm[j] = perm[j], perm[i]
		}
		for i := range l.N {
			u := (float64(perm[i]) + s.Float64()) / float64(l.N)
			var x float64
			if r.Log {
				x = math.Exp(math.Log(r.From) + u*(math.Log(r.To)-math.Log(r.From)))
			} else {
				x = r.From + u*(r.To-r.From)
			}
			v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
			out[i][k] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	return out
}

// bounded is a uniform integer in [0, n) by rejection.
func bounded(s *rng.Stream, n uint64) int {
	limit := math.MaxUint64 - math.MaxUint64%n
	for {
		if x := s.Uint64(); x < limit {
			return int(x % n)
		}
	}
}

// OpenBase opens the spec's base scenario: a library name, or else a file
// relative to the spec file's directory.
func (s *Spec) OpenBase() (_ *scenarios.Scenario, err error) {
	defer errprefix.Wrap(&err, "sweep")
	if slices.Contains(scenarios.Names(), s.Base) || s.File == "" || filepath.IsAbs(s.Base) {
		return scenarios.Open(s.Base)
	}
	p := filepath.Join(filepath.Dir(s.File), s.Base)
	if _, err := os.Stat(p); err != nil {
		return scenarios.Open(s.Base) // its message names the library too
	}
	return scenarios.Open(p)
}

// specErr is a problem with the spec at a known path of it.
func (s *Spec) specErr(key, path, format string, a ...any) *scenarios.Error {
	p := s.pos[key]
	return &scenarios.Error{File: s.File, Line: p.Line, Col: p.Col, Path: path, Msg: fmt.Sprintf(format, a...)}
}

// setMsg is a scenario error as one line.
func setMsg(err error) string {
	var parts []string
	for _, e := range scenarios.Errors(err) {
		m := e.Msg
		if e.Path != "" {
			m = e.Path + ": " + m
		}
		parts = append(parts, m)
	}
	if len(parts) == 0 {
		return err.Error()
	}
	return strings.Join(parts, "; ")
}

// apply sets assignments on a copy of s.
func apply(s *scenarios.Scenario, as []Assignment) (*scenarios.Scenario, error) {
	c := *s
	for _, a := range as {
		if err := scenarios.Set(&c, a.Path, a.Value); err != nil {
			return nil, fmt.Errorf("%s=%s: %s", a.Path, a.Value, setMsg(err))
		}
	}
	return &c, nil
}

// NewPlan checks a spec against its base scenario and lists the points.
// Every axis value is applied to the base alone first, so that a bad axis
// (unknown field, a value the scenario refuses) is reported naming the axis
// and the value; then every point is built and resolved. Two points with
// the same parameters are refused.
func NewPlan(spec *Spec) (_ *Plan, err error) {
	defer errprefix.Wrap(&err, "sweep")
	p := &Plan{Spec: spec, Name: spec.Name, Batch: spec.Batch}
	if p.Name == "" {
		p.Name = "sweep"
	}
	if p.Batch == 0 {
		p.Batch = DefaultBatch
	}
	if spec.pos == nil {
		spec.pos = map[string]strictyaml.Pos{}
	}
	base, err := spec.OpenBase()
	if err != nil {
		return nil, fmt.Errorf("%s: base: %w", spec.File, err)
	}
	p.BaseName = base.Name
	if base, err = spec.applySet(base); err != nil {
		return nil, err
	}
	p.base = base
	p.Replicates = spec.Replicates
	if p.Replicates == 0 {
		p.Replicates = base.ReplicateCount()
	}
	if p.Replicates < 1 {
		return nil, spec.specErr("", "replicates", "the base scenario asks for %d replicates; set replicates in the sweep file", p.Replicates)
	}

	// Axes: their options, each checked on the base alone.
	var errs []error
	seen := map[string]string{}
	for _, a := range spec.Set {
		seen[a.Path] = "set"
	}
	total := 1
	for i, ax := range spec.Axes {
		name := fmt.Sprintf("axes[%d]", i)
		paths, rows, err := spec.axisRows(ax, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, path := range paths {
			if path == "" {
				errs = append(errs, spec.specErr(name, name, "an axis needs a path"))
				continue
			}
			if w, dup := seen[path]; dup {
				errs = append(errs, spec.specErr(name, name, "%s is already varied or set by %s; a path may appear once", path, w))
			}
			seen[path] = name
		}
		opts := spec.axisOptions(base, ax, name, paths, rows, &errs)
		p.Columns = append(p.Columns, paths...)
		p.options = append(p.options, opts)
		total *= max(len(opts), 1)
		if total > maxPoints {
			errs = append(errs, spec.specErr(name, name, "the sweep has more than %d points", maxPoints))
			break
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := p.buildPoints(total); err != nil {
		return nil, err
	}
	return p, nil
}

// applySet applies the spec's set: block to the base scenario, each
// assignment checked alone.
func (spec *Spec) applySet(base *scenarios.Scenario) (*scenarios.Scenario, error) {
	var errs []error
	for _, a := range spec.Set {
		c, err := apply(base, []Assignment{a})
		if err != nil {
			errs = append(errs, spec.specErr("set."+a.Path, "set."+a.Path, "%s", strings.TrimPrefix(err.Error(), a.Path+"="+a.Value+": ")))
			continue
		}
		base = c
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return base, nil
}

// axisRows lists the paths an axis varies and its rows of values (one value
// per path in each row).
func (spec *Spec) axisRows(ax Axis, name string) (paths []string, rows [][]string, err error) {
	if ax.LHS != nil {
		if ax.LHS.N < 1 || len(ax.LHS.Ranges) == 0 {
			return nil, nil, spec.specErr(name, name, "an lhs block needs n >= 1 and at least one range")
		}
		for _, r := range ax.LHS.Ranges {
			paths = append(paths, r.Path)
		}
		seed := spec.Seed
		if ax.LHS.Seed != nil {
			seed = *ax.LHS.Seed
		}
		return paths, ax.LHS.Points(seed), nil
	}
	var vals []string
	switch {
	case ax.Linear != nil:
		if ax.Linear.N < 1 {
			return nil, nil, spec.specErr(name, name+".linear.n", "n = %d: an axis needs at least one value", ax.Linear.N)
		}
		vals = ax.Linear.Values(false)
	case ax.Log != nil:
		if ax.Log.N < 1 || !(ax.Log.From > 0 && ax.Log.To > 0) {
			return nil, nil, spec.specErr(name, name+".log", "a log axis needs n >= 1 and from, to above 0")
		}
		vals = ax.Log.Values(true)
	default:
		vals = ax.Values
	}
	if len(vals) == 0 {
		return nil, nil, spec.specErr(name, name, "the axis has no values")
	}
	for _, v := range vals {
		rows = append(rows, []string{v})
	}
	return []string{ax.Path}, rows, nil
}

// axisOptions turns an axis' rows into assignments, applying each to the
// base alone and resolving the result; problems are added to errs (at
// most about 20).
func (spec *Spec) axisOptions(base *scenarios.Scenario, ax Axis, name string, paths []string, rows [][]string, errs *[]error) [][]Assignment {
	opts := make([][]Assignment, len(rows))
	for j, row := range rows {
		for k, v := range row {
			opts[j] = append(opts[j], Assignment{Path: paths[k], Value: v})
		}
		if c, err := apply(base, opts[j]); err != nil {
			key := name
			if ax.Values != nil {
				key = fmt.Sprintf("%s.values[%d]", name, j)
			}
			*errs = append(*errs, spec.specErr(key, name, "%s axis, value %d of %d refused: %s", ax.Kind(), j+1, len(rows), err))
		} else if _, err := scenarios.Resolve(c); err != nil {
			*errs = append(*errs, spec.specErr(name, name, "%s axis, value %d of %d (%s): %s", ax.Kind(), j+1, len(rows), label(opts[j]), setMsg(err)))
		}
		if len(*errs) > 20 {
			break
		}
	}
	return opts
}

func label(as []Assignment) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Path + "=" + a.Value
	}
	return strings.Join(parts, " ")
}

// coords gives the option index of every axis for point i (the first axis
// varies slowest).
func (p *Plan) coords(i int, c []int) {
	for a := len(p.options) - 1; a >= 0; a-- {
		n := len(p.options[a])
		c[a] = i % n
		i /= n
	}
}

// Assignments lists what point i sets on the base scenario, in axis order.
func (p *Plan) Assignments(i int) []Assignment {
	c := make([]int, len(p.options))
	p.coords(i, c)
	var out []Assignment
	for a, k := range c {
		out = append(out, p.options[a][k]...)
	}
	return out
}

// buildPoints builds every point's scenario to compute its id, on all
// cores, each worker reusing the scenarios of the axis prefix it shares
// with its previous point.
func (p *Plan) buildPoints(total int) error {
	p.Points = make([]Point, total)
	workers := max(1, min(runtime.GOMAXPROCS(0), total/8))
	var wg sync.WaitGroup
	errs := make([]error, workers)
	chunk := (total + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min(total, (w+1)*chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			na := len(p.options)
			stack := make([]*scenarios.Scenario, na+1) // stack[a]: the base with axes < a applied
			stack[0] = p.base
			prev := make([]int, na)
			c := make([]int, na)
			valid := 0 // stack[0..valid] are valid for prev
			for i := lo; i < hi; i++ {
				p.coords(i, c)
				k := 0
				for k < valid && c[k] == prev[k] {
					k++
				}
				for a := k; a < na; a++ {
					s, err := apply(stack[a], p.options[a][c[a]])
					if err != nil {
						errs[w] = p.pointErr(i, err)
						return
					}
					stack[a+1] = s
				}
				copy(prev, c)
				valid = na
				s := stack[na]
				if _, err := scenarios.Resolve(s); err != nil {
					errs[w] = p.pointErr(i, errors.New(setMsg(err)))
					return
				}
				id, err := PointID(s)
				if err != nil {
					errs[w] = p.pointErr(i, errors.New(setMsg(err)))
					return
				}
				pt := Point{Index: i, ID: id, Seed: PointSeed(p.Spec.Seed, id)}
				for a := range na {
					for _, as := range p.options[a][c[a]] {
						pt.Values = append(pt.Values, as.Value)
					}
				}
				p.Points[i] = pt
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ids := make(map[string]int, total)
	for i, pt := range p.Points {
		if j, dup := ids[pt.ID]; dup {
			return fmt.Errorf("%s: points %d (%s) and %d (%s) have the same parameters (point id %s); remove the duplicate axis value",
				p.Spec.File, j, label(p.Assignments(j)), i, label(p.Assignments(i)), pt.ID)
		}
		ids[pt.ID] = i
	}
	return nil
}

func (p *Plan) pointErr(i int, err error) error {
	return fmt.Errorf("%s: point %d (%s): %v", p.Spec.File, i, label(p.Assignments(i)), err)
}

// Scenario returns point i's scenario: the base with the sweep's set and
// the point's axis values applied, named <base>-<id>, with the point's seed
// and the sweep's replicates. `p53evo run` of it gives the point's results.
func (p *Plan) Scenario(i int) (_ *scenarios.Scenario, err error) {
	defer errprefix.Wrap(&err, "sweep")
	pt := p.Points[i]
	s, err := apply(p.base, p.Assignments(i))
	if err != nil {
		return nil, p.pointErr(i, err)
	}
	name := p.BaseName
	if len(name)+1+len(pt.ID) > 100 {
		name = name[:100-1-len(pt.ID)]
	}
	s.Name = name + "-" + pt.ID
	s.Description = fmt.Sprintf("point %s of sweep %s: %s", pt.ID, p.Name, label(p.Assignments(i)))
	seed, reps := pt.Seed, p.Replicates
	s.Seed, s.Replicates = &seed, &reps
	return s, nil
}

// Config resolves point i for the engine.
func (p *Plan) Config(i int) (_ sim.Config, _ *scenarios.Scenario, err error) {
	defer errprefix.Wrap(&err, "sweep")
	s, err := p.Scenario(i)
	if err != nil {
		return sim.Config{}, nil, err
	}
	cfg, err := scenarios.Resolve(s)
	if err != nil {
		return sim.Config{}, nil, p.pointErr(i, errors.New(setMsg(err)))
	}
	// The point is rebuilt from the base here, and was built from shared
	// prefixes when planned: both must be the same scenario.
	if id, err := PointID(s); err != nil || id != p.Points[i].ID {
		return sim.Config{}, nil, p.pointErr(i, fmt.Errorf("rebuilt scenario has id %s, planned %s (%v)", id, p.Points[i].ID, err))
	}
	return cfg, s, nil
}

// PointByID returns the index of the point with the given id (or a unique
// prefix of it, with or without the leading "p"), or -1.
func (p *Plan) PointByID(id string) int {
	if id != "" && id[0] != 'p' {
		id = "p" + id
	}
	found := -1
	for i, pt := range p.Points {
		if pt.ID == id {
			return i
		}
		if id != "" && strings.HasPrefix(pt.ID, id) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// UnitsPerPoint is the number of work units of each point.
func (p *Plan) UnitsPerPoint() int { return (p.Replicates + p.Batch - 1) / p.Batch }

// NumUnits is the number of work units of the sweep.
func (p *Plan) NumUnits() int { return len(p.Points) * p.UnitsPerPoint() }

// Unit returns work unit k: units are numbered point by point in plan
// order, and within a point by replicate batch.
func (p *Plan) Unit(k int) Unit {
	return unitOf(k, p.UnitsPerPoint(), p.Replicates, p.Batch)
}

func unitOf(k, perPoint, reps, batch int) Unit {
	pt, b := k/perPoint, k%perPoint
	first := b * batch
	return Unit{Index: k, Point: pt, First: first, Count: min(batch, reps-first)}
}

// Shard lists the units of shard i of n: units k with k mod n = i, in
// order. Round robin spreads neighbouring points, which tend to cost alike,
// over the shards.
func (p *Plan) Shard(i, n int) []Unit {
	return shardUnits(p.NumUnits(), i, n, p.Unit)
}

func shardUnits(total, i, n int, unit func(int) Unit) []Unit {
	var out []Unit
	for k := i; k < total; k += n {
		out = append(out, unit(k))
	}
	return out
}
