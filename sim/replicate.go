package sim

import (
	"errors"
	"fmt"
	"math"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// Config is everything one scenario asks of the engine.
type Config struct {
	Model model.Model

	Founder int64   // cells at founding (default 1)
	Detect  float64 // size at which treatment starts (default 1e9)

	Step       float64 // longest step between synchronisation points, days (default 7)
	GrowthGrid float64 // trajectory interval before treatment, days (default 28)
	Grid       float64 // trajectory interval during treatment, days (default 7)
	MinStep    float64 // shortest step when closing in on Detect, days (default 0.01)

	Scan     float64 // imaging interval, days (default 56)
	FollowUp float64 // days simulated after progression (default 0)
	Horizon  float64 // days of treatment at most (default 1826.25, five years)
	Lethal   float64 // burden at which the patient dies of disease (default 1e12)

	MaxAttempts int // attempts to reach Detect before giving up (default 1e6)

	// StopAtDetection ends a replicate when it reaches the detection size,
	// before any treatment (for theory checks of the growth phase).
	StopAtDetection bool

	Engine  Options
	Therapy func() Therapy // one policy per worker; nil: untreated
	Seed    uint64
}

// Defaults fills zero fields with the documented defaults.
func (c *Config) Defaults() {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Founder == 0 {
		c.Founder = 1
	}
	def(&c.Detect, 1e9)
	def(&c.Step, 7)
	def(&c.GrowthGrid, 28)
	def(&c.Grid, 7)
	def(&c.MinStep, 0.01)
	def(&c.Scan, 56)
	def(&c.Horizon, 1826.25)
	def(&c.Lethal, 1e12)
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 1_000_000
	}
	if c.Engine.ExactBelow == 0 {
		c.Engine.ExactBelow = DefaultExactBelow
	}
	if c.Engine.RecordAt == 0 {
		c.Engine.RecordAt = 100
	}
	if c.Engine.ShardMin == 0 {
		c.Engine.ShardMin = DefaultShardMin
	}
}

// DefaultExactBelow is the clone size below which clones are simulated event
// by event. Above it the Kendall step is exact for the clone's size; only the
// timing of the mutants it sheds within a step is interpolated.
const DefaultExactBelow = 16

// DefaultShardMin is the number of live clones from which a step is split
// across goroutines when Options.Shards > 1.
const DefaultShardMin = 4096

// Validate reports the first impossible setting.
func (c *Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if err := c.Model.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Founder < 1 {
		bad("founder %d: must be at least 1 cell", c.Founder)
	}
	if !(c.Detect >= float64(c.Founder)) || c.Detect > 1e15 {
		bad("detection size %g: must be between the founder size (%d) and 1e15", c.Detect, c.Founder)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"step", c.Step}, {"growth grid", c.GrowthGrid}, {"grid", c.Grid}, {"min step", c.MinStep}, {"scan interval", c.Scan}, {"horizon", c.Horizon}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			bad("%s %v: must be a positive number of days", f.name, f.v)
		}
	}
	if !(c.FollowUp >= 0) {
		bad("follow-up %v: must be >= 0 days", c.FollowUp)
	}
	if !(c.Lethal > c.Detect) {
		bad("lethal size %g: must exceed the detection size %g", c.Lethal, c.Detect)
	}
	if c.Engine.RecordAt < 1 {
		bad("record threshold %d: must be at least 1 cell", c.Engine.RecordAt)
	}
	return errors.Join(errs...)
}

// Outcome of a replicate's treatment.
type Outcome uint8

const (
	Censored   Outcome = iota // reached the horizon without progression
	Progressed                // RECIST progression (or lethal burden)
	Cured                     // every tumour cell died
)

func (o Outcome) String() string {
	return [...]string{"censored", "progressed", "cured"}[o]
}

// Response is a RECIST 1.1 best overall response.
type Response uint8

const (
	ResponseNone Response = iota // no scan after baseline
	CR                           // complete response: no cells left
	PR                           // partial response: burden <= 0.343 x baseline
	SD                           // stable disease
	PD                           // progressive disease at the first scan
)

func (r Response) String() string { return [...]string{"NE", "CR", "PR", "SD", "PD"}[r] }

// TrajPoint is the tumour's composition at one time.
type TrajPoint struct {
	Time                             float64
	Total, Sensitive, TALoss, Pocket int64
}

// Event is something that happened to a replicate at a time.
type Event struct {
	Time   float64
	Kind   string // detection, scan, response, progression, cured, lethal, end
	Detail string
}

