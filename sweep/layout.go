package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// File names of a sweep directory.
const (
	PlanFile   = "sweep.json" // the plan: points, ids, seeds, replicates, batch
	PointsName = "points"     // points.arrow or points.parquet: point id -> varied parameters
	ShardsDir  = "shards"     // one manifest per shard
	// TablePoints is the table name in points.arrow's schema metadata.
	TablePoints = dataset.TablePoints
)

// PointsFile is the points table's file name for a table format.
func PointsFile(f dataset.Format) string {
	if f == "" {
		f = dataset.Arrow
	}
	return PointsName + f.Ext()
}

// planFormat is the version of sweep.json's layout. Version 2: point ids
// start with "p"; the plan records the table format and compression.
const planFormat = 2

// planFile is sweep.json. It holds nothing that depends on the machine,
// the time or the shard that wrote it, so every shard writes the same bytes.
type planFile struct {
	Format     int    `json:"format"`
	Name       string `json:"name"`
	Base       string `json:"base"`      // as written in the sweep file
	BaseName   string `json:"base_name"` // the base scenario's name
	Seed       uint64 `json:"seed"`
	Replicates int    `json:"replicates"` // per point
	Batch      int    `json:"batch"`      // replicates per unit
	Units      int    `json:"units"`
	// Tables and Compression: the format and codec of every table file.
	Tables      dataset.Format      `json:"tables"`
	Compression dataset.Compression `json:"compression"`
	Columns     []string            `json:"columns"`
	Points      []planPoint         `json:"points"`
}

type planPoint struct {
	ID     string   `json:"id"`
	Seed   uint64   `json:"seed"`
	Values []string `json:"values"`
}

// tables is the plan's table format and codec, defaults filled in.
func (p *Plan) tables() (dataset.Format, dataset.Compression) {
	f, c := p.Format, p.Compression
	if f == "" {
		f = dataset.Arrow
	}
	if c == "" {
		c = dataset.Zstd
	}
	return f, c
}

func (p *Plan) file() planFile {
	f := planFile{
		Format: planFormat, Name: p.Name, Base: p.Spec.Base, BaseName: p.BaseName, Seed: p.Spec.Seed,
		Replicates: p.Replicates, Batch: p.Batch, Units: p.NumUnits(), Columns: append([]string{}, p.Columns...),
	}
	f.Tables, f.Compression = p.tables()
	for _, pt := range p.Points {
		f.Points = append(f.Points, planPoint{ID: pt.ID, Seed: pt.Seed, Values: append([]string{}, pt.Values...)})
	}
	return f
}

func (f *planFile) marshal() []byte {
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return append(b, '\n')
}

func (f *planFile) unitsPerPoint() int { return (f.Replicates + f.Batch - 1) / f.Batch }

func (f *planFile) unit(k int) Unit { return unitOf(k, f.unitsPerPoint(), f.Replicates, f.Batch) }

func readPlanFile(dir string) (*planFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a sweep directory (no %s); run `p53evo sweep run` first", dir, PlanFile)
	}
	if err != nil {
		return nil, err
	}
	var f planFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PlanFile), err)
	}
	if f.Format != planFormat {
		return nil, fmt.Errorf("%s: format %d; this p53evo reads format %d", filepath.Join(dir, PlanFile), f.Format, planFormat)
	}
	if f.Replicates < 1 || f.Batch < 1 || f.Units != len(f.Points)*f.unitsPerPoint() {
		return nil, fmt.Errorf("%s: inconsistent (replicates %d, batch %d, units %d, points %d)", filepath.Join(dir, PlanFile), f.Replicates, f.Batch, f.Units, len(f.Points))
	}
	if _, err := dataset.ParseFormat(string(f.Tables)); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PlanFile), err)
	}
	if _, err := dataset.ParseCompression(string(f.Compression)); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PlanFile), err)
	}
	for _, pt := range f.Points {
		if !validID(pt.ID) || len(pt.Values) != len(f.Columns) {
			return nil, fmt.Errorf("%s: bad point %q", filepath.Join(dir, PlanFile), pt.ID)
		}
	}
	return &f, nil
}

