package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// PK is a linear one-compartment pharmacokinetic model with first-order
// absorption (rate constant Ka, per day) and first-order elimination
// (HalfLife, days; ke = ln 2 / HalfLife).
//
// Concentrations are in mg-equivalents (see Drug). The model is normalised so
// that one dose of A mg has an area under the curve of A x Scale mg-eq x day;
// hence the steady-state average concentration of A mg every tau days is
// A x Scale x (1 day) / tau, and with Scale 1 a daily dose of D mg has an
// average concentration of D mg-eq, as Drug assumes.
//
// With u the time since a dose of A mg given at time td, the state of that
// dose is its amount still in the gut, G(u) = A e^(-ka u), and its amount in
// the central compartment,
//
//	X(u) = A ka/(ka-ke) (e^(-ke u) - e^(-ka u))        (ka != ke)
//	X(u) = A k u e^(-k u)                               (ka = ke = k)
//
// and the concentration is C = Scale x ke x X, which gives the ke-normalised
// Bateman function
//
//	C(u) = A Scale ke ka/(ka-ke) (e^(-ke u) - e^(-ka u)).
//
// Its integral over u in [0, inf) is A Scale ke ka/(ka-ke) (1/ke - 1/ka) =
// A Scale: the area is the dose, whatever ka and ke are. Doses superpose.
//
// Numerics: every formula is evaluated in a form without cancellation. With
// lo = min(ka, ke), hi = max(ka, ke), d = hi - lo and
// gamma(d, u) = (1 - e^(-d u))/d (= u when d = 0, computed with expm1),
// X(u) = A ka e^(-lo u) gamma(d, u), which is exact for ka = ke and continuous
// as ka -> ke.
type PK struct {
	Ka       float64 // absorption rate constant, per day
	HalfLife float64 // elimination half-life, days
	Scale    float64 // mg-eq per (mg/day) at steady state; 1 for the drug's own doses
}

// DefaultRezatapoptPK returns the pharmacokinetics used for rezatapopt
// (PC14586). Its half-life is not public; we assume 12-24 h, and 18 h
// (0.75 day), the middle of that range, is an estimate. The absorption rate ka = 24 per day (absorption half-time
// ln 2/24 day, about 42 min, typical of an oral small molecule) is an
// estimate. Scale is 1: a daily dose of D mg has average D mg-eq.
func DefaultRezatapoptPK() PK {
	return PK{Ka: 24, HalfLife: 0.75, Scale: 1}
}

// Validate reports every field of p that is not a positive finite number.
func (p PK) Validate() (err error) {
	defer errprefix.Wrap(&err, "model")
	var errs []error
	if !(p.Ka > 0) || math.IsInf(p.Ka, 0) {
		errs = append(errs, fmt.Errorf("pk ka %v: must be a positive finite absorption rate constant (per day)", p.Ka))
	}
	if !(p.HalfLife > 0) || math.IsInf(p.HalfLife, 0) {
		errs = append(errs, fmt.Errorf("pk half_life %v: must be a positive finite elimination half-life (days)", p.HalfLife))
	}
	if !(p.Scale > 0) || math.IsInf(p.Scale, 0) {
		errs = append(errs, fmt.Errorf("pk scale %v: must be a positive finite number (mg-eq per mg/day)", p.Scale))
	}
	return errors.Join(errs...)
}

// Ke is the elimination rate constant ln 2 / HalfLife, per day.
func (p PK) Ke() float64 { return math.Ln2 / p.HalfLife }

// rates returns ka, ke, lo = min(ka, ke) and d = |ka - ke|.
func (p PK) rates() (ka, ke, lo, d float64) {
	ka, ke = p.Ka, p.Ke()
	lo, hi := min(ka, ke), max(ka, ke)
	return ka, ke, lo, hi - lo
}

// gamma is (1 - e^(-d u))/d = int_0^u e^(-d v) dv, and u when d = 0.
func gamma(d, u float64) float64 {
	if d == 0 {
		return u
	}
	return -math.Expm1(-d*u) / d
}

// central is X(u)/A = ka e^(-lo u) gamma(d, u): the central amount per mg of
// a dose given u days ago (u >= 0), and also the central amount at time u
// that comes from one mg in the gut at time 0.
func central(ka, lo, d, u float64) float64 {
	return ka * math.Exp(-lo*u) * gamma(d, u)
}

