package model

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// relErr is |got-want|/|want| (|got-want| when want is 0).
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// bateman is the single-dose concentration written independently of pk.go:
// the textbook Bateman function normalised by ke, and its ka = ke limit.
func bateman(ka, ke, amount, scale, u float64) float64 {
	if u < 0 {
		return 0
	}
	if ka == ke {
		return amount * scale * ka * ka * u * math.Exp(-ka*u)
	}
	return amount * scale * ke * ka / (ka - ke) * (math.Exp(-ke*u) - math.Exp(-ka*u))
}

// simpson integrates f over [a, b] with composite Simpson on n (even) panels.
func simpson(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}

// simpsonPieces integrates f over [a, b] with Simpson on each piece between
// the breakpoints inside (a, b) (where f has a kink), n panels in all.
func simpsonPieces(f func(float64) float64, a, b float64, breaks []float64, n int) float64 {
	pts := []float64{a}
	for _, t := range breaks {
		if t > a && t < b {
			pts = append(pts, t)
		}
	}
	pts = append(pts, b)
	slices.Sort(pts)
	sum := 0.0
	for i := 0; i+1 < len(pts); i++ {
		m := max(2, 2*int(float64(n)*(pts[i+1]-pts[i])/(b-a)/2))
		sum += simpson(f, pts[i], pts[i+1], m)
	}
	return sum
}

var testPKs = []struct {
	name string
	pk   PK
}{
	{"rezatapopt", DefaultRezatapoptPK()},
	{"slow-absorption", PK{Ka: 1, HalfLife: 0.5, Scale: 1}}, // ka < ke (flip-flop)
	{"equal-rates", PK{Ka: 2, HalfLife: math.Ln2 / 2, Scale: 1}},
	{"long-half-life", PK{Ka: 0.5, HalfLife: 3, Scale: 2.5}},
}

func TestPKConcSingleDose(t *testing.T) {
	if p := testPKs[2].pk; p.Ke() != p.Ka {
		t.Fatalf("equal-rates case: ke %v != ka %v, the ka = ke branch is not exercised", p.Ke(), p.Ka)
	}
	for _, c := range testPKs {
		ka, ke := c.pk.Ka, c.pk.Ke()
		doses := []Dose{{Time: 3, Amount: 2000}}
		if got := c.pk.Conc(doses, 2.999); got != 0 {
			t.Errorf("%s: concentration before the dose = %v, want 0", c.name, got)
		}
		if got := c.pk.Conc(doses, 3); got != 0 {
			t.Errorf("%s: concentration at the dose time = %v, want 0", c.name, got)
		}
		for u := 0.01; u < 20; u *= 1.1 {
			got := c.pk.Conc(doses, 3+u)
			want := bateman(ka, ke, 2000, c.pk.Scale, (3+u)-3)
			if e := relErr(got, want); e > 1e-12 {
				t.Errorf("%s: C(%.4g days after the dose) = %.17g, Bateman %.17g (rel. error %.2g)", c.name, u, got, want, e)
			}
		}
	}
}

// A ka that differs from ke by a relative 1e-9 must give the ka = ke limit
// to about 1e-9, not the cancellation noise of the textbook formula.
func TestPKConcNearEqualRates(t *testing.T) {
	k := 2.0
	p := PK{Ka: k * (1 + 1e-9), HalfLife: math.Ln2 / k, Scale: 1}
	doses := []Dose{{Time: 0, Amount: 100}}
	for u := 0.001; u < 30; u *= 1.3 {
		got := p.Conc(doses, u)
		want := bateman(k, k, 100, 1, u)
		if e := relErr(got, want); e > 1e-7 {
			t.Errorf("C(%.4g) = %.17g, ka = ke limit %.17g (rel. error %.2g)", u, got, want, e)
		}
	}
}

// steadyStateTextbook is the superposition formula for the steady state,
// written independently of pk.go (ka != ke only).
func steadyStateTextbook(ka, ke, amount, scale, tau, s float64) float64 {
	return amount * scale * ke * ka / (ka - ke) * (math.Exp(-ke*s)/(1-math.Exp(-ke*tau)) - math.Exp(-ka*s)/(1-math.Exp(-ka*tau)))
}