// validID: "p" and 12 lower-case hex digits.
func validID(id string) bool {
	hexPart, ok := strings.CutPrefix(id, "p")
	if !ok || len(hexPart) != 12 {
		return false
	}
	for _, c := range hexPart {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// PointDir is the directory of a point's results: point=<id> (a Hive
// partition).
func PointDir(dir, id string) string { return filepath.Join(dir, "point="+id) }

// unitName is a unit's directory name inside its point's directory:
// reps-<first>-<last>, zero-padded to six digits.
func unitName(u Unit) string { return fmt.Sprintf("reps-%06d-%06d", u.First, u.First+u.Count-1) }

func unitDir(dir, id string, u Unit) string { return filepath.Join(PointDir(dir, id), unitName(u)) }

// unitTmp is where a unit is written before it is renamed into place.
func unitTmp(dir, id string, u Unit) string {
	return filepath.Join(PointDir(dir, id), "."+unitName(u)+".tmp")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// merged reports whether a point's units have been merged.
func merged(dir, id string) bool {
	return exists(filepath.Join(PointDir(dir, id), dataset.ManifestName))
}

// unitComplete: a unit is complete iff its directory holds a manifest (the
// directory is renamed into place only once the dataset inside is
// complete), or its point has been merged.
func unitComplete(dir, id string, u Unit) bool {
	return exists(filepath.Join(unitDir(dir, id, u), dataset.ManifestName)) || merged(dir, id)
}

func shardManifestPath(dir string, i, n int) string {
	return filepath.Join(dir, ShardsDir, fmt.Sprintf("shard-%d-of-%d.json", i, n))
}

// writeOnce creates path with content b unless it exists; an existing file
// is returned for the caller to compare. Concurrent writers (shards
// starting together, in one process or several) never see a partial file:
// the content is written to a private temporary file and hard-linked into
// place.
func writeOnce(path string, b []byte) (existing []byte, err error) {
	if old, err := os.ReadFile(path); err == nil {
		return old, nil
	}
	tmp, err := atomicfile.WriteTemp(path, b)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return os.ReadFile(path)
		}
		return nil, err
	}
	return nil, atomicfile.SyncDir(filepath.Dir(path))
}

// writeAtomic replaces path with b through a temporary file and a rename.
func writeAtomic(path string, b []byte) error {
	tmp, err := atomicfile.WriteTemp(path, b)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// pointsTable encodes the points table (dataset.EncodePoints) in the
// sweep's table format and codec; the same plan gives the same bytes.
func (f *planFile) pointsTable() ([]byte, error) {
	pts := make([]dataset.Point, len(f.Points))
	for i, pt := range f.Points {
		pts[i] = dataset.Point{ID: pt.ID, Seed: pt.Seed, Values: pt.Values}
	}
	return dataset.EncodePoints(f.Name, f.Columns, pts, f.Tables, f.Compression)
}

// Prepare writes sweep.json and points.arrow into dir if they are missing,
// and refuses a directory that holds another sweep (another plan). Run
// calls it; calling it first separates a wrong directory from a failed run.
func (p *Plan) Prepare(dir string) (err error) {
	defer errprefix.Wrap(&err, "sweep")
	if strings.TrimSpace(dir) == "" {
		return errors.New("empty sweep directory name")
	}
	if what := runDataset(dir); what != "" {
		return fmt.Errorf("%s holds a run's dataset (%s), not a sweep; use another output directory", dir, what)
	}
	if err := os.MkdirAll(filepath.Join(dir, ShardsDir), 0o755); err != nil {
		return err
	}
	f := p.file()
	want := f.marshal()
	old, err := writeOnce(filepath.Join(dir, PlanFile), want)
	if err != nil {
		return err
	}
	if old != nil && !bytes.Equal(old, want) {
		var of planFile
		if json.Unmarshal(old, &of) != nil || of.Format != planFormat {
			return fmt.Errorf("%s holds %s of another p53evo version or a damaged one; use another output directory", dir, PlanFile)
		}
		if !samePlan(&of, &f) {
			return fmt.Errorf("%s holds another sweep (%s: %s); use another output directory, or the same sweep file and p53evo version as before", dir, PlanFile, planDiff(&of, &f))
		}
		// Same work under another name or spelling: the first sweep.json
		// and points.arrow stay.
	}
	pts, err := f.pointsTable()
	if err != nil {
		return err
	}
	_, err = writeOnce(filepath.Join(dir, PointsFile(f.Tables)), pts)
	return err
}

// samePlan: the same units with the same seeds, in the same order (the
// sweep's name, base spelling and value spellings aside).
func samePlan(a, b *planFile) bool {
	if a.Seed != b.Seed || a.Replicates != b.Replicates || a.Batch != b.Batch || len(a.Points) != len(b.Points) ||
		a.Tables != b.Tables || a.Compression != b.Compression {
		return false
	}
	for i := range a.Points {
		if a.Points[i].ID != b.Points[i].ID || a.Points[i].Seed != b.Points[i].Seed {
			return false
		}
	}
	return true
}

// planDiff says how two plans differ, briefly.
func planDiff(a, b *planFile) string {
	switch {
	case a.Seed != b.Seed:
		return fmt.Sprintf("seed %d, this file has %d", a.Seed, b.Seed)
	case a.Replicates != b.Replicates:
		return fmt.Sprintf("%d replicates per point, this file has %d", a.Replicates, b.Replicates)
	case a.Batch != b.Batch:
		return fmt.Sprintf("batch %d, this file has %d", a.Batch, b.Batch)
	case a.Tables != b.Tables:
		return fmt.Sprintf("tables in %s, this run asks for --format %s", a.Tables, b.Tables)
	case a.Compression != b.Compression:
		return fmt.Sprintf("tables compressed with %s, this run asks for --compression %s", a.Compression, b.Compression)
	case len(a.Points) != len(b.Points):
		return fmt.Sprintf("%d points, this file has %d", len(a.Points), len(b.Points))
	case strings.Join(a.Columns, ",") != strings.Join(b.Columns, ","):
		return fmt.Sprintf("axes %s, this file has %s", strings.Join(a.Columns, ", "), strings.Join(b.Columns, ", "))
	}
	for i := range a.Points {
		if a.Points[i].ID != b.Points[i].ID {
			return fmt.Sprintf("point %d has id %s, here %s (the base scenario, the axis order or p53evo's defaults changed?)", i, a.Points[i].ID, b.Points[i].ID)
		}
	}
	return "the plans differ"
}

// runDataset names the first entry of dir that belongs to a run's dataset
// (a manifest or a table file at the top), or "".
func runDataset(dir string) string {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		n := e.Name()
		if n == dataset.ManifestName || (isTableFile(n) && !strings.HasPrefix(n, "points.")) {
			return n
		}
	}
	return ""
}

// isTableFile reports whether name is a table file of some format.
func isTableFile(name string) bool {
	for _, f := range dataset.Formats {
		if strings.HasSuffix(name, f.Ext()) {
			return true
		}
	}
	return false
}
