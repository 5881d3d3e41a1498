package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func run(rep int, outcome string, ttp, end, rmt, frb float64) dataset.RunRow {
	return dataset.RunRow{Replicate: rep, Outcome: outcome, TTP: ttp, EndTime: end, ResistantMajorityTime: rmt, FirstResistantBirth: frb}
}

// The censoring rules of every endpoint.
func TestEndpointSample(t *testing.T) {
	runs := []dataset.RunRow{
		run(0, "progressed", 112, 112, 98, -50), // pre-existing resistance: event at 0
		run(1, "progressed", 168, 168, nan, 20), // never resistant-majority: censored at its end
		run(2, "cured", nan, 98, nan, nan),      // cured: censored at the arm's last end (365)
		run(3, "censored", nan, 365, -5, nan),   // majority already at start: event at 0
		run(4, "censored", nan, 200, 150, 0),    // event exactly at 0
	}
	ct := []float64{84, nan, nan, 300, nan}
	cases := []struct {
		e         Endpoint
		ctdna     []float64
		wantTime  []float64
		wantEvent []bool
		wantErr   error
	}{
		{EndpointTTP, nil, []float64{112, 168, 365, 365, 200}, []bool{true, true, false, false, false}, nil},
		{EndpointResistantMajority, nil, []float64{98, 168, 365, 0, 150}, []bool{true, false, false, true, true}, nil},
		{EndpointFirstResistant, nil, []float64{0, 20, 365, 365, 0}, []bool{true, true, false, false, true}, nil},
		{EndpointCtDNA, ct, []float64{84, 168, 365, 300, 200}, []bool{true, false, false, true, false}, nil},
		{EndpointCtDNA, nil, nil, nil, ErrNoCtDNA},
		{"bogus", nil, nil, nil, errors.New("unknown endpoint")},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/ctdna=%v", c.e, c.ctdna != nil), func(t *testing.T) {
			s, err := EndpointSample(c.e, ArmData{Name: "x", Source: "dir", Runs: runs, FirstCtDNACall: c.ctdna})
			if c.wantErr != nil {
				if err == nil || !errors.Is(err, c.wantErr) && !strings.Contains(err.Error(), c.wantErr.Error()) {
					t.Fatalf("error %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Time, c.wantTime) || !reflect.DeepEqual(s.Event, c.wantEvent) {
				t.Errorf("got times %v events %v\nwant times %v events %v", s.Time, s.Event, c.wantTime, c.wantEvent)
			}
			if err := s.validate(); err != nil {
				t.Errorf("sample is not valid: %v", err)
			}
		})
	}
	// ttp is TTPSample when the scenario's follow-up is not known.
	s, _ := EndpointSample(EndpointTTP, ArmData{Runs: runs})
	if !reflect.DeepEqual(s, TTPSample(runs)) {
		t.Error("ttp differs from TTPSample")
	}
}