// Result is one replicate. The engine reuses a Result's slices for the next
// replicate once the Sink has returned.
type Result struct {
	Replicate int
	Stream    uint64 // the seed of the replicate's random streams
	Attempts  int    // founders needed until one reached the detection size
	Outcome   Outcome

	GrowthDays float64 // founding to detection
	TTP        float64 // time to progression (first scan meeting RECIST PD); NaN if none
	EndTime    float64

	AtStart [model.NumClasses]int64 // cells by class at treatment start
	Final   [model.NumClasses]int64 // cells by class at the end

	ResistantMajority            float64 // first grid time resistant cells outnumber sensitive ones; NaN if never
	FirstResistantBirth          float64 // birth time of the first recorded resistant clone; NaN if none
	DominantAtProgression        model.Class
	ResistantClonesAtProgression int

	Nadir        int64
	NadirTime    float64
	BestResponse Response

	ClonesBorn int64 // clones founded, the founder included

	Trajectory []TrajPoint
	Clones     []CloneRecord
	Events     []Event
}

func (r *Result) reset(rep int) {
	*r = Result{Replicate: rep, Trajectory: r.Trajectory[:0], Clones: r.Clones[:0], Events: r.Events[:0]}
	r.TTP, r.ResistantMajority, r.FirstResistantBirth, r.NadirTime = math.NaN(), math.NaN(), math.NaN(), math.NaN()
}

// ErrNoDetection says that no founder reached the detection size.
var ErrNoDetection = errors.New("no founder lineage reached the detection size")

// Replicator runs replicates of one Config; one per worker goroutine.
type Replicator struct {
	cfg     *Config
	tm      *Tumor
	therapy Therapy
}

// NewReplicator prepares a worker for cfg (which must have Defaults applied
// and be valid).
func NewReplicator(cfg *Config) *Replicator {
	rp := &Replicator{cfg: cfg, tm: NewTumor(&cfg.Model, cfg.Engine)}
	if cfg.Therapy != nil {
		rp.therapy = cfg.Therapy()
	} else {
		rp.therapy = NoDrug{}
	}
	return rp
}

// Close releases the worker's goroutines.
func (rp *Replicator) Close() { rp.tm.Close() }

// Tumor exposes the worker's tumour (for tests and tools).
func (rp *Replicator) Tumor() *Tumor { return rp.tm }

// ReplicateSeed is the seed of replicate rep's attempt a: a SplitMix64 hash
// of (seed, rep, a), so it depends on nothing but the replicate's identity.
func ReplicateSeed(seed uint64, rep, attempt int) uint64 {
	s := rng.New(seed, uint64(rep), uint64(attempt))
	return s.Uint64()
}

// Run simulates replicate rep into res.
func (rp *Replicator) Run(rep int, res *Result) error {
	cfg := rp.cfg
	res.reset(rep)
	tm := rp.tm
	if err := rp.grow(rep, res); err != nil {
		return err
	}
	// Treatment: t = 0 at detection.
	tm.Shift(-tm.Time())
	res.AtStart = tm.Counts()
	if cfg.StopAtDetection {
		res.Final = res.AtStart
		res.ClonesBorn = tm.Born()
		res.Clones = append(res.Clones, tm.Records()...)
		res.Trajectory = appendPoint(res.Trajectory, tm)
		return nil
	}
	baseline := tm.Total()
	res.Events = append(res.Events, Event{Time: 0, Kind: "detection", Detail: fmt.Sprintf("burden=%d", baseline)})
	res.Trajectory = appendPoint(res.Trajectory, tm)
	th := rp.therapy
	th.Reset()
	nadir, nadirT := baseline, 0.0
	progressed, responded := false, false
	end := cfg.Horizon
	nextGrid, nextScan := cfg.Grid, cfg.Scan
	res.BestResponse = ResponseNone
	for {
		t := tm.Time()
		if tm.Total() == 0 {
			res.Outcome = Cured
			res.BestResponse = CR
			res.Events = append(res.Events, Event{Time: t, Kind: "cured"})
			break
		}
		if float64(tm.Total()) >= cfg.Lethal {
			res.Events = append(res.Events, Event{Time: t, Kind: "lethal", Detail: fmt.Sprintf("burden=%d", tm.Total())})
			if !progressed {
				progressed = true
				res.TTP = t
				rp.atProgression(res)
			}
			res.Outcome = Progressed
			break
		}
		if t >= end {
			if progressed {
				res.Outcome = Progressed
			} else {
				res.Outcome = Censored
			}
			break
		}
		t1 := min(t+cfg.Step, nextGrid, nextScan, end)
		tm.Advance(t1, th)
		if tm.Time() >= nextGrid || tm.Total() == 0 {
			res.Trajectory = appendPoint(res.Trajectory, tm)
			if math.IsNaN(res.ResistantMajority) {
				c := tm.Counts()
				if c[model.ClassTALoss]+c[model.ClassPocket] > c[model.Sensitive] {
					res.ResistantMajority = tm.Time()
				}
			}
			for nextGrid <= tm.Time() {
				nextGrid += cfg.Grid
			}
		}
		if tm.Time() >= nextScan {
			nextScan += cfg.Scan
			n := tm.Total()
			ts := tm.Time()
			resp := "SD"
			switch {
			case n == 0:
				resp = "CR"
			case !progressed && float64(n) >= 1.728*float64(nadir):
				resp = "PD"
			case float64(n) <= 0.343*float64(baseline):
				resp = "PR"
			}
			res.Events = append(res.Events, Event{Time: ts, Kind: "scan", Detail: fmt.Sprintf("burden=%d response=%s", n, resp)})
			if res.BestResponse == ResponseNone {
				res.BestResponse = SD
				if resp == "PD" {
					res.BestResponse = PD
				}
			}
			if resp == "PR" && !progressed {
				if res.BestResponse != CR {
					res.BestResponse = PR
				}
				if !responded {
					responded = true
					res.Events = append(res.Events, Event{Time: ts, Kind: "response", Detail: "PR"})
				}
			}
			if resp == "PD" && !progressed {
				progressed = true
				res.TTP = ts
				res.Events = append(res.Events, Event{Time: ts, Kind: "progression", Detail: fmt.Sprintf("burden=%d nadir=%d", n, nadir)})
				rp.atProgression(res)
				end = min(end, ts+cfg.FollowUp)
			}
			if n < nadir && !progressed {
				nadir, nadirT = n, ts
			}
			th.Observe(Observation{Time: ts, Total: n, Baseline: baseline, Nadir: nadir, Progressed: progressed})
		}
	}
	if last := res.Trajectory[len(res.Trajectory)-1]; last.Time != tm.Time() {
		res.Trajectory = appendPoint(res.Trajectory, tm)
	}
	res.EndTime = tm.Time()
	res.Final = tm.Counts()
	res.Nadir, res.NadirTime = nadir, nadirT
	res.ClonesBorn = tm.Born()
	res.Clones = append(res.Clones, tm.Records()...)
	for _, r := range res.Clones {
		if r.Class != model.Sensitive && (math.IsNaN(res.FirstResistantBirth) || r.Born < res.FirstResistantBirth) {
			res.FirstResistantBirth = r.Born
		}
	}
	res.Events = append(res.Events, Event{Time: tm.Time(), Kind: "end", Detail: res.Outcome.String()})
	return nil
}