func TestPKSteadyState(t *testing.T) {
	for _, c := range testPKs {
		for _, tau := range []float64{0.5, 1, 7} {
			// 60 doses, or more when the slowest rate needs them to reach
			// steady state to 1e-13 (the long-half-life case).
			const amount = 2000.0
			n := max(60, int(math.Ceil(30/(min(c.pk.Ka, c.pk.Ke())*tau))))
			doses := Regimen{Start: 0, End: float64(n) * tau, Interval: tau, Amount: amount}.Doses(nil)
			if len(doses) != n {
				t.Fatalf("%d doses, want %d", len(doses), n)
			}
			last := float64(n-1) * tau
			for s := 0.0; s < tau; s += tau / 37 {
				got := c.pk.Conc(doses, last+s)
				want := c.pk.SteadyState(amount, tau, s)
				if e := relErr(got, want); e > 1e-9 {
					t.Errorf("%s tau %v: C at s = %.4g after the 60th dose = %.15g, SteadyState %.15g (rel. error %.2g)", c.name, tau, s, got, want, e)
				}
				if c.pk.Ka != c.pk.Ke() {
					tb := steadyStateTextbook(c.pk.Ka, c.pk.Ke(), amount, c.pk.Scale, tau, s)
					if e := relErr(want, tb); e > 1e-12 {
						t.Errorf("%s tau %v: SteadyState(s = %.4g) = %.15g, textbook %.15g (rel. error %.2g)", c.name, tau, s, want, tb, e)
					}
				}
				// s is taken modulo tau.
				if e := relErr(c.pk.SteadyState(amount, tau, s+3*tau), want); e > 1e-12 {
					t.Errorf("%s tau %v: SteadyState is not periodic at s = %v (rel. error %.2g)", c.name, tau, s, e)
				}
			}
			avg := c.pk.AverageConc(doses, last, last+tau)
			wantAvg := amount * c.pk.Scale / tau
			if e := relErr(avg, wantAvg); e > 1e-9 {
				t.Errorf("%s tau %v: average over the last interval %.15g, want amount*Scale/tau = %v (rel. error %.2g)", c.name, tau, avg, wantAvg, e)
			}
			if got := c.pk.SteadyStateAverage(amount, tau); relErr(got, wantAvg) > 1e-15 {
				t.Errorf("%s tau %v: SteadyStateAverage = %v, want %v", c.name, tau, got, wantAvg)
			}
			q := simpson(func(s float64) float64 { return c.pk.SteadyState(amount, tau, s) }, 0, tau, 100000) / tau
			if e := relErr(q, wantAvg); e > 1e-9 {
				t.Errorf("%s tau %v: quadrature of SteadyState over an interval / tau = %.15g, want %v (rel. error %.2g)", c.name, tau, q, wantAvg, e)
			}
		}
	}
	// Daily 2000 mg of rezatapopt averages 2000 mg-eq, the convention of Drug.
	if got := DefaultRezatapoptPK().SteadyStateAverage(2000, 1); got != 2000 {
		t.Errorf("rezatapopt 2000 mg QD: steady-state average %v mg-eq, want 2000", got)
	}
}

func irregularDoses() []Dose {
	return []Dose{
		{Time: 0, Amount: 2000}, {Time: 1, Amount: 2000}, {Time: 2.1, Amount: 1500},
		{Time: 2.1, Amount: 100}, {Time: 3.05, Amount: 2000}, {Time: 5.5, Amount: 800},
		{Time: 6.9, Amount: 2000}, {Time: 8, Amount: 2000},
	}
}

