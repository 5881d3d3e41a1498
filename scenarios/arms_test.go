package scenarios

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// therapyArms are the library's therapy arms: all run on the virtual
// trial patients of the default scenario.
var therapyArms = []string{"adaptive", "combo-nextgen", "combo-offaxis", "earlier-line", "holiday-rechallenge",
	"rezatapopt-high-pulse", "rezatapopt-intermittent", "rezatapopt-reduced-dose",
	"switch-nextgen-at-ctdna", "switch-nextgen-at-progression", "untreated"}

// TestDefaultIsTrialCohort: the default scenario is trial-rezatapopt-2000
// but its name and description, field for field once every default is
// explicit.
func TestDefaultIsTrialCohort(t *testing.T) {
	a, err := Fill(open(t, DefaultName))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fill(open(t, "trial-rezatapopt-2000"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name == b.Name || a.Patient == nil {
		t.Fatalf("names %q and %q; patient section %v", a.Name, b.Name, a.Patient)
	}
	a.Name, a.Description = b.Name, b.Description
	ya, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	yb, err := Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(ya) != string(yb) {
		t.Errorf("%s differs from trial-rezatapopt-2000:\n%s\n---\n%s", DefaultName, ya, yb)
	}
}

// TestArmsShareThePatients: every therapy arm runs on the default's
// virtual patients (same seed, same patient section, the same rezatapopt,
// merged clones, scans every 56 days), except what the arm is about:
// earlier-line's burden is a tenth (median and truncation limits),
// adaptive scans every 28 days and measures progression from baseline.
// Every library scenario is classified: a therapy arm, a trial arm, the
// single-lesion reference, or a single-lesion theory, lattice or deme check.
func TestArmsShareThePatients(t *testing.T) {
	ref, err := Resolve(open(t, DefaultName))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range Names() {
		switch {
		case slices.Contains(therapyArms, n), strings.HasPrefix(n, "trial-"), n == DefaultName:
		case strings.HasPrefix(n, "theory-"), strings.HasSuffix(n, "-lattice"), strings.HasSuffix(n, "-demes"), n == "rezatapopt-continuous-lesion":
			if cfg, err := Resolve(open(t, n)); err != nil || cfg.Patient != nil {
				t.Errorf("%s: should stay a single lesion (%v)", n, err)
			}
		default:
			t.Errorf("%s: not classified; a therapy arm belongs in therapyArms", n)
		}
	}
	for _, n := range therapyArms {
		cfg, err := Resolve(open(t, n))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Patient == nil {
			t.Errorf("%s: no virtual patients", n)
			continue
		}
		p := *cfg.Patient
		if n == "earlier-line" {
			b, rb := p.Burden, ref.Patient.Burden
			if b.Median != rb.Median/10 || b.Min != rb.Min/10 || b.Max != rb.Max/10 || b.Sigma != rb.Sigma {
				t.Errorf("earlier-line burden %+v, want a tenth of %+v", b, rb)
			}
			p.Burden = rb
		}
		if !reflect.DeepEqual(p, *ref.Patient) {
			t.Errorf("%s: patient section %+v, want the default's %+v", n, p, *ref.Patient)
		}
		wantScan := 56.0
		if n == "adaptive" {
			wantScan = 28
		}
		if cfg.Seed != ref.Seed || cfg.Model.Drugs[0] != ref.Model.Drugs[0] || cfg.Engine != ref.Engine || cfg.Scan != wantScan ||
			cfg.ProgressionFromBaseline != (n == "adaptive") || !reflect.DeepEqual(cfg.Model.Catalog, ref.Model.Catalog) {
			t.Errorf("%s: seed %d, rezatapopt %+v, engine %+v, scans every %g days, progression from baseline %v",
				n, cfg.Seed, cfg.Model.Drugs[0], cfg.Engine, cfg.Scan, cfg.ProgressionFromBaseline)
		}
	}
}

// TestAdaptiveProgressionFromBaseline: in virtual patients, adaptive
// therapy's progression is measured from the baseline sum of target
// diameters (observe.progression: baseline); with RECIST's nadir rule the
// planned pauses would be called progression while the tumour is still
// smaller than at baseline. 30 patients each way.
func TestAdaptiveProgressionFromBaseline(t *testing.T) {
	run := func(progression string) (below, progressed int) {
		s := open(t, "adaptive")
		if err := Set(s, "observe.progression", progression); err != nil {
			t.Fatal(err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		err = sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 30}, sim.SinkFunc(func(r *sim.Result) error {
			if math.IsNaN(r.TTP) {
				return nil
			}
			progressed++
			for _, sc := range r.Patient.Scans {
				// (a progression at the lethal burden, driven by
				// non-target lesions, is not a RECIST call)
				if sc.Time == r.TTP && sc.Response == sim.PD && sc.SumMM < 1.2*r.Patient.BaselineSum {
					below++
				}
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		return below, progressed
	}
	if below, n := run("baseline"); below != 0 || n == 0 {
		t.Errorf("progression from baseline: %d of %d progressions below 1.2 x the baseline sum", below, n)
	}
	if below, n := run("nadir"); below == 0 {
		t.Errorf("progression from the nadir: none of %d progressions below 1.2 x the baseline sum; the check cannot tell the rules apart", n)
	}
}
