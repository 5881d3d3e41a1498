package model

import (
	"math"
	"testing"
)

// The default rezatapopt must reproduce the numbers it was calibrated to:
// at 2000 mg a sensitive lesion declines at Bozic 2013's median -0.03/day
// (d' = 0.17/day); at 600 mg and below the kill stays under the untreated net
// growth, so no lesion shrinks (0/10 responses in phase 1); at 1150 mg it
// shrinks (responses from 1150 mg on).
func TestRezatapoptCalibration(t *testing.T) {
	d := Rezatapopt()
	net := func(dose float64) float64 { return DefaultBirth - DefaultDeath - d.Kill(dose, 1) }
	if got := net(2000); math.Abs(got+DefaultTreatedDecline) > 1e-12 {
		t.Errorf("net growth of sensitive cells at 2000 mg = %.6g/day, want -%g (Bozic 2013 median lesion decline)", got, DefaultTreatedDecline)
	}
	if got := DefaultDeath + d.Kill(2000, 1); math.Abs(got-0.17) > 1e-12 {
		t.Errorf("treated death rate d' = %.6g/day, want 0.17 (Bozic 2013)", got)
	}
	for _, dose := range []float64{150, 300, 600} {
		if g := net(dose); g <= 0 {
			t.Errorf("net growth at %g mg = %.4g/day: lesions shrink, but phase 1 saw no response at 150-600 mg", dose, g)
		}
	}
	for _, dose := range []float64{1150, 1500, 2500} {
		// a partial response (0.343 x baseline) within a year needs a
		// decline of at least ln(1/0.343)/365 = 0.0029/day
		if g := net(dose); g > -math.Log(1/0.343)/365 {
			t.Errorf("net growth at %g mg = %.4g/day: too slow for a response within a year", dose, g)
		}
	}
	// pocket mutants ignore rezatapopt at the clinical dose (100-fold EC50)
	if k := d.Kill(2000, d.PocketFold); k > 0.01*DefaultFullDoseKill {
		t.Errorf("kill of a pocket mutant at 2000 mg = %.3g/day, want < 1%% of the full kill", k)
	}
	// the next-generation reactivator shares the dose response but not the
	// pocket shift
	ng := NextGen()
	if ng.Kill(2000, ng.PocketFold) != d.Kill(2000, 1) {
		t.Errorf("nextgen kill of a pocket mutant %g, want rezatapopt's kill of sensitive cells %g", ng.Kill(2000, ng.PocketFold), d.Kill(2000, 1))
	}
}

// The Hill term saturates at Emax for enormous doses, tiny EC50s and high
// Hill coefficients instead of overflowing to NaN (which changed outcomes
// silently), and is unchanged in ordinary ranges.
func TestKillStable(t *testing.T) {
	d := Drug{Name: "x", Emax: 0.04, EC50: 900, Hill: 3}
	plain := func(d Drug, c, fold float64) float64 {
		x := math.Pow(c/(d.EC50*fold), d.Hill)
		return d.Emax * x / (1 + x)
	}
	for _, c := range []float64{1, 600, 900, 2000, 1e5} {
		if got, want := d.Kill(c, 1), plain(d, c, 1); got != want {
			t.Errorf("Kill(%g) = %v, the plain form gives %v", c, got, want)
		}
	}
	cases := []struct {
		d       Drug
		c, fold float64
		want    float64
	}{
		{Drug{Emax: 0.04, EC50: 900, Hill: 3}, 1e106, 1, 0.04},
		{Drug{Emax: 0.04, EC50: 900, Hill: 3}, 1e300, 1, 0.04},
		{Drug{Emax: 0.04, EC50: 900, Hill: 3}, math.Inf(1), 1, 0.04},
		{Drug{Emax: 0.04, EC50: 1e-300, Hill: 3}, 2000, 1, 0.04},
		{Drug{Emax: 0.04, EC50: 900, Hill: 20}, 1e19, 1, 0.04},
		{Drug{Emax: 0.04, EC50: 900, Hill: 20}, 1e19, 100, 0.04},
		{Drug{Emax: 0.04, EC50: 1e300, Hill: 20}, 1e-300, 1e10, 0},
	}
	for _, c := range cases {
		got := c.d.Kill(c.c, c.fold)
		if math.IsNaN(got) || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Kill(dose %g, EC50 %g, Hill %g, fold %g) = %v, want %v", c.c, c.d.EC50, c.d.Hill, c.fold, got, c.want)
		}
	}
}
