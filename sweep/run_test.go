package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/scenarios"
	"github.com/p53evo/p53evo/sim"
)

// tinySpec: 6 points of small tumours (treatment starts at 1e4 cells), so a
// unit takes milliseconds. Batch 3 of 8 replicates leaves a short last unit.
const tinySpec = `
name: tiny
base: rezatapopt-continuous-lesion
seed: 5
replicates: 8
batch: 3
set: {detection.size: 1e4}
axes:
  - {path: growth.death, values: [0.12, 0.13]}
  - {path: mutation.rate, log: {from: 1e-8, to: 1e-6, n: 3}}
`

func runAll(t testing.TB, p *Plan, dir string, n int, workers int) {
	t.Helper()
	for i := range n {
		if _, err := Run(context.Background(), p, dir, Options{Shard: i, Shards: n, Workers: workers}); err != nil {
			t.Fatalf("shard %d/%d: %v", i, n, err)
		}
	}
}

func mustMerge(t testing.TB, dir string) {
	t.Helper()
	if _, err := Merge(dir, MergeOptions{}); err != nil {
		t.Fatalf("merge %s: %v", dir, err)
	}
}

// sameOutput compares two merged sweep directories file by file: the plan,
// points.arrow and every point's table files must be the same bytes.
func sameOutput(t testing.TB, p *Plan, a, b string) {
	t.Helper()
	for _, f := range []string{PlanFile, PointsFile(dataset.Arrow)} {
		if !bytes.Equal(read(t, filepath.Join(a, f)), read(t, filepath.Join(b, f))) {
			t.Errorf("%s differs between %s and %s", f, a, b)
		}
	}
	for _, pt := range p.Points {
		for _, table := range dataset.Tables {
			fa, fb := filepath.Join(PointDir(a, pt.ID), table+".arrow"), filepath.Join(PointDir(b, pt.ID), table+".arrow")
			if !bytes.Equal(read(t, fa), read(t, fb)) {
				t.Errorf("point %s: %s differs between %s and %s", pt.ID, table, a, b)
			}
		}
		ents, _ := os.ReadDir(PointDir(b, pt.ID))
		if len(ents) != len(dataset.Tables)+1 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("point %s after merge holds %v", pt.ID, names)
		}
	}
}

// tempDir is a fresh directory, on tmpfs (/dev/shm) when there is one:
// these tests are about process deaths and renames, not power loss, and
// every unit fsyncs six files, which costs more than simulating it on disk.
func tempDir(t testing.TB) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "p53evo-sweep-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	refOnce sync.Once
	refDir  string
	refErr  error
)

// reference runs tinySpec in one process and merges it, once per test binary.
func reference(t testing.TB) (*Plan, string) {
	t.Helper()
	p := mustPlan(t, tinySpec)
	refOnce.Do(func() {
		base := ""
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			base = "/dev/shm"
		}
		refDir, refErr = os.MkdirTemp(base, "p53evo-sweep-ref-")
		if refErr != nil {
			return
		}
		if _, refErr = Run(context.Background(), p, refDir, Options{Workers: 2}); refErr != nil {
			return
		}
		_, refErr = Merge(refDir, MergeOptions{})
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	return p, refDir
}

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helper())
	}
	code := m.Run()
	if refDir != "" {
		os.RemoveAll(refDir)
	}
	os.Exit(code)
}