func TestPKAverageConcQuadrature(t *testing.T) {
	doses := irregularDoses()
	var breaks []float64
	for _, d := range doses {
		breaks = append(breaks, d.Time)
	}
	intervals := [][2]float64{
		{-2, -1}, {-1, 0.5}, {0, 1}, {0.3, 0.31}, {0, 5}, {2.5, 9.75}, {2.1, 3.05}, {7, 7.0417}, {10, 40}, {9, 9.001},
	}
	for _, c := range testPKs {
		f := func(t float64) float64 { return c.pk.Conc(doses, t) }
		for _, iv := range intervals {
			a, b := iv[0], iv[1]
			q := simpsonPieces(f, a, b, breaks, 100000)
			auc := c.pk.AUC(doses, a, b)
			if q == 0 {
				if auc != 0 {
					t.Errorf("%s: AUC over [%v, %v] before any dose = %v, want 0", c.name, a, b, auc)
				}
				continue
			}
			if e := relErr(auc, q); e > 1e-9 {
				t.Errorf("%s: AUC over [%v, %v] = %.15g, Simpson %.15g (rel. error %.2g)", c.name, a, b, auc, q, e)
			}
			avg := c.pk.AverageConc(doses, a, b)
			if e := relErr(avg, q/(b-a)); e > 1e-9 {
				t.Errorf("%s: AverageConc over [%v, %v] = %.15g, Simpson %.15g (rel. error %.2g)", c.name, a, b, avg, q/(b-a), e)
			}
		}
		// Slivers (no cancellation as the interval vanishes): one Simpson
		// panel is exact to rounding there, and h = 0 gives Conc.
		for _, a := range []float64{0.2, 1, 2.1, 4, 7.5, 20} {
			for _, h := range []float64{1e-3, 1e-5, 1e-7, 1e-10, 0} {
				b := a + h
				got, want := c.pk.AverageConc(doses, a, b), c.pk.Conc(doses, a)
				if b > a {
					want = simpson(f, a, b, 2) / (b - a)
				}
				if e := relErr(got, want); e > 1e-9 {
					t.Errorf("%s: AverageConc over [%v, %v + %v] = %.15g, Simpson %.15g (rel. error %.2g)", c.name, a, a, h, got, want, e)
				}
			}
		}
	}
}

// Right after a lone dose the concentration is ~ A Scale ka ke h/2 and the
// textbook area 1 - [ka e^(-ke h) - ke e^(-ka h)]/(ka-ke) cancels to nothing;
// the series must keep full relative accuracy there.
func TestPKAverageConcAfterDose(t *testing.T) {
	for _, c := range testPKs {
		doses := []Dose{{Time: 0, Amount: 2000}}
		f := func(t float64) float64 { return c.pk.Conc(doses, t) }
		for h := 0.5; h > 1e-12; h /= 7 {
			got := c.pk.AverageConc(doses, 0, h)
			want := simpson(f, 0, h, 1000) / h
			if e := relErr(got, want); e > 1e-10 {
				t.Errorf("%s: AverageConc over [0, %.3g] after a dose = %.15g, Simpson %.15g (rel. error %.2g)", c.name, h, got, want, e)
			}
			segs := c.pk.Segments(doses, 0, h, math.Inf(1), nil)
			if len(segs) != 1 || relErr(segs[0].Conc, want) > 1e-10 {
				t.Errorf("%s: Segments over [0, %.3g) after a dose = %v, want one at %.15g", c.name, h, segs, want)
			}
		}
	}
}

