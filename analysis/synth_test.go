package analysis

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

var nan = math.NaN()

// Small hand-made datasets for the analysis and plot tests. Arm A is the
// reference; arm B progresses later.

const scenarioA = `name: arm-a
treatment:
  phases:
    - {name: rezatapopt, doses: {rezatapopt: 2000}, until: progression}
`

const scenarioB = `name: arm-b
treatment:
  phases:
    - {doses: {rezatapopt: 1150}}
observe: {ctdna: {every: 0}}
`

// result is a Result with every optional time "did not happen".
func result(rep int, outcome sim.Outcome, ttp, end float64) sim.Result {
	r := sim.Result{
		Replicate: rep, Stream: uint64(rep + 1), Attempts: 1, Outcome: outcome,
		GrowthDays: 120, TTP: ttp, EndTime: end,
		AtStart:           [3]int64{1_000_000, 0, 0},
		ResistantMajority: nan, FirstResistantBirth: nan, FinalProgression: ttp,
		FirstCTDNACall: nan, CTDNALead: nan, CalledAtProgression: [3]int{-1, -1, -1},
		NadirTime: 56, BestResponse: sim.PR, Nadir: 400_000, ClonesBorn: 1,
	}
	if !math.IsNaN(ttp) {
		r.BestResponse = sim.PR
		r.DominantAtProgression = model.ClassTALoss
		r.ResistantClonesAtProgression = 2
	}
	return r
}

// armA has the awkward cases: pre-existing resistance (first resistant
// clone born before treatment), a resistant majority "before" treatment,
// a cured and a censored replicate, and replicate 0 with full detail for
// the plots (trajectory, clones with an orphan and a small extinct clone,
// scans, phase events, ctDNA rows).
func armA() []sim.Result {
	r0 := result(0, sim.Progressed, 112, 112)
	r0.AtStart = [3]int64{990_000, 9_000, 1_000}
	r0.ResistantMajority, r0.FirstResistantBirth = 98, -50
	r0.DominantAtProgression, r0.ResistantClonesAtProgression = model.ClassTALoss, 3
	r0.FirstCTDNACall, r0.CTDNALead = 84, 28
	r0.Trajectory = []sim.TrajPoint{
		{Time: -120, Total: 1, Sensitive: 1},
		{Time: -56, Total: 20_000, Sensitive: 19_990, TALoss: 10},
		{Time: 0, Total: 1_000_000, Sensitive: 990_000, TALoss: 9_000, Pocket: 1_000},
		{Time: 28, Total: 500_000, Sensitive: 480_000, TALoss: 18_000, Pocket: 2_000},
		{Time: 56, Total: 300_000, Sensitive: 250_000, TALoss: 45_000, Pocket: 5_000},
		{Time: 84, Total: 400_000, Sensitive: 150_000, TALoss: 230_000, Pocket: 20_000},
		{Time: 112, Total: 900_000, Sensitive: 100_000, TALoss: 700_000, Pocket: 100_000},
	}
	r0.Trajectory[2].Conc[0] = 2000
	r0.Trajectory[3].Conc[0] = 2000
	r0.Trajectory[4].Conc[0] = 2000
	r0.Trajectory[5].Conc[0] = 2000
	r0.Clones = []sim.CloneRecord{
		{ID: 0, Parent: -1, Mutation: "Y220C", Genotype: "", Class: model.Sensitive, Born: -120, Peak: 990_000, PeakTime: 0, Extinct: nan},
		{ID: 1, Parent: 0, Mutation: "R175H", Genotype: "R175H", Class: model.ClassTALoss, Born: -50, Peak: 650_000, PeakTime: 112, Extinct: nan},
		{ID: 2, Parent: 1, Mutation: "T150I", Genotype: "R175H+T150I", Class: model.ClassPocket, Born: 10, Peak: 90_000, PeakTime: 112, Extinct: nan},
		{ID: 3, Parent: 0, Mutation: "R248W", Genotype: "R248W", Class: model.ClassTALoss, Born: -20, Peak: 200, PeakTime: -10, Extinct: 30},
		{ID: 9, Parent: 7, Mutation: "V157F", Genotype: "V157F", Class: model.ClassPocket, Born: 40, Peak: 8_000, PeakTime: 112, Extinct: nan},
	}
	r0.Events = []sim.Event{
		{Time: 0, Kind: "detection", Detail: "burden=1000000"},
		{Time: 0, Kind: "phase", Detail: "phase=rezatapopt why=start"},
		{Time: 56, Kind: "scan", Detail: "burden=300000 response=PR"},
		{Time: 56, Kind: "response", Detail: "PR"},
		{Time: 112, Kind: "scan", Detail: "burden=900000 response=PD"},
		{Time: 112, Kind: "progression", Detail: "burden=900000 nadir=300000"},
		{Time: 112, Kind: "phase", Detail: "phase=off treatment why=scan"},
		{Time: 112, Kind: "end", Detail: "progressed"},
	}
	r0.CTDNA = []sim.CTDNARow{
		{Time: 28, Mutation: "R175H", Class: model.ClassTALoss, TrueVAF: 0.0004, AltReads: 1, Depth: 2000},
		{Time: 56, Mutation: "R175H", Class: model.ClassTALoss, TrueVAF: 0.002, AltReads: 4, Depth: 2000},
		{Time: 84, Mutation: "R175H", Class: model.ClassTALoss, TrueVAF: 0.02, AltReads: 40, Depth: 2000, Called: true},
		{Time: 84, Mutation: "T150I", Class: model.ClassPocket, TrueVAF: 0.003, AltReads: 6, Depth: 2000, Called: true},
		{Time: 112, Mutation: "R175H", Class: model.ClassTALoss, TrueVAF: 0.05, AltReads: 100, Depth: 2000, Called: true},
	}

	r1 := result(1, sim.Progressed, 168, 168)
	r1.ResistantMajority, r1.FirstResistantBirth = 150, 20
	r1.DominantAtProgression, r1.ResistantClonesAtProgression = model.ClassPocket, 5
	r1.AtStart = [3]int64{1_000_000, 20, 0}
	r1.FirstCTDNACall, r1.CTDNALead = 140, 28

	r2 := result(2, sim.Progressed, 224, 224)
	r2.DominantAtProgression, r2.ResistantClonesAtProgression = model.Sensitive, 0

	r3 := result(3, sim.Cured, nan, 98)
	r3.BestResponse = sim.CR

	r4 := result(4, sim.Censored, nan, 365)
	r4.ResistantMajority, r4.FirstResistantBirth = 300, -10
	r4.AtStart = [3]int64{1_000_000, 5, 0}

	r5 := result(5, sim.Progressed, 280, 280)
	r5.ResistantMajority, r5.FirstResistantBirth = -5, 30
	r5.ResistantClonesAtProgression = 4
	return []sim.Result{r0, r1, r2, r3, r4, r5}
}

