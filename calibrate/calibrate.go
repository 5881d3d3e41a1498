package calibrate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/p53evo/p53evo/scenarios"
	"github.com/p53evo/p53evo/sim"
)

// daysPerMonth converts days to months as the rest of p53evo does.
const daysPerMonth = 30.4375

// Doses are the rezatapopt doses (mg once daily) of the library's trial
// arms, scenario trial-rezatapopt-DOSE.
var Doses = []int{600, 1150, 1500, 2000, 2500}

// ArmName is the library scenario of the trial arm at dose mg.
func ArmName(dose int) string { return fmt.Sprintf("trial-rezatapopt-%d", dose) }

// Cohort is what the calibration reads of one arm: per patient, the best
// response, duration of response, time to progression and baseline.
type Cohort struct {
	Dose       int
	Patients   int
	Responders int
	DoR        []float64 // days, one per responder; +Inf while still responding at the end
	TTP        []float64 // days, one per progression
	Detected   int       // baseline Y220C called in plasma
	TF10       int       // baseline tumour fraction >= 10%
	Lesions    []float64 // visible lesions at entry
	Burden     []float64 // cells at entry
}

// add reads one patient.
func (c *Cohort) add(r *sim.Result) error {
	p := r.Patient
	if p == nil {
		return fmt.Errorf("%s: replicate %d is not a virtual patient (the scenario has no patient section)", ArmName(c.Dose), r.Replicate)
	}
	c.Patients++
	if r.BestResponse == sim.PR || r.BestResponse == sim.CR {
		c.Responders++
		if math.IsNaN(p.DoR) {
			c.DoR = append(c.DoR, math.Inf(1))
		} else {
			c.DoR = append(c.DoR, p.DoR)
		}
	}
	if !math.IsNaN(r.TTP) {
		c.TTP = append(c.TTP, r.TTP)
	}
	if p.BaselineDetected {
		c.Detected++
	}
	if p.BaselineTF >= 0.1 {
		c.TF10++
	}
	c.Lesions = append(c.Lesions, float64(p.Lesions))
	c.Burden = append(c.Burden, p.Burden)
	return nil
}

// Measure is one figure computed from the arms: Value returns the figure
// and the number of patients (or responders, or progressions) it rests on.
type Measure struct {
	Name   string
	What   string
	Format string // fmt verb for the value
	Doses  []int  // arms it needs
	Value  func(arms map[int]*Cohort) (value float64, n int)
}

func share(k, n int) (float64, int) {
	if n == 0 {
		return math.NaN(), 0
	}
	return float64(k) / float64(n), n
}

// Median is the sample median (the mean of the two middle values for an
// even count; +Inf values count as larger than any other); NaN when empty.
func Median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	y := slices.Clone(x)
	slices.Sort(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}

// BusiestScanShare is the largest share of progressions that fall on one
// scan: the biggest single drop of the time-to-progression Kaplan-Meier
// curve, as a share of all its drops.
func BusiestScanShare(ttp []float64) float64 {
	if len(ttp) == 0 {
		return math.NaN()
	}
	at := map[float64]int{}
	most := 0
	for _, t := range ttp {
		at[t]++
		most = max(most, at[t])
	}
	return float64(most) / float64(len(ttp))
}

var measures = []Measure{
	{"orr_2000", "objective response rate (confirmed PR or CR) at 2000 mg", "%.3f", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return share(a[2000].Responders, a[2000].Patients) }},
	{"orr_600", "objective response rate at 600 mg", "%.3f", []int{600},
		func(a map[int]*Cohort) (float64, int) { return share(a[600].Responders, a[600].Patients) }},
	{"orr_1150_2500", "objective response rate pooled over 1150, 1500, 2000 and 2500 mg", "%.3f", []int{1150, 1500, 2000, 2500},
		func(a map[int]*Cohort) (float64, int) {
			k, n := 0, 0
			for _, d := range []int{1150, 1500, 2000, 2500} {
				k += a[d].Responders
				n += a[d].Patients
			}
			return share(k, n)
		}},
	{"dor_median_months", "median duration of response at 2000 mg, months (responders)", "%.1f", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return Median(a[2000].DoR) / daysPerMonth, len(a[2000].DoR) }},
	{"busiest_scan_share", "largest share of progressions at one scan, 2000 mg", "%.3f", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return BusiestScanShare(a[2000].TTP), len(a[2000].TTP) }},
	{"ctdna_detectable", "baseline ctDNA (Y220C) detectable", "%.3f", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return share(a[2000].Detected, a[2000].Patients) }},
	{"tf10_share", "baseline tumour fraction >= 10%", "%.3f", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return share(a[2000].TF10, a[2000].Patients) }},
	{"burden_median", "median tumour burden at entry, cells", "%.3g", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return Median(a[2000].Burden), a[2000].Patients }},
	{"lesions_median", "median imaging-visible lesions at entry", "%.0f", []int{2000},
		func(a map[int]*Cohort) (float64, int) { return Median(a[2000].Lesions), a[2000].Patients }},
}