// eliminated is F(h), the fraction of a dose given at time 0 that has been
// eliminated by time h >= 0:
//
//	F(h) = 1 - [ka e^(-ke h) - ke e^(-ka h)]/(ka - ke)
//	     = 1 - e^(-lo h) (1 + lo gamma(d, h)).
//
// Since dF/dh = C(h)/(A Scale), F(h) is the AUC of a unit dose over [0, h].
// For (ka+ke) h <= 1, where the difference from 1 cancels, it uses the series
// F(h) = ka ke h^2 sum_N (-1)^N H_N(ka h, ke h) / ((N+1)! (N+2)), with
// H_N(x, y) = sum_{m+n=N} x^m y^n, obtained by expanding
// F(h) = ka ke int_0^h int_0^s e^(-ka r) e^(-ke (s-r)) dr ds term by term.
func eliminated(ka, ke, lo, d, h float64) float64 {
	x, y := ka*h, ke*h
	if x+y <= 1 {
		// H_N = x H_{N-1} + y^N; term_N = (-1)^N H_N / ((N+1)! (N+2)).
		hn, yn, fact := 1.0, 1.0, 1.0 // H_0, y^0, (0+1)!
		sum := 0.5
		for n := 1; n < 40; n++ {
			yn *= y
			hn = x*hn + yn
			fact *= float64(n + 1)
			t := hn / (fact * float64(n+2))
			if n%2 == 1 {
				t = -t
			}
			sum += t
			if math.Abs(t) < 1e-18*sum {
				break
			}
		}
		return x * y * sum
	}
	return -math.Expm1(-lo*h) - lo*math.Exp(-lo*h)*gamma(d, h)
}

// Conc is the concentration (mg-eq) at time t (days) after the doses given
// at or before t (doses may be in any order):
//
//	C(t) = sum_{td_i <= t} A_i Scale ke ka/(ka-ke) (e^(-ke u_i) - e^(-ka u_i)),
//	u_i = t - td_i,
//
// and A_i Scale k^2 u_i e^(-k u_i) when ka = ke = k.
func (p PK) Conc(doses []Dose, t float64) float64 {
	ka, ke, lo, d := p.rates()
	x := 0.0
	for _, ds := range doses {
		if ds.Time <= t {
			x += ds.Amount * central(ka, lo, d, t-ds.Time)
		}
	}
	return p.Scale * ke * x
}

// SteadyState is the concentration (mg-eq) at steady state for a dose of
// amount mg every tau days, s days after the last dose (s is taken modulo
// tau). Summing the geometric series of past doses,
//
//	C(s) = A Scale ke ka/(ka-ke) [ e^(-ke s)/(1-e^(-ke tau))
//	                              - e^(-ka s)/(1-e^(-ka tau)) ].
//
// It is evaluated without the 1/(ka-ke) cancellation: just after a dose the
// gut holds G0 = A/(1-e^(-ka tau)) and the central compartment
// X0 = G0 X1(tau)/(1-e^(-ke tau)), where X1(u) = ka e^(-lo u) gamma(d, u) is
// the central amount u days after one mg in the gut; then
// C(s) = Scale ke (X0 e^(-ke s) + G0 X1(s)).
func (p PK) SteadyState(amount, tau, s float64) float64 {
	ka, ke, lo, d := p.rates()
	s = math.Mod(s, tau)
	if s < 0 {
		s += tau
	}
	g0 := amount / -math.Expm1(-ka*tau)
	x0 := g0 * central(ka, lo, d, tau) / -math.Expm1(-ke*tau)
	return p.Scale * ke * (x0*math.Exp(-ke*s) + g0*central(ka, lo, d, s))
}

// SteadyStateAverage is the average concentration (mg-eq) over a dosing
// interval at steady state for amount mg every tau days: amount x Scale / tau
// (tau in days). It does not depend on Ka or HalfLife.
func (p PK) SteadyStateAverage(amount, tau float64) float64 {
	return amount * p.Scale / tau
}