func TestPKSegments(t *testing.T) {
	base := append(irregularDoses(), Regimen{Start: 9, End: 40, Interval: 1, Amount: 2000}.Doses(nil)...)
	shuffled := slices.Clone(base)
	slices.Reverse(shuffled)
	for _, c := range testPKs {
		for _, iv := range [][2]float64{{-1.3, 12.77}, {0, 30}, {2.1, 3.05}, {2.2, 2.25}, {35.5, 60}} {
			t0, t1 := iv[0], iv[1]
			for _, maxLen := range []float64{1.0 / 24, 0.3, 6.0 / 24, 1, math.Inf(1)} {
				prefix := []Segment{{Start: -99, End: -98, Conc: 7}}
				segs := c.pk.Segments(base, t0, t1, maxLen, slices.Clone(prefix))
				if segs[0] != prefix[0] {
					t.Fatalf("Segments overwrote buf instead of appending to it")
				}
				segs = segs[1:]
				if len(segs) == 0 || segs[0].Start != t0 || segs[len(segs)-1].End != t1 {
					t.Fatalf("%s [%v, %v) maxLen %v: segments do not span the interval: %v", c.name, t0, t1, maxLen, segs)
				}
				area := 0.0
				for i, s := range segs {
					if i > 0 && s.Start != segs[i-1].End {
						t.Fatalf("%s [%v, %v): gap or overlap between %v and %v", c.name, t0, t1, segs[i-1], s)
					}
					if !(s.End > s.Start) || s.End-s.Start > maxLen*(1+1e-12)+1e-15*max(1, math.Abs(s.End)) {
						t.Fatalf("%s [%v, %v) maxLen %v: segment %v is empty or too long", c.name, t0, t1, maxLen, s)
					}
					want := c.pk.AverageConc(base, s.Start, s.End)
					if e := relErr(s.Conc, want); e > 1e-10 {
						t.Fatalf("%s [%v, %v) maxLen %v: segment %v, AverageConc %.15g (rel. error %.2g)", c.name, t0, t1, maxLen, s, want, e)
					}
					area += s.Conc * (s.End - s.Start)
				}
				auc := c.pk.AUC(base, t0, t1)
				if e := relErr(area, auc); e > 1e-10 {
					t.Errorf("%s [%v, %v) maxLen %v: time-weighted sum of segments %.15g, AUC %.15g (rel. error %.2g)", c.name, t0, t1, maxLen, area, auc, e)
				}
				for _, d := range base {
					if d.Time > t0 && d.Time < t1 && !slices.ContainsFunc(segs, func(s Segment) bool { return s.Start == d.Time }) {
						t.Errorf("%s [%v, %v): no segment starts at the dose time %v", c.name, t0, t1, d.Time)
					}
				}
				// Unsorted doses: the same segments (up to the rounding of
				// adding coinciding doses in another order).
				got := c.pk.Segments(shuffled, t0, t1, maxLen, nil)
				same := len(got) == len(segs)
				for i := 0; same && i < len(got); i++ {
					same = got[i].Start == segs[i].Start && got[i].End == segs[i].End && relErr(got[i].Conc, segs[i].Conc) < 1e-13
				}
				if !same {
					t.Errorf("%s [%v, %v) maxLen %v: unsorted doses give other segments", c.name, t0, t1, maxLen)
				}
			}
		}
	}
	// Daily doses with hourly segments: 24 equal segments per day, one
	// starting at each dose.
	p := DefaultRezatapoptPK()
	qd := Regimen{Start: 0, End: 30, Interval: 1, Amount: 2000}.Doses(nil)
	segs := p.Segments(qd, 0, 30, 1.0/24, nil)
	if len(segs) != 30*24 {
		t.Fatalf("QD over 30 days with 1-h segments: %d segments, want 720", len(segs))
	}
	for i, s := range segs {
		if math.Abs(s.Start-float64(i)/24) > 1e-12 {
			t.Fatalf("segment %d starts at %v, want %v", i, s.Start, float64(i)/24)
		}
	}
	if got := p.Segments(qd, 5, 5, 1, nil); len(got) != 0 {
		t.Errorf("empty interval gave segments %v", got)
	}
	if got := p.Segments(nil, 0, 2, 0.5, nil); len(got) != 4 || got[0].Conc != 0 || got[3].Conc != 0 {
		t.Errorf("no doses: segments %v, want 4 at concentration 0", got)
	}
}

