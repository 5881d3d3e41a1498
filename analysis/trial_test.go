package analysis

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// Exact intervals against R: binom.test(k, n)$conf.int.
func TestClopperPearson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{19, 44, 0.2835, 0.5897},
		{5, 20, 0.0866, 0.4910},
		{0, 10, 0, 0.3085},
		{10, 10, 0.6915, 1},
		{1, 2, 0.0126, 0.9874},
	} {
		lo, hi, err := ClopperPearson(c.k, c.n, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("%d/%d: %.5f-%.5f, R gives %.4f-%.4f", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
	for _, bad := range [][2]int{{-1, 5}, {6, 5}, {0, 0}} {
		if _, _, err := ClopperPearson(bad[0], bad[1], 0.95); err == nil {
			t.Errorf("%d/%d accepted", bad[0], bad[1])
		}
	}
}

// Sign test and exact McNemar, worked by hand from binomial(n, 1/2).
func TestSignTestP(t *testing.T) {
	for _, c := range []struct {
		plus, minus int
		p           float64
	}{
		{8, 2, 2 * 56.0 / 1024}, // P(X<=2) = (1+10+45)/2^10
		{2, 8, 2 * 56.0 / 1024},
		{0, 5, 2.0 / 32},
		{1, 9, 2 * 11.0 / 1024},
		{3, 3, 1},
		{0, 0, 1},
		{0, 1, 1},
	} {
		if got := SignTestP(c.plus, c.minus); math.Abs(got-c.p) > 1e-12 {
			t.Errorf("SignTestP(%d, %d) = %v, want %v", c.plus, c.minus, got, c.p)
		}
	}
}

func TestGehan(t *testing.T) {
	for _, c := range []struct {
		ta     float64
		ea     bool
		tb     float64
		eb     bool
		want   int
		reason string
	}{
		{5, true, 10, true, 1, "a progressed first"},
		{10, true, 5, true, -1, "b progressed first"},
		{5, false, 10, true, 0, "a censored before b's event: unknown"},
		{10, true, 5, false, 0, "b censored before a's event: unknown"},
		{10, false, 5, true, -1, "b progressed before a was censored"},
		{5, true, 5, false, 1, "a progressed when b was censored"},
		{5, true, 5, true, 0, "tie"},
		{5, false, 9, false, 0, "both censored"},
	} {
		if got := Gehan(c.ta, c.ea, c.tb, c.eb); got != c.want {
			t.Errorf("%s: Gehan = %d, want %d", c.reason, got, c.want)
		}
	}
}

func pat(rep int, bor string, resp, prog, end float64) dataset.PatientRow {
	return dataset.PatientRow{Replicate: rep, Lesions: 3, DrawnBurden: float64(rep+1) * 1e9, GrowthFactor: 1, BaselineSumMM: 50,
		BestResponse: bor, ResponseTime: resp, ProgressionTime: prog, EndTime: end, FirstCTDNACall: math.NaN(), CTDNALead: math.NaN()}
}

// The trial report of a hand-made arm: counts, rates, the PFS and DoR
// samples (a cured patient censored at the arm's last end), and leads.
func TestTrialArm(t *testing.T) {
	ps := []dataset.PatientRow{
		pat(0, "PR", 56, 224, 300),
		pat(1, "CR", 56, nan, 200), // cured at 200
		pat(2, "SD", nan, 168, 250),
		pat(3, "PD", nan, 56, 100),
		pat(4, "NE", nan, nan, 20),
	}
	ps[0].FirstCTDNACall, ps[0].CTDNALead = 140, 84
	ps[2].FirstCTDNACall, ps[2].CTDNALead = 196, -28
	runs := []dataset.RunRow{{Replicate: 1, Outcome: "cured"}}
	s := PFSSample(ps, curedSet(runs))
	wantT := []float64{224, 300, 168, 56, 20}
	wantE := []bool{true, false, true, true, false}
	for i := range wantT {
		if s.Time[i] != wantT[i] || s.Event[i] != wantE[i] {
			t.Errorf("PFS patient %d: %v %v, want %v %v", i, s.Time[i], s.Event[i], wantT[i], wantE[i])
		}
	}
	d := DoRSample(ps, curedSet(runs))
	if len(d.Time) != 2 || d.Time[0] != 168 || !d.Event[0] || d.Time[1] != 244 || d.Event[1] {
		t.Errorf("DoR sample %v %v, want [168 244] [true false]", d.Time, d.Event)
	}
	a := ArmData{Name: "x", Patients: ps, Runs: runs}
	r := trialArm(&a)
	if r.BestResponse["CR"] != 1 || r.BestResponse["PR"] != 1 || r.BestResponse["SD"] != 1 || r.BestResponse["PD"] != 1 || r.BestResponse["NE"] != 1 {
		t.Errorf("best response %v", r.BestResponse)
	}
	if r.ORR.K != 2 || r.ORR.N != 5 || r.DCR.K != 3 || math.Abs(float64(r.ORR.Rate)-0.4) > 1e-12 {
		t.Errorf("ORR %+v DCR %+v", r.ORR, r.DCR)
	}
	lo, hi, _ := ClopperPearson(2, 5, 0.95)
	if float64(r.ORR.Lower) != lo || float64(r.ORR.Upper) != hi {
		t.Errorf("ORR interval %v-%v, want %v-%v", r.ORR.Lower, r.ORR.Upper, lo, hi)
	}
	// PFS: events at 56, 168, 224 among 5 (censored at 20 and 300):
	// S = 1 (t<56), 3/4 after 56, 3/4*2/3 = 1/2 from 168 to the next event
	// at 224: exactly 1/2 on an interval, so the median is its midpoint,
	// 196, as R's survfit gives it
	if r.PFS.Events != 3 || r.PFS.N != 5 || float64(r.PFS.MedianDays) != 196 {
		t.Errorf("PFS %+v, want median 196 with 3 of 5 events", r.PFS)
	}
	if r.CTDNACalls != 2 || r.CTDNALead.N != 2 || r.LeadPositive != 1 || float64(r.CTDNALead.Median) != 28 {
		t.Errorf("ctDNA calls %d, lead %+v, positive %d", r.CTDNACalls, r.CTDNALead, r.LeadPositive)
	}
	if r.TimeToResponse.N != 2 || float64(r.TimeToResponse.Median) != 56 {
		t.Errorf("time to response %+v", r.TimeToResponse)
	}
}

// The paired comparison of two hand-made arms on the same patients.
func TestPaired(t *testing.T) {
	a := ArmData{Name: "A", Seed: 1, Patients: []dataset.PatientRow{
		pat(0, "PR", 56, 112, 200),  // B longer (B progresses at 224)
		pat(1, "SD", nan, 168, 200), // A longer (B progresses at 56)
		pat(2, "PD", nan, 56, 300),  // B censored at 28 before: undecided
		pat(3, "PR", 56, nan, 400),  // both censored: undecided
		pat(4, "SD", nan, 84, 400),  // B longer (censored at 400 after A's 84)
	}}
	b := ArmData{Name: "B", Seed: 1, Patients: []dataset.PatientRow{
		pat(0, "CR", 56, 224, 300),
		pat(1, "PD", nan, 56, 200),
		pat(2, "SD", nan, nan, 28),
		pat(3, "SD", nan, nan, 400),
		pat(4, "PR", 112, nan, 400),
	}}
	r, err := Paired(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pairs != 5 || r.PFS.BLonger != 2 || r.PFS.ALonger != 1 || r.PFS.Undecided != 2 {
		t.Errorf("PFS pairs %+v", r.PFS)
	}
	if float64(r.PFS.P) != 1 { // 2*P(X<=1 | n=3) = 2*4/8 > 1
		t.Errorf("PFS p %v, want 1", r.PFS.P)
	}
	// responders: A {0,3}, B {0,4}: both 1, only A 1, only B 1, neither 2
	if r.Response.Both != 1 || r.Response.OnlyA != 1 || r.Response.OnlyB != 1 || r.Response.Neither != 2 || float64(r.Response.P) != 1 {
		t.Errorf("response %+v", r.Response)
	}
	var sb strings.Builder
	if err := r.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "B longer 2, A longer 1, undecided 2") {
		t.Errorf("text %q (%v)", sb.String(), err)
	}

	// not the same patients
	c := b
	c.Seed = 2
	if _, err := Paired(a, c); !errors.Is(err, ErrNotPaired) {
		t.Errorf("different seeds: %v", err)
	}
	c = b
	c.Patients = append([]dataset.PatientRow(nil), b.Patients...)
	c.Patients[3].DrawnBurden = 7
	if _, err := Paired(a, c); !errors.Is(err, ErrNotPaired) {
		t.Errorf("different patient 3: %v", err)
	}
}