// Sharded runs (1, 2, 3 and 7 shards, run one after another and, for 3,
// concurrently) merge to the same bytes as the unsharded run.
func TestShardedEqualsUnsharded(t *testing.T) {
	p, ref := reference(t)
	for _, n := range []int{1, 2, 3, 7} {
		dir := tempDir(t)
		runAll(t, p, dir, n, 1+n%2)
		st, err := Status(dir, n)
		if err != nil || !st.Done() || len(st.Shards) != n {
			t.Fatalf("status after %d shards: %+v, %v", n, st, err)
		}
		mustMerge(t, dir)
		sameOutput(t, p, ref, dir)
	}
	// Shards running at the same time in one directory.
	dir := tempDir(t)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Run(context.Background(), mustPlan(t, tinySpec), dir, Options{Shard: i, Shards: 3, Workers: 1}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mustMerge(t, dir)
	sameOutput(t, p, ref, dir)
}

// A point's results are those of `p53evo run` of its scenario: replicates
// 0..R-1 with the point's seed, every table equal row for row.
func TestPointEqualsPlainRun(t *testing.T) {
	p, ref := reference(t)
	sw, err := Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, len(p.Points) - 1} {
		pt := p.Points[i]
		s, err := p.Scenario(i)
		if err != nil {
			t.Fatal(err)
		}
		// What `p53evo run -s point.yaml` does: load the printed scenario,
		// resolve, run replicates 0..R-1, write a dataset.
		text, err := scenarios.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := scenarios.Load("point.yaml", text)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := scenarios.Resolve(loaded)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Seed != pt.Seed || loaded.ReplicateCount() != p.Replicates {
			t.Fatalf("point scenario has seed %d and %d replicates", cfg.Seed, loaded.ReplicateCount())
		}
		var drugs []string
		for _, d := range cfg.Model.Drugs {
			drugs = append(drugs, d.Name)
		}
		dir := tempDir(t)
		w, err := dataset.Create(dir, dataset.Meta{Seed: cfg.Seed, Count: p.Replicates, Drugs: drugs})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: loaded.ReplicateCount(), Workers: 2}, w); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		for _, table := range dataset.Tables {
			var a, b bytes.Buffer
			if err := dataset.Export(dir, table, "csv", &a); err != nil {
				t.Fatal(err)
			}
			if err := dataset.Export(PointDir(ref, pt.ID), table, "csv", &b); err != nil {
				t.Fatal(err)
			}
			if a.String() != b.String() {
				t.Errorf("point %s: %s differs from the plain run", pt.ID, table)
			}
			if table == dataset.TableRuns && strings.Count(a.String(), "\n") != p.Replicates+1 {
				t.Errorf("runs: %d lines", strings.Count(a.String(), "\n"))
			}
		}
		// The reader gives the same runs.
		runs, err := sw.Runs(pt.ID)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := dataset.Open(dir)
		want, _ := d.Runs()
		if fmt.Sprint(runs) != fmt.Sprint(want) {
			t.Errorf("sweep.Open(...).Runs(%s) differs from the plain run", pt.ID)
		}
	}
}

// The reader works before the merge too (from the units), and reports
// incomplete points.
func TestReaderUnitsAndIncomplete(t *testing.T) {
	p, ref := reference(t)
	dir := tempDir(t)
	runAll(t, p, dir, 1, 2)
	sw, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	refSw, _ := Open(ref)
	pts := sw.Points()
	if len(pts) != len(p.Points) || pts[1].Params[0].Path != "growth.death" || pts[1].Params[0].Num != 0.12 {
		t.Fatalf("points %+v", pts[:2])
	}
	for _, pt := range pts {
		a, err := sw.Runs(pt.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := refSw.Runs(pt.ID)
		if len(a) != p.Replicates || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("point %s: runs from units differ from merged", pt.ID)
		}
	}
	// Remove one unit: that point is incomplete, the others still read.
	u := p.Unit(4)
	if err := os.RemoveAll(unitDir(dir, p.Points[u.Point].ID, u)); err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Runs(p.Points[u.Point].ID); !errors.Is(err, ErrIncomplete) {
		t.Errorf("incomplete point: %v", err)
	}
	got, _, incomplete, err := sw.AllRuns()
	if err != nil || incomplete != 1 || len(got) != len(p.Points)-1 {
		t.Errorf("AllRuns: %d points, %d incomplete, %v", len(got), incomplete, err)
	}
	// Merge merges the complete points and says what is missing.
	rep, err := Merge(dir, MergeOptions{})
	if err == nil || !strings.Contains(err.Error(), "1 units missing") || rep.Merged != len(p.Points)-1 {
		t.Errorf("merge with a unit missing: %+v, %v", rep, err)
	}
	st, _ := Status(dir, 0)
	if st.Complete != p.NumUnits()-1 || len(st.Missing) != 1 || st.Missing[0].Index != 4 {
		t.Errorf("status: %+v", st)
	}
	// Resume and merge again: all there, identical.
	runAll(t, p, dir, 1, 2)
	mustMerge(t, dir)
	sameOutput(t, p, ref, dir)
}