// A cured replicate is followed to the scenario's planned end of follow-up
// when the manifest gives it, even when every other replicate ended
// sooner; never before the arm's latest end time; and an arm without cured
// replicates keeps its own latest end time as its maximum follow-up.
func TestCuredCensoredAtPlannedFollowUp(t *testing.T) {
	runs := []dataset.RunRow{
		run(0, "progressed", 112, 112, nan, nan),
		run(1, "cured", nan, 98, nan, nan),
		run(2, "cured", nan, 150, nan, nan),
	}
	for _, c := range []struct {
		planned, want float64
	}{{1826.25, 1826.25}, {0, 150}, {120, 150}} {
		a := ArmData{Runs: runs, FollowUpEnd: c.planned}
		for _, e := range Endpoints {
			if e == EndpointCtDNA {
				continue
			}
			s, err := EndpointSample(e, a)
			if err != nil {
				t.Fatal(err)
			}
			if s.Time[1] != c.want || s.Time[2] != c.want || s.Event[1] || s.Event[2] {
				t.Errorf("%s, planned %v: cured censored at %v and %v (events %v %v), want %v", e, c.planned, s.Time[1], s.Time[2], s.Event[1], s.Event[2], c.want)
			}
		}
		if got := followUp(a); got != c.want {
			t.Errorf("planned %v: follow-up %v, want %v", c.planned, got, c.want)
		}
	}
	if got := followUp(ArmData{Runs: runs[:1], FollowUpEnd: 1826.25}); got != 112 {
		t.Errorf("no cured replicate: follow-up %v, want the latest end time 112", got)
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, e := range Endpoints {
		if got, err := ParseEndpoint(string(e)); err != nil || got != e {
			t.Errorf("ParseEndpoint(%q) = %q, %v", e, got, err)
		}
		if e.Description() == string(e) || e.Label() == string(e) || e.Event() == string(e) {
			t.Errorf("%s: missing description, label or event", e)
		}
	}
	_, err := ParseEndpoint("TTP")
	if err == nil || !strings.Contains(err.Error(), "ttp, resistant-majority, first-resistant, ctdna") {
		t.Errorf("error %v does not list the endpoints", err)
	}
}

func TestNumJSON(t *testing.T) {
	b, err := json.Marshal([]Num{1.5, Num(nan), Num(math.Inf(1)), 0, 1e-300})
	if err != nil || string(b) != "[1.5,null,null,0,1e-300]" {
		t.Fatalf("got %s, %v", b, err)
	}
	var back []Num
	if err := json.Unmarshal(b, &back); err != nil || back[0] != 1.5 || !math.IsNaN(float64(back[1])) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
}

// jsonShape lists every key path of a decoded JSON value, so that a change
// of field names shows as a diff of paths.
func jsonShape(v any, path string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			*out = append(*out, path+"."+k)
			jsonShape(x[k], path+"."+k, out)
		}
	case []any:
		for i, e := range x {
			jsonShape(e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// jsonClose compares decoded JSON values, numbers to a relative 1e-9 (the
// last bits of a statistic may differ between architectures).
func jsonClose(a, b any, path string) error {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("%s: object differs", path)
		}
		for k := range x {
			if err := jsonClose(x[k], y[k], path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("%s: array differs", path)
		}
		for i := range x {
			if err := jsonClose(x[i], y[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case float64:
		y, ok := b.(float64)
		if !ok || math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
			return fmt.Errorf("%s: %v, golden %v", path, a, b)
		}
		return nil
	}
	if a != b {
		return fmt.Errorf("%s: %v, golden %v", path, a, b)
	}
	return nil
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	return want
}

// The JSON of analyze is a stable interface: field names and values are
// pinned by golden files (go test ./analysis -run TestAnalyzeGolden -update
// rewrites them after a deliberate change, which must bump
// ReportSchemaVersion if a field was removed or renamed).
func TestAnalyzeGolden(t *testing.T) {
	arms, _ := synthArms(t)
	for _, e := range []Endpoint{EndpointTTP, EndpointFirstResistant, EndpointResistantMajority} {
		t.Run(string(e), func(t *testing.T) {
			rep, err := Analyze(arms, AnalyzeOptions{Endpoint: e})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := rep.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			want := golden(t, "analyze_"+string(e)+".golden.json", buf.Bytes())
			var g, w any
			if err := json.Unmarshal(buf.Bytes(), &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			var gs, ws []string
			jsonShape(g, "", &gs)
			jsonShape(w, "", &ws)
			if !reflect.DeepEqual(gs, ws) {
				t.Fatalf("JSON fields changed:\n got %v\nwant %v", gs, ws)
			}
			if err := jsonClose(g, w, ""); err != nil {
				t.Error(err)
			}
			var text bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if wantText := golden(t, "analyze_"+string(e)+".golden.txt", text.Bytes()); !bytes.Equal(text.Bytes(), wantText) {
				t.Errorf("text output changed:\n%s\nwant\n%s", text.Bytes(), wantText)
			}
		})
	}
}

// Numbers of the report checked by hand for arm A (ttp): events at 112,
// 168, 224, 280; cured (98) censored at the last end time 365; censored at
// 365.
func TestAnalyzeNumbers(t *testing.T) {
	arms, _ := synthArms(t)
	rep, err := Analyze(arms, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Arms[0]
	if a.Replicates != 6 || a.Events != 4 || a.Censored != 2 || a.Outcomes != (Outcomes{4, 1, 1}) {
		t.Errorf("counts: %+v", a)
	}
	// S: 5/6 after 112, 4/6 after 168, exactly 1/2 after 224 and 2/6 after
	// 280, so the median is the middle of the flat stretch (R's rule).
	if a.MedianDays != 252 {
		t.Errorf("median %v, want 252", a.MedianDays)
	}
	if a.ProgressionsByClass != (ByClass{Sensitive: 1, TALoss: 2, Pocket: 1}) {
		t.Errorf("progressions by class %+v", a.ProgressionsByClass)
	}
	if got := float64(a.Preexisting.Any); got != 0.5 {
		t.Errorf("pre-existing share %v, want 3/6", got)
	}
	// tau: arm A's largest time 365, arm B's 448.
	if rep.TauDays != 365 || rep.TauSource != "shortest maximum follow-up among arms" {
		t.Errorf("tau %v (%s)", rep.TauDays, rep.TauSource)
	}
	wantRMST := 112 + 56*5.0/6 + 56*4.0/6 + 56*3.0/6 + 85*2.0/6
	if math.Abs(float64(a.RMST.Days)-wantRMST) > 1e-9 {
		t.Errorf("RMST %v, want %v", a.RMST.Days, wantRMST)
	}
	if s := a.Survival[0]; s.Months != 6 || math.Abs(float64(s.Surv)-4.0/6) > 1e-12 { // 182.6 days
		t.Errorf("S(6 months) = %+v", s)
	}
	if s := a.Survival[2]; !math.IsNaN(float64(s.Surv)) { // beyond follow-up
		t.Errorf("S(24 months) = %+v, want NaN", s)
	}
	c := rep.Comparison
	if c == nil || c.Reference != "arm-a" || len(c.HazardRatios) != 1 || c.HazardRatios[0].Arm != "arm-b" {
		t.Fatalf("comparison %+v", c)
	}
	h := c.HazardRatios[0]
	if h.Peto.Method != MethodLogRank || h.Cox.Method != MethodCoxEfron || !(h.Cox.HR < 1) || !(h.Peto.HR < 1) {
		t.Errorf("hazard ratios %+v", h)
	}
	if !(c.LogRank.P > 0 && c.LogRank.P < 1) || c.LogRank.DF != 1 {
		t.Errorf("log-rank %+v", c.LogRank)
	}
	// A single arm has no comparison; --tau is honoured.
	one, err := Analyze(arms[:1], AnalyzeOptions{TauDays: 100})
	if err != nil || one.Comparison != nil || one.TauDays != 100 || one.TauSource != "option" || one.Arms[0].RMST.Days != 100 {
		t.Errorf("one arm: %+v, %v", one, err)
	}
	// first-resistant: replicates 0 and 4 pre-existing.
	fr, err := Analyze(arms[:1], AnalyzeOptions{Endpoint: EndpointFirstResistant})
	if err != nil || fr.Arms[0].EventsAtZero != 2 {
		t.Errorf("first-resistant events at 0: %v, %v", fr.Arms[0].EventsAtZero, err)
	}
	// ctdna: arm A has draws, arm B none.
	if _, err := Analyze(arms[:1], AnalyzeOptions{Endpoint: EndpointCtDNA}); err != nil {
		t.Errorf("ctdna on arm A: %v", err)
	}
	if _, err := Analyze(arms, AnalyzeOptions{Endpoint: EndpointCtDNA}); !errors.Is(err, ErrNoCtDNA) {
		t.Errorf("ctdna on arm B: %v, want ErrNoCtDNA", err)
	}
	for _, bad := range []AnalyzeOptions{{TauDays: -1}, {TauDays: nan}, {Endpoint: "nope"}} {
		if _, err := Analyze(arms, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if _, err := Analyze(nil, AnalyzeOptions{}); err == nil {
		t.Error("no arms: no error")
	}
}

// A scenario with blood draws that never called a mutation (an empty ctdna
// table) is analysed for the ctdna endpoint: every replicate censored. One
// without draws is refused, naming the reason; so is a vaf plot of either.
func TestCtDNAWithoutCalls(t *testing.T) {
	dir := t.TempDir()
	drawn := strings.Replace(scenarioB, "every: 0", "every: 28", 1)
	for _, c := range []struct {
		scen, wantErr string
	}{{drawn, ""}, {scenarioB, "its scenario takes no blood draws (observe.ctdna.every is 0)"}} {
		d, err := dataset.Open(writeDataset(t, dir, fmt.Sprint(len(c.wantErr)), c.scen, nil, armB()))
		if err != nil {
			t.Fatal(err)
		}
		arm, err := LoadArm(d, "")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Analyze([]ArmData{arm}, AnalyzeOptions{Endpoint: EndpointCtDNA})
		if c.wantErr == "" {
			if err != nil || rep.Arms[0].Events != 0 {
				t.Errorf("draws without calls: %v", err)
			}
		} else if !errors.Is(err, ErrNoCtDNA) || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("no draws: %v", err)
		}
		_, err = LoadCtDNA(d)
		want := c.wantErr
		if want == "" {
			want = "the ctdna table is empty: no draw saw a resistance mutation"
		}
		if !errors.Is(err, ErrNoCtDNATable) || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadCtDNA: %v, want %q", err, want)
		}
	}
}

// LoadArm reads the planned end of follow-up from the manifest's scenario:
// stop.horizon when written, stop.at when set, unknown (0) otherwise.
func TestLoadArmFollowUpEnd(t *testing.T) {
	dir := t.TempDir()
	for i, c := range []struct {
		scen string
		want float64
	}{
		{scenarioA, 0},
		{scenarioA + "stop: {horizon: 900}\n", 900},
		{scenarioA + "stop: {at: 400}\n", 400},
	} {
		d, err := dataset.Open(writeDataset(t, dir, fmt.Sprint(i), c.scen, nil, armA()))
		if err != nil {
			t.Fatal(err)
		}
		arm, err := LoadArm(d, "")
		if err != nil {
			t.Fatal(err)
		}
		if arm.FollowUpEnd != c.want {
			t.Errorf("%q: FollowUpEnd %v, want %v", c.scen, arm.FollowUpEnd, c.want)
		}
	}
}
