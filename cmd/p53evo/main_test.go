package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/p53evo/p53evo/dataset"
)

// run runs the CLI in-process and returns exit status, stdout and stderr.
func run(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp(&out, &errb)
	code := exitStatus(app.Run(ctx, append([]string{"p53evo"}, args...)), &errb)
	return code, out.String(), errb.String()
}

func TestRunWritesDatasetAndSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errs := run(t, context.Background(), "run", "-n", "6", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"rezatapopt-continuous: 6 replicates", "objective response", "median time to progression", "progressions driven by", "resistance present at treatment start", "dataset: " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"manifest.json", "runs.arrow", "trajectories.arrow", "clones.arrow", "events.arrow"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if errs != "" {
		t.Errorf("stderr not empty when it is not a terminal: %q", errs)
	}
	// a second run refuses to overwrite, --force replaces
	code, _, errs = run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "2", "-o", dir, "--set", "detection.size=1e6")
	if code != exitUsage || !strings.Contains(errs, "--force") && !strings.Contains(errs, "force") {
		t.Errorf("overwrite: exit %d, stderr %q; want exit 2 mentioning --force", code, errs)
	}
	if code, _, errs = run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "2", "-o", dir, "--force", "--set", "detection.size=1e6", "-q"); code != 0 {
		t.Errorf("--force: exit %d: %s", code, errs)
	}
	// export
	code, out, errs = run(t, context.Background(), "export", dir, "--table", "runs")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "replicate,") {
		t.Errorf("export csv: %d lines, header %q", len(lines), lines[0])
	}
}

// Results do not depend on the number of workers, through the whole CLI and
// the Arrow files: the table hashes in the manifest agree.
func TestRunWorkersGiveIdenticalTables(t *testing.T) {
	var hashes []string
	for _, w := range []string{"1", "2"} {
		dir := filepath.Join(t.TempDir(), "o")
		if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "4", "-w", w, "-o", dir, "-q", "--set", "detection.size=1e6"); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
		s := string(b)
		i := strings.Index(s, `"files"`)
		if i < 0 {
			t.Fatal("manifest has no files list")
		}
		hashes = append(hashes, s[i:])
	}
	if hashes[0] != hashes[1] {
		t.Error("table hashes differ between 1 and 2 workers")
	}
}

func TestInterruptedRunLeavesNoDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	code, _, errs := run(t, ctx, "run", "-n", "100000", "-o", dir)
	if code != exitFailure || !strings.Contains(errs, "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left %s behind", e.Name())
	}
}

func TestUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("growth:\n  birth: 0.14\n  bosst: 2\n"), 0o644)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--nosuchflag"}, []string{"unknown flag --nosuchflag for run", "--help"}},
		{[]string{"run", "--forse"}, []string{"unknown flag --forse for run (did you mean --force?)"}},
		{[]string{"run", "-n", "many"}, []string{`--replicates "many" for run: want a whole number`}},
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate" (commands: run, scenarios`}},
		{[]string{"analyse", "x"}, []string{`unknown command "analyse" (did you mean analyze?)`}},
		{[]string{"sweep", "rn"}, []string{`unknown command "rn" for sweep (did you mean run?)`}},
		{[]string{"help", "anlyze"}, []string{`unknown command "anlyze" (did you mean analyze?)`}},
		{[]string{"run", "--format", "parket"}, []string{`--format: dataset: unknown table format "parket": allowed arrow, parquet (did you mean parquet?)`}},
		{[]string{"run", "--compression", "gzip"}, []string{`--compression: dataset: unknown compression "gzip": allowed zstd, lz4, none`}},
		{[]string{"export", ".", "--to", "xlsx"}, []string{`--to "xlsx": allowed csv, json, parquet, arrow`}},
		{[]string{"run", "-s", "no-such-scenario"}, []string{"no-such-scenario", "rezatapopt-continuous"}},
		{[]string{"run", "-s", bad}, []string{"bad.yaml:3:3", "bosst"}},
		{[]string{"run", "--set", "growth.birth=-1"}, []string{"growth.birth"}},
		{[]string{"run", "--set", "growth.nosuch=1"}, []string{"growth.nosuch"}},
		{[]string{"run", "--set", "nonsense"}, []string{"PATH=VALUE"}},
		{[]string{"run", "extra-arg"}, []string{"no arguments"}},
		{[]string{"export"}, []string{"DIR"}},
		{[]string{"export", ".", "--table", "nope"}, []string{"--table", "runs"}},
		{[]string{"scenarios", "validate", bad}, []string{"bosst"}},
		{[]string{"validate", "--quick", "--only", "nope"}, []string{"nope"}},
	}
	for _, c := range cases {
		code, out, errs := run(t, context.Background(), c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, exitUsage, errs)
		}
		if out != "" {
			t.Errorf("%v: stdout %q, want nothing", c.args, out)
		}
		// One line, except scenario file errors, which quote the file.
		if n := strings.Count(errs, "\n"); n != 1 && !strings.Contains(errs, "bad.yaml:") {
			t.Errorf("%v: %d lines on stderr, want 1:\n%s", c.args, n, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", c.args, w, errs)
			}
		}
		for i, a := range c.args[:len(c.args)-1] {
			if kv := c.args[i+1]; a == "--set" && strings.Count(errs, "--set "+kv) > 1 {
				t.Errorf("%v: --set %s is named more than once:\n%s", c.args, kv, errs)
			}
		}
	}
}

