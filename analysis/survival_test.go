package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Reference values come from R (testdata/survival_ref.R, which also writes
// the data sets). R is not needed to run these tests.

var refDatasets = []string{"ties", "aml", "lung_sex", "lung_ecog", "allcens", "nocens", "sim2", "sim3"}

// readArms reads testdata/surv_<name>.csv (time,status,group with groups
// 1..k) into k samples.
func readArms(t *testing.T, name string) []Sample {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "surv_"+name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(header) != "[time status group]" {
		t.Fatalf("%s: unexpected header %v", name, header)
	}
	var arms []Sample
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tm, err1 := strconv.ParseFloat(rec[0], 64)
		st, err2 := strconv.Atoi(rec[1])
		g, err3 := strconv.Atoi(rec[2])
		if err := errors.Join(err1, err2, err3); err != nil || g < 1 {
			t.Fatalf("%s: bad record %v: %v", name, rec, err)
		}
		for len(arms) < g {
			arms = append(arms, Sample{})
		}
		arms[g-1].Time = append(arms[g-1].Time, tm)
		arms[g-1].Event = append(arms[g-1].Event, st == 1)
	}
	return arms
}

type refKey struct {
	dataset string
	arm     int
	item    string
}

var refCache map[refKey][]float64

// readRef loads testdata/survival_ref.csv; R's NA becomes NaN.
func readRef(t *testing.T) map[refKey][]float64 {
	t.Helper()
	if refCache != nil {
		return refCache
	}
	f, err := os.Open(filepath.Join("testdata", "survival_ref.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[refKey][]float64)
	for _, rec := range recs[1:] {
		arm, err1 := strconv.Atoi(rec[1])
		i, err2 := strconv.Atoi(rec[3])
		v := math.NaN()
		var err3 error
		if rec[4] != "NA" {
			v, err3 = strconv.ParseFloat(rec[4], 64)
		}
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("bad reference row %v: %v", rec, err)
		}
		k := refKey{rec[0], arm, rec[2]}
		if len(out[k]) != i-1 {
			t.Fatalf("reference row %v out of order", rec)
		}
		out[k] = append(out[k], v)
	}
	refCache = out
	return out
}

func ref(t *testing.T, dataset string, arm int, item string) []float64 {
	t.Helper()
	v, ok := readRef(t)[refKey{dataset, arm, item}]
	if !ok {
		t.Fatalf("no reference %s/%d/%s", dataset, arm, item)
	}
	return v
}

// Agreement with R: relative error 1e-6, or absolute 1e-12 for values near 0.
// NaN (R's NA/NaN) must match NaN, infinities must match exactly.
const relTol = 1e-6

// worst tracks the largest relative discrepancy seen against R, for the log.
var worst struct {
	rel  float64
	what string
}

func closeTo(got, want float64) (bool, float64) {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got), 0
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want, 0
	}
	diff := math.Abs(got - want)
	if math.Abs(want) < 1e-10 {
		return diff <= 1e-12, diff
	}
	rel := diff / math.Abs(want)
	return rel <= relTol, rel
}

func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	ok, rel := closeTo(got, want)
	if rel > worst.rel {
		worst.rel, worst.what = rel, what
	}
	if !ok {
		t.Errorf("%s: got %.17g, R %.17g", what, got, want)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if worst.what != "" && testing.Verbose() {
		fmt.Printf("largest relative discrepancy against R: %.3g (%s)\n", worst.rel, worst.what)
	}
	os.Exit(code)
}