// Cancelling the context stops gracefully: ErrStopped, no temporary
// directory left, and a rerun completes to the same output.
func TestStopAndResume(t *testing.T) {
	p, ref := reference(t)
	dir := tempDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	rep, err := Run(ctx, p, dir, Options{Workers: 2, Progress: func(done, total int) {
		if done > total/3 {
			once.Do(cancel)
		}
	}})
	if !errors.Is(err, ErrStopped) || rep.Done >= rep.Units || rep.Done == 0 {
		t.Fatalf("stopped run: %+v, %v", rep, err)
	}
	var m ShardManifest
	json.Unmarshal(read(t, shardManifestPath(dir, 0, 1)), &m)
	if m.State != "stopped" || m.Done != rep.Done || len(m.Complete) != rep.Done {
		t.Errorf("shard manifest after stop: state %s, done %d, %d complete", m.State, m.Done, len(m.Complete))
	}
	if tmps := tempDirs(t, dir); len(tmps) != 0 {
		t.Errorf("stop left %v", tmps)
	}
	rep2, err := Run(context.Background(), p, dir, Options{Workers: 2})
	if err != nil || rep2.Skipped != rep.Done || rep2.Done != rep2.Units {
		t.Fatalf("resume: %+v, %v", rep2, err)
	}
	mustMerge(t, dir)
	sameOutput(t, p, ref, dir)
}

