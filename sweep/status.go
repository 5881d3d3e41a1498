package sweep

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// ShardStatus is the state of one shard's units.
type ShardStatus struct {
	Shard, Shards int
	Units         int
	Complete      int
	Last          *ShardManifest // the shard's manifest, nil if it never ran
}

// StatusReport is the state of a sweep directory.
type StatusReport struct {
	Dir        string
	Name       string
	Points     int
	Merged     int // points merged
	Replicates int // per point
	Batch      int
	Units      int
	Complete   int
	Missing    []Unit // in unit order
	MissingIDs []string
	Stale      int // temporary unit directories (being written, or left by a killed run)
	// Broken lists units (and merged points) whose directory is not their
	// complete dataset, with the reason; `sweep run` sets them aside and
	// redoes them. Verified says whether every table's SHA-256 was checked.
	Broken      []string
	Verified    bool
	Quarantined int // units set aside under QuarantineDir so far
	Shards      []ShardStatus
}

// StatusOptions say how Status reads a sweep directory.
type StatusOptions struct {
	Shards int // the split shown (0: that of the most recent shard manifest, or 1)
	// Verify checks every table's SHA-256 against its manifest (reading
	// every file); without it only manifests and file sizes are checked.
	Verify  bool
	Context context.Context // stops verifying when cancelled (default: none)
}

// Status reads a sweep directory: which units are complete, overall and for
// each shard of a split into shards parts (0: the split of the most recent
// shard manifest, or 1).
func Status(dir string, shards int) (_ *StatusReport, err error) {
	defer errprefix.Wrap(&err, "sweep")
	return StatusOf(dir, StatusOptions{Shards: shards})
}

// StatusOf is Status with options.
func StatusOf(dir string, opt StatusOptions) (_ *StatusReport, err error) {
	defer errprefix.Wrap(&err, "sweep")
	ctx := opt.Context
	if ctx == nil {
		ctx = context.Background()
	}
	shards := opt.Shards
	f, err := readPlanFile(dir)
	if err != nil {
		return nil, err
	}
	ms, err := readShardManifests(dir)
	if err != nil {
		return nil, err
	}
	if shards <= 0 {
		shards = 1
		var latest time.Time
		for _, m := range ms {
			if m.Start.After(latest) {
				latest, shards = m.Start, m.Shards
			}
		}
	}
	recorded, err := recordedHashes(dir)
	if err != nil {
		return nil, err
	}
	r := &StatusReport{Dir: dir, Name: f.Name, Points: len(f.Points), Replicates: f.Replicates, Batch: f.Batch, Units: f.Units, Verified: opt.Verify}
	done, err := r.inspect(ctx, dir, f, recorded)
	if err != nil {
		return nil, err
	}
	qs, _ := filepath.Glob(filepath.Join(dir, QuarantineDir, "point=*", "reps-*"))
	r.Quarantined = len(qs)
	for k, ok := range done {
		if ok {
			r.Complete++
		} else {
			u := f.unit(k)
			r.Missing = append(r.Missing, u)
			r.MissingIDs = append(r.MissingIDs, f.Points[u.Point].ID)
		}
	}
	for i := range shards {
		s := ShardStatus{Shard: i, Shards: shards}
		for _, u := range shardUnits(f.Units, i, shards, f.unit) {
			s.Units++
			if done[u.Index] {
				s.Complete++
			}
		}
		for j := range ms {
			if ms[j].Shard == i && ms[j].Shards == shards {
				s.Last = &ms[j]
			}
		}
		r.Shards = append(r.Shards, s)
	}
	return r, nil
}

