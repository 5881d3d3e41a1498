package main

// Faults that must not lose or misreport data, through the command line only (so that each test
// also runs against older builds): concurrent writers, --force, signals
// mid-replicate, mixed directories, --set parsing, bad environment values.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// manifestOf returns the manifest's bytes, or "" if there is none.
func manifestOf(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	return string(b)
}

// Two runs on one --out: one writes, the other is refused, and the
// directory holds the dataset of the run that reported success (both used
// to fail on a rename and leave it empty while one claimed success).
func TestConcurrentRunsOneDirectory(t *testing.T) {
	for trial := range 3 {
		dir := filepath.Join(t.TempDir(), "conc")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		errs := make([]string, 2)
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[k], _, errs[k] = run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "30", "--seed", []string{"1", "2"}[k], "-w", "1", "-o", dir, "-q", "--set", "detection.size=1e5")
			}()
		}
		wg.Wait()
		ok := 0
		for k := range 2 {
			switch {
			case codes[k] == 0:
				ok++
				if m := manifestOf(dir); !strings.Contains(m, `"seed": `+[]string{"1", "2"}[k]+",") {
					t.Errorf("trial %d: run %d reported success but %s holds %q", trial, k, dir, m)
				}
			case strings.Contains(errs[k], "another p53evo process") || strings.Contains(errs[k], "already holds a dataset"):
			default:
				t.Errorf("trial %d: run %d: exit %d: %s", trial, k, codes[k], errs[k])
			}
		}
		if ok == 0 {
			t.Errorf("trial %d: neither run succeeded: %q", trial, errs)
		}
		if code, _, e := run(t, context.Background(), "analyze", dir); code != 0 {
			t.Errorf("trial %d: analyze: %s", trial, e)
		}
	}
}

// run --force keeps the old dataset when the new run does not complete (it
// used to delete it before simulating anything).
func TestForceKeepsOldDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "3", "-o", dir, "-q", "--set", "detection.size=1e5"); code != 0 {
		t.Fatal(errs)
	}
	old := manifestOf(dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // interrupted at once: the new dataset never completes
	code, _, errs := run(t, ctx, "run", "-s", "rezatapopt-continuous-lesion", "-n", "3", "--seed", "9", "-o", dir, "--force", "-q", "--set", "detection.size=1e5")
	if code != exitFailure || !strings.Contains(errs, "interrupted") {
		t.Errorf("interrupted --force: exit %d, %s", code, errs)
	}
	if manifestOf(dir) != old {
		t.Error("the old dataset was changed by an interrupted --force")
	}
	if code, _, errs := run(t, context.Background(), "analyze", dir); code != 0 {
		t.Errorf("old dataset after an interrupted --force: %s", errs)
	}
	ents, _ := os.ReadDir(filepath.Dir(dir))
	if len(ents) != 1 {
		t.Errorf("left beside the dataset: %v", ents)
	}
	// A completed --force replaces it.
	if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "2", "--seed", "9", "-o", dir, "--force", "-q", "--set", "detection.size=1e5"); code != 0 {
		t.Fatal(errs)
	}
	if m := manifestOf(dir); m == old || !strings.Contains(m, `"seed": 9,`) {
		t.Error("--force did not replace the dataset")
	}
}