func TestRegimen(t *testing.T) {
	r := Regimen{Start: 0, End: 10, Interval: 1, Amount: 2000, Skip: []int{3, 4, 9}}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	ds := r.Doses(nil)
	var times []float64
	for _, d := range ds {
		times = append(times, d.Time)
		if d.Amount != 2000 {
			t.Errorf("dose %v: amount not 2000", d)
		}
	}
	if want := []float64{0, 1, 2, 5, 6, 7, 8}; !slices.Equal(times, want) {
		t.Errorf("dose times with skips 3, 4, 9: %v, want %v", times, want)
	}

	// End is exclusive; a weekly regimen.
	weekly := Regimen{Start: 2, End: 30, Interval: 7, Amount: 500}
	if n := weekly.Count(); n != 4 {
		t.Errorf("weekly from day 2 to 30: %d doses, want 4 (2, 9, 16, 23)", n)
	}
	if n := (Regimen{Start: 0, End: 28, Interval: 7, Amount: 1}).Count(); n != 4 {
		t.Errorf("weekly on [0, 28): %d doses, want 4 (day 28 excluded)", n)
	}
	// No drift: dose 1000 of a 0.1-day regimen falls on 100 + 0.1 x 1000.
	fine := Regimen{Start: 100, End: 300, Interval: 0.1, Amount: 1}.Doses(nil)
	if len(fine) != 2000 || fine[1000].Time != 100+0.1*1000 {
		t.Errorf("0.1-day regimen: %d doses, dose 1000 at %v", len(fine), fine[1000].Time)
	}

	// 21 days on, 7 off, three cycles, then a dose reduction to 1500 mg,
	// built by concatenation; appending to a buffer works the same way.
	var cycles []Regimen
	for c := range 3 {
		cycles = append(cycles, Regimen{Start: float64(28 * c), End: float64(28*c + 21), Interval: 1, Amount: 2000})
	}
	reduced := Regimen{Start: 84, End: 100, Interval: 1, Amount: 1500}
	sched := Schedule(append([]Regimen{reduced}, cycles...)...)
	if len(sched) != 3*21+16 {
		t.Fatalf("3 cycles of 21/7 plus 16 reduced doses: %d doses, want %d", len(sched), 3*21+16)
	}
	for i, d := range sched {
		if i > 0 && d.Time < sched[i-1].Time {
			t.Fatalf("Schedule is not sorted at %d: %v after %v", i, d, sched[i-1])
		}
		day := int(d.Time)
		off := day < 84 && day%28 >= 21
		if off || float64(day) != d.Time {
			t.Errorf("dose at %v: inside an off week or not on a day", d.Time)
		}
		if want := map[bool]float64{true: 1500, false: 2000}[day >= 84]; d.Amount != want {
			t.Errorf("dose at day %d: %v mg, want %v", day, d.Amount, want)
		}
	}
	var buf []Dose
	for _, c := range append(cycles, reduced) {
		buf = c.Doses(buf)
	}
	if !slices.Equal(buf, sched) {
		t.Errorf("appending regimens in order differs from Schedule")
	}

	bad := []struct {
		r     Regimen
		field string
	}{
		{Regimen{Start: 0, End: 10, Interval: 0, Amount: 1}, "interval"},
		{Regimen{Start: 0, End: 10, Interval: -1, Amount: 1}, "interval"},
		{Regimen{Start: 0, End: 10, Interval: math.NaN(), Amount: 1}, "interval"},
		{Regimen{Start: 0, End: 10, Interval: math.Inf(1), Amount: 1}, "interval"},
		{Regimen{Start: 0, End: -1, Interval: 1, Amount: 1}, "end"},
		{Regimen{Start: 0, End: math.Inf(1), Interval: 1, Amount: 1}, "end"},
		{Regimen{Start: math.NaN(), End: 1, Interval: 1, Amount: 1}, "start"},
		{Regimen{Start: 0, End: 10, Interval: 1, Amount: -5}, "amount"},
		{Regimen{Start: 0, End: 10, Interval: 1, Amount: 1, Skip: []int{10}}, "skip"},
		{Regimen{Start: 0, End: 10, Interval: 1, Amount: 1, Skip: []int{-1}}, "skip"},
	}
	for _, b := range bad {
		err := b.r.Validate()
		if err == nil || !strings.Contains(err.Error(), "regimen "+b.field) {
			t.Errorf("%+v: Validate = %v, want an error naming %q", b.r, err, b.field)
		}
		if b.field == "interval" {
			if ds := b.r.Doses(nil); len(ds) != 0 {
				t.Errorf("%+v: an invalid interval gave %d doses", b.r, len(ds))
			}
		}
	}
	if err := (Regimen{Start: 5, End: 5, Interval: 1, Amount: 1}).Validate(); err != nil {
		t.Errorf("empty regimen: %v", err)
	}
}