func (rp *Replicator) atProgression(res *Result) {
	tm := rp.tm
	c := tm.Counts()
	best := model.Sensitive
	for k := model.Class(0); k < model.NumClasses; k++ {
		if c[k] > c[best] {
			best = k
		}
	}
	res.DominantAtProgression = best
	res.ResistantClonesAtProgression = tm.ResistantClones()
}

func appendPoint(tr []TrajPoint, tm *Tumor) []TrajPoint {
	c := tm.Counts()
	return append(tr, TrajPoint{Time: tm.Time(), Total: tm.Total(), Sensitive: c[model.Sensitive], TALoss: c[model.ClassTALoss], Pocket: c[model.ClassPocket]})
}

// grow runs founders until one reaches the detection size (the first step
// end at which the total is at least Detect), recording the growth-phase
// trajectory on the growth grid. Steps shrink as the total closes in on
// Detect so that the overshoot stays below MinStep's worth of growth.
func (rp *Replicator) grow(rep int, res *Result) error {
	cfg := rp.cfg
	tm := rp.tm
	for attempt := 1; ; attempt++ {
		if attempt > cfg.MaxAttempts {
			return fmt.Errorf("replicate %d: %w after %d attempts", rep, ErrNoDetection, cfg.MaxAttempts)
		}
		seed := ReplicateSeed(cfg.Seed, rep, attempt)
		res.Stream = seed
		res.Attempts = attempt
		tm.Reset(seed, cfg.Founder, 0)
		res.Trajectory = appendPoint(res.Trajectory[:0], tm)
		nextGrid := cfg.GrowthGrid
		for tm.Total() > 0 && float64(tm.Total()) < cfg.Detect {
			t := tm.Time()
			step := min(cfg.Step, nextGrid-t)
			if r := rp.maxNetGrowth(); r > 0 {
				step = min(step, max(cfg.MinStep, math.Log(cfg.Detect/float64(tm.Total()))/r))
			}
			tm.Advance(t+step, NoDrug{})
			if tm.Time() >= nextGrid {
				res.Trajectory = appendPoint(res.Trajectory, tm)
				nextGrid += cfg.GrowthGrid
			}
		}
		if tm.Total() > 0 {
			res.GrowthDays = tm.Time()
			for i := range res.Trajectory {
				res.Trajectory[i].Time -= res.GrowthDays
			}
			if last := res.Trajectory[len(res.Trajectory)-1]; last.Time == 0 {
				res.Trajectory = res.Trajectory[:len(res.Trajectory)-1]
			}
			return nil
		}
	}
}

// maxNetGrowth is the largest untreated net growth rate among live clones.
func (rp *Replicator) maxNetGrowth() float64 {
	tm := rp.tm
	r := math.Inf(-1)
	for i := range tm.clones {
		p := &tm.phenos[tm.genos[tm.clones[i].geno].pheno].p
		r = max(r, p.Birth-p.Death)
	}
	return r
}