func TestKaplanMeierAgainstR(t *testing.T) {
	for _, name := range refDatasets {
		arms := readArms(t, name)
		for g, s := range arms {
			for _, ct := range []ConfType{ConfLog, ConfLogLog} {
				km, err := KaplanMeier(s, WithConfType(ct))
				if err != nil {
					t.Fatal(err)
				}
				pre := fmt.Sprintf("%s arm %d %v", name, g+1, ct)
				item := func(x string) []float64 { return ref(t, name, g+1, "km."+x) }
				times := item("time")
				if len(km.Steps) != len(times) {
					t.Fatalf("%s: %d steps, R has %d", pre, len(km.Steps), len(times))
				}
				nrisk, nevent, ncens := item("n.risk"), item("n.event"), item("n.censor")
				surv, se, lo, hi := item("surv"), item("std.err"), item(ct.String()+".lower"), item(ct.String()+".upper")
				events := 0
				for i, st := range km.Steps {
					w := fmt.Sprintf("%s step %d (t=%v)", pre, i, st.Time)
					if st.Time != times[i] || float64(st.AtRisk) != nrisk[i] ||
						float64(st.Events) != nevent[i] || float64(st.Censored) != ncens[i] {
						t.Errorf("%s: got (t %v, n %d, d %d, c %d), R (%v, %v, %v, %v)", w,
							st.Time, st.AtRisk, st.Events, st.Censored, times[i], nrisk[i], nevent[i], ncens[i])
					}
					events += st.Events
					checkClose(t, w+" surv", st.Surv, surv[i])
					checkClose(t, w+" log std.err", st.LogStdErr, se[i])
					// R's summary.survfit std.err is surv * std.err.
					checkClose(t, w+" std.err of S", st.StdErr, surv[i]*se[i])
					wantLo, wantHi := lo[i], hi[i]
					if surv[i] == 1 && ct == ConfLogLog {
						// R gives NA; we report the degenerate interval [1, 1].
						wantLo, wantHi = 1, 1
					}
					checkClose(t, w+" lower", st.Lower, wantLo)
					checkClose(t, w+" upper", st.Upper, wantHi)
				}
				if km.N != len(s.Time) || km.Events != events {
					t.Errorf("%s: N %d Events %d", pre, km.N, km.Events)
				}
				med := ref(t, name, g+1, "median."+ct.String())
				m, l, u, ok := km.Median()
				if ok == math.IsNaN(med[0]) {
					t.Errorf("%s: median ok = %v, R median %v", pre, ok, med[0])
				}
				checkClose(t, pre+" median", m, med[0])
				checkClose(t, pre+" median lower", l, med[1])
				checkClose(t, pre+" median upper", u, med[2])
			}
		}
	}
}

func TestRMSTAgainstR(t *testing.T) {
	for _, name := range refDatasets {
		for g, s := range readArms(t, name) {
			km, err := KaplanMeier(s)
			if err != nil {
				t.Fatal(err)
			}
			taus := ref(t, name, g+1, "rmean.tau")
			means := ref(t, name, g+1, "rmean.mean")
			ses := ref(t, name, g+1, "rmean.se")
			for i, tau := range taus {
				m, se := km.RMST(tau)
				w := fmt.Sprintf("%s arm %d tau %v", name, g+1, tau)
				checkClose(t, w+" rmean", m, means[i])
				checkClose(t, w+" se(rmean)", se, ses[i])
			}
		}
	}
}

func TestLogRankAgainstR(t *testing.T) {
	for _, name := range refDatasets {
		arms := readArms(t, name)
		lr, err := LogRankTest(arms)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		k := len(arms)
		checkClose(t, name+" chisq", lr.Chi2, ref(t, name, 0, "logrank.chisq")[0])
		if df := ref(t, name, 0, "logrank.df")[0]; float64(lr.DF) != df {
			t.Errorf("%s: df %d, R %v", name, lr.DF, df)
		}
		checkClose(t, name+" p", lr.P, ref(t, name, 0, "logrank.p")[0])
		obs, exp, v := ref(t, name, 0, "logrank.obs"), ref(t, name, 0, "logrank.exp"), ref(t, name, 0, "logrank.var")
		for g := 0; g < k; g++ {
			checkClose(t, fmt.Sprintf("%s obs[%d]", name, g), lr.Observed[g], obs[g])
			checkClose(t, fmt.Sprintf("%s exp[%d]", name, g), lr.Expected[g], exp[g])
			if lr.N[g] != len(arms[g].Time) {
				t.Errorf("%s: N[%d] = %d", name, g, lr.N[g])
			}
			for h := 0; h < k; h++ {
				checkClose(t, fmt.Sprintf("%s var[%d,%d]", name, g, h), lr.Variance[g][h], v[g*k+h])
			}
		}
	}
}