// AUC is the exact integral of Conc over [a, b] (mg-eq x day; doses in any
// order; b >= a). For each dose of A mg at td < b, with h = b - max(a, td):
//
//	td >= a:  A Scale F(h)
//	td <  a:  Scale [X (1 - e^(-ke h)) + G F(h)],
//
// where G = A e^(-ka (a-td)) and X = A ka e^(-lo (a-td)) gamma(d, a-td) are the
// dose's gut and central amounts at a, and F is the eliminated fraction
// 1 - e^(-lo h)(1 + lo gamma(d, h)) of a dose h days after it is given: the
// area of C over [a, b] is Scale times the amount eliminated in [a, b]. All
// terms are positive, so there is no cancellation between them.
func (p PK) AUC(doses []Dose, a, b float64) float64 {
	if !(b >= a) {
		panic(fmt.Sprintf("model: PK.AUC over [%v, %v]: need b >= a", a, b))
	}
	ka, ke, lo, d := p.rates()
	sum := 0.0
	for _, ds := range doses {
		if ds.Time >= b {
			continue
		}
		if ds.Time >= a {
			sum += ds.Amount * eliminated(ka, ke, lo, d, b-ds.Time)
			continue
		}
		u, h := a-ds.Time, b-a
		g := ds.Amount * math.Exp(-ka*u)
		x := ds.Amount * central(ka, lo, d, u)
		sum += x*-math.Expm1(-ke*h) + g*eliminated(ka, ke, lo, d, h)
	}
	return p.Scale * sum
}

// AverageConc is the time-average concentration (mg-eq) over [a, b]:
// AUC(doses, a, b)/(b - a), closed form. When b == a it is Conc(doses, a).
func (p PK) AverageConc(doses []Dose, a, b float64) float64 {
	if b == a {
		return p.Conc(doses, a)
	}
	return p.AUC(doses, a, b) / (b - a)
}

// Segment is a time interval [Start, End) (days) with one concentration
// (mg-eq).
type Segment struct{ Start, End, Conc float64 }

// Segments appends to buf a piecewise-constant approximation of the
// concentration on [t0, t1): segments covering [t0, t1) without gaps or
// overlaps, each at most maxLen days long (maxLen may be +Inf), each holding
// the exact average concentration over the segment, AUC(Start, End)/(End -
// Start). Segment boundaries fall on every dose time inside (t0, t1); between
// two such times the interval is cut into the fewest equal segments no longer
// than maxLen (up to a relative 1e-12, and to the rounding of the boundary
// times, which are computed as start + length x k/n without drift). So with doses every tau days and maxLen = tau/n, each dose
// starts a segment and the segments are the n equal parts of the interval.
//
// It runs in O(doses + segments): it carries the gut and central amounts
// (G, X) from segment to segment,
//
//	G <- G e^(-ka h),  X <- X e^(-ke h) + G X1(h),  X1(h) = ka e^(-lo h) gamma(d, h),
//
// with the segment's area Scale [X (1 - e^(-ke h)) + G F(h)] (see AUC).
// Doses may be in any order (unsorted doses are sorted in a copy). t1 == t0
// appends nothing; t1 < t0, NaN, or maxLen <= 0 panic.
func (p PK) Segments(doses []Dose, t0, t1, maxLen float64, buf []Segment) []Segment {
	if !(t1 >= t0) || !(maxLen > 0) || math.IsInf(t0, 0) || math.IsInf(t1, 0) {
		panic(fmt.Sprintf("model: PK.Segments over [%v, %v) with maxLen %v: need finite t0 <= t1 and maxLen > 0", t0, t1, maxLen))
	}
	if t1 == t0 {
		return buf
	}
	byTime := func(a, b Dose) int { return cmp.Compare(a.Time, b.Time) }
	if !slices.IsSortedFunc(doses, byTime) {
		doses = slices.SortedStableFunc(slices.Values(doses), byTime)
	}
	ka, ke, lo, d := p.rates()
	// State at t0 from the doses given at or before t0.
	var g, x float64
	i := 0
	for ; i < len(doses) && doses[i].Time <= t0; i++ {
		u := t0 - doses[i].Time
		g += doses[i].Amount * math.Exp(-ka*u)
		x += doses[i].Amount * central(ka, lo, d, u)
	}
	start := t0
	for start < t1 {
		end := t1
		if i < len(doses) && doses[i].Time < t1 {
			end = doses[i].Time
		}
		length := end - start
		n := 1.0
		if !math.IsInf(maxLen, 1) {
			// A relative 1e-12 of slack keeps a ratio that rounds just
			// above an integer (1 day / (1 h) = 24.000000000000004) from
			// adding a segment.
			n = max(1, math.Ceil(length/maxLen*(1-1e-12)))
		}
		for k := 0.0; k < n; k++ {
			s, e := start+length*(k/n), start+length*((k+1)/n)
			if k+1 == n {
				e = end
			}
			h := e - s
			if h <= 0 {
				continue
			}
			area := x*-math.Expm1(-ke*h) + g*eliminated(ka, ke, lo, d, h)
			buf = append(buf, Segment{Start: s, End: e, Conc: p.Scale * area / h})
			x = x*math.Exp(-ke*h) + g*central(ka, lo, d, h)
			g *= math.Exp(-ka * h)
		}
		for ; i < len(doses) && doses[i].Time == end; i++ {
			g += doses[i].Amount
		}
		start = end
	}
	return buf
}