// SIGTERM in the middle of a long replicate stops the run at the next
// engine step: exit status 1 and no dataset (it used to finish the
// replicate, then exit 0 with a complete dataset). The time from the
// signal to the exit is logged, not asserted.
func TestSignalMidReplicate(t *testing.T) {
	if args := os.Getenv("P53EVO_RUN_SIGNAL_ARGS"); args != "" {
		os.Exit(realMain(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("signals a child process")
	}
	dir := filepath.Join(t.TempDir(), "out")
	// One replicate of a few seconds: about 2.6 million lineages.
	args := []string{"p53evo", "run", "-s", "rezatapopt-continuous-lesion", "-n", "1", "-w", "1", "-o", dir, "--set", "mutation.rate=1e-7", "--set", "detection.size=3e9", "--set", "stop.lethal=1e13"}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalMidReplicate$")
	cmd.Env = append(os.Environ(), "P53EVO_RUN_SIGNAL_ARGS="+strings.Join(args, "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The lock file appears when the dataset writer starts, just before
	// the replicate does; then let the replicate get going.
	for i := 0; i < 3000; i++ {
		if _, err := os.Stat(filepath.Join(dir, ".p53evo.lock")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	t.Logf("exit %v %s after SIGTERM", err, time.Since(sent).Round(time.Millisecond))
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("SIGTERM mid-replicate: %v, stderr %q; want exit 1, interrupted", err, stderr.String())
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() == "manifest.json" || strings.HasSuffix(e.Name(), ".arrow") {
			t.Errorf("interrupted run left %s", e.Name())
		}
	}
}

// --set values with commas work in every subcommand, and the order of
// --set flags does not matter.
func TestSetInSubcommands(t *testing.T) {
	for _, c := range []struct {
		set  []string
		want string
	}{
		{[]string{"treatment.phases[0].cycle={on: 21, off: 7}"}, "off: 7"},
		{[]string{"treatment.phases[0].until={ctdna: {class: pocket, vaf: 0.005}}"}, "vaf: 0.005"},
		{[]string{"detection.size=1e15", "stop.lethal=1e16"}, "size: 1e15"},
		{[]string{"stop.lethal=1e16", "detection.size=1e15"}, "size: 1e15"},
	} {
		args := []string{"scenarios", "show", "rezatapopt-continuous-lesion"}
		for _, s := range c.set {
			args = append(args, "--set", s)
		}
		code, out, errs := run(t, context.Background(), args...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, %s", c.set, code, errs)
		}
	}
	dir := filepath.Join(t.TempDir(), "o")
	if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "1", "-q", "-o", dir, "--set", "detection.size=1e5", "--set", "treatment.phases[0].cycle={on: 21, off: 7}"); code != 0 {
		t.Errorf("run --set with commas: %s", errs)
	}
}

// A run does not write into a sweep directory and a sweep does not write
// into a run directory, with or without --force (each used to be accepted,
// and analyze then silently read the other kind).
func TestMixedDirectories(t *testing.T) {
	base := t.TempDir()
	spec := filepath.Join(base, "s.yaml")
	os.WriteFile(spec, []byte(cliSweep), 0o644)
	sw := filepath.Join(base, "sweep")
	if code, _, errs := run(t, context.Background(), "sweep", "run", spec, "--out", sw, "-q"); code != 0 {
		t.Fatal(errs)
	}
	for _, force := range []bool{false, true} {
		args := []string{"run", "-s", "rezatapopt-continuous-lesion", "-n", "1", "-q", "-o", sw, "--set", "detection.size=1e5"}
		if force {
			args = append(args, "--force")
		}
		code, _, errs := run(t, context.Background(), args...)
		if code != exitUsage || !strings.Contains(errs, "is a sweep directory") {
			t.Errorf("run (force %v) into a sweep directory: exit %d, %s", force, code, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(sw, "manifest.json")); err == nil {
		t.Error("a run wrote a manifest into the sweep directory")
	}
	rd := filepath.Join(base, "run")
	if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "1", "-q", "-o", rd, "--set", "detection.size=1e5"); code != 0 {
		t.Fatal(errs)
	}
	code, _, errs := run(t, context.Background(), "sweep", "run", spec, "--out", rd)
	if code != exitUsage || !strings.Contains(errs, "holds a run's dataset") {
		t.Errorf("sweep into a run directory: exit %d, %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(rd, "sweep.json")); err == nil {
		t.Error("a sweep wrote sweep.json into a run directory")
	}
}

// Bad values from the environment and empty or absurd flags are usage
// errors (exit 2) naming what is allowed, without Go's strconv wording.
func TestBadValues(t *testing.T) {
	t.Setenv("P53EVO_WORKERS", "abc")
	code, _, errs := run(t, context.Background(), "run", "-n", "1", "-o", filepath.Join(t.TempDir(), "o"))
	if code != exitUsage || !strings.Contains(errs, `P53EVO_WORKERS="abc"`) || strings.Contains(errs, "strconv") {
		t.Errorf("P53EVO_WORKERS=abc: exit %d, %s", code, errs)
	}
	os.Unsetenv("P53EVO_WORKERS")
	code, _, errs = run(t, context.Background(), "run", "-n", "1", "-o", "")
	if code != exitUsage || !strings.Contains(errs, "--out is empty") {
		t.Errorf("--out '': exit %d, %s", code, errs)
	}
	dir := filepath.Join(t.TempDir(), "o")
	if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "2", "-q", "-o", dir, "--set", "detection.size=1e5"); code != 0 {
		t.Fatal(errs)
	}
	for _, from := range []string{"NaN", "1e308", "-Inf"} {
		code, _, errs := run(t, context.Background(), "plot", dir, "--kind", "burden", "--from", from, "--out", filepath.Join(t.TempDir(), "b.png"))
		if code != exitUsage || !strings.Contains(errs, "--from") {
			t.Errorf("plot --from %s: exit %d, %s", from, code, errs)
		}
	}
	// An empty directory is not a dataset (it used to be called an
	// unfinished run).
	empty := t.TempDir()
	for _, c := range [][]string{{"analyze", empty}, {"export", empty}} {
		code, _, errs := run(t, context.Background(), c...)
		if code != exitUsage || !strings.Contains(errs, "not a dataset") || strings.Contains(errs, "did not finish") {
			t.Errorf("%v: exit %d, %s", c, code, errs)
		}
	}
}