func tempDirs(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(d.Name(), ".tmp") {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func TestDirectoryOfAnotherSweep(t *testing.T) {
	p, ref := reference(t)
	_ = p
	other := mustPlan(t, strings.Replace(tinySpec, "seed: 5", "seed: 6", 1))
	_, err := Run(context.Background(), other, ref, Options{})
	if err == nil || !strings.Contains(err.Error(), "another sweep") || !strings.Contains(err.Error(), "seed 5") {
		t.Errorf("run into another sweep's directory: %v", err)
	}
	// The same work under another name resumes (nothing to do here).
	renamed := mustPlan(t, strings.Replace(tinySpec, "name: tiny", "name: renamed", 1))
	if rep, err := Run(context.Background(), renamed, ref, Options{}); err != nil || rep.Ran != 0 || rep.Skipped != p.NumUnits() {
		t.Errorf("renamed sweep: %+v, %v", rep, err)
	}
	if !bytes.Contains(read(t, filepath.Join(ref, PlanFile)), []byte(`"name": "tiny"`)) {
		t.Error("sweep.json was rewritten")
	}
	if _, err := Run(context.Background(), p, tempDir(t), Options{Shard: 3, Shards: 3}); err == nil {
		t.Error("shard 3 of 3 accepted")
	}
}

// A unit replaced by different results is caught by merge through the
// hashes the shard manifest recorded.
func TestMergeCatchesReplacedUnit(t *testing.T) {
	p, _ := reference(t)
	dir := tempDir(t)
	runAll(t, p, dir, 2, 1)
	u := p.Unit(0)
	id := p.Points[u.Point].ID
	// Rewrite unit 0 with another seed's results (a self-consistent dataset).
	cfg, _, err := p.Config(u.Point)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed++
	os.RemoveAll(unitDir(dir, id, u))
	var drugs []string
	for _, d := range cfg.Model.Drugs {
		drugs = append(drugs, d.Name)
	}
	w, err := dataset.Create(unitDir(dir, id, u), dataset.Meta{Seed: p.Points[u.Point].Seed, First: u.First, Count: u.Count, Drugs: drugs, Scenario: []byte(`"x"`)}, dataset.WithBatchRows(unitBatchRows))
	if err != nil {
		t.Fatal(err)
	}
	sim.Run(context.Background(), &cfg, sim.RunOptions{First: u.First, Count: u.Count, Workers: 1}, w)
	w.Close()
	_, err = Merge(dir, MergeOptions{})
	if err == nil || !strings.Contains(err.Error(), "shard manifest recorded") {
		t.Errorf("merge of a replaced unit: %v", err)
	}
	// A corrupted table file fails its unit's hash check.
	dir = tempDir(t)
	runAll(t, p, dir, 1, 2)
	u2 := p.Unit(p.UnitsPerPoint()) // first unit of point 1
	f := filepath.Join(unitDir(dir, p.Points[u2.Point].ID, u2), "runs.arrow")
	b := read(t, f)
	b[len(b)/2] ^= 1
	os.WriteFile(f, b, 0o644)
	if _, err := Merge(dir, MergeOptions{}); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("merge of a corrupted unit: %v", err)
	}
}

// ---- SIGKILL at random moments, then resume ----

const helperEnv = "P53EVO_SWEEP_HELPER"

// helper runs one shard of the spec in $P53EVO_SWEEP_HELPER_SPEC into the
// directory $P53EVO_SWEEP_HELPER (a child process of TestKillResume).
func helper() int {
	spec, err := ParseSpec("kill.yaml", []byte(os.Getenv(helperEnv+"_SPEC")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	p, err := NewPlan(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var i, n int
	fmt.Sscanf(os.Getenv(helperEnv+"_SHARD"), "%d/%d", &i, &n)
	if _, err := Run(context.Background(), p, os.Getenv(helperEnv), Options{Shard: i, Shards: n, Workers: 2}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func startHelper(t *testing.T, dir, shard string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir, helperEnv+"_SPEC="+tinySpec, helperEnv+"_SHARD="+shard)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// Each trial runs the sweep in a child process and SIGKILLs it at a random
// moment, several times: after a random number of units (of those left)
// are in place, plus a random delay of up to 5 ms, so that the kills land
// between and inside units however fast the machine is. After each kill,
// whatever is in place must be complete; then the trial resumes with a
// random split into shards, merges and compares with the uninterrupted run.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	p, ref := reference(t)
	total := p.NumUnits()
	rnd := rand.New(rand.NewPCG(1, 2))
	const wantKills = 24
	kills, early, midUnit := 0, 0, 0
	for trial := 0; kills < wantKills && trial < 20; trial++ {
		dir := tempDir(t)
		for k := 0; k < 4 && kills < wantKills; k++ {
			done := len(completeUnits(dir))
			if total-done < 2 {
				break
			}
			target := done + rnd.IntN(total-done-1)
			cmd := startHelper(t, dir, "0/1")
			exited := make(chan struct{})
			var st *os.ProcessState
			go func() {
				var err error
				if st, err = cmd.Process.Wait(); err != nil {
					panic(err)
				}
				close(exited)
			}()
		wait:
			for len(completeUnits(dir)) < target {
				select {
				case <-exited:
					break wait
				case <-time.After(time.Millisecond):
				}
			}
			time.Sleep(time.Duration(rnd.Float64() * float64(5*time.Millisecond)))
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				kills++
			} else if st.Success() {
				early++ // finished before the kill
			} else {
				t.Fatalf("child: %v", st)
			}
			if len(tempDirs(t, dir)) > 0 {
				midUnit++ // a unit was being written
			}
			// Whatever is in place is complete and verifies.
			checkUnits(t, p, dir)
		}
		runAll(t, p, dir, 1+rnd.IntN(4), 2)
		mustMerge(t, dir)
		if tmps := tempDirs(t, dir); len(tmps) != 0 {
			t.Errorf("after resume and merge: %v", tmps)
		}
		sameOutput(t, p, ref, dir)
	}
	t.Logf("%d kills mid-run (%d left a unit half written), %d children finished first", kills, midUnit, early)
	if kills < 20 || midUnit < 5 {
		t.Errorf("only %d kills landed mid-run, %d mid-unit", kills, midUnit)
	}
}

func completeUnits(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "point=*", "reps-*", dataset.ManifestName))
	return m
}

// checkUnits: every unit directory in place opens as a complete dataset.
func checkUnits(t *testing.T, p *Plan, dir string) {
	t.Helper()
	for _, pt := range p.Points {
		ents, _ := os.ReadDir(PointDir(dir, pt.ID))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "reps-") {
				if _, err := dataset.Open(filepath.Join(PointDir(dir, pt.ID), e.Name())); err != nil {
					t.Errorf("unit in place after a kill: %v", err)
				}
			}
		}
	}
}