func TestHazardRatiosAgainstR(t *testing.T) {
	for _, name := range refDatasets {
		arms := readArms(t, name)
		if len(arms) != 2 {
			continue
		}
		hr, err := HazardRatioMH(arms[0], arms[1])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if hr.Method != MethodLogRank {
			t.Errorf("%s: method %q", name, hr.Method)
		}
		lg, se := ref(t, name, 0, "peto.loghr")[0], ref(t, name, 0, "peto.se")[0]
		checkClose(t, name+" peto log HR", hr.LogHR, lg)
		checkClose(t, name+" peto SE", hr.SE, se)
		checkClose(t, name+" peto HR", hr.HR, math.Exp(lg))
		checkClose(t, name+" peto lower", hr.Lower, math.Exp(lg-1.959963984540054*se))
		checkClose(t, name+" peto upper", hr.Upper, math.Exp(lg+1.959963984540054*se))

		cox, err := HazardRatioCox(arms[0], arms[1])
		if name == "allcens" {
			if !errors.Is(err, ErrInfiniteHR) {
				t.Errorf("allcens: Cox error %v, want ErrInfiniteHR", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cox.Method != MethodCoxEfron {
			t.Errorf("%s: method %q", name, cox.Method)
		}
		checkClose(t, name+" cox coef", cox.LogHR, ref(t, name, 0, "cox.coef")[0])
		checkClose(t, name+" cox se", cox.SE, ref(t, name, 0, "cox.se")[0])
		checkClose(t, name+" cox HR", cox.HR, ref(t, name, 0, "cox.hr")[0])
		checkClose(t, name+" cox lower", cox.Lower, ref(t, name, 0, "cox.lower")[0])
		checkClose(t, name+" cox upper", cox.Upper, ref(t, name, 0, "cox.upper")[0])
		tab := buildRiskTable(arms)
		ll0, _, _ := coxEfron(tab, 0)
		llhat, score, _ := coxEfron(tab, cox.LogHR)
		checkClose(t, name+" cox loglik(0)", ll0, ref(t, name, 0, "cox.loglik0")[0])
		checkClose(t, name+" cox loglik", llhat, ref(t, name, 0, "cox.loglik")[0])
		if math.Abs(score) > 1e-9 {
			t.Errorf("%s: score at the Cox estimate is %g", name, score)
		}
	}
}

func events(flags ...int) []bool {
	out := make([]bool, len(flags))
	for i, f := range flags {
		out[i] = f == 1
	}
	return out
}

func TestKaplanMeierNoCensoringIsEmpirical(t *testing.T) {
	s := Sample{
		Time:  []float64{5, 1, 3, 3, 8, 2, 5, 5, 13, 21},
		Event: events(1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
	}
	km, err := KaplanMeier(s)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(s.Time))
	sorted := append([]float64(nil), s.Time...)
	sort.Float64s(sorted)
	for _, st := range km.Steps {
		// Empirical survival: fraction of times strictly greater than t.
		greater := float64(len(sorted) - sort.Search(len(sorted), func(i int) bool { return sorted[i] > st.Time }))
		emp := greater / n
		if math.Abs(st.Surv-emp) > 1e-14 {
			t.Errorf("t=%v: KM %v, empirical %v", st.Time, st.Surv, emp)
		}
		// Without censoring Greenwood reduces to the binomial variance.
		if st.Surv > 0 {
			if want := math.Sqrt(emp * (1 - emp) / n); math.Abs(st.StdErr-want) > 1e-14 {
				t.Errorf("t=%v: Greenwood SE %v, binomial %v", st.Time, st.StdErr, want)
			}
		} else if !math.IsNaN(st.StdErr) || !math.IsInf(st.LogStdErr, 1) || !math.IsNaN(st.Lower) {
			t.Errorf("t=%v: S = 0 step %+v", st.Time, st)
		}
	}
	if last := km.Steps[len(km.Steps)-1]; last.Surv != 0 || last.Time != 21 {
		t.Errorf("last step %+v", last)
	}
}

func TestKaplanMeierSmallByHand(t *testing.T) {
	// Times 1, 2+, 3, 3, 4+: S(1) = 4/5, S(3) = 4/5 · (1 - 2/3) = 4/15.
	km, err := KaplanMeier(Sample{Time: []float64{3, 1, 4, 2, 3}, Event: events(1, 1, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	want := []KMStep{
		{Time: 1, AtRisk: 5, Events: 1, Surv: 0.8},
		{Time: 2, AtRisk: 4, Censored: 1, Surv: 0.8},
		{Time: 3, AtRisk: 3, Events: 2, Surv: 4.0 / 15},
		{Time: 4, AtRisk: 1, Censored: 1, Surv: 4.0 / 15},
	}
	if len(km.Steps) != len(want) {
		t.Fatalf("steps %+v", km.Steps)
	}
	for i, w := range want {
		g := km.Steps[i]
		if g.Time != w.Time || g.AtRisk != w.AtRisk || g.Events != w.Events || g.Censored != w.Censored ||
			math.Abs(g.Surv-w.Surv) > 1e-15 {
			t.Errorf("step %d: %+v, want %+v", i, g, w)
		}
	}
	// Greenwood at t = 3: 1/(5·4) + 2/(3·1).
	if want := math.Sqrt(1.0/20 + 2.0/3); math.Abs(km.Steps[2].LogStdErr-want) > 1e-15 {
		t.Errorf("log SE %v, want %v", km.Steps[2].LogStdErr, want)
	}
	if km.ConfType != ConfLogLog || km.ConfLevel != 0.95 {
		t.Errorf("defaults: %v %v", km.ConfType, km.ConfLevel)
	}
	for _, c := range []struct{ t, s float64 }{{-1, 1}, {0.5, 1}, {1, 0.8}, {2.5, 0.8}, {3, 4.0 / 15}, {4, 4.0 / 15}} {
		if s, lo, hi := km.SurvivalAt(c.t); math.Abs(s-c.s) > 1e-15 || !(lo <= s && s <= hi) {
			t.Errorf("SurvivalAt(%v) = %v [%v, %v], want %v", c.t, s, lo, hi, c.s)
		}
	}
	if s, _, _ := km.SurvivalAt(4.5); !math.IsNaN(s) {
		t.Errorf("SurvivalAt beyond follow-up = %v, want NaN", s)
	}
	// RMST to 3.5: 1·1 + 0.8·2 + (4/15)·0.5; before the first time it is tau.
	if m, _ := km.RMST(3.5); math.Abs(m-(1+1.6+4.0/30)) > 1e-14 {
		t.Errorf("RMST(3.5) = %v", m)
	}
	if m, se := km.RMST(0.5); m != 0.5 || se != 0 {
		t.Errorf("RMST(0.5) = %v, %v", m, se)
	}
	if m, _ := km.RMST(-1); !math.IsNaN(m) {
		t.Errorf("RMST(-1) = %v", m)
	}
}

func TestMedianFlatAtHalf(t *testing.T) {
	// S = 5/6, 4/6, 3/6 after t = 1, 2, 3; flat at 1/2 until the next event
	// at t = 6 (the censoring at 4 does not move it): median (3+6)/2.
	km, err := KaplanMeier(Sample{Time: []float64{1, 2, 3, 4, 6, 7}, Event: events(1, 1, 1, 0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if m, _, _, ok := km.Median(); !ok || m != 4.5 {
		t.Errorf("median %v ok %v, want 4.5 = (3+6)/2", m, ok)
	}
	// All censored: no median, curve stays at 1.
	km, err = KaplanMeier(Sample{Time: []float64{4, 2, 9}, Event: events(0, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if m, l, u, ok := km.Median(); ok || !math.IsNaN(m) || !math.IsNaN(l) || !math.IsNaN(u) {
		t.Errorf("all censored: median %v [%v, %v] ok %v", m, l, u, ok)
	}
	if s, lo, hi := km.SurvivalAt(5); s != 1 || lo != 1 || hi != 1 || km.Events != 0 {
		t.Errorf("all censored: S(5) = %v [%v, %v]", s, lo, hi)
	}
}

func TestConfOptions(t *testing.T) {
	s := Sample{Time: []float64{1, 2, 3, 4, 5, 6, 7, 8}, Event: events(1, 0, 1, 1, 0, 1, 0, 1)}
	k95, _ := KaplanMeier(s)
	k80, err := KaplanMeier(s, WithConfLevel(0.8))
	if err != nil {
		t.Fatal(err)
	}
	for i := range k95.Steps {
		a, b := k95.Steps[i], k80.Steps[i]
		if b.Surv > 0 && b.Surv < 1 && !(a.Lower < b.Lower && b.Upper < a.Upper) {
			t.Errorf("step %d: 80%% interval [%v, %v] not inside 95%% [%v, %v]", i, b.Lower, b.Upper, a.Lower, a.Upper)
		}
	}
	for _, bad := range []KMOption{WithConfLevel(0), WithConfLevel(1), WithConfLevel(math.NaN()), WithConfType(ConfType(7))} {
		if _, err := KaplanMeier(s, bad); err == nil {
			t.Error("invalid option accepted")
		}
	}
}

func TestInputErrors(t *testing.T) {
	ok := Sample{Time: []float64{1, 2}, Event: events(1, 0)}
	bad := map[string]Sample{
		"empty":    {},
		"length":   {Time: []float64{1, 2}, Event: events(1)},
		"negative": {Time: []float64{-1}, Event: events(1)},
		"nan":      {Time: []float64{math.NaN()}, Event: events(1)},
		"inf":      {Time: []float64{math.Inf(1)}, Event: events(0)},
	}
	for name, s := range bad {
		if _, err := KaplanMeier(s); err == nil {
			t.Errorf("KaplanMeier(%s): no error", name)
		}
		if _, err := LogRankTest([]Sample{ok, s}); err == nil {
			t.Errorf("LogRankTest(%s): no error", name)
		}
		if _, err := HazardRatioMH(ok, s); err == nil {
			t.Errorf("HazardRatioMH(%s): no error", name)
		}
		if _, err := HazardRatioCox(s, ok); err == nil {
			t.Errorf("HazardRatioCox(%s): no error", name)
		}
	}
	if _, err := KaplanMeier(Sample{}); !errors.Is(err, ErrEmptySample) {
		t.Errorf("empty: %v", err)
	}
	if _, err := LogRankTest([]Sample{ok}); !errors.Is(err, ErrTooFewArms) {
		t.Errorf("single arm log-rank: %v", err)
	}
	if _, err := LogRankTest(nil); !errors.Is(err, ErrTooFewArms) {
		t.Errorf("no arms: %v", err)
	}
	noEvents := Sample{Time: []float64{1, 2, 3}, Event: events(0, 0, 0)}
	if _, err := LogRankTest([]Sample{noEvents, noEvents}); !errors.Is(err, ErrNoInformation) {
		t.Errorf("no events log-rank: %v", err)
	}
	if _, err := HazardRatioMH(noEvents, noEvents); !errors.Is(err, ErrNoInformation) {
		t.Errorf("no events MH: %v", err)
	}
	if _, err := HazardRatioCox(noEvents, noEvents); !errors.Is(err, ErrNoInformation) {
		t.Errorf("no events Cox: %v", err)
	}
	var zero KM
	if s, _, _ := zero.SurvivalAt(1); !math.IsNaN(s) {
		t.Errorf("zero KM SurvivalAt = %v", s)
	}
	if m, _ := zero.RMST(1); !math.IsNaN(m) {
		t.Errorf("zero KM RMST = %v", m)
	}
}

func TestIdenticalArms(t *testing.T) {
	s := Sample{
		Time:  []float64{2, 3, 3, 5, 8, 8, 9, 12, 15, 15, 20},
		Event: events(1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0),
	}
	lr, err := LogRankTest([]Sample{s, s, s})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lr.Chi2) > 1e-12 || lr.DF != 2 || math.Abs(lr.P-1) > 1e-9 {
		t.Errorf("identical arms: chi2 %v df %d p %v", lr.Chi2, lr.DF, lr.P)
	}
	for g := range lr.Observed {
		if math.Abs(lr.Observed[g]-lr.Expected[g]) > 1e-12 {
			t.Errorf("arm %d: O %v E %v", g, lr.Observed[g], lr.Expected[g])
		}
	}
	mh, err := HazardRatioMH(s, s)
	if err != nil || math.Abs(mh.HR-1) > 1e-12 || !(mh.Lower < 1 && 1 < mh.Upper) {
		t.Errorf("MH: %+v %v", mh, err)
	}
	cox, err := HazardRatioCox(s, s)
	if err != nil || math.Abs(cox.HR-1) > 1e-12 || !(cox.Lower < 1 && 1 < cox.Upper) {
		t.Errorf("Cox: %+v %v", cox, err)
	}
}

func TestHazardRatioDirection(t *testing.T) {
	// Arm b fails much earlier than arm a: HR(b vs a) > 1 for both methods.
	a := Sample{Time: []float64{10, 12, 15, 18, 20, 25, 30, 31}, Event: events(1, 1, 0, 1, 1, 1, 0, 1)}
	b := Sample{Time: []float64{1, 2, 4, 5, 9, 11, 14, 16}, Event: events(1, 1, 1, 0, 1, 1, 1, 1)}
	for _, f := range []func(a, b Sample) (HazardRatio, error){HazardRatioMH, HazardRatioCox} {
		hr, err := f(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if !(hr.HR > 1 && hr.Lower < hr.HR && hr.HR < hr.Upper) {
			t.Errorf("%s: %+v", hr.Method, hr)
		}
		rev, _ := f(b, a)
		if math.Abs(rev.LogHR+hr.LogHR) > 1e-9 {
			t.Errorf("%s: swapping arms gives log HR %v, want %v", hr.Method, rev.LogHR, -hr.LogHR)
		}
	}
	// One arm without events: Peto stays finite, Cox reports an infinite estimate.
	none := Sample{Time: []float64{3, 6, 9, 40}, Event: events(0, 0, 0, 0)}
	if hr, err := HazardRatioMH(a, none); err != nil || !(hr.HR < 1) || math.IsInf(hr.LogHR, 0) {
		t.Errorf("MH with eventless arm: %+v %v", hr, err)
	}
	if _, err := HazardRatioCox(a, none); !errors.Is(err, ErrInfiniteHR) {
		t.Errorf("Cox with eventless arm: %v", err)
	}
}

// Progression times on a scan grid often put every remaining subject's
// event at one time, where S drops to 0 and the band is undefined: R's
// survfit reports the median with NA limits, e.g. 13 events at 336 and 87
// at 392 days give median 392 with 0.95LCL and 0.95UCL both NA (survival
// 3.5.3). The limits are then "not estimable", not "not reached"; with the
// last subject censored the curve stays above 0 and a missing upper limit
// is "not reached".
func TestMissingMedianLimits(t *testing.T) {
	var s Sample
	for i := range 100 {
		s.Time = append(s.Time, map[bool]float64{true: 336, false: 392}[i < 13])
		s.Event = append(s.Event, true)
	}
	km, err := KaplanMeier(s)
	if err != nil {
		t.Fatal(err)
	}
	m, lo, hi, ok := km.Median()
	if !ok || m != 392 || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("median %v (%v-%v), R: 392 (NA-NA)", m, lo, hi)
	}
	if !km.EndsAtZero() {
		t.Error("the curve ends at 0, EndsAtZero says no")
	}
	s = Sample{Time: []float64{1, 2, 3, 4, 5}, Event: []bool{true, true, true, false, false}}
	if km, err = KaplanMeier(s); err != nil {
		t.Fatal(err)
	}
	if _, _, hi, _ := km.Median(); !math.IsNaN(hi) || km.EndsAtZero() {
		t.Errorf("upper limit %v, ends at zero %v; want NaN (not reached) on a curve above 0", hi, km.EndsAtZero())
	}
}