func armB() []sim.Result {
	var rs []sim.Result
	for i, ttp := range []float64{224, 280, 336, 392, nan, nan} {
		r := result(i, sim.Progressed, ttp, ttp)
		if math.IsNaN(ttp) {
			r.Outcome, r.EndTime = sim.Censored, 448
		}
		r.FirstResistantBirth = float64(30 * i)
		r.Trajectory = []sim.TrajPoint{
			{Time: -120, Total: 1, Sensitive: 1},
			{Time: 0, Total: 1_000_000, Sensitive: 1_000_000},
			{Time: 56, Total: 600_000, Sensitive: 590_000, TALoss: 10_000},
			{Time: 112, Total: 800_000, Sensitive: 400_000, TALoss: 400_000},
		}
		r.Clones = []sim.CloneRecord{{ID: 0, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Born: -120, Peak: 1_000_000, PeakTime: 0, Extinct: nan}}
		r.Events = []sim.Event{{Time: 0, Kind: "detection", Detail: "burden=1000000"}, {Time: 56, Kind: "scan", Detail: "burden=600000 response=SD"}}
		rs = append(rs, r)
	}
	return rs
}

// writeDataset writes rs as a finished dataset in dir/name.
func writeDataset(t testing.TB, dir, name, scenario string, drugs []string, rs []sim.Result) string {
	t.Helper()
	out := filepath.Join(dir, name)
	scen, _ := json.Marshal(scenario)
	w, err := dataset.Create(out, dataset.Meta{
		Version: "test", Commit: "test", Scenario: scen, ScenarioName: name,
		Seed: 1, First: 0, Count: len(rs), Workers: 1, Drugs: drugs,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rs {
		if err := w.Write(&rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// synthArms writes arms A and B and loads them, with fixed sources.
func synthArms(t testing.TB) ([]ArmData, []*dataset.Dataset) {
	t.Helper()
	dir := t.TempDir()
	var arms []ArmData
	var ds []*dataset.Dataset
	for _, a := range []struct {
		name, scen string
		drugs      []string
		rs         []sim.Result
	}{{"arm-a", scenarioA, []string{"rezatapopt"}, armA()}, {"arm-b", scenarioB, nil, armB()}} {
		d, err := dataset.Open(writeDataset(t, dir, a.name, a.scen, a.drugs, a.rs))
		if err != nil {
			t.Fatal(err)
		}
		arm, err := LoadArm(d, "")
		if err != nil {
			t.Fatal(err)
		}
		arm.Source = a.name
		arms = append(arms, arm)
		ds = append(ds, d)
	}
	return arms, ds
}