// inspect finds which units of the plan f are complete (merged points'
// units count as complete; with r.Verified they are verified first) and
// counts the stale temporary directories and the broken units in r.
func (r *StatusReport) inspect(ctx context.Context, dir string, f *planFile, recorded map[string]map[string]string) ([]bool, error) {
	done := make([]bool, f.Units)
	per := f.unitsPerPoint()
	for i, pt := range f.Points {
		if merged(dir, pt.ID) {
			r.Merged++
			ok := true
			if r.Verified {
				if _, err := dataset.Open(PointDir(dir, pt.ID), dataset.WithContext(ctx)); err != nil {
					r.Broken = append(r.Broken, fmt.Sprintf("merged point %s: %v", pt.ID, err))
					ok = false
				}
			}
			for b := range per {
				done[i*per+b] = ok
			}
			continue
		}
		ents, _ := os.ReadDir(PointDir(dir, pt.ID))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".reps-") && strings.HasSuffix(e.Name(), ".tmp") {
				r.Stale++
			}
		}
		for b := range per {
			u := f.unit(i*per + b)
			st, why := inspectUnit(ctx, dir, pt, u, recorded, r.Verified)
			done[u.Index] = st == stateComplete
			if st == stateBroken {
				r.Broken = append(r.Broken, fmt.Sprintf("unit %d (point %s, replicates %d-%d): %s", u.Index, pt.ID, u.First, u.First+u.Count-1, why))
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return done, nil
}

// Write prints the report for people.
func (r *StatusReport) Write(w io.Writer) {
	fmt.Fprintf(w, "sweep %s in %s: %d points x %d replicates, %d units of %d replicates\n", r.Name, r.Dir, r.Points, r.Replicates, r.Units, r.Batch)
	fmt.Fprintf(w, "complete: %d of %d units (%d missing); merged: %d of %d points\n", r.Complete, r.Units, len(r.Missing), r.Merged, r.Points)
	if len(r.Broken) > 0 {
		fmt.Fprintf(w, "broken: %d (`p53evo sweep run` sets them aside under %s and redoes them):\n", len(r.Broken), filepath.Join(r.Dir, QuarantineDir))
		for _, b := range r.Broken {
			fmt.Fprintf(w, "  %s\n", b)
		}
	}
	if r.Verified {
		fmt.Fprintf(w, "verified: SHA-256 of every table of the %d complete units against their manifests\n", r.Complete)
	}
	if r.Quarantined > 0 {
		fmt.Fprintf(w, "set aside earlier: %d units under %s\n", r.Quarantined, filepath.Join(r.Dir, QuarantineDir))
	}
	if r.Stale > 0 {
		fmt.Fprintf(w, "temporary unit directories: %d (units being written, or left by a killed run: removed when the unit runs again)\n", r.Stale)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "shard\tunits\tcomplete\tmissing\tlast run")
	for _, s := range r.Shards {
		last := "never run"
		if m := s.Last; m != nil {
			last = m.State + " " + m.Start.Local().Format("2006-01-02 15:04:05")
			if m.Host != "" {
				last += " on " + m.Host
			}
			if j := m.Extra["slurm_job"]; j != "" {
				last += " (job " + j + ")"
			}
			if m.Error != "" {
				last += ": " + m.Error
			}
		}
		fmt.Fprintf(tw, "%d/%d\t%d\t%d\t%d\t%s\n", s.Shard, s.Shards, s.Units, s.Complete, s.Units-s.Complete, last)
	}
	tw.Flush()
	if len(r.Missing) > 0 {
		const show = 10
		var parts []string
		for i, u := range r.Missing[:min(show, len(r.Missing))] {
			parts = append(parts, fmt.Sprintf("%d (point %s, replicates %d-%d)", u.Index, r.MissingIDs[i], u.First, u.First+u.Count-1))
		}
		more := ""
		if len(r.Missing) > show {
			more = fmt.Sprintf(", and %d more", len(r.Missing)-show)
		}
		fmt.Fprintf(w, "missing units: %s%s\n", strings.Join(parts, ", "), more)
	}
}

// Done reports whether every unit is complete.
func (r *StatusReport) Done() bool { return r.Complete == r.Units }
