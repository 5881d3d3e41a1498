package sim

import (
	"fmt"
	"math"

	"github.com/p53evo/p53evo/model"
)

// MaxDrugs is the largest number of drugs a scenario may define.
const MaxDrugs = 8

// EndKind says how a treatment phase ends.
type EndKind uint8

const (
	EndNever       EndKind = iota // the phase lasts until the replicate stops
	EndAfter                      // after Days days
	EndProgression                // at RECIST progression (a new line of therapy starts)
	EndCTDNA                      // when a ctDNA draw calls a mutation of Class at observed VAF >= VAF
	EndBurdenBelow                // at a scan with burden <= Fraction x baseline
	EndBurdenAbove                // at a scan with burden >= Fraction x baseline
)

var endNames = [...]string{"never", "after", "progression", "ctdna", "burden-below", "burden-above"}

func (k EndKind) String() string {
	if int(k) < len(endNames) {
		return endNames[k]
	}
	return fmt.Sprintf("EndKind(%d)", k)
}

// EndRule is when a phase ends.
type EndRule struct {
	Kind     EndKind
	Days     float64     // EndAfter: phase length
	Class    model.Class // EndCTDNA: class of the called mutation (ClassTALoss or ClassPocket)
	VAF      float64     // EndCTDNA: observed variant allele fraction threshold
	Fraction float64     // EndBurdenBelow/Above: fraction of the baseline burden
}

// PhaseSpec is one phase of a treatment: which drugs at which doses, on
// what schedule, and when it ends.
type PhaseSpec struct {
	Name     string
	Doses    []float64 // mg per administration, indexed like Model.Drugs (0: not given)
	Interval float64   // days between administrations (default 1: once daily)
	On, Off  float64   // intermittent cycle: On days of dosing then Off days of pause; Off = 0: continuous
	End      EndRule
	// Next is the index of the phase that follows; -1 stops treatment. The
	// zero value is taken as "the next phase in the list" by Policy.Validate
	// only when NextSet is false.
	Next    int
	NextSet bool
}

// Policy is a treatment: an ordered list of phases, each ending by its
// rule, with drug concentrations from a pharmacokinetic model per drug or,
// where PK[d] is nil, the steady-state average (dose x scale / interval while
// dosing). It implements Therapy; use NewPolicy for one per worker.
type Policy struct {
	Phases []PhaseSpec
	PK     []*model.PK // per drug; nil slice or nil entry: steady state
	// SegmentLen is the length of the piecewise-constant segments that carry
	// a PK concentration profile to the engine, each holding the average
	// concentration over the segment (default 1/24 day).
	SegmentLen float64

	st policyState
}

type policyState struct {
	phase      int     // current phase, -1 when treatment has stopped
	phaseStart float64 // when the current phase began
	doses      [][]model.Dose
	first      []int // per drug, first dose that can still matter
	log        []PhaseChange
}

// PhaseChange records that a phase began.
type PhaseChange struct {
	Time  float64
	Phase int // -1: treatment stopped
	Name  string
	Why   string
}

// Clone returns a policy with the same phases and fresh state: one per
// worker, since a policy remembers its doses and phase.
func (p *Policy) Clone() *Policy {
	q := &Policy{Phases: p.Phases, PK: p.PK, SegmentLen: p.SegmentLen}
	q.Reset()
	return q
}

