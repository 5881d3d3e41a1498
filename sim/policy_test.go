package sim

import (
	"math"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
)

func concAt(p *Policy, t float64) []float64 {
	c := make([]float64, len(p.Phases[0].Doses))
	p.Conc(t, c)
	return c
}

// Steady state: dose/interval while dosing, 0 in the off days of a cycle,
// and the segment boundary falls exactly on the cycle boundary.
func TestPolicySteadyStateCycle(t *testing.T) {
	p := (&Policy{Phases: []PhaseSpec{{Doses: []float64{2000, 0}, Interval: 1, On: 21, Off: 7}}}).Clone()
	for _, tc := range []struct{ t, want, next float64 }{{0, 2000, 21}, {20.9, 2000, 21}, {21, 0, 28}, {27.5, 0, 28}, {28, 2000, 49}, {50, 0, 56}} {
		c := make([]float64, 2)
		next := p.Conc(tc.t, c)
		if c[0] != tc.want || c[1] != 0 || next != tc.next {
			t.Errorf("t=%v: conc %v next %v, want %v next %v", tc.t, c, next, tc.want, tc.next)
		}
	}
	// twice-daily dosing halves the interval: same average for half the dose
	q := (&Policy{Phases: []PhaseSpec{{Doses: []float64{1000}, Interval: 0.5}}}).Clone()
	if c := concAt(q, 3); c[0] != 2000 {
		t.Errorf("1000 mg BID: %v mg-eq, want 2000", c[0])
	}
}

// With PK, segment averages over a day at steady state average the dose,
// follow the closed-form profile, and wash out after the phase ends.
func TestPolicyPK(t *testing.T) {
	pk := model.DefaultRezatapoptPK()
	p := (&Policy{Phases: []PhaseSpec{{Doses: []float64{2000}, End: EndRule{Kind: EndAfter, Days: 30}}}, PK: []*model.PK{&pk}}).Clone()
	c := make([]float64, 1)
	area := 0.0
	for tt := 0.0; tt < 30-1e-9; {
		next := p.Conc(tt, c)
		if next <= tt || next-tt > 1.0/24+1e-9 {
			t.Fatalf("segment [%v,%v)", tt, next)
		}
		if tt >= 29 {
			area += c[0] * (next - tt)
			// the exact steady-state profile averaged over the segment (midpoint rule)
			ss := 0.0
			for k := 0; k < 1000; k++ {
				ss += pk.SteadyState(2000, 1, math.Mod(tt+(next-tt)*(float64(k)+0.5)/1000, 1)) / 1000
			}
			if math.Abs(c[0]-ss)/ss > 1e-5 {
				t.Errorf("t=%.3f: segment average %.3f, steady-state profile average %.3f", tt, c[0], ss)
			}
		}
		tt = next
	}
	if math.Abs(area-2000) > 1e-6*2000 {
		t.Errorf("day-29 average %.6f, want 2000 (steady state reached after 29 half-lives)", area)
	}
	// after the phase ends (day 30) the next phase is none: treatment stops, drug washes out
	if i, name := p.Phase(); i != 0 || name != "phase 0" {
		t.Errorf("phase before end: %d %q", i, name)
	}
	p.Conc(30.5, c)
	if i, _ := p.Phase(); i != -1 {
		t.Errorf("phase after 30 days: %d, want -1 (stopped)", i)
	}
	want := pk.Conc([]model.Dose{{Time: 29, Amount: 2000}}, 30.5) // doses before 29 contribute too: lower bound
	if c[0] < want*0.9 || c[0] > 3*want {
		t.Errorf("washout at 30.5: %.1f mg-eq, one-dose bound %.1f", c[0], want)
	}
	p.Conc(60, c)
	if c[0] > 1e-3 {
		t.Errorf("a month after stopping: %g mg-eq", c[0])
	}
}

// End rules move the policy along its phases exactly when they say.
func TestPolicyEndRules(t *testing.T) {
	p := (&Policy{Phases: []PhaseSpec{
		{Name: "on", Doses: []float64{2000}, End: EndRule{Kind: EndBurdenBelow, Fraction: 0.5}, Next: 1, NextSet: true},
		{Name: "off", Doses: []float64{0}, End: EndRule{Kind: EndBurdenAbove, Fraction: 1}, Next: 0, NextSet: true},
	}}).Clone()
	obs := func(tt float64, n int64) bool {
		return p.Observe(Observation{Kind: ObserveScan, Time: tt, Total: n, Baseline: 100})
	}
	steps := []struct {
		t       float64
		n       int64
		changed bool
		phase   string
	}{{28, 60, false, "on"}, {56, 50, true, "off"}, {84, 80, false, "off"}, {112, 100, true, "on"}, {140, 51, false, "on"}, {168, 10, true, "off"}}
	for _, s := range steps {
		if got := obs(s.t, s.n); got != s.changed {
			t.Errorf("t=%v burden %d: changed %v", s.t, s.n, got)
		}
		if _, name := p.Phase(); name != s.phase {
			t.Errorf("t=%v: phase %q, want %q", s.t, name, s.phase)
		}
	}
	// draws do not trigger burden rules; ctDNA rules see only draws of their class
	q := (&Policy{Phases: []PhaseSpec{{Doses: []float64{2000}, End: EndRule{Kind: EndCTDNA, Class: model.ClassPocket, VAF: 0.01}}, {Doses: []float64{0}}}}).Clone()
	if q.Observe(Observation{Kind: ObserveDraw, Time: 28, CalledVAF: [3]float64{0, 0.5, 0.009}}) {
		t.Error("ta-loss call or pocket below threshold switched a pocket rule")
	}
	if !q.Observe(Observation{Kind: ObserveDraw, Time: 56, CalledVAF: [3]float64{0, 0, 0.01}}) {
		t.Error("pocket call at threshold did not switch")
	}
	ch := q.Changes()
	if len(ch) != 2 || ch[1].Time != 56 || !strings.Contains(ch[1].Why, "ctDNA") {
		t.Errorf("changes %+v", ch)
	}
}

