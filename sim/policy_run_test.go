package sim_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

func policyConfig(p *sim.Policy, seed uint64) sim.Config {
	m := model.Default()
	cfg := sim.Config{Model: m, Detect: 1e8, Seed: seed, Scan: 28, Horizon: 1500}
	cfg.Therapy = func() sim.Therapy { return p.Clone() }
	cfg.Defaults()
	return cfg
}

func field(detail, key string) string {
	for _, kv := range strings.Fields(detail) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Adaptive therapy (Zhang et al. 2017): the drug is paused exactly at the
// first scan with burden <= 0.5 x baseline and resumed exactly at the first
// later scan with burden >= baseline; trajectory concentrations are 0
// exactly while paused.
func TestAdaptivePolicyActsAsSpecified(t *testing.T) {
	p := &sim.Policy{Phases: []sim.PhaseSpec{
		{Name: "on", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndBurdenBelow, Fraction: 0.5}, Next: 1, NextSet: true},
		{Name: "off", Doses: []float64{0, 0, 0}, End: sim.EndRule{Kind: sim.EndBurdenAbove, Fraction: 1}, Next: 0, NextSet: true},
	}}
	for rep := 0; rep < 4; rep++ {
		cfg := policyConfig(p, 3)
		cfg.ProgressionFromBaseline = true
		rp := sim.NewReplicator(&cfg)
		var res sim.Result
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		baseline, _ := strconv.ParseFloat(field(res.Events[0].Detail, "burden"), 64)
		phase, switches := "on", 0
		for _, e := range res.Events {
			switch e.Kind {
			case "scan":
				n, _ := strconv.ParseFloat(field(e.Detail, "burden"), 64)
				shouldSwitch := (phase == "on" && n <= 0.5*baseline) || (phase == "off" && n >= baseline)
				if shouldSwitch {
					phase = map[string]string{"on": "off", "off": "on"}[phase]
					switches++
				}
			case "phase":
				if got := field(e.Detail, "phase"); got != phase {
					t.Fatalf("rep %d t=%v: engine phase %q, rule says %q", rep, e.Time, got, phase)
				}
			}
		}
		if switches < 2 {
			t.Errorf("rep %d: only %d switches; the test needs pauses and resumptions", rep, switches)
		}
		// concentrations on the grid follow the phase events
		changes := []struct {
			t  float64
			on bool
		}{}
		for _, e := range res.Events {
			if e.Kind == "phase" {
				changes = append(changes, struct {
					t  float64
					on bool
				}{e.Time, field(e.Detail, "phase") == "on"})
			}
		}
		for _, pt := range res.Trajectory {
			if pt.Time < 0 {
				continue
			}
			on := false
			for _, c := range changes {
				if c.t <= pt.Time {
					on = c.on
				}
			}
			want := 0.0
			if on {
				want = 2000
			}
			if pt.Conc[0] != want {
				t.Fatalf("rep %d t=%v: rezatapopt %v mg-eq, want %v", rep, pt.Time, pt.Conc[0], want)
			}
		}
	}
}

// Switching to the next-generation drug at progression starts a new line:
// the replicate goes on after the first progression, under nextgen, and
// pocket cells shrink under it.
func TestSwitchAtProgression(t *testing.T) {
	p := &sim.Policy{Phases: []sim.PhaseSpec{
		{Name: "rezatapopt", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndProgression}},
		{Name: "nextgen", Doses: []float64{0, 2000, 0}},
	}}
	cfg := policyConfig(p, 5)
	cfg.Model.Catalog = []model.Mutation{{Name: "V147D", Class: model.Pocket, Sites: 30}, {Name: "R248W", Class: model.TALoss, Sites: 1}}
	rp := sim.NewReplicator(&cfg)
	var res sim.Result
	if err := rp.Run(0, &res); err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(res.TTP) {
		t.Fatal("no progression on rezatapopt")
	}
	var switched bool
	for _, e := range res.Events {
		if e.Kind == "phase" && field(e.Detail, "phase") == "nextgen" {
			switched = true
			if e.Time != res.TTP {
				t.Errorf("switch at %v, progression at %v", e.Time, res.TTP)
			}
		}
	}
	if !switched || res.EndTime <= res.TTP {
		t.Fatalf("no new line after progression: switched %v, end %v, ttp %v", switched, res.EndTime, res.TTP)
	}
	if !(res.FinalProgression > res.TTP) && res.EndTime != cfg.Horizon && res.Outcome != sim.Cured {
		t.Errorf("final progression %v not after the first %v, yet the run ended at %v before the horizon", res.FinalProgression, res.TTP, res.EndTime)
	}
	// nextgen concentrations after the switch, none of rezatapopt
	for _, pt := range res.Trajectory {
		if pt.Time > res.TTP && (pt.Conc[0] != 0 || pt.Conc[1] != 2000) {
			t.Fatalf("t=%v: conc %v after the switch", pt.Time, pt.Conc[:3])
		}
	}
}

