package sweep

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// ErrIncomplete is wrapped by the reader's errors for a point with units
// missing.
var ErrIncomplete = errors.New("incomplete point")

// Sweep is a sweep directory opened for reading. It reads each point's
// merged dataset, or its unit datasets if it has not been merged, checking
// every file against its manifest.
type Sweep struct {
	dir  string
	f    *planFile
	pts  []PointInfo
	byID map[string]int
}

// Param is one varied parameter of a point.
type Param struct {
	Path  string  // scenario path, as in --set PATH=VALUE
	Value string  // as given to the scenario (YAML text)
	Num   float64 // Value as a number; NaN if it is not one
}

// PointInfo is a point of an opened sweep.
type PointInfo struct {
	Index  int
	ID     string
	Seed   uint64
	Params []Param // in the sweep's column order
}

// Label is the point's parameters as "path=value ..." (or its id if the
// sweep has no axes).
func (p PointInfo) Label() string {
	if len(p.Params) == 0 {
		return p.ID
	}
	parts := make([]string, len(p.Params))
	for i, q := range p.Params {
		parts[i] = q.Path + "=" + q.Value
	}
	return strings.Join(parts, " ")
}

// Open opens the sweep in dir (its sweep.json).
func Open(dir string) (_ *Sweep, err error) {
	defer errprefix.Wrap(&err, "sweep")
	f, err := readPlanFile(dir)
	if err != nil {
		return nil, err
	}
	s := &Sweep{dir: dir, f: f, byID: map[string]int{}}
	for i, pt := range f.Points {
		info := PointInfo{Index: i, ID: pt.ID, Seed: pt.Seed}
		for c, v := range pt.Values {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				x = math.NaN()
			}
			info.Params = append(info.Params, Param{Path: f.Columns[c], Value: v, Num: x})
		}
		s.pts = append(s.pts, info)
		s.byID[pt.ID] = i
	}
	return s, nil
}

// Dir is the sweep's directory.
func (s *Sweep) Dir() string { return s.dir }

// Name is the sweep's name.
func (s *Sweep) Name() string { return s.f.Name }

// Columns are the varied scenario paths.
func (s *Sweep) Columns() []string { return append([]string{}, s.f.Columns...) }

// Replicates is the number of replicates of every point.
func (s *Sweep) Replicates() int { return s.f.Replicates }

// Points lists the points in plan order.
func (s *Sweep) Points() []PointInfo { return append([]PointInfo{}, s.pts...) }

// Point returns the point with the given id.
func (s *Sweep) Point(id string) (PointInfo, bool) {
	i, ok := s.byID[id]
	if !ok {
		return PointInfo{}, false
	}
	return s.pts[i], true
}

// Complete reports whether every unit of the point is done (or it is merged).
func (s *Sweep) Complete(id string) bool {
	i, ok := s.byID[id]
	if !ok {
		return false
	}
	per := s.f.unitsPerPoint()
	for b := range per {
		if !unitComplete(s.dir, id, s.f.unit(i*per+b)) {
			return false
		}
	}
	return true
}

// Datasets opens the datasets holding a point's results, in replicate
// order: the merged dataset, or every unit's. Each is verified (SHA-256 of
// its tables). A point with missing units fails with ErrIncomplete.
func (s *Sweep) Datasets(id string) (_ []*dataset.Dataset, err error) {
	defer errprefix.Wrap(&err, "sweep")
	i, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("%s: no point %q", s.dir, id)
	}
	if merged(s.dir, id) {
		d, err := dataset.Open(PointDir(s.dir, id))
		if err != nil {
			return nil, err
		}
		return []*dataset.Dataset{d}, nil
	}
	per := s.f.unitsPerPoint()
	var out []*dataset.Dataset
	missing := 0
	for b := range per {
		u := s.f.unit(i*per + b)
		d, err := dataset.Open(unitDir(s.dir, id, u))
		if errors.Is(err, dataset.ErrIncomplete) || err != nil && !exists(unitDir(s.dir, id, u)) {
			missing++
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if missing > 0 {
		return nil, fmt.Errorf("%s: point %s: %w: %d of %d units missing", s.dir, id, ErrIncomplete, missing, per)
	}
	return out, nil
}

// Files lists a point's files of one table, in replicate order (see
// Datasets).
func (s *Sweep) Files(id, table string) (_ []string, err error) {
	defer errprefix.Wrap(&err, "sweep")
	ds, err := s.Datasets(id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.Files(table)...)
	}
	return out, nil
}

// Runs reads a point's runs table, replicates in order.
func (s *Sweep) Runs(id string) (_ []dataset.RunRow, err error) {
	defer errprefix.Wrap(&err, "sweep")
	files, err := s.Files(id, dataset.TableRuns)
	if err != nil {
		return nil, err
	}
	return dataset.ReadRunsFiles(files...)
}

// AllRuns reads the runs of every complete point, in plan order; points
// with missing units are left out and counted.
func (s *Sweep) AllRuns() (pts []PointInfo, runs [][]dataset.RunRow, incomplete int, err error) {
	defer errprefix.Wrap(&err, "sweep")
	for _, p := range s.pts {
		rs, err := s.Runs(p.ID)
		if errors.Is(err, ErrIncomplete) {
			incomplete++
			continue
		}
		if err != nil {
			return nil, nil, 0, err
		}
		pts = append(pts, p)
		runs = append(runs, rs)
	}
	return pts, runs, incomplete, nil
}

// ExportParts lists the complete points' datasets for dataset.ExportParts,
// in plan order, each with the columns point (its id) and one per varied
// parameter (a number when every point's value is one, else the text as
// given). Points with missing units are left out and counted.
func (s *Sweep) ExportParts() (parts []dataset.Part, incomplete int, err error) {
	defer errprefix.Wrap(&err, "sweep")
	numeric := make([]bool, len(s.f.Columns))
	for c := range numeric {
		numeric[c] = true
		for _, p := range s.pts {
			if math.IsNaN(p.Params[c].Num) {
				numeric[c] = false
			}
		}
	}
	for _, p := range s.pts {
		ds, err := s.Datasets(p.ID)
		if errors.Is(err, ErrIncomplete) {
			incomplete++
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		extra := []dataset.Extra{{Name: "point", Value: p.ID, Description: "sweep point id: directory point=<id> holds its results"}}
		for c, q := range p.Params {
			e := dataset.Extra{Name: q.Path, Value: q.Value, Description: "scenario field varied by the sweep (as --set " + q.Path + "=VALUE)"}
			if numeric[c] {
				e.Value = q.Num
			}
			extra = append(extra, e)
		}
		for _, d := range ds {
			parts = append(parts, dataset.Part{D: d, Extra: extra})
		}
	}
	return parts, incomplete, nil
}
