package analysis

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/scenarios"
)

// offTreatment is the engine's name of the phase after treatment stopped.
const offTreatment = "off treatment"

// Schedule is what a dataset tells about when each replicate was treated,
// as phases to shade on a time axis. LoadSchedule reads it from the best
// source the dataset has:
//
//  1. the trajectories' conc_<drug> columns: stretches during which the
//     same drugs have a positive concentration, labelled by the drugs;
//  2. else the events of kind "phase" (the policy's phase changes),
//     labelled by phase name and, from the manifest's scenario, the doses;
//     phases without doses (pauses, "off treatment") are not shaded;
//  3. else the manifest's scenario: from t = 0 on if it lists treatment
//     phases, nothing if it is untreated.
type Schedule struct {
	byRep  map[int][]Phase
	other  []Phase // replicates not in byRep
	spans  map[int][2]float64
	Source string // "concentrations", "phase events" or "scenario"
}

// Replicate returns the phases of one replicate.
func (s *Schedule) Replicate(r int) []Phase {
	if ps, ok := s.byRep[r]; ok {
		return ps
	}
	return s.other
}

// LoadSchedule reads the treatment schedule of every replicate (see
// Schedule).
func LoadSchedule(d *dataset.Dataset) (_ *Schedule, err error) {
	defer errprefix.Wrap(&err, "analysis")
	s := &Schedule{spans: map[int][2]float64{}}
	runs, err := d.Runs()
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		s.spans[r.Replicate] = [2]float64{-r.GrowthDays, r.EndTime}
	}
	byRep, ok, err := concPhases(d)
	if err != nil {
		return nil, err
	}
	if ok {
		s.byRep, s.Source = byRep, "concentrations"
		return s, nil
	}
	sc := manifestScenario(d.Manifest())
	events, err := d.Events()
	if err != nil {
		return nil, err
	}
	byRep = map[int][]Phase{}
	for _, e := range events {
		if e.Kind != "phase" {
			continue
		}
		name, _ := strings.CutPrefix(e.Detail, "phase=")
		name, _, _ = strings.Cut(name, " why=")
		ps := byRep[e.Replicate]
		if n := len(ps); n > 0 {
			ps[n-1].End = e.Time
		}
		byRep[e.Replicate] = append(ps, Phase{Start: e.Time, End: s.spans[e.Replicate][1], Label: name})
	}
	if len(byRep) > 0 {
		for r, ps := range byRep {
			var keep []Phase
			for _, ph := range ps {
				label, on := sc.phaseLabel(ph.Label)
				if on && ph.End > ph.Start {
					ph.Label = label
					keep = append(keep, ph)
				}
			}
			byRep[r] = keep
		}
		s.byRep, s.Source = byRep, "phase events"
		return s, nil
	}
	s.Source = "scenario"
	if sc.treated {
		s.other = []Phase{{Start: 0, End: math.Inf(1), Label: "treatment"}}
	}
	return s, nil
}

// concPhases reads phases from the conc_<drug> columns; ok is false when
// the dataset has none.
func concPhases(d *dataset.Dataset) (phases map[int][]Phase, ok bool, err error) {
	type row struct {
		t  float64
		on string
	}
	rows := map[int][]row{}
	drugs := d.Drugs() // the trajectories' conc_<drug> columns, in order
	err = d.ScanTrajectories(func(batch []dataset.TrajRow) error {
		if len(drugs) == 0 {
			return nil
		}
		ok = true
		for _, tr := range batch {
			var on []string
			for k, c := range tr.Conc {
				if c > 0 {
					on = append(on, drugs[k])
				}
			}
			rows[tr.Replicate] = append(rows[tr.Replicate], row{tr.Time, strings.Join(on, " + ")})
		}
		return nil
	})
	if err != nil || !ok {
		return nil, ok, err
	}
	phases = map[int][]Phase{}
	for r, rs := range rows {
		slices.SortStableFunc(rs, func(a, b row) int { return cmp.Compare(a.t, b.t) })
		var ps []Phase
		for i, x := range rs {
			end := x.t
			if i+1 < len(rs) {
				end = rs[i+1].t
			}
			if x.on == "" || !(end > x.t) {
				continue
			}
			if n := len(ps); n > 0 && ps[n-1].Label == x.on && ps[n-1].End == x.t {
				ps[n-1].End = end
				continue
			}
			ps = append(ps, Phase{Start: x.t, End: end, Label: x.on})
		}
		phases[r] = ps
	}
	return phases, true, nil
}

// scenarioInfo is what the plots use of the manifest's scenario.
type scenarioInfo struct {
	treated bool
	doses   map[string]map[string]float64 // phase name -> drug -> mg
	// draws: the scenario takes blood draws (observe.ctdna.every > 0);
	// drawsKnown is false when the scenario does not say or could not be
	// read.
	draws, drawsKnown bool
	// followUp is the planned end of follow-up, days after treatment
	// start: stop.at when set, else stop.horizon; 0 when not known.
	followUp float64
}