func TestPolicyValidate(t *testing.T) {
	cases := []struct {
		p    Policy
		want string
	}{
		{Policy{Phases: []PhaseSpec{{Doses: []float64{1}}}}, "doses: 1 entries for 2 drugs"},
		{Policy{Phases: []PhaseSpec{{Doses: []float64{1, -1}}}}, "doses[1]"},
		{Policy{Phases: []PhaseSpec{{Doses: []float64{1, 0}, End: EndRule{Kind: EndAfter}}}}, "after"},
		{Policy{Phases: []PhaseSpec{{Doses: []float64{1, 0}, End: EndRule{Kind: EndCTDNA, Class: model.ClassPocket, VAF: 2}}}}, "vaf"},
		{Policy{Phases: []PhaseSpec{{Doses: []float64{1, 0}, Next: 5, NextSet: true}}}, "next 5"},
		{Policy{Phases: []PhaseSpec{{Doses: []float64{1, 0}, Off: 7}}}, "cycle"},
	}
	for _, c := range cases {
		err := c.p.Validate(2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want error containing %q, got %v", c.want, err)
		}
	}
}

// The liquid biopsy's true VAF follows its formula for a tumour built by
// hand: sensitive cells and one resistant lineage with a descendant.
func TestDrawVAF(t *testing.T) {
	m := model.Default()
	tm := NewTumor(&m, Options{ExactBelow: 16, RecordAt: 100})
	tm.Reset(1, 1e9, 0)
	// found R248W (a one-site entry) and, under it, a nonsense sub-clone
	choice := func(g int32, name string) int32 {
		for i, h := range tm.genos[g].sh.hits {
			if m.Catalog[h.Mut].Name == name {
				return int32(i)
			}
		}
		t.Fatalf("no choice %s", name)
		return 0
	}
	ga := tm.childGeno(0, choice(0, "R248W"), 0)
	gb := tm.childGeno(ga, choice(ga, "nonsense"), 6)
	add := func(parent int64, g int32, n int64, site int32) {
		id := tm.nextID
		tm.nextID++
		tm.ancParent = append(tm.ancParent, parent)
		tm.ancGeno = append(tm.ancGeno, g)
		tm.ancSite = append(tm.ancSite, site)
		tm.clones = append(tm.clones, clone{n: n, id: id, parent: parent, geno: g, rec: -1, ext: math.NaN()})
	}
	add(0, ga, 2e6, 0)
	add(1, gb, 1e6, 6)
	cfg := CTDNAConfig{RecordMinVAF: -1} // keep every row, however rare
	cfg.Defaults()
	cfg.RecordMinVAF = 0
	conc := []float64{2000, 0, 0}
	var r = tm.clones[0].rng
	rows, res := tm.draw(&cfg, conc, &r, nil)
	dS := tm.phenos[tm.genos[0].pheno].p.DeathAt(conc)
	dR := tm.phenos[tm.genos[ga].pheno].p.DeathAt(conc)
	tau := 30.0 / 1440 / math.Ln2
	total := cfg.Shed * tau * (dS*1e9 + dR*3e6)
	den := total + 2*cfg.NormalGE
	want := map[string]float64{"R248W": cfg.Shed * tau * dR * 3e6 / den, "nonsense#7": cfg.Shed * tau * dR * 1e6 / den}
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	for _, row := range rows {
		w, ok := want[row.Mutation]
		if !ok || math.Abs(row.TrueVAF-w) > 1e-12*w || row.Class != model.ClassTALoss || row.Depth != 2000 {
			t.Errorf("row %+v, want VAF %g", row, w)
		}
		if row.Called != (row.AltReads >= 5 && float64(row.AltReads)/2000 >= 0.001) {
			t.Errorf("call rule broken: %+v", row)
		}
	}
	if res.called[model.ClassPocket] != 0 {
		t.Error("pocket call without pocket cells")
	}
}