func TestPKValidate(t *testing.T) {
	if err := DefaultRezatapoptPK().Validate(); err != nil {
		t.Fatal(err)
	}
	p := DefaultRezatapoptPK()
	if hl := p.HalfLife * 24; hl < 12 || hl > 24 {
		t.Errorf("default half-life %v h outside the 12-24 h range assumed for the estimate", hl)
	}
	for _, v := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		for _, f := range []string{"ka", "half_life", "scale"} {
			q := DefaultRezatapoptPK()
			switch f {
			case "ka":
				q.Ka = v
			case "half_life":
				q.HalfLife = v
			case "scale":
				q.Scale = v
			}
			err := q.Validate()
			if err == nil || !strings.Contains(err.Error(), "pk "+f) {
				t.Errorf("%s = %v: Validate = %v, want an error naming %s", f, v, err, f)
			}
		}
	}
}

// TestPKSegmentKillBias measures the error of handing the engine
// piecewise-constant segment-average concentrations: the kill of the average
// concentration vs the exact time-average of the kill, for rezatapopt at
// 2000 mg QD steady state.
func TestPKSegmentKillBias(t *testing.T) {
	p := DefaultRezatapoptPK()
	d := Rezatapopt()
	const amount, tau = 2000.0, 1.0
	doses := Regimen{Start: 0, End: 60, Interval: tau, Amount: amount}.Doses(nil)
	cmin, cmax := p.SteadyState(amount, tau, 0), 0.0
	for s := 0.0; s < tau; s += 1e-4 {
		cmax = max(cmax, p.SteadyState(amount, tau, s))
	}
	t.Logf("rezatapopt %v mg QD, ka %v/day, t1/2 %v h: steady-state Cmin %.0f, Cmax %.0f, Cavg %.0f mg-eq",
		amount, p.Ka, p.HalfLife*24, cmin, cmax, p.SteadyStateAverage(amount, tau))
	for _, fold := range []float64{1, d.PocketFold} {
		kill := func(s float64) float64 { return d.Kill(p.SteadyState(amount, tau, s), fold) }
		exact := simpson(kill, 0, tau, 100000) / tau
		if e := relErr(simpson(kill, 0, tau, 200000)/tau, exact); e > 1e-10 {
			t.Fatalf("fold %v: quadrature not converged (%.2g)", fold, e)
		}
		t.Logf("EC50 fold %v: exact time-average kill %.6g/day; kill at constant Cavg %.6g/day", fold, exact, d.Kill(amount/tau, fold))
		t.Logf("  segment    mean kill (/day)   bias")
		var prev float64
		for _, hours := range []float64{1, 3, 6, 24} {
			segs := p.Segments(doses, 59, 60, hours/24, nil)
			approx := 0.0
			for _, s := range segs {
				approx += d.Kill(s.Conc, fold) * (s.End - s.Start)
			}
			approx /= tau
			bias := approx/exact - 1
			t.Logf("  %4.0f h     %.6g       %+.3f%%", hours, approx, 100*bias)
			if hours == 1 && math.Abs(bias) >= 0.005 {
				t.Errorf("fold %v: 1-h segments bias the kill by %.3f%%, want < 0.5%%", fold, 100*bias)
			}
			if hours == 24 && relErr(approx, d.Kill(amount/tau, fold)) > 1e-9 {
				t.Errorf("fold %v: one 24-h segment should hold Cavg and give Kill(Cavg)", fold)
			}
			if math.Abs(bias) < math.Abs(prev) {
				t.Errorf("fold %v: bias %.3g%% of %v-h segments is smaller than that of shorter ones (%.3g%%)", fold, 100*bias, hours, 100*prev)
			}
			prev = bias
		}
	}
}