// manifestScenario reads the manifest's scenario with the scenario loader
// (as written: fields the manifest leaves out stay unknown). A manifest
// written by an older p53evo may hold a scenario that the strict loader
// refuses (a key of a former format, a value now out of range); it is then
// taken as treated, with nothing known of its phases' doses or its blood
// draws: phase events are shaded under their names, and the ctdna endpoint
// is read from the runs table as if the scenario took draws.
func manifestScenario(m dataset.Manifest) scenarioInfo {
	text := []byte(m.Scenario)
	var str string
	if json.Unmarshal(m.Scenario, &str) == nil {
		text = []byte(str)
	}
	sc, err := scenarios.Load("manifest scenario", text)
	if err != nil {
		return scenarioInfo{treated: true}
	}
	info := scenarioInfo{treated: len(sc.Treatment.Phases) > 0, doses: map[string]map[string]float64{}}
	if e := sc.Observe.CTDNA.Every; e != nil {
		info.draws, info.drawsKnown = *e > 0, true
	}
	switch st := sc.Stop; {
	case st.At != nil && *st.At > 0:
		info.followUp = *st.At
	case st.Horizon != nil && *st.Horizon > 0:
		info.followUp = *st.Horizon
	}
	for i, ph := range sc.Treatment.Phases {
		name := ph.Name
		if name == "" {
			name = fmt.Sprintf("phase %d", i)
		}
		info.doses[name] = ph.Doses
	}
	return info
}

// phaseLabel returns the label of a named phase and whether it gives any
// drug. Phases the scenario does not describe are shaded under their name.
func (sc scenarioInfo) phaseLabel(name string) (string, bool) {
	if name == offTreatment {
		return name, false
	}
	doses, known := sc.doses[name]
	if !known {
		return name, true
	}
	drugs := make([]string, 0, len(doses))
	for d, mg := range doses {
		if mg > 0 {
			drugs = append(drugs, d)
		}
	}
	if len(drugs) == 0 {
		return name, false
	}
	slices.Sort(drugs)
	parts := make([]string, len(drugs))
	for i, d := range drugs {
		parts[i] = fmt.Sprintf("%s %s mg", d, strconv.FormatFloat(doses[d], 'g', -1, 64))
	}
	dose := strings.Join(parts, " + ")
	if len(drugs) == 1 && name == drugs[0] || strings.HasPrefix(name, "phase ") {
		return dose, true
	}
	return name + ": " + dose, true
}

// Majority summarises all replicates' phases on the treatment record grid
// (the trajectories' times from 0 on): the stretches during which more
// than half of the replicates still followed were in a shaded phase,
// labelled "treatment (most replicates)".
func (s *Schedule) Majority(traj []dataset.TrajRow) []Phase {
	var grid []float64
	for _, r := range traj {
		if r.Time >= 0 {
			grid = append(grid, r.Time)
		}
	}
	slices.Sort(grid)
	grid = slices.Compact(grid)
	var out []Phase
	for j := 0; j+1 < len(grid); j++ {
		t, next := grid[j], grid[j+1]
		mid := (t + next) / 2
		on, seen := 0, 0
		for r, sp := range s.spans {
			if mid < sp[0] || mid > sp[1] {
				continue
			}
			seen++
			for _, ph := range s.Replicate(r) {
				if mid >= ph.Start && mid < ph.End {
					on++
					break
				}
			}
		}
		if seen == 0 || 2*on <= seen {
			continue
		}
		if n := len(out); n > 0 && out[n-1].End == t {
			out[n-1].End = next
		} else {
			out = append(out, Phase{Start: t, End: next, Label: "treatment (most replicates)"})
		}
	}
	return out
}

// detailValue returns the value of key in an event's "k=v k=v" detail.
func detailValue(detail, key string) (string, bool) {
	for _, f := range strings.Fields(detail) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

func detailFloat(detail, key string) float64 {
	v, ok := detailValue(detail, key)
	if !ok {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// DefaultReplicate picks the replicate to show when none is asked for: the
// first in the runs table that progressed, else the first.
func DefaultReplicate(runs []dataset.RunRow) (_ int, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(runs) == 0 {
		return 0, fmt.Errorf("no replicates")
	}
	for _, r := range runs {
		if r.Progressed() {
			return r.Replicate, nil
		}
	}
	return runs[0].Replicate, nil
}

// FindRun returns the runs row of a replicate.
func FindRun(runs []dataset.RunRow, replicate int) (_ dataset.RunRow, err error) {
	defer errprefix.Wrap(&err, "analysis")
	for _, r := range runs {
		if r.Replicate == replicate {
			return r, nil
		}
	}
	lo, hi := math.MaxInt, math.MinInt
	for _, r := range runs {
		lo, hi = min(lo, r.Replicate), max(hi, r.Replicate)
	}
	if len(runs) == 0 {
		return dataset.RunRow{}, fmt.Errorf("replicate %d: the dataset has no replicates", replicate)
	}
	return dataset.RunRow{}, fmt.Errorf("replicate %d is not in the dataset (replicates %d to %d)", replicate, lo, hi)
}

// Outcome describes a replicate's course in a few words, for subtitles.
func Outcome(r dataset.RunRow) string {
	switch {
	case r.Progressed():
		return fmt.Sprintf("progressed at %.1f months (best response %s)", r.TTP/DaysPerMonth, r.BestResponse)
	case r.Outcome == "cured":
		return fmt.Sprintf("cured at %.1f months", r.EndTime/DaysPerMonth)
	}
	return fmt.Sprintf("%s at %.1f months (best response %s)", r.Outcome, r.EndTime/DaysPerMonth, r.BestResponse)
}
