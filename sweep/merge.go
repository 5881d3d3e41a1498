package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/lockfile"
)

// MergeOptions configure Merge.
type MergeOptions struct {
	Workers         int    // points merged at once (default GOMAXPROCS)
	Version, Commit string // of p53evo, for the merged manifests
}

// MergeReport says what Merge did.
type MergeReport struct {
	Points     int // points of the sweep
	Merged     int // merged by this call
	Already    int // merged before
	Incomplete int // points with missing units (left as they are)
	Missing    int // units missing
}

// Merge compacts each complete point's units into one dataset in the
// point's directory (point=<id>/manifest.json and one file per table, rows
// in replicate order), then removes the unit directories and any stale
// temporary directories. It verifies every unit's tables against the unit's
// manifest (SHA-256), the manifests against the plan, and the hashes
// recorded in shard manifests against the units'. Points with missing units
// are left alone; Merge then returns an error saying how many units are
// missing. A merged point opens with dataset.Open; its table files are the
// same bytes however the sweep was sharded.
func Merge(dir string, opt MergeOptions) (_ MergeReport, err error) {
	defer errprefix.Wrap(&err, "sweep")
	f, err := readPlanFile(dir)
	if err != nil {
		return MergeReport{}, err
	}
	rep := MergeReport{Points: len(f.Points)}
	recorded, err := recordedHashes(dir)
	if err != nil {
		return rep, err
	}
	per := f.unitsPerPoint()
	var todo []int
	for i, pt := range f.Points {
		if merged(dir, pt.ID) {
			rep.Already++
			todo = append(todo, i) // verified and tidied below
			continue
		}
		missing := 0
		for b := range per {
			if !unitComplete(dir, pt.ID, f.unit(i*per+b)) {
				missing++
			}
		}
		if missing > 0 {
			rep.Incomplete++
			rep.Missing += missing
			continue
		}
		todo = append(todo, i)
	}
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	jobs := make(chan int)
	for range min(w, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				did, err := mergePoint(dir, f, i, recorded, opt)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if did {
					rep.Merged++
				}
				mu.Unlock()
			}
		}()
	}
	for _, i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return rep, errors.Join(errs...)
	}
	if rep.Incomplete == 0 {
		// Every unit is in place, so no run is writing: temporary files
		// of killed runs can go.
		if err := tidyTop(dir); err != nil {
			return rep, err
		}
	}
	if rep.Incomplete > 0 {
		return rep, fmt.Errorf("%d of %d points incomplete (%d units missing): run the missing shards again (`p53evo sweep status %s` lists them), then merge again", rep.Incomplete, rep.Points, rep.Missing, dir)
	}
	return rep, nil
}