// The liquid biopsy calls resistance mutations, and the reads of every row
// follow its true VAF. With the default shedding (Avanzini et al. 2020) a
// 1e9-cell tumour puts only ~1e-4 of plasma DNA in circulation, too little
// for a 0.1% limit of detection; this test raises shedding 300-fold so that
// calls happen in a small, fast tumour.
func TestCTDNACalls(t *testing.T) {
	m := model.Default()
	cfg := sim.Config{Model: m, Detect: 1e9, Seed: 9, FollowUp: 700, CTDNA: sim.CTDNAConfig{Shed: 0.042}}
	cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
	cfg.Defaults()
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var res sim.Result
	if err := rp.Run(0, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.CTDNA) == 0 || math.IsNaN(res.FirstCTDNACall) {
		t.Fatalf("no ctDNA call (%d rows)", len(res.CTDNA))
	}
	if res.CalledAtProgression[model.ClassTALoss] < 1 && !math.IsNaN(res.TTP) && res.FirstCTDNACall < res.TTP {
		t.Errorf("called before progression but none counted at progression: %v", res.CalledAtProgression)
	}
	if !math.IsNaN(res.TTP) && !(res.CTDNALead == res.TTP-res.FirstCTDNACall) {
		t.Errorf("lead %v != ttp %v - first call %v", res.CTDNALead, res.TTP, res.FirstCTDNACall)
	}
	// reads: alt reads against depth x VAF over rows (z-test). Rows below the
	// record threshold are kept only when they have reads, a biased sample,
	// so the check uses the rows at or above it, which are always kept.
	var alt, exp, v float64
	for _, r := range res.CTDNA {
		if r.TrueVAF >= 1e-4 {
			alt += float64(r.AltReads)
			exp += float64(r.Depth) * r.TrueVAF
			v += float64(r.Depth) * r.TrueVAF * (1 - r.TrueVAF)
		}
	}
	if v > 0 && math.Abs(alt-exp)/math.Sqrt(v) > 4 {
		t.Errorf("alt reads %v, expected %v (sd %v)", alt, exp, math.Sqrt(v))
	}
	t.Logf("first call %v, ttp %v, lead %v, rows %d, called at progression %v", res.FirstCTDNACall, res.TTP, res.CTDNALead, len(res.CTDNA), res.CalledAtProgression)
}

// Imaging with a visible size: a scan reports the true burden, or 0 below
// Config.Visible; 0 is a complete response, and RECIST progression is then
// the tumour's reappearance. The scans are checked against the true burden
// on the trajectory grid and the progression replayed from them. Under a
// constant drug the dynamics do not depend on what imaging sees, so each
// replicate is also run seeing every cell: a tumour that sinks out of sight
// is called progressive only once visible again, usually much later (a
// tumour hovering about the visible size can also progress earlier, by
// reappearing).
func TestVisibleSize(t *testing.T) {
	const visible = 6.3e7 // Bozic et al. 2013's smallest detectable lesion
	run := func(vis float64, rep int) sim.Result {
		cfg := sim.Config{Model: model.Default(), Detect: 1e9, Seed: 21, Visible: vis}
		cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
		cfg.CTDNA.Every = -1
		cfg.Defaults()
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		rp := sim.NewReplicator(&cfg)
		defer rp.Close()
		var res sim.Result
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	crs, later := 0, 0
	for rep := range 4 {
		res := run(visible, rep)
		truth := map[float64]int64{}
		for _, p := range res.Trajectory {
			truth[p.Time] = p.Total
		}
		baseline, _ := strconv.ParseInt(field(res.Events[0].Detail, "burden"), 10, 64)
		nadir, ttp, sawCR := baseline, math.NaN(), false
		for _, e := range res.Events {
			if e.Kind == "response" && e.Detail == "CR" {
				sawCR = true
			}
			if e.Kind != "scan" || !math.IsNaN(ttp) {
				continue
			}
			m, _ := strconv.ParseInt(field(e.Detail, "burden"), 10, 64)
			n, ok := truth[e.Time]
			if !ok {
				t.Fatalf("rep %d: scan at %v is not on the trajectory grid", rep, e.Time)
			}
			if want := map[bool]int64{true: 0, false: n}[float64(n) < visible]; m != want {
				t.Fatalf("rep %d t=%v: scan reports %d, true burden %d, want %d", rep, e.Time, m, n, want)
			}
			if (m == 0) != (field(e.Detail, "response") == "CR") {
				t.Errorf("rep %d t=%v: %s", rep, e.Time, e.Detail)
			}
			if m > 0 && float64(m) >= 1.728*float64(nadir) {
				ttp = e.Time
			} else {
				nadir = min(nadir, m)
			}
		}
		if !(ttp == res.TTP) {
			t.Errorf("rep %d: TTP %v, replayed from the scans %v", rep, res.TTP, ttp)
		}
		if nadir == 0 {
			crs++
			if res.BestResponse != sim.CR || !sawCR {
				t.Errorf("rep %d: dropped out of sight but best response %v (CR event %v)", rep, res.BestResponse, sawCR)
			}
		}
		all := run(0, rep)
		if all.TTP < res.TTP {
			later++
		}
		t.Logf("rep %d: TTP %.0f days (every cell visible: %.0f), nadir %d, best %v", rep, res.TTP, all.TTP, res.Nadir, res.BestResponse)
	}
	if crs == 0 || later == 0 {
		t.Errorf("%d replicates dropped out of sight, %d progressed later for it; the test does not exercise the visible size", crs, later)
	}
}

// Switching at a ctDNA trigger, end to end: the policy moves to the
// next-generation drug at the first blood draw whose called pocket
// mutations reach the trigger VAF (observed alt reads / depth), replayed
// from the recorded draws, and never before. Shedding is raised 300-fold
// and the catalog holds one pocket site mutating at 1e-7, so that one
// pocket variant grows visible in plasma; imaging is moved out of the way
// (at this burden RECIST would end the line first, see the README).
func TestSwitchAtCTDNA(t *testing.T) {
	const trigger = 0.005
	p := &sim.Policy{Phases: []sim.PhaseSpec{
		{Name: "rezatapopt", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndCTDNA, Class: model.ClassPocket, VAF: trigger}, Next: 1, NextSet: true},
		{Name: "nextgen", Doses: []float64{0, 2000, 0}, End: sim.EndRule{Kind: sim.EndProgression}, Next: -1, NextSet: true},
	}}
	switched := 0
	for rep := range 4 {
		cfg := policyConfig(p, 11)
		cfg.Model.Catalog = []model.Mutation{{Name: "pocket", Class: model.Pocket, Sites: 1}}
		cfg.Model.MutationRate = 1e-7
		cfg.Detect = 1e9
		cfg.CTDNA.Shed = 0.042
		cfg.Scan = cfg.Horizon // imaging out of the way: the draws decide
		rp := sim.NewReplicator(&cfg)
		var res sim.Result
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		rp.Close()
		want := math.NaN()
		for _, r := range res.CTDNA {
			if r.Class == model.ClassPocket && r.Called && float64(r.AltReads)/float64(r.Depth) >= trigger {
				want = r.Time
				break
			}
		}
		got := math.NaN()
		for _, e := range res.Events {
			if e.Kind == "phase" && field(e.Detail, "phase") == "nextgen" {
				got = e.Time
			}
		}
		if !(got == want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("rep %d: switch at %v, the draws say %v", rep, got, want)
		}
		if !math.IsNaN(got) {
			switched++
			for _, pt := range res.Trajectory {
				if pt.Time > got && (pt.Conc[0] != 0 || pt.Conc[1] != 2000) {
					t.Fatalf("rep %d t=%v: conc %v after the switch", rep, pt.Time, pt.Conc[:2])
				}
			}
		}
		t.Logf("rep %d: switch at %v, TTP %v", rep, got, res.TTP)
	}
	if switched == 0 {
		t.Error("no replicate switched; the test does not exercise the trigger")
	}
}

