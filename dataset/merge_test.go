package dataset

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// writeUnits writes rs as two units of one point, replicates [0, cut) and
// [cut, len(rs)), in dir/a and dir/b, and opens them.
func writeUnits(t *testing.T, dir string, rs []sim.Result, cut int) []*Dataset {
	t.Helper()
	var units []*Dataset
	for k, part := range [][2]int{{0, cut}, {cut, len(rs)}} {
		meta := testMeta
		meta.First, meta.Count = part[0], part[1]-part[0]
		udir := filepath.Join(dir, string(rune('a'+k)))
		writeMeta(t, udir, meta, rs[part[0]:part[1]])
		d, err := Open(udir)
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, d)
	}
	return units
}

// Merge gives the units' rows in order, in table files that depend only on
// the units (merging again gives the same bytes), and cleans up what an
// interrupted merge left.
func TestMerge(t *testing.T) {
	rs := manyResults(25)
	dir := t.TempDir()
	units := writeUnits(t, dir, rs, 10)
	m := units[0].Manifest()
	m.Replicates = Replicates{First: 0, Count: len(rs), Written: len(rs)}
	var digests [2][]string
	for k, name := range []string{"merged", "again"} {
		out := filepath.Join(dir, name)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		stale := filepath.Join(out, mergeTmpName("runs.arrow"))
		if err := os.WriteFile(stale, []byte("left by a killed merge"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Merge(out, units, m); err != nil {
			t.Fatal(err)
		}
		d, err := Open(out)
		if err != nil {
			t.Fatal(err)
		}
		checkAll(t, d, rs)
		for _, fi := range d.Manifest().Files {
			digests[k] = append(digests[k], fi.Table+" "+fi.SHA256)
		}
		if names := listDir(t, out); slices.ContainsFunc(names, func(n string) bool { return filepath.Ext(n) == ".tmp" }) {
			t.Errorf("temporary files left: %v", names)
		}
	}
	if len(digests[0]) != len(Tables) || !slices.Equal(digests[0], digests[1]) {
		t.Errorf("merged tables differ between two merges of the same units:\n%v\n%v", digests[0], digests[1])
	}
}

// ScanTrajectories gives the rows Trajectories does, batch by batch;
// OptionalFloats reads a column by name and says when it is absent.
func TestScanTrajectoriesAndOptionalFloats(t *testing.T) {
	rs := manyResults(25)
	dir := t.TempDir()
	d := writeUnits(t, dir, rs, 10)[1]
	var scanned []TrajRow
	batches := 0
	if err := d.ScanTrajectories(func(rows []TrajRow) error {
		batches++
		for _, r := range rows {
			r.Conc = slices.Clone(r.Conc)
			scanned = append(scanned, r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if batches == 0 {
		t.Fatal("no batch scanned")
	}
	checkRows(t, "trajectories", scanned, wantTraj(rs[10:], len(d.Drugs())))
	ttp, ok, err := d.OptionalFloats(TableRuns, "ttp")
	if err != nil || !ok {
		t.Fatalf("ttp column: ok %v, err %v", ok, err)
	}
	want := wantRuns(rs[10:])
	if len(ttp) != len(want) {
		t.Fatalf("%d ttp values, want %d", len(ttp), len(want))
	}
	for i, r := range want {
		if ttp[i] != r.TTP && !(math.IsNaN(ttp[i]) && math.IsNaN(r.TTP)) {
			t.Errorf("ttp[%d] = %v, want %v", i, ttp[i], r.TTP)
		}
	}
	if _, ok, err := d.OptionalFloats(TableRuns, "no_such_column"); ok || err != nil {
		t.Errorf("absent column: ok %v, err %v", ok, err)
	}
	if _, _, err := d.OptionalFloats(TableRuns, "outcome"); err == nil {
		t.Error("a text column read as floats")
	}
}
