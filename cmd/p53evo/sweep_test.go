package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/p53evo/p53evo/dataset"
)

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	array := func(id, count string, more ...string) func(string) string {
		return env(append([]string{"SLURM_ARRAY_TASK_ID", id, "SLURM_ARRAY_TASK_COUNT", count, "SLURM_ARRAY_JOB_ID", "77", "SLURM_JOB_ID", "81"}, more...)...)
	}
	good := []struct {
		flag string
		env  func(string) string
		i, n int
	}{
		{"", env(), 0, 1},
		{"0/1", env(), 0, 1},
		{"3/7", env(), 3, 7},
		{"slurm", array("2", "4", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "3", "SLURM_ARRAY_TASK_STEP", "1"), 2, 4},
		{"slurm", array("0", "1"), 0, 1},
	}
	for _, c := range good {
		i, n, extra, err := parseShard(c.flag, c.env)
		if err != nil || i != c.i || n != c.n {
			t.Errorf("--shard %q: %d/%d, %v; want %d/%d", c.flag, i, n, err, c.i, c.n)
		}
		if c.flag == "slurm" && (extra["slurm_job"] != "77_"+c.env("SLURM_ARRAY_TASK_ID") || extra["slurm_job_id"] != "81") {
			t.Errorf("slurm extra %v", extra)
		}
	}
	bad := []struct {
		flag string
		env  func(string) string
		want string
	}{
		{"4/4", env(), "0 <= i < n"},
		{"-1/4", env(), "0 <= i < n"},
		{"1/0", env(), "0 <= i < n"},
		{"two/4", env(), "want i/n"},
		{"3", env(), "want i/n"},
		{"slurm", env(), "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set"},
		{"slurm", array("x", "4"), "not a whole number"},
		{"slurm", array("4", "4"), "not in 0..3"},
		{"slurm", array("1", "4", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_MAX", "4"), "--array=0-3"},
		{"slurm", array("2", "3", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "4", "SLURM_ARRAY_TASK_STEP", "2"), "contiguous"},
		{"slurm", array("5", "3", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "7"), "contiguous"}, // --array=0,5,7
	}
	for _, c := range bad {
		_, _, _, err := parseShard(c.flag, c.env)
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--shard %q: %v; want a usage error with %q", c.flag, err, c.want)
		}
	}
}

const cliSweep = `
base: rezatapopt-continuous-lesion
replicates: 4
batch: 2
set: {detection.size: 1e4}
axes:
  - {path: growth.death, values: [0.12, 0.13]}
`