// Dose is one dose of Amount mg given at Time (days).
type Dose struct {
	Time   float64 // days
	Amount float64 // mg
}

// Regimen is a fixed dosing schedule: Amount mg at Start + i x Interval for
// i = 0, 1, ... while the time is before End (days), except the doses whose
// index i is listed in Skip (missed doses). Dose changes, cycles (21 days on,
// 7 off) and holidays are concatenations of regimens: see Schedule.
type Regimen struct {
	Start, End float64 // days; doses at Start + i x Interval < End
	Interval   float64 // days between doses
	Amount     float64 // mg per dose
	Skip       []int   // indices i of missed doses
}

// Count is the number of dose slots, skipped ones included: the number of
// i >= 0 with Start + i x Interval < End. It is 0 for an invalid regimen.
func (r Regimen) Count() int {
	if !(r.Interval > 0) || math.IsInf(r.Interval, 0) || math.IsInf(r.Start, 0) || math.IsInf(r.End, 0) || !(r.End > r.Start) {
		return 0
	}
	n := int(math.Ceil((r.End - r.Start) / r.Interval))
	for n > 0 && r.Start+float64(n-1)*r.Interval >= r.End {
		n--
	}
	for r.Start+float64(n)*r.Interval < r.End {
		n++
	}
	return n
}

// Validate reports the problems of r, naming the field: Interval must be a
// positive finite number of days, Start and End finite with End >= Start,
// Amount a finite number >= 0, and Skip indices in [0, Count()).
func (r Regimen) Validate() (err error) {
	defer errprefix.Wrap(&err, "model")
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if !(r.Interval > 0) || math.IsInf(r.Interval, 0) {
		bad("regimen interval %v: must be a positive finite number of days", r.Interval)
	}
	if math.IsNaN(r.Start) || math.IsInf(r.Start, 0) {
		bad("regimen start %v: must be a finite time (days)", r.Start)
	}
	if math.IsNaN(r.End) || math.IsInf(r.End, 0) || r.End < r.Start {
		bad("regimen end %v: must be a finite time (days) >= start %v", r.End, r.Start)
	}
	if !(r.Amount >= 0) || math.IsInf(r.Amount, 0) {
		bad("regimen amount %v: must be a finite dose >= 0 (mg)", r.Amount)
	}
	if len(errs) == 0 {
		n := r.Count()
		for _, k := range r.Skip {
			if k < 0 || k >= n {
				bad("regimen skip index %d: must be in [0, %d) (the regimen has %d doses)", k, n, n)
			}
		}
	}
	return errors.Join(errs...)
}

// Doses appends the doses of r to buf in time order: Amount mg at
// Start + i x Interval (computed by multiplication, so there is no drift) for
// every i in [0, Count()) not listed in Skip. An invalid regimen (see
// Validate) appends nothing.
func (r Regimen) Doses(buf []Dose) []Dose {
	n := r.Count()
	for i := range n {
		if slices.Contains(r.Skip, i) {
			continue
		}
		buf = append(buf, Dose{Time: r.Start + float64(i)*r.Interval, Amount: r.Amount})
	}
	return buf
}

// Schedule concatenates the doses of several regimens (a dose change, a
// cycle of 21 days on and 7 off, a holiday then rechallenge) and sorts them
// by time (stably, so coinciding doses keep the regimens' order).
func Schedule(rs ...Regimen) []Dose {
	var ds []Dose
	for _, r := range rs {
		ds = r.Doses(ds)
	}
	slices.SortStableFunc(ds, func(a, b Dose) int { return cmp.Compare(a.Time, b.Time) })
	return ds
}
