package sim

import "math"

// Exposure gives drug concentrations (mg-eq, indexed like model.Model.Drugs)
// as a piecewise-constant function of time. A time-varying pharmacokinetic
// profile is handed to the engine as fine segments, each holding the
// concentration whose kill equals the segment's average kill; the engine is
// exact for the piecewise-constant process.
type Exposure interface {
	// Conc writes into c the concentrations on [t, next) and returns next
	// (> t, or +Inf when they never change again).
	Conc(t float64, c []float64) (next float64)
}

// Observation is what a therapy policy is told at each scan.
type Observation struct {
	Time       float64
	Total      int64
	Baseline   int64 // burden at the start of treatment
	Nadir      int64 // smallest scanned burden so far
	Progressed bool  // RECIST progression has been seen
}

// Therapy is a treatment policy: an Exposure that may react to scans. The
// engine calls Reset before every replicate's treatment phase and Observe at
// every scan; Conc must only change at or after the time of the last Observe.
type Therapy interface {
	Exposure
	Reset()
	Observe(o Observation)
}

// NoDrug is the exposure of an untreated tumour.
type NoDrug struct{}

func (NoDrug) Conc(t float64, c []float64) float64 {
	clear(c)
	return math.Inf(1)
}
func (NoDrug) Reset()              {}
func (NoDrug) Observe(Observation) {}

// Constant holds every drug at a fixed concentration forever.
type Constant struct{ C []float64 }

func (k Constant) Conc(t float64, c []float64) float64 {
	copy(c, k.C)
	return math.Inf(1)
}
func (Constant) Reset()              {}
func (Constant) Observe(Observation) {}

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
func (Piecewise) Reset()              {}
func (Piecewise) Observe(Observation) {}
