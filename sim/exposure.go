package sim

import "math"

// Exposure gives drug concentrations (mg-eq, indexed like model.Model.Drugs)
// as a piecewise-constant function of time. A time-varying pharmacokinetic
// profile reaches the engine as short segments (Policy: one hour by default),
// each holding the exact average concentration over the segment; the engine
// is exact for the piecewise-constant process. With one-hour segments the
// mean kill of rezatapopt at 2000 mg daily differs from the exact
// time-average of the kill by +0.06% (sensitive cells) and -0.3% (pocket
// mutants, 100-fold EC50); see TestPKSegmentKillBias in model/.
type Exposure interface {
	// Conc writes into c the concentrations on [t, next) and returns next
	// (> t, or +Inf when they never change again).
	Conc(t float64, c []float64) (next float64)
}

// ObserveKind says what kind of observation an Observation is.
type ObserveKind uint8

const (
	ObserveScan ObserveKind = iota // imaging: burden and RECIST
	ObserveDraw                    // liquid biopsy: ctDNA calls
)

// Observation is what a therapy policy is told at each scan and each blood
// draw.
type Observation struct {
	Kind           ObserveKind
	Time           float64
	Total          int64 // scanned burden (scans)
	Baseline       int64 // burden at the start of the current line of treatment
	Nadir          int64 // smallest scanned burden of the current line
	NewProgression bool  // this scan shows RECIST progression of the current line
	// CalledVAF is, per class, the largest observed VAF among the mutations
	// this draw called (0 if none; draws only).
	CalledVAF [3]float64
}

// Therapy is a treatment policy: an Exposure that may react to scans and
// blood draws. The engine calls Reset before every replicate's treatment
// phase and Observe at every scan and draw; Observe reports whether the
// policy changed phase (a change at progression starts a new line of
// treatment instead of ending the replicate). Conc is called with
// non-decreasing times and may change only at or after the last Observe.
type Therapy interface {
	Exposure
	Reset()
	Observe(o Observation) (changed bool)
}

// Phased is a Therapy that can name its current phase; the engine records
// every phase change as an event.
type Phased interface {
	Phase() (index int, name string)
}

// NoDrug is the exposure of an untreated tumour.
type NoDrug struct{}

func (NoDrug) Conc(t float64, c []float64) float64 {
	clear(c)
	return math.Inf(1)
}
func (NoDrug) Reset()                   {}
func (NoDrug) Observe(Observation) bool { return false }

// Constant holds every drug at a fixed concentration forever.
type Constant struct{ C []float64 }

func (k Constant) Conc(t float64, c []float64) float64 {
	copy(c, k.C)
	return math.Inf(1)
}
func (Constant) Reset()                   {}
func (Constant) Observe(Observation) bool { return false }

// Piecewise holds concentrations that change at fixed times: C[i] applies
// from Start[i] until Start[i+1]; before Start[0] there is no drug.
type Piecewise struct {
	Start []float64
	C     [][]float64
}

func (p Piecewise) Conc(t float64, c []float64) float64 {
	i := -1
	for j, s := range p.Start {
		if s <= t {
			i = j
		}
	}
	if i < 0 {
		clear(c)
	} else {
		copy(c, p.C[i])
	}
	if i+1 < len(p.Start) {
		return p.Start[i+1]
	}
	return math.Inf(1)
}
func (Piecewise) Reset()                   {}
func (Piecewise) Observe(Observation) bool { return false }