func BenchmarkSweepWorkers(b *testing.B) {
	// 10 points x 1000 replicates of a tiny scenario: 10^4 replicates.
	spec := `
base: rezatapopt-continuous-lesion
seed: 1
replicates: 1000
batch: 50
set: {detection.size: 1e4}
axes:
  - {path: growth.death, linear: {from: 0.12, to: 0.13, n: 10}}
`
	p := mustPlan(b, spec)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			for range b.N {
				dir := tempDir(b)
				if _, err := Run(context.Background(), p, dir, Options{Workers: w}); err != nil {
					b.Fatal(err)
				}
				os.RemoveAll(dir)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p.Points)*p.Replicates), "ns/replicate")
		})
	}
}

// A Parquet sweep: Hive-partitioned point=<id>/<table>.parquet after merge,
// points.parquet beside them, the same rows as the Arrow sweep, and a rerun
// that asks for another format is refused.
func TestParquetSweep(t *testing.T) {
	pa := mustPlan(t, tinySpec)
	a := tempDir(t)
	runAll(t, pa, a, 1, 2)
	mustMerge(t, a)
	pq := mustPlan(t, tinySpec)
	pq.Format, pq.Compression = dataset.Parquet, dataset.LZ4
	b := tempDir(t)
	runAll(t, pq, b, 2, 2)
	mustMerge(t, b)
	if _, err := os.Stat(filepath.Join(b, "points.parquet")); err != nil {
		t.Fatal(err)
	}
	for _, pt := range pq.Points {
		for _, table := range dataset.Tables {
			if _, err := os.Stat(filepath.Join(b, "point="+pt.ID, table+".parquet")); err != nil {
				t.Error(err)
			}
			var ea, eb bytes.Buffer
			if err := dataset.Export(PointDir(a, pt.ID), table, "csv", &ea); err != nil {
				t.Fatal(err)
			}
			if err := dataset.Export(PointDir(b, pt.ID), table, "csv", &eb); err != nil {
				t.Fatal(err)
			}
			if ea.String() != eb.String() {
				t.Errorf("point %s: %s differs between the Arrow and the Parquet sweep", pt.ID, table)
			}
		}
		d, err := dataset.Open(PointDir(b, pt.ID))
		if err != nil {
			t.Fatal(err)
		}
		if m := d.Manifest(); m.Format != dataset.Parquet || m.Compression != dataset.LZ4 {
			t.Errorf("merged manifest: %s %s", m.Format, m.Compression)
		}
	}
	again := mustPlan(t, tinySpec)
	if err := again.Prepare(b); err == nil || !strings.Contains(err.Error(), "tables in parquet, this run asks for --format arrow") {
		t.Errorf("Prepare with another format: %v", err)
	}
}

func TestPointByID(t *testing.T) {
	p := mustPlan(t, tinySpec)
	id := p.Points[4].ID
	for _, q := range []string{id, id[:6], id[1:7]} {
		if got := p.PointByID(q); got != 4 {
			t.Errorf("PointByID(%q) = %d, want 4", q, got)
		}
	}
	if got := p.PointByID("p"); got != -1 {
		t.Errorf("PointByID(\"p\") = %d: not unique, want -1", got)
	}
	if got := p.PointByID("zzz"); got != -1 {
		t.Errorf("PointByID(\"zzz\") = %d", got)
	}
}
