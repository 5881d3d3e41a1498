package sim_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/internal/simtest"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
	"github.com/p53evo/p53evo/sim/rng"
)

// ksD is the one-sample Kolmogorov-Smirnov statistic of x against cdf.
func ksD(x []float64, cdf func(float64) float64) float64 {
	slices.Sort(x)
	n := float64(len(x))
	d := 0.0
	for i, v := range x {
		f := cdf(v)
		d = max(d, math.Abs(f-float64(i)/n), math.Abs(float64(i+1)/n-f))
	}
	return d
}

// The per-patient draws follow their laws: KS against the exact
// (truncated) CDF, 20000 draws each; the 0.1% critical value is 1.95/sqrt(n).
// A draw that ignored truncation or used log10 for ln would fail.
func TestDistDraws(t *testing.T) {
	laws := []sim.Dist{
		sim.LogNormal10(5e10, 0.7).Truncate(9e8, 3e11),
		sim.LogNormalCV(0.56, 1).Truncate(0.01, 10),
		{Kind: sim.DistNormal, Mean: 1, SD: 0.3},
		sim.Dist{Kind: sim.DistNormal, Mean: 1, SD: 0.3}.Truncate(0.8, 2),
		{Kind: sim.DistUniform, Lo: 2, Hi: 5},
		{Kind: sim.DistLogUniform, Lo: 1e5, Hi: 1e7},
	}
	const n = 20000
	for i, d := range laws {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		r := rng.New(99, uint64(i))
		x := make([]float64, n)
		lo, hi := d.Range()
		for k := range x {
			x[k] = d.Sample(&r)
			if x[k] < lo || x[k] > hi {
				t.Fatalf("%v: draw %v outside [%v, %v]", d, x[k], lo, hi)
			}
		}
		if D := ksD(x, d.CDF); D > 1.95/math.Sqrt(n) {
			t.Errorf("%v: KS D = %.4f > %.4f", d, D, 1.95/math.Sqrt(n))
		}
	}
	// the log-normal's parameters mean what they say
	d := sim.LogNormalCV(2, 0.5)
	r := rng.New(7)
	var s, s2 float64
	for range n {
		v := d.Sample(&r)
		s += v
		s2 += v * v
	}
	mean := s / n
	cv := math.Sqrt(s2/n-mean*mean) / mean
	wantMean := 2 * math.Exp(d.Sigma*d.Sigma/2)
	if math.Abs(mean-wantMean) > 4*0.5*wantMean/math.Sqrt(n) || math.Abs(cv-0.5) > 0.02 {
		t.Errorf("lognormal median 2 cv 0.5: mean %.4f (want %.4f), cv %.4f", mean, wantMean, cv)
	}
	// empirical: every value equally likely, truncation respected
	e := sim.Dist{Kind: sim.DistEmpirical, Values: []float64{1, 5, 12, 30}}.Truncate(2, 30)
	cnt := map[float64]int{}
	for range 30000 {
		cnt[e.Sample(&r)]++
	}
	if cnt[1] != 0 || len(cnt) != 3 {
		t.Fatalf("truncated empirical draws %v", cnt)
	}
	for v, c := range cnt {
		if math.Abs(float64(c)-10000) > 4*math.Sqrt(10000*2.0/3) {
			t.Errorf("empirical value %v drawn %d times of 30000, want ~10000", v, c)
		}
	}
}

