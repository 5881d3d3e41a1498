package sim

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mathext"

	"github.com/p53evo/p53evo/sim/rng"
)

// DistKind names the law of a Dist.
type DistKind uint8

const (
	DistFixed      DistKind = iota // always Value
	DistNormal                     // Mean, SD
	DistLogNormal                  // Median, Sigma (SD of the natural log)
	DistUniform                    // Lo, Hi
	DistLogUniform                 // Lo, Hi (> 0): the log is uniform
	DistEmpirical                  // one of Values, each equally likely
	DistBeta                       // Alpha, Beta, scaled from [0, 1] to [Lo, Hi]
)

var distNames = [...]string{"fixed", "normal", "lognormal", "uniform", "loguniform", "empirical", "beta"}

func (k DistKind) String() string {
	if int(k) < len(distNames) {
		return distNames[k]
	}
	return fmt.Sprintf("DistKind(%d)", k)
}

// DistKindNames lists the allowed law names, for error messages.
func DistKindNames() string { return strings.Join(distNames[:], ", ") }

// ParseDistKind reads a law's name.
func ParseDistKind(s string) (DistKind, error) {
	for i, n := range distNames {
		if n == s {
			return DistKind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown distribution %q (allowed: %s)", s, DistKindNames())
}

// Dist is a scalar parameter given as a distribution: drawn once per patient
// (or per lesion) from the patient's own stream. A draw of a continuous law
// uses exactly one uniform, through the inverse of the (truncated) CDF, so
// two scenarios that differ only in a law's parameters see the same
// uniforms: common random numbers across arms.
//
// Truncation (Min, Max, when Truncated) restricts the law to [Min, Max] by
// conditioning: the uniform is mapped into [F(Min), F(Max)].
type Dist struct {
	Kind      DistKind
	Value     float64   // fixed
	Mean, SD  float64   // normal
	Median    float64   // lognormal
	Sigma     float64   // lognormal: SD of ln X
	Lo, Hi    float64   // uniform, loguniform
	Values    []float64 // empirical
	Alpha     float64   // beta: shape parameters (Lo, Hi: its range)
	Beta      float64
	Truncated bool
	Min, Max  float64
}

// Fixed is the law that always gives v.
func Fixed(v float64) Dist { return Dist{Kind: DistFixed, Value: v} }

// LogNormalCV is the log-normal law of median m whose coefficient of
// variation is cv: sigma^2 = ln(1 + cv^2).
func LogNormalCV(m, cv float64) Dist {
	return Dist{Kind: DistLogNormal, Median: m, Sigma: math.Sqrt(math.Log1p(cv * cv))}
}

// LogNormal10 is the log-normal law of median m with log10 SD s.
func LogNormal10(m, s float64) Dist {
	return Dist{Kind: DistLogNormal, Median: m, Sigma: s * math.Ln10}
}

// Truncate returns d restricted to [lo, hi].
func (d Dist) Truncate(lo, hi float64) Dist {
	d.Truncated, d.Min, d.Max = true, lo, hi
	return d
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Validate reports an impossible law.
func (d *Dist) Validate() error {
	switch d.Kind {
	case DistFixed:
		if !finite(d.Value) {
			return fmt.Errorf("fixed value %v: must be a finite number", d.Value)
		}
	case DistNormal:
		if !finite(d.Mean) || !(d.SD >= 0) || !finite(d.SD) {
			return fmt.Errorf("normal mean %v, sd %v: need a finite mean and sd >= 0", d.Mean, d.SD)
		}
	case DistLogNormal:
		if !(d.Median > 0) || !finite(d.Median) || !(d.Sigma >= 0) || !finite(d.Sigma) {
			return fmt.Errorf("lognormal median %v, sigma %v: need median > 0 and a spread >= 0", d.Median, d.Sigma)
		}
	case DistUniform:
		if !finite(d.Lo) || !finite(d.Hi) || d.Lo > d.Hi {
			return fmt.Errorf("uniform [%v, %v]: need finite bounds with min <= max", d.Lo, d.Hi)
		}
	case DistLogUniform:
		if !(d.Lo > 0) || !finite(d.Hi) || d.Lo > d.Hi {
			return fmt.Errorf("loguniform [%v, %v]: need 0 < min <= max", d.Lo, d.Hi)
		}
	case DistBeta:
		if !(d.Alpha > 0) || !finite(d.Alpha) || !(d.Beta > 0) || !finite(d.Beta) {
			return fmt.Errorf("beta alpha %v, beta %v: need finite shapes > 0", d.Alpha, d.Beta)
		}
		if !finite(d.Lo) || !finite(d.Hi) || !(d.Lo < d.Hi) {
			return fmt.Errorf("beta on [%v, %v]: need finite bounds with low < high", d.Lo, d.Hi)
		}
	case DistEmpirical:
		if len(d.Values) == 0 {
			return fmt.Errorf("empirical: needs at least one value")
		}
		for _, v := range d.Values {
			if !finite(v) {
				return fmt.Errorf("empirical value %v: must be finite", v)
			}
		}
	default:
		return fmt.Errorf("unknown distribution kind %d", d.Kind)
	}
	if d.Truncated {
		if math.IsNaN(d.Min) || math.IsNaN(d.Max) || d.Min > d.Max {
			return fmt.Errorf("truncation [%v, %v]: need min <= max", d.Min, d.Max)
		}
		if lo, hi := d.cdf(d.Min), d.cdf(d.Max); d.Kind != DistFixed && d.Kind != DistEmpirical && !(hi > lo) {
			return fmt.Errorf("truncation [%v, %v] leaves no probability under the %s law", d.Min, d.Max, d.Kind)
		}
		if d.Kind == DistFixed && (d.Value < d.Min || d.Value > d.Max) {
			return fmt.Errorf("fixed value %v outside its range [%v, %v]", d.Value, d.Min, d.Max)
		}
		if d.Kind == DistEmpirical {
			ok := false
			for _, v := range d.Values {
				ok = ok || (v >= d.Min && v <= d.Max)
			}
			if !ok {
				return fmt.Errorf("truncation [%v, %v] excludes every empirical value", d.Min, d.Max)
			}
		}
	}
	return nil
}

// Range is the smallest and largest value d can give.
func (d *Dist) Range() (lo, hi float64) {
	switch d.Kind {
	case DistFixed:
		lo, hi = d.Value, d.Value
	case DistNormal:
		lo, hi = math.Inf(-1), math.Inf(1)
		if d.SD == 0 {
			lo, hi = d.Mean, d.Mean
		}
	case DistLogNormal:
		lo, hi = 0, math.Inf(1)
		if d.Sigma == 0 {
			lo, hi = d.Median, d.Median
		}
	case DistUniform, DistLogUniform, DistBeta:
		lo, hi = d.Lo, d.Hi
	case DistEmpirical:
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range d.Values {
			if !d.Truncated || (v >= d.Min && v <= d.Max) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		return lo, hi
	}
	if d.Truncated {
		lo, hi = max(lo, d.Min), min(hi, d.Max)
	}
	return lo, hi
}

// cdf is the untruncated CDF of a continuous law.
func (d *Dist) cdf(x float64) float64 {
	switch d.Kind {
	case DistNormal:
		if d.SD == 0 {
			return step(x, d.Mean)
		}
		return 0.5 * math.Erfc(-(x-d.Mean)/(d.SD*math.Sqrt2))
	case DistLogNormal:
		if x <= 0 {
			return 0
		}
		if d.Sigma == 0 {
			return step(x, d.Median)
		}
		return 0.5 * math.Erfc(-math.Log(x/d.Median)/(d.Sigma*math.Sqrt2))
	case DistUniform:
		if d.Hi == d.Lo {
			return step(x, d.Lo)
		}
		return math.Min(1, math.Max(0, (x-d.Lo)/(d.Hi-d.Lo)))
	case DistLogUniform:
		if x <= 0 {
			return 0
		}
		if d.Hi == d.Lo {
			return step(x, d.Lo)
		}
		return math.Min(1, math.Max(0, math.Log(x/d.Lo)/math.Log(d.Hi/d.Lo)))
	case DistBeta:
		switch y := (x - d.Lo) / (d.Hi - d.Lo); {
		case y <= 0:
			return 0
		case y >= 1:
			return 1
		default:
			return mathext.RegIncBeta(d.Alpha, d.Beta, y)
		}
	}
	return 0
}

func step(x, at float64) float64 {
	if x < at {
		return 0
	}
	return 1
}

// CDF is the CDF of d, truncation included (continuous laws only; for the
// others it is the empirical step function).
func (d *Dist) CDF(x float64) float64 {
	switch d.Kind {
	case DistFixed:
		return step(x, d.Value)
	case DistEmpirical:
		n, k := 0, 0
		for _, v := range d.Values {
			if d.Truncated && (v < d.Min || v > d.Max) {
				continue
			}
			n++
			if v <= x {
				k++
			}
		}
		return float64(k) / float64(n)
	}
	if !d.Truncated {
		return d.cdf(x)
	}
	lo, hi := d.cdf(d.Min), d.cdf(d.Max)
	switch {
	case x < d.Min:
		return 0
	case x >= d.Max:
		return 1
	}
	return (d.cdf(x) - lo) / (hi - lo)
}

// quantile is the untruncated inverse CDF of a continuous law.
func (d *Dist) quantile(p float64) float64 {
	switch d.Kind {
	case DistNormal:
		return d.Mean - d.SD*math.Sqrt2*math.Erfcinv(2*p)
	case DistLogNormal:
		return d.Median * math.Exp(-d.Sigma*math.Sqrt2*math.Erfcinv(2*p))
	case DistUniform:
		return d.Lo + p*(d.Hi-d.Lo)
	case DistLogUniform:
		return d.Lo * math.Exp(p*math.Log(d.Hi/d.Lo))
	case DistBeta:
		return d.Lo + (d.Hi-d.Lo)*mathext.InvRegIncBeta(d.Alpha, d.Beta, p)
	}
	return math.NaN()
}

// Sample draws one value from r: one uniform for every law.
func (d *Dist) Sample(r *rng.Stream) float64 {
	return d.At(r.Open01())
}

// At is the value the uniform u in (0, 1) gives: the (truncated) law's
// quantile at u for a continuous law, the value of rank floor(u n) for an
// empirical one. Sample is At of one uniform; a Gaussian copula feeds it
// correlated uniforms.
func (d *Dist) At(u float64) float64 {
	switch d.Kind {
	case DistFixed:
		return d.Value
	case DistEmpirical:
		if !d.Truncated {
			return d.Values[min(int(u*float64(len(d.Values))), len(d.Values)-1)]
		}
		n := 0
		for _, v := range d.Values {
			if v >= d.Min && v <= d.Max {
				n++
			}
		}
		k := min(int(u*float64(n)), n-1)
		for _, v := range d.Values {
			if v >= d.Min && v <= d.Max {
				if k == 0 {
					return v
				}
				k--
			}
		}
	}
	p := u
	if d.Truncated {
		lo, hi := d.cdf(d.Min), d.cdf(d.Max)
		p = lo + u*(hi-lo)
	}
	x := d.quantile(p)
	if d.Truncated {
		x = math.Min(d.Max, math.Max(d.Min, x))
	}
	return x
}

// String describes the law in the scenario's words.
func (d Dist) String() string {
	var s string
	switch d.Kind {
	case DistFixed:
		s = fmt.Sprintf("fixed %g", d.Value)
	case DistNormal:
		s = fmt.Sprintf("normal mean %g sd %g", d.Mean, d.SD)
	case DistLogNormal:
		s = fmt.Sprintf("lognormal median %g sigma %g", d.Median, d.Sigma)
	case DistUniform, DistLogUniform:
		s = fmt.Sprintf("%s [%g, %g]", d.Kind, d.Lo, d.Hi)
	case DistBeta:
		s = fmt.Sprintf("beta alpha %g beta %g on [%g, %g]", d.Alpha, d.Beta, d.Lo, d.Hi)
	case DistEmpirical:
		s = fmt.Sprintf("empirical of %d values", len(d.Values))
	}
	if d.Truncated {
		s += fmt.Sprintf(" truncated to [%g, %g]", d.Min, d.Max)
	}
	return s
}