// Measures lists the measures a target can name.
func Measures() []Measure { return slices.Clone(measures) }

// MeasureNames lists the measures' names.
func MeasureNames() []string {
	var out []string
	for _, m := range measures {
		out = append(out, m.Name)
	}
	return out
}

func measureByName(name string) (Measure, bool) {
	for _, m := range measures {
		if m.Name == name {
			return m, true
		}
	}
	return Measure{}, false
}

// Options of a calibration run.
type Options struct {
	Patients int                    // patients per arm (replicates 0 .. Patients-1 of each arm); default 300
	Workers  int                    // goroutines (default: all cores)
	Set      []scenarios.Assignment // applied to every arm, as p53evo run --set
	Progress func(arm string, done, total int)
}

// DefaultPatients is the cohort size per arm of p53evo calibrate: with 300
// patients an ORR near 0.38 has a binomial SE of 2.8 points, so a model off
// by 10 points (well outside the 0.33-0.43 band) cannot pass by chance.
const DefaultPatients = 300

// Row is one target compared.
type Row struct {
	Target Target
	What   string
	Value  float64
	N      int // patients, responders or progressions the value rests on
	Pass   bool
	format string
}

// Report is a calibration run.
type Report struct {
	Patients int      // per arm
	Arms     []string // scenarios run
	Set      []string // --set assignments applied to every arm
	Rows     []Row
	Elapsed  time.Duration
}

// Failed counts the rows that miss their band.
func (r *Report) Failed() int {
	n := 0
	for _, row := range r.Rows {
		if !row.Pass {
			n++
		}
	}
	return n
}

// Arm opens the library's trial arm at dose with sets applied and resolves
// it.
func Arm(dose int, set []scenarios.Assignment) (sim.Config, error) {
	s, err := scenarios.Open(ArmName(dose))
	if err != nil {
		return sim.Config{}, err
	}
	if err := scenarios.SetAll(s, set); err != nil {
		return sim.Config{}, err
	}
	cfg, err := scenarios.Resolve(s)
	if err != nil {
		return sim.Config{}, err
	}
	if cfg.Patient == nil {
		return sim.Config{}, fmt.Errorf("%s has no patient section: calibration needs virtual patients", ArmName(dose))
	}
	return cfg, nil
}

// Run simulates the arms the targets need (each arm's first opt.Patients
// patients, the same patients at every dose) and compares every target.
// It fails only when a simulation cannot run; missed targets are rows with
// Pass false.
func Run(ctx context.Context, t Targets, opt Options) (*Report, error) {
	if opt.Patients <= 0 {
		opt.Patients = DefaultPatients
	}
	start := time.Now()
	need := map[int]bool{}
	for _, g := range t.Targets {
		m, ok := measureByName(g.Name)
		if !ok {
			return nil, fmt.Errorf("unknown measure %q", g.Name)
		}
		for _, d := range m.Doses {
			need[d] = true
		}
	}
	rep := &Report{Patients: opt.Patients}
	for _, a := range opt.Set {
		rep.Set = append(rep.Set, a.Path+"="+a.Value)
	}
	arms := map[int]*Cohort{}
	for _, dose := range Doses {
		if !need[dose] {
			continue
		}
		cfg, err := Arm(dose, opt.Set)
		if err != nil {
			return nil, err
		}
		name := ArmName(dose)
		c := &Cohort{Dose: dose}
		ro := sim.RunOptions{Count: opt.Patients, Workers: opt.Workers}
		if opt.Progress != nil {
			ro.Progress = func(done, total int) { opt.Progress(name, done, total) }
		}
		if err := sim.Run(ctx, &cfg, ro, sim.SinkFunc(c.add)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		arms[dose] = c
		rep.Arms = append(rep.Arms, name)
	}
	for _, g := range t.Targets {
		m, _ := measureByName(g.Name)
		v, n := m.Value(arms)
		rep.Rows = append(rep.Rows, Row{Target: g, What: m.What, Value: v, N: n, Pass: g.Contains(v), format: m.Format})
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}