func TestExportIncompleteDataset(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".runs.arrow.tmp"), nil, 0o644) // a killed run's leftover
	code, _, errs := run(t, context.Background(), "export", dir)
	if code != exitFailure || !strings.Contains(errs, "incomplete") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestScenariosShowLoadsBack(t *testing.T) {
	code, out, _ := run(t, context.Background(), "scenarios", "list")
	if code != 0 || !strings.Contains(out, "rezatapopt-continuous") || !strings.Contains(out, "untreated") {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, errs := run(t, context.Background(), "scenarios", "show", "rezatapopt-continuous", "--set", "growth.death=0.125")
	if code != 0 || !strings.Contains(out, "death: 0.125") {
		t.Fatalf("show: %d %s %s", code, out, errs)
	}
	f := filepath.Join(t.TempDir(), "mine.yaml")
	os.WriteFile(f, []byte(out), 0o644)
	code, out2, errs := run(t, context.Background(), "scenarios", "validate", f)
	if code != 0 || !strings.Contains(out2, "ok") {
		t.Fatalf("validate shown scenario: %d %s", code, errs)
	}
	code, out3, _ := run(t, context.Background(), "scenarios", "show", f)
	if code != 0 || out3 != out {
		t.Errorf("show of the shown file differs")
	}
}

func TestValidateQuick(t *testing.T) {
	code, out, errs := run(t, context.Background(), "validate", "--quick", "--only", "kendall")
	if code != 0 || !strings.Contains(out, "P(N=0)") || !strings.Contains(out, "passed, 0 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, context.Background(), "version")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("dataset schema %d", dataset.SchemaVersion)) || !strings.Contains(out, "go1.") {
		t.Fatalf("%d %q", code, out)
	}
}

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	read := func() (*debug.BuildInfo, bool) { return bi, true }
	if v, c := fromBuildInfo("dev", "unknown", read); v != "v0.3.0" || c != "0123456789ab-dirty" {
		t.Errorf("unstamped: %q %q", v, c)
	}
	if v, c := fromBuildInfo("v1.0.0", "abc", read); v != "v1.0.0" || c != "abc" {
		t.Errorf("stamped by the Makefile: %q %q", v, c)
	}
	bi.Main.Version, bi.Settings = "(devel)", nil
	if v, c := fromBuildInfo("dev", "unknown", read); v != "dev" || c != "unknown" {
		t.Errorf("checkout without VCS information: %q %q", v, c)
	}
	if v, c := fromBuildInfo("dev", "unknown", func() (*debug.BuildInfo, bool) { return nil, false }); v != "dev" || c != "unknown" {
		t.Errorf("no build information: %q %q", v, c)
	}
}

func TestValidateListAndJSON(t *testing.T) {
	code, out, _ := run(t, context.Background(), "validate", "--list")
	if code != 0 || !strings.Contains(out, "hitting-time") || !strings.Contains(out, "merged") {
		t.Fatalf("--list: exit %d\n%s", code, out)
	}
	code, out, errs := run(t, context.Background(), "validate", "--quick", "--only", "eventual-extinction", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < 2 {
		t.Fatalf("--json: exit %d\n%s\n%s", code, out, errs)
	}
	var row struct {
		Check  string   `json:"check"`
		Theory *float64 `json:"theory"`
		N      int      `json:"n"`
		Pass   bool     `json:"pass"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil || !strings.HasPrefix(row.Check, "eventual-extinction") || row.Theory == nil || row.N == 0 || !row.Pass {
		t.Errorf("row %s (%v)", lines[0], err)
	}
	if last := lines[len(lines)-1]; last != fmt.Sprintf(`{"failed":0,"passed":%d}`, len(lines)-1) {
		t.Errorf("summary %s", last)
	}
	code, _, errs = run(t, context.Background(), "validate", "--only", "hiting-time")
	if code != exitUsage || !strings.Contains(errs, "did you mean hitting-time?") {
		t.Errorf("--only typo: exit %d, %s", code, errs)
	}
}

func TestHelpCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "run"}, {"sweep", "help", "merge"}, {}} {
		code, out, errs := run(t, context.Background(), args...)
		if code != 0 || !strings.Contains(out, "NAME:") || errs != "" {
			t.Errorf("%v: exit %d, stdout %.40q, stderr %q", args, code, out, errs)
		}
	}
}

// /dev/null is a character device but not a terminal: no progress bar or
// terminal-only output goes there.
func TestDevNullIsNotATerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("isTerminal(/dev/null) = true")
	}
}