// RECIST 1.1 on hand-worked sums of target diameters (mm).
func TestRECISTHandWorked(t *testing.T) {
	cases := []struct {
		sum, base, nadir float64
		newLesion, gone  bool
		want             sim.Response
	}{
		{70, 100, 100, false, false, sim.PR},   // exactly -30%
		{70.1, 100, 100, false, false, sim.SD}, // -29.9%
		{120, 100, 100, false, false, sim.PD},  // +20% and +20 mm
		{60, 100, 50, false, false, sim.PD},    // +20% from the nadir, +10 mm: PD although below baseline
		{24, 100, 20, false, false, sim.PR},    // +20% but only +4 mm: not PD; still -76% from baseline
		{25, 100, 20, false, false, sim.PD},    // +25% and +5 mm
		{5, 100, 0, false, false, sim.PD},      // reappearance after every target vanished
		{40, 100, 40, true, false, sim.PD},     // a new lesion
		{0, 100, 0, false, true, sim.CR},       // nothing visible
		{0, 100, 0, false, false, sim.PR},      // targets gone, a non-target still visible
		{12, 10, 10, false, false, sim.SD},     // +20% but only +2 mm
	}
	for _, c := range cases {
		if got := sim.RECIST(c.sum, c.base, c.nadir, c.newLesion, c.gone); got != c.want {
			t.Errorf("sum %v base %v nadir %v new %v gone %v: %v, want %v", c.sum, c.base, c.nadir, c.newLesion, c.gone, got, c.want)
		}
	}
	// diameters: a 1 cm^3 sphere of 1e9 cells is 12.41 mm across; 5.24e8
	// cells make 10 mm; below 5 mm a lesion reads 0
	p := sim.DefaultPatient()
	if d := p.Diameter(1e9); math.Abs(d-12.407) > 0.001 {
		t.Errorf("diameter of 1e9 cells %v mm, want 12.407", d)
	}
	if d := p.Diameter(523598776); math.Abs(d-10) > 1e-6 {
		t.Errorf("diameter of pi/6 1e9 cells %v, want 10", d)
	}
	if d := p.Diameter(6e7); d != 0 {
		t.Errorf("6e7 cells (4.9 mm) read %v mm, want 0", d)
	}
}

func patientDigest(r *sim.Result) string {
	p := r.Patient
	s := fmt.Sprintf("%d %x %s %v %v %v %v %v %v %v %v|", r.Replicate, r.Stream, r.BestResponse, r.TTP, r.AtStart, r.Final, p.Lesions, p.Burden, p.KillMult, p.BestPct, p.BaselineTF)
	for _, l := range p.LesionRows {
		s += fmt.Sprintf("%v %v %v;", l.Start, l.Final, l.Nadir)
	}
	for _, x := range r.Trajectory {
		s += fmt.Sprint(x.Total, " ")
	}
	return s
}

