package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// analyze on virtual trial patients adds the trial report; --paired
// compares two arms of the same patients and refuses arms of different
// patients or without patients.
func TestAnalyzeTrialAndPaired(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two small trials")
	}
	tmp := t.TempDir()
	a, b, c := filepath.Join(tmp, "a"), filepath.Join(tmp, "b"), filepath.Join(tmp, "c")
	for _, x := range []struct{ dir, scenario, seed string }{
		{a, "trial-rezatapopt-2000", "5"}, {b, "trial-rezatapopt-1150", "5"}, {c, "trial-rezatapopt-1150", "6"},
	} {
		if code, _, errs := run(t, context.Background(), "run", "-s", x.scenario, "-n", "8", "--seed", x.seed, "-o", x.dir, "-q"); code != 0 {
			t.Fatalf("run %s: exit %d: %s", x.scenario, code, errs)
		}
	}
	code, out, errs := run(t, context.Background(), "analyze", "--paired", a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"virtual trial", "best response CR/PR/SD/PD/NE", "ORR (CR+PR)", "PFS median", "paired comparison", "8 patients in both arms", "exact McNemar"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = run(t, context.Background(), "analyze", "--json", "--paired", a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Trial struct {
			Arms []struct {
				Patients     int            `json:"patients"`
				BestResponse map[string]int `json:"best_response"`
			} `json:"arms"`
		} `json:"trial"`
		Paired struct {
			Pairs int `json:"pairs"`
			PFS   struct {
				BLonger, ALonger, Undecided int
			} `json:"pfs"`
			Response struct {
				Both    int `json:"both"`
				OnlyA   int `json:"only_a"`
				OnlyB   int `json:"only_b"`
				Neither int `json:"neither"`
			} `json:"response"`
		} `json:"paired"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Trial.Arms) != 2 || rep.Paired.Pairs != 8 {
		t.Fatalf("trial %+v paired %+v", rep.Trial, rep.Paired)
	}
	for _, arm := range rep.Trial.Arms {
		n := 0
		for _, k := range arm.BestResponse {
			n += k
		}
		if n != arm.Patients || n != 8 {
			t.Errorf("best responses add up to %d of %d patients", n, arm.Patients)
		}
	}
	r := rep.Paired.Response
	if r.Both+r.OnlyA+r.OnlyB+r.Neither != 8 {
		t.Errorf("response pairs %+v do not add up to 8", r)
	}
	for _, kind := range []string{"waterfall", "spider"} {
		png := filepath.Join(tmp, kind+".png")
		if code, _, errs := run(t, context.Background(), "plot", a, "--kind", kind, "--out", png); code != 0 {
			t.Errorf("plot %s: exit %d: %s", kind, code, errs)
		} else if fi, err := os.Stat(png); err != nil || fi.Size() < 10000 {
			t.Errorf("plot %s: %v, %v", kind, fi, err)
		}
	}
	single := filepath.Join(tmp, "single")
	if code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lesion", "-n", "2", "-o", single, "-q", "--set", "detection.size=1e7"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	for _, bad := range [][]string{{"analyze", "--paired", a, c}, {"analyze", "--paired", a}, {"analyze", "--paired", a, single},
		{"plot", single, "--kind", "waterfall", "--out", filepath.Join(tmp, "w.png")}} {
		if code, _, errs := run(t, context.Background(), bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage): %s", bad, code, errs)
		}
	}
}

// The concordance analyze computes (biopsies at baseline and progression) from the ctdna and biopsies tables
// agrees with the distinct SNVs the simulator counted into the patients
// table (40 patients, so that tissue calls, about 0.15 per patient, are
// expected about six times): SNVs called in plasma (both + plasma only) add up to the
// plasma_snvs_* columns, in tissue to tissue_snvs_*, class by class.
func TestAnalyzeSNVCallsMatchPatientsTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a small trial")
	}
	dir := filepath.Join(t.TempDir(), "c")
	if code, _, errs := run(t, context.Background(), "run", "-n", "40", "--seed", "3", "-o", dir, "-q", "--set", "patient.biopsy={}"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	code, out, errs := run(t, context.Background(), "analyze", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	type count struct {
		Mean       float64 `json:"mean"`
		AtLeastOne int     `json:"at_least_one"`
	}
	var rep struct {
		Trial struct {
			Arms []struct {
				Patients   int
				PlasmaSNVs map[string]count           `json:"plasma_snvs"`
				TissueSNVs map[string]count           `json:"tissue_snvs"`
				Conc       map[string]json.RawMessage `json:"concordance"`
			} `json:"arms"`
		} `json:"trial"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	arm := rep.Trial.Arms[0]
	plasmaCalls, tissueCalls := 0, 0
	for _, class := range []string{"ta_loss", "pocket", "any"} {
		var a struct {
			Both       int `json:"both"`
			PlasmaOnly int `json:"plasma_only"`
			TissueOnly int `json:"tissue_only"`
		}
		if err := json.Unmarshal(arm.Conc[class], &a); err != nil {
			t.Fatalf("concordance %s: %v in %s", class, err, out)
		}
		plasma := arm.PlasmaSNVs[class].Mean * float64(arm.Patients)
		tissue := arm.TissueSNVs[class].Mean * float64(arm.Patients)
		if math.Abs(plasma-float64(a.Both+a.PlasmaOnly)) > 1e-9 || math.Abs(tissue-float64(a.Both+a.TissueOnly)) > 1e-9 {
			t.Errorf("%s: patients table counts %v in plasma and %v in tissue; the ctdna and biopsies tables %+v", class, plasma, tissue, a)
		}
		if class == "ta_loss" {
			plasmaCalls, tissueCalls = a.Both+a.PlasmaOnly, a.Both+a.TissueOnly
		}
	}
	if plasmaCalls == 0 || tissueCalls == 0 {
		t.Errorf("ta-loss SNVs called in plasma %d, in tissue %d: the comparison tests too little\n%s", plasmaCalls, tissueCalls, out)
	}
	png := filepath.Join(t.TempDir(), "pt.png")
	if code, _, errs := run(t, context.Background(), "plot", dir, "--kind", "plasma-tissue", "--out", png); code != 0 {
		t.Errorf("plot plasma-tissue: exit %d: %s", code, errs)
	} else if fi, err := os.Stat(png); err != nil || fi.Size() < 10000 {
		t.Errorf("plot plasma-tissue: %v, %v", fi, err)
	}
	if code, _, errs := run(t, context.Background(), "plot", dir, "--kind", "plasma-tissue", "--replicate", "99", "--out", png); code != 2 || !strings.Contains(errs, "99") {
		t.Errorf("plot plasma-tissue of a patient not in the dataset: exit %d: %s", code, errs)
	}
}