// Validate checks the policy against the number of drugs.
func (p *Policy) Validate(ndrugs int) error {
	if ndrugs > MaxDrugs {
		return fmt.Errorf("%d drugs: at most %d", ndrugs, MaxDrugs)
	}
	if len(p.PK) != 0 && len(p.PK) != ndrugs {
		return fmt.Errorf("pk: %d entries for %d drugs", len(p.PK), ndrugs)
	}
	for i, pk := range p.PK {
		if pk != nil {
			if err := pk.Validate(); err != nil {
				return fmt.Errorf("pk of drug %d: %w", i, err)
			}
		}
	}
	if p.SegmentLen < 0 || math.IsNaN(p.SegmentLen) {
		return fmt.Errorf("segment length %v: must be > 0 days", p.SegmentLen)
	}
	for i, ph := range p.Phases {
		if len(ph.Doses) != ndrugs {
			return fmt.Errorf("phases[%d].doses: %d entries for %d drugs", i, len(ph.Doses), ndrugs)
		}
		for d, x := range ph.Doses {
			if !(x >= 0) || math.IsInf(x, 0) {
				return fmt.Errorf("phases[%d].doses[%d] %v: must be a finite dose >= 0 mg", i, d, x)
			}
		}
		if ph.Interval < 0 || math.IsNaN(ph.Interval) {
			return fmt.Errorf("phases[%d].interval %v: must be > 0 days", i, ph.Interval)
		}
		if ph.On < 0 || ph.Off < 0 || (ph.Off > 0 && ph.On <= 0) {
			return fmt.Errorf("phases[%d].cycle on %v off %v: on must be > 0 days when off > 0", i, ph.On, ph.Off)
		}
		e := ph.End
		switch e.Kind {
		case EndNever, EndProgression:
		case EndAfter:
			if !(e.Days > 0) {
				return fmt.Errorf("phases[%d].until after %v: must be > 0 days", i, e.Days)
			}
		case EndCTDNA:
			if e.Class != model.ClassTALoss && e.Class != model.ClassPocket {
				return fmt.Errorf("phases[%d].until ctdna class: must be ta-loss or pocket", i)
			}
			if !(e.VAF > 0 && e.VAF <= 1) {
				return fmt.Errorf("phases[%d].until ctdna vaf %v: must be in (0, 1]", i, e.VAF)
			}
		case EndBurdenBelow, EndBurdenAbove:
			if !(e.Fraction > 0) || math.IsInf(e.Fraction, 0) {
				return fmt.Errorf("phases[%d].until %s %v: must be a positive fraction of baseline", i, e.Kind, e.Fraction)
			}
		default:
			return fmt.Errorf("phases[%d].until: unknown end kind %d", i, e.Kind)
		}
		if n := p.next(i); n < -1 || n >= len(p.Phases) {
			return fmt.Errorf("phases[%d].next %d: must be a phase index (0..%d) or -1 to stop", i, n, len(p.Phases)-1)
		}
	}
	return nil
}

// next is the phase after phase i.
func (p *Policy) next(i int) int {
	if p.Phases[i].NextSet {
		return p.Phases[i].Next
	}
	if i+1 < len(p.Phases) {
		return i + 1
	}
	return -1
}

func (p *Policy) segLen() float64 {
	if p.SegmentLen > 0 {
		return p.SegmentLen
	}
	return 1.0 / 24
}

// Reset starts the first phase at t = 0.
func (p *Policy) Reset() {
	st := &p.st
	st.phase, st.phaseStart = 0, 0
	if len(p.Phases) == 0 {
		st.phase = -1
	}
	nd := 0
	if len(p.Phases) > 0 {
		nd = len(p.Phases[0].Doses)
	}
	if len(st.doses) != nd {
		st.doses = make([][]model.Dose, nd)
		st.first = make([]int, nd)
	}
	for d := range st.doses {
		st.doses[d] = st.doses[d][:0]
		st.first[d] = 0
	}
	st.log = append(st.log[:0], PhaseChange{Time: 0, Phase: st.phase, Name: p.phaseName(st.phase), Why: "start"})
}

func (p *Policy) phaseName(i int) string {
	if i < 0 {
		return "off treatment"
	}
	if n := p.Phases[i].Name; n != "" {
		return n
	}
	return fmt.Sprintf("phase %d", i)
}

// Phase reports the current phase (index, -1 off treatment) and its name.
func (p *Policy) Phase() (int, string) { return p.st.phase, p.phaseName(p.st.phase) }

// Changes are the phase changes so far, the start included.
func (p *Policy) Changes() []PhaseChange { return p.st.log }

func (p *Policy) switchTo(t float64, why string) {
	st := &p.st
	next := p.next(st.phase)
	// doses of the ending phase after t are cancelled
	for d := range st.doses {
		ds := st.doses[d]
		for len(ds) > 0 && ds[len(ds)-1].Time >= t {
			ds = ds[:len(ds)-1]
		}
		st.doses[d] = ds
	}
	st.phase, st.phaseStart = next, t
	st.log = append(st.log, PhaseChange{Time: t, Phase: next, Name: p.phaseName(next), Why: why})
}

// dosing reports whether t lies in an on-window of phase ph begun at start,
// and when that window (or the following off-window) ends.
func dosing(ph *PhaseSpec, start, t float64) (on bool, until float64) {
	if ph.Off <= 0 {
		return true, math.Inf(1)
	}
	cyc := ph.On + ph.Off
	k := math.Floor((t - start) / cyc)
	c0 := start + k*cyc
	if t < c0+ph.On {
		return true, c0 + ph.On
	}
	return false, c0 + cyc
}

// advancePhase applies time-based ends up to t.
func (p *Policy) advancePhase(t float64) {
	st := &p.st
	for st.phase >= 0 {
		ph := &p.Phases[st.phase]
		if ph.End.Kind != EndAfter || t < st.phaseStart+ph.End.Days {
			return
		}
		p.switchTo(st.phaseStart+ph.End.Days, fmt.Sprintf("after %g days", ph.End.Days))
	}
}

