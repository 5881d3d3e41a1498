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

	Step       float64 // longest step during treatment, days (default 7)
	GrowthGrid float64 // trajectory interval and longest step before treatment, days (default 28)
	Grid       float64 // trajectory interval during treatment, days (default 7)
	MinStep    float64 // shortest step when closing in on Detect, days (default 0.01)

	Scan float64 // imaging interval, days (default 56)
	// Visible is the smallest burden imaging sees, cells (default 0: every
	// cell). A scan reads a smaller burden as 0, a complete response;
	// RECIST then calls progression when the tumour is visible again
	// (reappearance), as 1.728 x a nadir of 0 cannot. Bozic et al. 2013
	// took about 6.3e7 cells as the smallest lesion imaging detects.
	Visible float64
	// ProgressionFromBaseline measures progression from the burden at the
	// start of the line (1.728 x baseline) instead of RECIST's nadir; for
	// adaptive therapy, whose planned pauses let the tumour regrow from its
	// nadir by design (Zhang et al. 2017 judged progression against baseline).
	ProgressionFromBaseline bool
	FollowUp                float64 // days simulated after progression (default 0)
	Horizon                 float64 // days of treatment at most (default 1826.25, five years)
	Lethal                  float64 // burden at which the patient dies of disease (default 1e12)
	// StopAt > 0 ends every replicate StopAt days after treatment start,
	// whatever imaging shows: progression is recorded but does not stop the
	// replicate, and Horizon and FollowUp do not apply.
	StopAt float64

	MaxAttempts int // attempts to reach Detect before giving up (default 1e6)

	// MaxClones stops a replicate with a CloneLimitError when its live
	// clones, or GenotypeWeight times its genotypes, exceed it at a step end: a bound on memory (default DefaultMaxClones; negative: no
	// limit).
	MaxClones int

	// StopAtDetection ends a replicate when it reaches the detection size,
	// before any treatment (for theory checks of the growth phase).
	StopAtDetection bool

	CTDNA CTDNAConfig // liquid biopsy; Every = 0 turns it off

	// Lattice, if set, makes every replicate a spatial agent-based model
	// (lattice.go): one cell per lattice site; nil: well mixed.
	Lattice *LatticeConfig
	// Spatial, if set, takes snapshots and multi-region biopsies of a
	// lattice or deme replicate (lattice_spatial.go); it needs Lattice or
	// Demes.
	Spatial *SpatialConfig

	// Demes, if set, makes every replicate a tumour of well-mixed demes on
	// a lattice (demes.go); nil: well mixed.
	Demes *DemesConfig

	// Patient, if set, makes every replicate a virtual trial patient with
	// several lesions (patient.go); nil: one lesion grown to Detect.
	Patient *PatientConfig

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
	if c.MaxClones == 0 {
		c.MaxClones = DefaultMaxClones
	}
	c.CTDNA.Defaults()
	if c.Demes != nil {
		c.Demes.Defaults()
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
// by event: 1, none, since exact steps from a clone's no-emission law cost
// less than its events from one cell up (a newborn: one uniform instead of
// a few exponential waiting times); the theory suite runs event by event as
// the reference.
const DefaultExactBelow = 1

// DefaultShardMin is the number of live clones from which a step is split
// across goroutines when Options.Shards > 1. Measured with BenchmarkStep on
// 2 cores: two shards already beat one at about 400 clones (245 vs 167 us a
// step) and at 4,000 (2.8 vs 1.1 ms). Shards help only when cores are idle,
// i.e. when fewer replicates than cores run at once.
const DefaultShardMin = 256

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
	if !(c.StopAt >= 0) || math.IsInf(c.StopAt, 0) {
		bad("stop at %v: must be a positive finite number of days (0: off)", c.StopAt)
	}
	if !(c.FollowUp >= 0) {
		bad("follow-up %v: must be >= 0 days", c.FollowUp)
	}
	if !(c.Visible >= 0 && c.Visible < c.Detect) {
		bad("visible size %g: must be >= 0 and below the detection size %g (imaging sees the tumour at baseline)", c.Visible, c.Detect)
	}
	if !(c.Lethal > c.Detect) {
		bad("lethal size %g: must exceed the detection size %g", c.Lethal, c.Detect)
	}
	if c.Engine.RecordAt < 1 {
		bad("record threshold %d: must be at least 1 cell", c.Engine.RecordAt)
	}
	if n := len(c.Model.Drugs); n > MaxDrugs {
		bad("%d drugs: at most %d", n, MaxDrugs)
	}
	if d := c.CTDNA; d.Every > 0 {
		if !(d.Shed > 0) || !(d.HalfLife > 0) || !(d.NormalGE > 0) {
			bad("ctdna: shed %v, half-life %v and normal cfDNA %v must be positive", d.Shed, d.HalfLife, d.NormalGE)
		}
		if d.Depth < 1 || d.MinAlt < 1 {
			bad("ctdna: depth %d and min alt reads %d must be at least 1", d.Depth, d.MinAlt)
		}
		if !(d.LOD >= 0 && d.LOD <= 1) || !(d.RecordMinVAF >= 0 && d.RecordMinVAF <= 1) {
			bad("ctdna: limit of detection %v and record threshold %v must be in [0, 1]", d.LOD, d.RecordMinVAF)
		}
	}
	if err := c.validateLattice(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateSpatial(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateDemes(); err != nil {
		errs = append(errs, err)
	}
	if c.Patient != nil {
		if err := c.Patient.Validate(); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, c.Patient.validateVary(&c.Model)...)
	}
	if c.Therapy != nil {
		if p, ok := c.Therapy().(*Policy); ok {
			if err := p.Validate(len(c.Model.Drugs)); err != nil {
				bad("treatment: %v", err)
			}
		}
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
	CR                           // complete response: no cells left, or none visible (Config.Visible)
	PR                           // partial response: burden <= 0.343 x baseline
	SD                           // stable disease
	PD                           // progressive disease at the first scan
)

func (r Response) String() string { return [...]string{"NE", "CR", "PR", "SD", "PD"}[r] }

// TrajPoint is the tumour's composition at one time, and the drug
// concentrations (mg-eq, indexed like Model.Drugs) in force from that time.
type TrajPoint struct {
	Time                             float64
	Total, Sensitive, TALoss, Pocket int64
	Conc                             [MaxDrugs]float64
}

// CTDNARow is one resistance mutation seen at one blood draw.
type CTDNARow struct {
	Time     float64
	Mutation string // catalog name; "name#k" (k-th SNV) when the entry stands for several SNVs
	Class    model.Class
	TrueVAF  float64 // variant allele fraction in plasma
	AltReads int64
	Depth    int64
	Called   bool // AltReads >= MinAlt and AltReads/Depth >= LOD
	// TumourFraction is the share of the draw's cell-free genomes that came
	// from the tumour (the same for every row of one draw).
	TumourFraction float64
}

// CTDNAConfig describes the liquid biopsy: cell deaths shed tumour DNA into
// plasma, where it decays with a half-life of minutes; a draw is sequenced at
// Depth and each mutation's alt reads are Binomial(Depth, VAF).
type CTDNAConfig struct {
	Every        float64 // days between draws (default 28; negative: no draws)
	Shed         float64 // genome equivalents shed per cell death (default 1.4e-4, Avanzini et al. 2020)
	HalfLife     float64 // plasma half-life of ctDNA, minutes (default 30, Avanzini 2020)
	NormalGE     float64 // normal cell-free DNA in plasma, diploid genome equivalents (default 2.25e6: about 1500 haploid genomes, 5 ng, per mL in 3 L of plasma; estimate)
	Depth        int64   // sequencing depth (default 2000)
	MinAlt       int64   // alt reads needed for a call (default 5)
	LOD          float64 // limit of detection, observed VAF (default 0.001)
	RecordMinVAF float64 // rows are kept for mutations with alt reads or true VAF >= this (default 1e-4)
}

// Event is something that happened to a replicate at a time.
type Event struct {
	Time   float64
	Kind   string // detection, scan, response, progression, phase, ctdna-call, cured, lethal, end
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

	// FinalProgression is the progression that ended treatment (equal to TTP
	// unless a phase switched lines of therapy at progression); NaN if none.
	FinalProgression float64
	// Liquid biopsy: first draw calling a resistance mutation (NaN if none),
	// its lead over imaging progression (TTP - FirstCTDNACall; NaN unless
	// both exist), and the distinct resistance mutations called at the last
	// draw at or before progression, by class (-1 without progression).
	FirstCTDNACall      float64
	CTDNALead           float64
	CalledAtProgression [model.NumClasses]int
	CTDNA               []CTDNARow

	Trajectory []TrajPoint
	Clones     []CloneRecord
	Events     []Event

	// Patient is the virtual trial patient (Config.Patient set); nil for a
	// single lesion.
	Patient *PatientResult

	// Genotypes are the live cells of each genotype at the end (at
	// detection with StopAtDetection), genotypes without cells left out.
	Genotypes []GenotypeCount

	// Snapshots and Regions are the spatial observations of a lattice or
	// deme replicate (Config.Spatial), in the order they were taken.
	Snapshots []SnapshotCell
	Regions   []RegionRow
}

// lethal ends the replicate at the lethal burden n at t: the first
// progression if none came before (atProgression records what goes with
// it), and the progression that ended treatment.
func (r *Result) lethal(t float64, n int64, atProgression func()) {
	r.Events = append(r.Events, Event{Time: t, Kind: "lethal", Detail: fmt.Sprintf("burden=%d", n)})
	if math.IsNaN(r.TTP) {
		r.TTP = t
		atProgression()
	}
	if math.IsNaN(r.FinalProgression) {
		r.FinalProgression = t
	}
	r.Outcome = Progressed
}

// detected closes the growth phase at time t, when the tumour reached the
// detection size: growth-phase trajectory times become negative (treatment
// starts at 0), and a point at t itself is dropped (treatment records it).
func (r *Result) detected(t float64) {
	r.GrowthDays = t
	for i := range r.Trajectory {
		r.Trajectory[i].Time -= t
	}
	if last := r.Trajectory[len(r.Trajectory)-1]; last.Time == 0 {
		r.Trajectory = r.Trajectory[:len(r.Trajectory)-1]
	}
}

// atHorizon ends the replicate at its horizon: progressed if it ever did,
// censored otherwise.
func (r *Result) atHorizon() {
	if !math.IsNaN(r.TTP) {
		r.Outcome = Progressed
	} else {
		r.Outcome = Censored
	}
}

func (r *Result) reset(rep int) {
	*r = Result{Replicate: rep, Trajectory: r.Trajectory[:0], Clones: r.Clones[:0], Events: r.Events[:0], CTDNA: r.CTDNA[:0], Patient: r.Patient, Genotypes: r.Genotypes[:0],
		Snapshots: r.Snapshots[:0], Regions: r.Regions[:0]}
	r.TTP, r.ResistantMajority, r.FirstResistantBirth, r.NadirTime = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	r.FinalProgression, r.FirstCTDNACall, r.CTDNALead = math.NaN(), math.NaN(), math.NaN()
	r.CalledAtProgression = [model.NumClasses]int{-1, -1, -1}
}

// ErrNoDetection says that no founder reached the detection size.
var ErrNoDetection = errors.New("no founder lineage reached the detection size")

// Replicator runs replicates of one Config; one per worker goroutine.
type Replicator struct {
	cfg     *Config
	tm      *Tumor
	therapy Therapy
	conc    []float64
	guard   guard
	pat     *patientState
	// cur is the tumour the treatment phase works on: tm, or lat in the
	// lattice mode
	cur  body
	lat  *Lattice
	spat *spatialObs // Config.Spatial's observations; nil without
	dem  *Demes
	vary *varyState // patient.vary's copula, built on first use
	// drawn is the tumour blood draws read (tm, lat or dem), with the
	// draws' scratch
	drawn     lineages
	plasmaBuf drawBuffers
	plasmaSNV snvTally
}

// body is what the treatment phase (treat) needs of a tumour: the
// well-mixed Tumor, the Lattice and the Demes provide it (and lineages,
// for blood draws).
type body interface {
	Time() float64
	Total() int64
	Counts() [model.NumClasses]int64
	LastExtinction() float64
	ResistantClones() int
	Advance(t1 float64, e Exposure)
}

// NewReplicator prepares a worker for cfg (which must have Defaults applied
// and be valid).
func NewReplicator(cfg *Config) *Replicator {
	opt := cfg.Engine
	opt.entryKeys = opt.Merge && !(cfg.CTDNA.Every > 0)
	rp := &Replicator{cfg: cfg, tm: NewTumor(&cfg.Model, opt), conc: make([]float64, len(cfg.Model.Drugs))}
	rp.cur, rp.drawn = rp.tm, rp.tm
	if cfg.Lattice != nil {
		rp.lat = NewLattice(&cfg.Model, *cfg.Lattice, cfg.Engine.RecordAt)
		rp.cur, rp.drawn = rp.lat, rp.lat
		if cfg.Spatial != nil {
			rp.spat = newSpatialObs(cfg, rp.lat)
			rp.cur = observedBody{rp.lat, rp.spat}
		}
	}
	if cfg.Demes != nil {
		rp.dem = NewDemes(&cfg.Model, *cfg.Demes, cfg.Engine)
		rp.cur, rp.drawn = rp.dem, rp.dem
		if cfg.Spatial != nil {
			rp.spat = newSpatialObs(cfg, rp.dem)
			rp.cur = observedBody{rp.dem, rp.spat}
		}
	}
	if cfg.Therapy != nil {
		rp.therapy = cfg.Therapy()
	} else {
		rp.therapy = NoDrug{}
	}
	return rp
}

// Close releases the worker's goroutines.
func (rp *Replicator) Close() {
	rp.tm.Close()
	if rp.dem != nil {
		rp.dem.Close()
	}
}

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
	if cfg.Patient != nil {
		return rp.runPatient(rep, res)
	}
	if rp.lat != nil {
		return rp.runSpatial(rep, res, rp.lat, rp.growLattice)
	}
	if rp.dem != nil {
		return rp.runSpatial(rep, res, rp.dem, rp.growDemes)
	}
	res.reset(rep)
	res.Patient = nil
	tm := rp.tm
	if err := rp.grow(rep, res); err != nil {
		return err
	}
	// Treatment: t = 0 at detection.
	tm.Shift(-tm.Time())
	res.AtStart = tm.Counts()
	if cfg.StopAtDetection {
		res.Final = res.AtStart
		res.Genotypes = tm.GenotypeCounts(res.Genotypes)
		res.ClonesBorn = tm.Born()
		res.Clones = append(res.Clones, tm.Records()...)
		res.Trajectory = appendPoint(res.Trajectory, tm)
		return nil
	}
	if err := rp.treat(res); err != nil {
		return err
	}
	if last := res.Trajectory[len(res.Trajectory)-1]; last.Time != tm.Time() {
		res.Trajectory = rp.point(res.Trajectory)
	}
	res.EndTime = tm.Time()
	res.Final = tm.Counts()
	res.Genotypes = tm.GenotypeCounts(res.Genotypes)
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

func (rp *Replicator) atProgression(res *Result, called [model.NumClasses]int) {
	if rp.cfg.CTDNA.Every > 0 {
		res.CalledAtProgression = called
	}
	tm := rp.cur
	c := tm.Counts()
	best := model.Sensitive
	for k := model.Class(0); k < model.NumClasses; k++ {
		if c[k] > c[best] {
			best = k
		}
	}
	res.DominantAtProgression = best
	res.ResistantClonesAtProgression = tm.ResistantClones()
	if rp.spat != nil {
		rp.spat.at(MomentProgression)
	}
}

func appendPoint(tr []TrajPoint, tm body) []TrajPoint {
	c := tm.Counts()
	return append(tr, TrajPoint{Time: tm.Time(), Total: tm.Total(), Sensitive: c[model.Sensitive], TALoss: c[model.ClassTALoss], Pocket: c[model.ClassPocket]})
}

// point records the tumour and the drug concentrations in force.
func (rp *Replicator) point(tr []TrajPoint) []TrajPoint {
	tr = appendPoint(tr, rp.cur)
	rp.therapy.Conc(rp.cur.Time(), rp.conc)
	copy(tr[len(tr)-1].Conc[:], rp.conc)
	return tr
}

// measured is the burden a scan reports: the true burden, or 0 below the
// visible size.
func (rp *Replicator) measured() int64 {
	n := rp.cur.Total()
	if float64(n) < rp.cfg.Visible {
		return 0
	}
	return n
}

// treat runs the treatment phase: steps to the next grid point, scan or
// blood draw; scans apply RECIST 1.1 to the burden of the current line of
// treatment; draws sequence ctDNA; the therapy sees both and may change
// phase. Progression ends the replicate (after the follow-up) unless the
// therapy answers it by starting a new line, whose baseline and nadir are
// the burden at that scan.
func (rp *Replicator) treat(res *Result) error {
	var tr treatment
	rp.startTreatment(&tr, res)
	tm := rp.cur
	for {
		if err := rp.check(res.Replicate); err != nil {
			return err
		}
		t := tm.Time()
		if t >= tr.nextDraw {
			tr.draw(t)
		}
		if tr.over(t) {
			break
		}
		t1 := min(t+rp.cfg.Step, tr.nextGrid, tr.nextScan, tr.nextDraw, tr.end)
		tm.Advance(t1, rp.therapy)
		tr.phases.log("schedule", tm.Time())
		if tm.Time() >= tr.nextScan && tr.stopping {
			tr.nextScan += rp.cfg.Scan
		} else if tm.Time() >= tr.nextScan {
			tr.nextScan += rp.cfg.Scan
			tr.scan()
		}
		if tm.Time() >= tr.nextGrid || tm.Total() == 0 {
			tr.gridPoint()
		}
	}
	if math.IsNaN(res.TTP) {
		res.Nadir, res.NadirTime = tr.nadir, tr.nadirT
	}
	if !math.IsNaN(res.TTP) && !math.IsNaN(res.FirstCTDNACall) {
		res.CTDNALead = res.TTP - res.FirstCTDNACall
	}
	return nil
}

// phaseLog appends a "phase" event to a result for each change of the
// therapy's phase. A policy that keeps its changes with their times
// (Changes) has every change logged at the time it happened, also inside a
// step (a phase that ends after a number of days that is not a multiple of
// the step); otherwise, if byIndex, a Phased therapy's phase index is
// compared with the last one seen, at the time log is called.
type phaseLog struct {
	res     *Result
	changes interface{ Changes() []PhaseChange }
	phased  Phased // nil: no logging by index
	logged  int    // changes logged so far
	last    int    // phase index last logged
}

func newPhaseLog(res *Result, th Therapy, byIndex bool) phaseLog {
	pl := phaseLog{res: res, last: -2}
	pl.changes, _ = th.(interface{ Changes() []PhaseChange })
	if byIndex {
		pl.phased, _ = th.(Phased)
	}
	return pl
}

// log records the changes not yet logged, giving why as their cause; t is
// the time of a change seen by phase index.
func (pl *phaseLog) log(why string, t float64) {
	res := pl.res
	if pl.changes != nil {
		ch := pl.changes.Changes()
		for ; pl.logged < len(ch); pl.logged++ {
			c := ch[pl.logged]
			res.Events = append(res.Events, Event{Time: c.Time, Kind: "phase", Detail: "phase=" + c.Name + " why=" + why})
		}
		return
	}
	if pl.phased == nil {
		return
	}
	i, name := pl.phased.Phase()
	if i != pl.last {
		pl.last = i
		res.Events = append(res.Events, Event{Time: t, Kind: "phase", Detail: "phase=" + name + " why=" + why})
	}
}

// newLine reports whether a scan's progression starts a new line of
// treatment: the therapy changed phase on it, and not to "stop" (a phase
// index below 0).
func newLine(th Therapy, changed bool) bool {
	if !changed {
		return false
	}
	if phased, ok := th.(Phased); ok {
		if i, _ := phased.Phase(); i < 0 {
			return false
		}
	}
	return true
}

// treatment is the state of a well-mixed or lattice tumour's treatment
// (Replicator.treat) between steps.
type treatment struct {
	rp     *Replicator
	res    *Result
	phases phaseLog
	// the burden RECIST measures against: the current line's baseline and
	// its nadir (with its time)
	baseline, nadir int64
	nadirT          float64
	// stopping: the progression that ends the replicate has been seen;
	// scans stop
	stopping                     bool
	end                          float64
	nextGrid, nextScan, nextDraw float64
	lastCalled                   [model.NumClasses]int // ctDNA calls of the last draw
	obsRNG                       rng.Stream            // observation noise: its own stream
}

// startTreatment resets the therapy, records the detection and sets tr
// for the first step.
func (rp *Replicator) startTreatment(tr *treatment, res *Result) {
	cfg := rp.cfg
	rp.therapy.Reset()
	*tr = treatment{rp: rp, res: res, phases: newPhaseLog(res, rp.therapy, true)}
	tr.baseline = rp.cur.Total()
	res.Events = append(res.Events, Event{Time: 0, Kind: "detection", Detail: fmt.Sprintf("burden=%d", tr.baseline)})
	tr.phases.log("start", rp.cur.Time())
	res.Trajectory = rp.point(res.Trajectory)
	tr.nadir = tr.baseline
	tr.end = cfg.Horizon
	if cfg.StopAt > 0 {
		tr.end = cfg.StopAt
	}
	tr.nextGrid, tr.nextScan = cfg.Grid, cfg.Scan
	tr.nextDraw = math.Inf(1)
	if cfg.CTDNA.Every > 0 {
		tr.nextDraw = 0
	}
	tr.obsRNG = rng.Derive(res.Stream, 1<<63)
	res.BestResponse = ResponseNone
}

// draw sequences the ctDNA of a blood draw at t and shows the calls to the
// therapy.
func (tr *treatment) draw(t float64) {
	rp, res, cfg := tr.rp, tr.res, tr.rp.cfg
	var d drawResult
	res.CTDNA, d = drawFrom(rp.drawn, &rp.plasmaBuf, &rp.plasmaSNV, &cfg.Model, &cfg.CTDNA, rp.concAt(t), t, &tr.obsRNG, res.CTDNA)
	tr.nextDraw += cfg.CTDNA.Every
	tr.lastCalled = d.called
	if math.IsNaN(res.FirstCTDNACall) && d.called[model.ClassTALoss]+d.called[model.ClassPocket] > 0 {
		res.FirstCTDNACall = t
		res.Events = append(res.Events, Event{Time: t, Kind: "ctdna-call", Detail: fmt.Sprintf("ta-loss=%d pocket=%d", d.called[model.ClassTALoss], d.called[model.ClassPocket])})
	}
	if rp.therapy.Observe(Observation{Kind: ObserveDraw, Time: t, Total: rp.cur.Total(), Baseline: tr.baseline, Nadir: tr.nadir, CalledVAF: d.calledVAF}) {
		tr.phases.log("ctdna", rp.cur.Time())
	}
}

// over reports whether the replicate ends at t: cure, a lethal burden or
// the end of the treatment; it records the outcome.
func (tr *treatment) over(t float64) bool {
	rp, res, tm := tr.rp, tr.res, tr.rp.cur
	if tm.Total() == 0 {
		res.Outcome = Cured
		res.BestResponse = CR
		// the time the last cell died, inside the step that emptied the tumour
		tc := t
		if le := tm.LastExtinction(); le > math.Inf(-1) && le <= t {
			tc = le
		}
		res.Events = append(res.Events, Event{Time: tc, Kind: "cured"})
		return true
	}
	if float64(tm.Total()) >= rp.cfg.Lethal {
		res.lethal(t, tm.Total(), func() { rp.atProgression(res, tr.lastCalled) })
		return true
	}
	if t >= tr.end {
		res.atHorizon()
		return true
	}
	return false
}

// scanResponse is the RECIST 1.1 response of a scan measuring n cells (0
// when invisible), against the line's baseline and ref (its nadir, or the
// baseline).
func scanResponse(n, baseline, ref int64) string {
	switch {
	case n > 0 && float64(n) >= model.RECISTProgression*float64(ref):
		// with a nadir of 0 (invisible) any visible burden is
		// a reappearance
		return "PD"
	case n == 0:
		return "CR"
	case float64(n) <= model.RECISTPartial*float64(baseline):
		return "PR"
	}
	return "SD"
}

// scan measures the tumour, updates the best response, the nadir and the
// progression, and shows the scan to the therapy.
func (tr *treatment) scan() {
	rp, res, cfg := tr.rp, tr.res, tr.rp.cfg
	n := rp.measured()
	ts := rp.cur.Time()
	ref := tr.nadir
	if cfg.ProgressionFromBaseline {
		ref = tr.baseline
	}
	resp := scanResponse(n, tr.baseline, ref)
	res.Events = append(res.Events, Event{Time: ts, Kind: "scan", Detail: fmt.Sprintf("burden=%d response=%s", n, resp)})
	if res.BestResponse == ResponseNone {
		res.BestResponse = SD
		if resp == "PD" {
			res.BestResponse = PD
		}
	}
	// best response before progression; each level is announced
	// once (a PR, then a CR when the tumour drops out of sight)
	if math.IsNaN(res.TTP) {
		switch {
		case resp == "CR" && res.BestResponse != CR:
			res.BestResponse = CR
			res.Events = append(res.Events, Event{Time: ts, Kind: "response", Detail: "CR"})
		case resp == "PR" && res.BestResponse != PR && res.BestResponse != CR:
			res.BestResponse = PR
			res.Events = append(res.Events, Event{Time: ts, Kind: "response", Detail: "PR"})
		}
	}
	newProg := resp == "PD"
	if newProg {
		res.Events = append(res.Events, Event{Time: ts, Kind: "progression", Detail: fmt.Sprintf("burden=%d nadir=%d", n, tr.nadir)})
		if math.IsNaN(res.TTP) {
			res.TTP = ts
			res.Nadir, res.NadirTime = tr.nadir, tr.nadirT
			rp.atProgression(res, tr.lastCalled)
		}
	} else if n < tr.nadir {
		tr.nadir, tr.nadirT = n, ts
	}
	changed := rp.therapy.Observe(Observation{Kind: ObserveScan, Time: ts, Total: n, Baseline: tr.baseline, Nadir: tr.nadir, NewProgression: newProg})
	if changed {
		tr.phases.log("scan", rp.cur.Time())
	}
	// a change at progression to a treatment phase is a new line;
	// to "stop" (or no change) the progression ends the replicate
	if !newProg {
		return
	}
	if newLine(rp.therapy, changed) {
		// a new line of treatment: RECIST starts again from here
		tr.baseline, tr.nadir, tr.nadirT = n, n, ts
		return
	}
	tr.stopping = true
	res.FinalProgression = ts
	if cfg.StopAt <= 0 {
		tr.end = min(tr.end, ts+cfg.FollowUp)
	}
}

// gridPoint records a trajectory point and the first time resistant cells
// are the majority.
func (tr *treatment) gridPoint() {
	rp, res, tm := tr.rp, tr.res, tr.rp.cur
	res.Trajectory = rp.point(res.Trajectory)
	if math.IsNaN(res.ResistantMajority) {
		c := tm.Counts()
		if c[model.ClassTALoss]+c[model.ClassPocket] > c[model.Sensitive] {
			res.ResistantMajority = tm.Time()
		}
	}
	for tr.nextGrid <= tm.Time() {
		tr.nextGrid += rp.cfg.Grid
	}
}

// concAt is the therapy's concentrations at t (a scratch slice).
func (rp *Replicator) concAt(t float64) []float64 {
	rp.therapy.Conc(t, rp.conc)
	return rp.conc
}

// founderBody is a tumour that can be started again from a founder.
type founderBody interface {
	body
	Reset(seed uint64, n int64, t float64)
}

// growFounders runs founders of b until one reaches the detection size (the
// first step end at which the total is at least Detect), recording the
// growth-phase trajectory on the growth grid; a founder whose lineage dies
// out is replaced (attempts counted), each with its own replicate seed.
// step advances b by one growth step that ends no later than nextGrid.
func (rp *Replicator) growFounders(rep int, res *Result, b founderBody, step func(nextGrid float64)) error {
	cfg := rp.cfg
	for attempt := 1; ; attempt++ {
		if attempt > cfg.MaxAttempts {
			return fmt.Errorf("replicate %d: %w after %d attempts", rep, ErrNoDetection, cfg.MaxAttempts)
		}
		seed := ReplicateSeed(cfg.Seed, rep, attempt)
		res.Stream = seed
		res.Attempts = attempt
		b.Reset(seed, cfg.Founder, 0)
		res.Trajectory = appendPoint(res.Trajectory[:0], b)
		nextGrid := cfg.GrowthGrid
		for b.Total() > 0 && float64(b.Total()) < cfg.Detect {
			if err := rp.check(rep); err != nil {
				return err
			}
			step(nextGrid)
			if b.Time() >= nextGrid {
				res.Trajectory = appendPoint(res.Trajectory, b)
				nextGrid += cfg.GrowthGrid
			}
		}
		if b.Total() > 0 {
			res.detected(b.Time())
			return nil
		}
	}
}

// grow is growFounders for the well-mixed tumour: it steps from one
// growth-grid point to the next (growthStep).
func (rp *Replicator) grow(rep int, res *Result) error {
	cfg := rp.cfg
	tm := rp.tm
	return rp.growFounders(rep, res, tm, func(nextGrid float64) {
		t := tm.Time()
		tm.Advance(t+rp.growthStep(tm, nextGrid-t, cfg.Detect), NoDrug{})
	})
}

// growthStep is the next step of an untreated tumour tm growing towards
// size cells, at most limit days. Untreated rates do not change within a
// step and the clone step is exact for any length, so before treatment
// steps are bounded by the growth grid (Config.GrowthGrid), not by
// Config.Step, which bounds treatment steps; they shrink as the total
// closes in on size (detectionStep) so that the total at detection exceeds
// size by less than DetectTol.
func (rp *Replicator) growthStep(tm *Tumor, limit, size float64) float64 {
	cfg := rp.cfg
	step := limit
	if r, bd := tumorRates(tm); r > 0 {
		if planted {
			step = min(step, max(cfg.MinStep, math.Log(size/float64(tm.Total()))/r))
		} else {
			step = min(step, detectionStep(float64(tm.Total()), size, r, bd, cfg.MinStep))
		}
	}
	return step
}

// DetectTol bounds the relative overshoot of the detection size: the total
// at the step end that first reaches Detect is below Detect x (1 + DetectTol)
// (checked by the theory suite's detection-overshoot check).
const DetectTol = 1e-3

// detectionStep is the next growth step for a total of n cells below the
// detection size m, when no clone grows faster than r net and none has
// birth plus death above bd. Near m it aims at m less six standard
// deviations of the total's relative fluctuation over the step
// ((bd/(r n))(1 - e^{-r h}) is its variance for a growing population), so
// that a step overshoots m with probability about 1e-9; far from m (when
// that margin is not small) it goes half the remaining way in log size. It
// is never shorter than a step of expected relative growth DetectTol/4 (nor
// than minStep, if that is shorter): so the step end that first reaches m
// overshoots it by less than DetectTol for totals of 1e5 cells and more,
// where one such short step fluctuates by less than DetectTol/4.
func detectionStep(n, m, r, bd, minStep float64) float64 {
	rem := math.Log(m / n)
	h := rem / r
	v := bd / (r * n) * -math.Expm1(-r*h)
	if z := 6 * math.Sqrt(v); z < 0.5 {
		h = (rem + math.Log1p(-z)) / r
	} else {
		h = rem / (2 * r)
	}
	return max(h, min(minStep, math.Log1p(DetectTol/4)/r))
}