func runPatients(t *testing.T, cfg sim.Config, n, workers int) []string {
	t.Helper()
	var out []string
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n, Workers: workers}, sim.SinkFunc(func(r *sim.Result) error {
		out = append(out, patientDigest(r))
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A patient is bit-identical whatever the number of workers (and whatever
// patients ran before on the same worker).
func TestPatientsWorkers(t *testing.T) {
	pc := sim.DefaultPatient()
	pc.Burden = sim.LogNormal10(2e9, 0.3).Truncate(9e8, 1e10)
	cfg := simtest.TrialConfig(2000, 5, pc)
	a := runPatients(t, cfg, 12, 1)
	b := runPatients(t, cfg, 12, 2)
	if !slices.Equal(a, b) {
		t.Fatal("1 and 2 workers give different patients")
	}
	// one patient alone equals the same patient run after others
	var alone sim.Result
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	if err := rp.Run(7, &alone); err != nil {
		t.Fatal(err)
	}
	if patientDigest(&alone) != a[7] {
		t.Fatal("patient 7 run alone differs from patient 7 in a run")
	}
}

// Common random numbers: two arms differing only in dose see the same
// patients (draws, lesions, baseline) and differ only after treatment
// starts.
func TestPatientsSharedAcrossArms(t *testing.T) {
	pc := sim.DefaultPatient()
	pc.Burden = sim.LogNormal10(2e9, 0.3).Truncate(9e8, 1e10)
	var a, b sim.Result
	ra := sim.NewReplicator(ptr(simtest.TrialConfig(2000, 5, pc)))
	rb := sim.NewReplicator(ptr(simtest.TrialConfig(600, 5, pc)))
	differ := 0
	for rep := range 6 {
		if err := ra.Run(rep, &a); err != nil {
			t.Fatal(err)
		}
		if err := rb.Run(rep, &b); err != nil {
			t.Fatal(err)
		}
		pa, pb := a.Patient, b.Patient
		if a.AtStart != b.AtStart || pa.Lesions != pb.Lesions || pa.KillMult != pb.KillMult || pa.BaselineSum != pb.BaselineSum || pa.BaselineTF != pb.BaselineTF {
			t.Fatalf("patient %d differs between arms at baseline", rep)
		}
		if a.Final != b.Final {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("600 and 2000 mg gave identical outcomes for every patient")
	}
}

func ptr[T any](v T) *T { return &v }

// Lesions are independent lineages: a patient's lesion grows exactly as a
// lone tumour with the lesion's stream and the patient's biology would
// (checked on lesion counts at treatment start), and lesions of one patient
// carry different pre-existing resistance.
func TestLesionsIndependent(t *testing.T) {
	pc := sim.DefaultPatient()
	pc.Lesions = sim.Fixed(3)
	pc.Burden = sim.Fixed(3e9)
	pc.SizeSpread = 0
	cfg := simtest.TrialConfig(2000, 11, pc)
	cfg.StopAtDetection = true
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var r sim.Result
	same := 0
	for rep := range 4 {
		if err := rp.Run(rep, &r); err != nil {
			t.Fatal(err)
		}
		ls := r.Patient.LesionRows
		if len(ls) != 3 {
			t.Fatalf("%d lesions, want 3", len(ls))
		}
		var sum [model.NumClasses]int64
		for _, l := range ls {
			for k := range sum {
				sum[k] += l.Start[k]
			}
			tot := l.Start[0] + l.Start[1] + l.Start[2]
			if math.Abs(float64(tot)-1e9) > 1e9*sim.DetectTol {
				t.Errorf("lesion of %d cells, want 1e9 (+%g)", tot, sim.DetectTol)
			}
		}
		if sum != r.AtStart {
			t.Errorf("lesions sum to %v, patient has %v", sum, r.AtStart)
		}
		if ls[0].Start == ls[1].Start || ls[1].Start == ls[2].Start {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d patients with two lesions identical to the cell", same)
	}
}

// A patient's plasma reads resistance SNVs: with a research assay at a high
// mutation rate, some patients have a resistance SNV called before
// progression, the first call fills FirstCTDNACall and its lead, the
// distinct SNVs called are counted, and a phase that ends at a ctDNA call
// switches on the patient's draws (logged with why=ctdna).
func TestPatientCTDNACalls(t *testing.T) {
	pc := sim.DefaultPatient()
	pc.Lesions = sim.Fixed(2)
	pc.Burden = sim.Fixed(3e10)
	a, _ := sim.PlasmaAssayNamed("research")
	pc.Plasma.Molecules, pc.Plasma.Depth, pc.Plasma.MinAlt, pc.Plasma.LOD = a.Molecules, a.Depth, a.MinAlt, a.LOD
	cfg := simtest.TrialConfig(2000, 3, pc)
	cfg.Model.MutationRate *= 10
	p := &sim.Policy{Phases: []sim.PhaseSpec{
		{Name: "first", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndCTDNA, Class: model.ClassTALoss, VAF: 1e-9}},
		{Name: "second", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndProgression}},
	}}
	if err := p.Validate(len(cfg.Model.Drugs)); err != nil {
		t.Fatal(err)
	}
	cfg.Therapy = func() sim.Therapy { return p.Clone() }
	calls, switched, counted := 0, 0, 0
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 6, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
		first := math.NaN()
		for _, c := range r.CTDNA {
			if c.Called && c.Class != model.Sensitive && math.IsNaN(first) {
				first = c.Time
			}
		}
		if !(math.IsNaN(first) && math.IsNaN(r.FirstCTDNACall) || first == r.FirstCTDNACall) {
			t.Errorf("patient %d: first called row at %v, FirstCTDNACall %v", r.Replicate, first, r.FirstCTDNACall)
		}
		if math.IsNaN(first) {
			return nil
		}
		calls++
		if !math.IsNaN(r.TTP) && r.CTDNALead != r.TTP-first {
			t.Errorf("patient %d: lead %v, want %v", r.Replicate, r.CTDNALead, r.TTP-first)
		}
		if r.Patient.PlasmaSNVs[model.ClassTALoss]+r.Patient.PlasmaSNVs[model.ClassPocket] > 0 {
			counted++
		}
		for _, e := range r.Events {
			if e.Kind == "phase" && strings.Contains(e.Detail, "phase=second why=ctdna") && e.Time == first {
				switched++
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Fatal("no patient had a resistance SNV called in plasma")
	}
	if counted == 0 {
		t.Error("no distinct SNV counted in plasma")
	}
	if switched == 0 {
		t.Errorf("%d patients with a ta-loss or pocket call, none switched phase at it", calls)
	}
}