// phaseEnd is the time the current phase ends by the clock (+Inf if not).
func (p *Policy) phaseEnd() float64 {
	st := &p.st
	if st.phase < 0 || p.Phases[st.phase].End.Kind != EndAfter {
		return math.Inf(1)
	}
	return st.phaseStart + p.Phases[st.phase].End.Days
}

// scheduleDoses appends the current phase's administrations up to time b.
func (p *Policy) scheduleDoses(b float64) {
	st := &p.st
	if st.phase < 0 {
		return
	}
	ph := &p.Phases[st.phase]
	iv := ph.Interval
	if iv <= 0 {
		iv = 1
	}
	end := min(b, p.phaseEnd())
	for d, amount := range ph.Doses {
		if amount <= 0 || p.pk(d) == nil {
			continue
		}
		ds := st.doses[d]
		// next administration of this phase after the last one recorded
		k := 0.0
		if n := len(ds); n > 0 && ds[n-1].Time >= st.phaseStart {
			k = math.Floor((ds[n-1].Time-st.phaseStart)/iv+0.5) + 1
		}
		for {
			td := st.phaseStart + k*iv
			if td > end {
				break
			}
			if on, _ := dosing(ph, st.phaseStart, td); on {
				ds = append(ds, model.Dose{Time: td, Amount: amount})
			}
			k++
		}
		st.doses[d] = ds
	}
}

func (p *Policy) pk(d int) *model.PK {
	if d < len(p.PK) {
		return p.PK[d]
	}
	return nil
}

// Conc implements Exposure. Under steady state a drug's concentration is
// dose x scale / interval while dosing and 0 otherwise; under PK it is the
// exact average of the one-compartment profile over each segment.
func (p *Policy) Conc(t float64, c []float64) float64 {
	p.advancePhase(t)
	st := &p.st
	clear(c)
	next := p.phaseEnd()
	anyPK := false
	var ph *PhaseSpec
	if st.phase >= 0 {
		ph = &p.Phases[st.phase]
		on, until := dosing(ph, st.phaseStart, t)
		next = min(next, until)
		iv := ph.Interval
		if iv <= 0 {
			iv = 1
		}
		for d, amount := range ph.Doses {
			if p.pk(d) == nil && on && amount > 0 {
				c[d] = amount / iv
			}
		}
	}
	for d := range st.doses {
		if p.pk(d) != nil {
			anyPK = true
		}
	}
	if !anyPK {
		return next
	}
	seg := p.segLen()
	b := (math.Floor(t/seg) + 1) * seg
	if b <= t {
		b = t + seg
	}
	b = min(b, next)
	p.scheduleDoses(b)
	for d := range st.doses {
		pk := p.pk(d)
		if pk == nil {
			continue
		}
		ds := st.doses[d]
		// doses older than 50 elimination and absorption half-lives no longer count
		horizon := 50 * max(pk.HalfLife, math.Ln2/pk.Ka)
		f := st.first[d]
		for f < len(ds) && ds[f].Time < t-horizon {
			f++
		}
		st.first[d] = f
		if f < len(ds) {
			c[d] = pk.AverageConc(ds[f:], t, b)
		}
	}
	return b
}

// Observe applies the current phase's end rule to an observation and
// reports whether the phase changed.
func (p *Policy) Observe(o Observation) bool {
	p.advancePhase(o.Time)
	st := &p.st
	if st.phase < 0 {
		return false
	}
	e := p.Phases[st.phase].End
	var why string
	switch {
	case e.Kind == EndProgression && o.NewProgression:
		why = "progression"
	case e.Kind == EndBurdenBelow && o.Kind == ObserveScan && float64(o.Total) <= e.Fraction*float64(o.Baseline):
		why = fmt.Sprintf("burden %d <= %g x baseline", o.Total, e.Fraction)
	case e.Kind == EndBurdenAbove && o.Kind == ObserveScan && float64(o.Total) >= e.Fraction*float64(o.Baseline):
		why = fmt.Sprintf("burden %d >= %g x baseline", o.Total, e.Fraction)
	case e.Kind == EndCTDNA && o.Kind == ObserveDraw && o.CalledVAF[e.Class] >= e.VAF:
		why = fmt.Sprintf("ctDNA called %s at VAF %.4f", e.Class, o.CalledVAF[e.Class])
	default:
		return false
	}
	p.switchTo(o.Time, why)
	return true
}
