package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// Two runs of the same shard at once never both claim a unit, and a run
// that returns success leaves every unit of its shard complete on disk (it
// used to count units it believed done: "40 units complete" with 39 on
// disk). Whatever the interleaving, the merged result is the reference's.
func TestConcurrentSameShard(t *testing.T) {
	p, ref := reference(t)
	for trial := range 4 {
		dir := tempDir(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		complete := make([]int, 2)
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := Run(context.Background(), p, dir, Options{Workers: 2})
				errs[k] = err
				if err == nil {
					st, serr := Status(dir, 1)
					if serr != nil {
						errs[k] = serr
						return
					}
					complete[k] = st.Complete
					if rep.Done != p.NumUnits() {
						t.Errorf("trial %d run %d: success with %d of %d units done", trial, k, rep.Done, p.NumUnits())
					}
				}
			}()
		}
		wg.Wait()
		for k, err := range errs {
			switch {
			case err == nil:
				if complete[k] != p.NumUnits() {
					t.Errorf("trial %d run %d: reported success but status shows %d of %d units", trial, k, complete[k], p.NumUnits())
				}
			case errors.Is(err, ErrBusy):
				if !strings.Contains(err.Error(), "another process") {
					t.Errorf("busy error: %v", err)
				}
			default:
				t.Errorf("trial %d run %d: %v", trial, k, err)
			}
		}
		// Whatever was left is finished by a rerun.
		if _, err := Run(context.Background(), p, dir, Options{Workers: 2}); err != nil {
			t.Fatal(err)
		}
		mustMerge(t, dir)
		sameOutput(t, p, ref, dir)
	}
}

// A unit that lost its manifest and a unit whose table was altered are
// reported by status (the altered one with --verify only), set aside and
// redone by run; the merged result is the reference's. Before, the first
// made every rerun fail ("file exists") and the second was counted
// complete and skipped.
func TestRepairBrokenUnits(t *testing.T) {
	p, ref := reference(t)
	dir := tempDir(t)
	runAll(t, p, dir, 1, 2)

	u0, u1 := p.Unit(0), p.Unit(4)
	id0, id1 := p.Points[u0.Point].ID, p.Points[u1.Point].ID
	if err := os.Remove(filepath.Join(unitDir(dir, id0, u0), dataset.ManifestName)); err != nil {
		t.Fatal(err)
	}
	tbl := filepath.Join(unitDir(dir, id1, u1), "runs.arrow")
	b := read(t, tbl)
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(tbl, b, 0o644); err != nil {
		t.Fatal(err)
	}

	st, err := Status(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Broken) != 1 || !strings.Contains(st.Broken[0], "no manifest.json") || st.Complete != p.NumUnits()-1 {
		t.Errorf("status: %d complete, broken %q", st.Complete, st.Broken)
	}
	st, err = StatusOf(dir, StatusOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Broken) != 2 || !strings.Contains(strings.Join(st.Broken, "\n"), "SHA-256 mismatch") || st.Complete != p.NumUnits()-2 {
		t.Errorf("status --verify: %d complete, broken %q", st.Complete, st.Broken)
	}

	rep, err := Run(context.Background(), p, dir, Options{Workers: 2})
	if err != nil {
		t.Fatalf("run over broken units: %v", err)
	}
	if rep.Ran != 2 || len(rep.Quarantined) != 2 || rep.Done != p.NumUnits() {
		t.Errorf("report: ran %d, quarantined %q, done %d", rep.Ran, rep.Quarantined, rep.Done)
	}
	qs, _ := filepath.Glob(filepath.Join(dir, QuarantineDir, "point=*", "reps-*", "REASON.txt"))
	if len(qs) != 2 {
		t.Errorf("quarantine holds %v", qs)
	}
	st, err = StatusOf(dir, StatusOptions{Verify: true})
	if err != nil || len(st.Broken) != 0 || !st.Done() || st.Quarantined != 2 {
		t.Errorf("status --verify after repair: %+v, %v", st, err)
	}
	mustMerge(t, dir)
	sameOutput(t, p, ref, dir)
}

// A sweep is not written into a run's dataset directory.
func TestSweepRefusesRunDirectory(t *testing.T) {
	p, _ := reference(t)
	dir := tempDir(t)
	os.WriteFile(filepath.Join(dir, dataset.ManifestName), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, "runs.arrow"), nil, 0o644)
	_, err := Run(context.Background(), p, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "holds a run's dataset") {
		t.Errorf("sweep into a run directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, PlanFile)); err == nil {
		t.Error("sweep.json written into a run directory")
	}
}

// A unit claimed by another process is left to it: the run reports ErrBusy
// and counts what is on disk, not a false "complete".
func TestClaimedUnitIsLeftAlone(t *testing.T) {
	p, _ := reference(t)
	dir := tempDir(t)
	if err := p.Prepare(dir); err != nil {
		t.Fatal(err)
	}
	u := p.Unit(3)
	lk, err := claimUnit(dir, p.Points[u.Point].ID, u)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), p, dir, Options{Workers: 2})
	if !errors.Is(err, ErrBusy) || rep.Busy != 1 || rep.Done != p.NumUnits()-1 || rep.Ran != p.NumUnits()-1 {
		t.Errorf("run with a claimed unit: %+v, %v", rep, err)
	}
	if st, _ := Status(dir, 1); st.Complete != p.NumUnits()-1 || len(st.Missing) != 1 || st.Missing[0].Index != 3 {
		t.Errorf("status: %d complete, missing %v", st.Complete, st.Missing)
	}
	lk.Unlock()
	rep, err = Run(context.Background(), p, dir, Options{Workers: 2})
	if err != nil || rep.Ran != 1 || rep.Done != p.NumUnits() {
		t.Errorf("after the claim was released: %+v, %v", rep, err)
	}
}