// recordedHashes collects the table hashes shard manifests recorded per
// unit, refusing disagreements.
// Units are keyed by point id and first replicate.
func recordedHashes(dir string) (map[string]map[string]string, error) {
	ms, err := readShardManifests(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	from := map[string]string{}
	for _, m := range ms {
		name := filepath.Base(shardManifestPath(dir, m.Shard, m.Shards))
		for _, r := range m.Complete {
			key := unitKey(r.Point, r.First)
			old, ok := out[key]
			if !ok {
				out[key], from[key] = r.SHA256, name
				continue
			}
			for t, h := range r.SHA256 {
				if old[t] != "" && old[t] != h {
					return nil, fmt.Errorf("point %s, replicates from %d: %s and %s record different %s tables (%s, %s): the same unit gave different results", r.Point, r.First, from[key], name, t, short(old[t]), short(h))
				}
			}
		}
	}
	return out, nil
}

// mergePoint merges point i (or, if merged already, verifies it and removes
// leftovers). It reports whether it merged.
func unitKey(id string, first int) string { return id + "/" + strconv.Itoa(first) }

func short(h string) string { return h[:min(12, len(h))] }

func mergePoint(dir string, f *planFile, i int, recorded map[string]map[string]string, opt MergeOptions) (bool, error) {
	pt := f.Points[i]
	pdir := PointDir(dir, pt.ID)
	per := f.unitsPerPoint()
	if merged(dir, pt.ID) {
		d, err := dataset.Open(pdir)
		if err != nil {
			return false, fmt.Errorf("point %s: %w", pt.ID, err)
		}
		if m := d.Manifest(); m.Seed != pt.Seed || m.Replicates.Written != f.Replicates {
			return false, fmt.Errorf("point %s: merged dataset has seed %d and %d replicates; the plan says %d and %d", pt.ID, m.Seed, m.Replicates.Written, pt.Seed, f.Replicates)
		}
		return false, tidy(pdir)
	}
	var (
		units []*dataset.Dataset
		first dataset.Manifest
	)
	for b := range per {
		u := f.unit(i*per + b)
		udir := unitDir(dir, pt.ID, u)
		d, err := dataset.Open(udir) // checks every table's SHA-256
		if err != nil {
			return false, fmt.Errorf("point %s: %w", pt.ID, err)
		}
		m := d.Manifest()
		if m.Seed != pt.Seed || m.Replicates.First != u.First || m.Replicates.Count != u.Count || m.Replicates.Written != u.Count {
			return false, fmt.Errorf("point %s: %s: seed %d, replicates %d+%d (%d written); the plan says seed %d, replicates %d+%d",
				pt.ID, udir, m.Seed, m.Replicates.First, m.Replicates.Count, m.Replicates.Written, pt.Seed, u.First, u.Count)
		}
		if b == 0 {
			first = m
		} else if !bytes.Equal(m.Scenario, first.Scenario) || !slices.Equal(m.Drugs, first.Drugs) {
			return false, fmt.Errorf("point %s: %s holds another scenario than the point's first unit", pt.ID, udir)
		}
		if rec := recorded[unitKey(pt.ID, u.First)]; rec != nil {
			for _, fi := range m.Files {
				if h := rec[fi.Table]; h != "" && h != fi.SHA256 {
					return false, fmt.Errorf("point %s: %s: %s table has SHA-256 %s but a shard manifest recorded %s when the unit was done: it was replaced by a run that gave different results", pt.ID, udir, fi.Table, short(fi.SHA256), short(h))
				}
			}
		}
		units = append(units, d)
	}

	m := dataset.Manifest{
		SchemaVersion: dataset.SchemaVersion, Version: first.Version, Commit: first.Commit,
		ScenarioName: first.ScenarioName, Scenario: first.Scenario, Seed: pt.Seed,
		Replicates: dataset.Replicates{First: 0, Count: f.Replicates, Written: f.Replicates},
		Drugs:      first.Drugs, Format: first.Format, Compression: first.Compression,
		Start: first.Start, End: first.End, Host: first.Host, Workers: 1,
		Extra: map[string]string{"sweep": f.Name, "point": pt.ID, "units": strconv.Itoa(per),
			"merged_by": strings.TrimSpace(opt.Version + " " + opt.Commit), "merged_at": time.Now().UTC().Format(time.RFC3339)},
	}
	for _, d := range units {
		um := d.Manifest()
		if um.Start.Before(m.Start) {
			m.Start = um.Start
		}
		if um.End.After(m.End) {
			m.End = um.End
		}
	}
	if err := dataset.Merge(pdir, units, m); err != nil {
		return false, fmt.Errorf("point %s: %w", pt.ID, err)
	}
	return true, tidy(pdir)
}

// tidyTop removes temporary files a killed run left in the sweep
// directory and its shards directory.
func tidyTop(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, ShardsDir)} {
		ents, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if n := e.Name(); !e.IsDir() && strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".tmp") {
				if err := os.Remove(filepath.Join(d, n)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// tidy removes the unit directories and temporary directories of a merged
// point.
func tidy(pdir string) error {
	ents, err := os.ReadDir(pdir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() && (strings.HasPrefix(n, "reps-") || strings.HasPrefix(n, ".reps-") && strings.HasSuffix(n, ".tmp")) {
			if err := os.RemoveAll(filepath.Join(pdir, n)); err != nil {
				return err
			}
		}
		// A unit's claim left by a process killed while it held it: taking
		// the lock proves nobody holds it, and releasing it removes the file.
		if !e.IsDir() && strings.HasPrefix(n, ".reps-") && strings.HasSuffix(n, ".lock") {
			if lk, err := lockfile.TryLock(filepath.Join(pdir, n), false); err == nil {
				lk.Unlock()
			}
		}
	}
	return dataset.RemoveMergeTemps(pdir)
}