func TestSweepCLI(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.yaml")
	os.WriteFile(spec, []byte(cliSweep), 0o644)
	out := filepath.Join(dir, "out")
	ctx := context.Background()

	code, stdout, errs := run(t, ctx, "sweep", "plan", spec)
	if code != 0 || !strings.Contains(stdout, "2 points x 4 replicates = 8 replicates, in 4 units of 2 replicates") || !strings.Contains(stdout, "growth.death") {
		t.Fatalf("plan: exit %d\n%s%s", code, stdout, errs)
	}
	id := strings.Fields(strings.Split(stdout, "\n")[3])[1]

	// shard 1 of 2, then status, then an incomplete merge (exit 1)
	if code, _, errs := run(t, ctx, "sweep", "run", spec, "--out", out, "--shard", "1/2", "-q"); code != 0 {
		t.Fatalf("run 1/2: exit %d: %s", code, errs)
	}
	code, stdout, _ = run(t, ctx, "sweep", "status", out)
	if code != 0 || !strings.Contains(stdout, "complete: 2 of 4 units") || !strings.Contains(stdout, "1/2    2      2") {
		t.Errorf("status: exit %d\n%s", code, stdout)
	}
	if code, _, errs := run(t, ctx, "sweep", "merge", out); code != exitFailure || !strings.Contains(errs, "units missing") {
		t.Errorf("merge of an incomplete sweep: exit %d, %s", code, errs)
	}
	code, stdout, errs = run(t, ctx, "sweep", "run", spec, "--out", out, "--shard", "0/2")
	if code != 0 || !strings.Contains(stdout, "shard 0/2: 2 units complete (0 already done, 2 run") {
		t.Fatalf("run 0/2: exit %d\n%s%s", code, stdout, errs)
	}
	if code, stdout, errs := run(t, ctx, "sweep", "merge", out); code != 0 || !strings.Contains(stdout, "merged 2 points") {
		t.Fatalf("merge: exit %d\n%s%s", code, stdout, errs)
	}
	// The merged point is a dataset.
	if code, stdout, _ := run(t, ctx, "export", filepath.Join(out, "point="+id), "--table", "runs"); code != 0 || strings.Count(stdout, "\n") != 5 {
		t.Errorf("export of a merged point: exit %d\n%s", code, stdout)
	}
	// sweep point prints a scenario that p53evo run reproduces.
	code, stdout, errs = run(t, ctx, "sweep", "point", spec, id[:6])
	if code != 0 || !strings.Contains(stdout, "seed: ") || !strings.Contains(stdout, "replicates: 4") {
		t.Fatalf("point: exit %d\n%s%s", code, stdout, errs)
	}
	pt := filepath.Join(dir, "point.yaml")
	os.WriteFile(pt, []byte(stdout), 0o644)
	runDir := filepath.Join(dir, "run")
	if code, _, errs := run(t, ctx, "run", "-s", pt, "-o", runDir, "-q"); code != 0 {
		t.Fatalf("run of the point: exit %d: %s", code, errs)
	}
	for _, table := range []string{"runs", "trajectories", "clones", "events"} {
		_, a, _ := run(t, ctx, "export", runDir, "--table", table)
		_, b, _ := run(t, ctx, "export", filepath.Join(out, "point="+id), "--table", table)
		if a != b || a == "" {
			t.Errorf("%s: p53evo run of the point differs from the sweep's", table)
		}
	}

	// Usage errors: exit 2, nothing written.
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("base: untreated\naxes:\n  - {path: growth.death, linear: {from: 0.2, to: 0.1, n: 3}}\n"), 0o644)
	other := filepath.Join(dir, "other.yaml")
	os.WriteFile(other, []byte(strings.Replace(cliSweep, "replicates: 4", "replicates: 6", 1)), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "plan", bad}, "bad.yaml:3:"},
		{[]string{"sweep", "run", spec}, "--out"},
		{[]string{"sweep", "run", spec, "--out", out, "--shard", "2/2"}, "0 <= i < n"},
		{[]string{"sweep", "run", spec, "--out", out, "--shard", "slurm"}, "SLURM_ARRAY_TASK_ID"},
		{[]string{"sweep", "run", other, "--out", out}, "another sweep"},
		{[]string{"sweep", "status", dir}, "not a sweep directory"},
		{[]string{"sweep", "point", spec, "ffffffffffff"}, "no point"},
	} {
		if c.args[len(c.args)-1] == "slurm" {
			for _, k := range []string{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"} {
				if os.Getenv(k) != "" {
					t.Setenv(k, "")
				}
			}
		}
		code, _, errs := run(t, ctx, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

// SIGUSR1 and SIGTERM stop a sweep gracefully: exit 0, a message, and a
// rerun resumes.
func TestSweepSignals(t *testing.T) {
	if args := os.Getenv("P53EVO_SWEEP_SIGNAL_ARGS"); args != "" {
		os.Exit(realMain(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("signals a child process")
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.yaml")
	os.WriteFile(spec, []byte(strings.NewReplacer("replicates: 4", "replicates: 60", "batch: 2", "batch: 1", "1e4", "1e6").Replace(cliSweep)), 0o644)
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGTERM} {
		out := filepath.Join(dir, "out-"+sig.String())
		cmd := exec.Command(os.Args[0], "-test.run=^TestSweepSignals$")
		cmd.Env = append(os.Environ(), "P53EVO_SWEEP_SIGNAL_ARGS="+strings.Join([]string{"p53evo", "sweep", "run", spec, "--out", out, "-w", "1"}, "\x1f"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if m, _ := filepath.Glob(filepath.Join(out, "point=*", "reps-*", "manifest.json")); len(m) >= 2 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		if err != nil || !strings.Contains(stderr.String(), "units done in this shard; rerun to resume") || !strings.HasPrefix(stderr.String(), "stopped: ") {
			t.Fatalf("%v: %v, stderr %q", sig, err, stderr.String())
		}
		if m, _ := filepath.Glob(filepath.Join(out, "point=*", ".reps-*")); len(m) != 0 {
			t.Errorf("%v left %v", sig, m)
		}
		code, stdout, errs := run(t, context.Background(), "sweep", "run", spec, "--out", out, "-w", "2")
		if code != 0 || strings.Contains(stdout, "(0 already done") {
			t.Errorf("resume after %v: exit %d\n%s%s", sig, code, stdout, errs)
		}
	}
}

// export of a sweep directory: every point, with the point id and the
// varied parameters first; binary formats to --out.
func TestExportSweep(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if code, _, errs := run(t, context.Background(), "sweep", "run", "../../examples/dose-small.yaml", "--out", out, "--format", "parquet", "-q"); code != 0 {
		t.Fatalf("sweep run: exit %d: %s", code, errs)
	}
	code, csv, errs := run(t, context.Background(), "export", out, "--table", "genotypes")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if lines[0] != "point,treatment.phases[0].doses.rezatapopt,growth.death,replicate,genotype,class,cells" || len(lines) < 81 {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	if !strings.HasPrefix(lines[1], "p") || !strings.Contains(lines[1], ",1150,0.12,") {
		t.Errorf("first row %q", lines[1])
	}
	pq := filepath.Join(dir, "runs.parquet")
	if code, _, errs := run(t, context.Background(), "export", out, "--to", "parquet", "--out", pq); code != 0 {
		t.Fatalf("export --to parquet: exit %d: %s", code, errs)
	}
	runs, err := dataset.ReadRunsFiles(pq)
	if err != nil || len(runs) != 80 {
		t.Errorf("exported Parquet: %d runs, %v", len(runs), err)
	}
}