// A phase that ends after a number of days that is not a multiple of the
// step is logged at the time it ends, not at the end of the step holding it,
// and every phase of a chain shorter than one step is logged.
func TestPhaseEventsAtTheirTimes(t *testing.T) {
	p := &sim.Policy{Phases: []sim.PhaseSpec{
		{Name: "lead", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndAfter, Days: 10}},
		{Name: "short", Doses: []float64{0, 2000, 0}, End: sim.EndRule{Kind: sim.EndAfter, Days: 1.5}},
		{Name: "rest", Doses: []float64{1150, 0, 0}},
	}}
	cfg := policyConfig(p, 5)
	rp := sim.NewReplicator(&cfg)
	var res sim.Result
	if err := rp.Run(0, &res); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"lead": 0, "short": 10, "rest": 11.5}
	for _, e := range res.Events {
		if e.Kind != "phase" {
			continue
		}
		name := field(e.Detail, "phase")
		w, ok := want[name]
		if !ok {
			t.Errorf("unexpected phase event %q at %v", e.Detail, e.Time)
			continue
		}
		if e.Time != w {
			t.Errorf("phase %s logged at day %v, began at day %v", name, e.Time, w)
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("phase %s was never logged", name)
	}
}

// A cure is logged when the last cell dies, inside the step that emptied
// the tumour: the latest extinction among the clones (all recorded here).
func TestCureAtLastDeath(t *testing.T) {
	m := model.Default()
	m.Drugs[2].Emax = 2 // a strong off-axis drug
	cfg := sim.Config{Model: m, Detect: 1e5, Seed: 9, Therapy: func() sim.Therapy { return sim.Constant{C: []float64{0, 0, 1e6}} }}
	cfg.Engine.RecordAt = 1
	cfg.Defaults()
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var res sim.Result
	cured := 0
	for rep := 0; rep < 5; rep++ {
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		if res.Outcome != sim.Cured {
			continue
		}
		cured++
		last := math.Inf(-1)
		for _, c := range res.Clones {
			if !math.IsNaN(c.Extinct) {
				last = max(last, c.Extinct)
			}
		}
		for _, e := range res.Events {
			if e.Kind == "cured" && e.Time != last {
				t.Errorf("rep %d: cured logged at %v, last cell died at %v (run ended at %v)", rep, e.Time, last, res.EndTime)
			}
		}
	}
	if cured == 0 {
		t.Fatal("no replicate was cured; the test has no power")
	}
}
