package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/calibrate"
)

// TestCalibrateCommand: --print-targets prints the shipped file; a targets
// file is read, only the arms it needs run, the table names every target
// with its band, value and verdict, and a missed target is exit status 1;
// --json is one object; bad input is exit 2 naming the problem.
func TestCalibrateCommand(t *testing.T) {
	ctx := context.Background()
	code, out, errs := run(t, ctx, "calibrate", "--print-targets")
	if code != 0 || out != string(calibrate.DefaultTargetsJSON()) {
		t.Fatalf("--print-targets: exit %d, stderr %q, output differs from the embedded file", code, errs)
	}
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// 10 patients at 600 mg: nobody responds, so a band above 0.5 is missed
	tg := file("t.json", `{"targets": [
		{"name": "orr_600", "max": 0.1, "source": "phase 1"},
		{"name": "orr_600", "min": 0.5, "source": "impossible"}]}`)
	if code, _, errs := run(t, ctx, "calibrate", "--targets", tg, "-n", "10"); code != exitUsage || !strings.Contains(errs, "given twice") {
		t.Errorf("duplicate target: exit %d, stderr %q", code, errs)
	}
	tg = file("t.json", `{"targets": [
		{"name": "orr_600", "max": 0.1, "source": "phase 1"},
		{"name": "lesions_median", "min": 100, "source": "impossible"}]}`)
	code, out, errs = run(t, ctx, "calibrate", "--targets", tg, "-n", "10", "-w", "2")
	if code != exitFailure || !strings.Contains(errs, "1 of 2 calibration targets missed") {
		t.Errorf("missed target: exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"10 patients per arm (trial-rezatapopt-600, trial-rezatapopt-2000)", "orr_600", "<= 0.1", "0.000", "ok", "lesions_median", ">= 100", "FAIL", "1 of 2 targets met"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	ok := file("ok.json", `{"targets": [{"name": "orr_600", "max": 0.1, "source": "phase 1"}]}`)
	code, out, errs = run(t, ctx, "calibrate", "--targets", ok, "-n", "5", "--json")
	var rep struct {
		Arms    []string `json:"arms"`
		Targets []struct {
			Name  string   `json:"name"`
			Value *float64 `json:"value"`
			Pass  bool     `json:"pass"`
		} `json:"targets"`
		Passed, Failed int
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Arms) != 1 || len(rep.Targets) != 1 || !rep.Targets[0].Pass || rep.Passed != 1 {
		t.Errorf("--json: exit %d, stderr %q, output %s", code, errs, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"calibrate", "--targets", filepath.Join(dir, "missing.json")}, "--targets"},
		{[]string{"calibrate", "--targets", file("bad.json", `{"targets": [{"name": "orr", "max": 1, "source": "x"}]}`)}, `unknown measure "orr"`},
		{[]string{"calibrate", "-n", "0"}, "--patients 0"},
		{[]string{"calibrate", "--set", "patient.kill=3"}, "patient.kill"},
		{[]string{"calibrate", "extra"}, "no arguments"},
	} {
		code, _, errs := run(t, ctx, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", c.args, code, errs, c.want)
		}
	}
}
