package dataset

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

var nan = math.NaN()

// handResults covers the awkward cases: NaN → null, a founder (Parent -1),
// negative times, empty clones, no trajectory, extreme floats.
func handResults() []sim.Result {
	return []sim.Result{
		{ // progressed, resistant
			Replicate: 0, Stream: math.MaxUint64, Attempts: 3, Outcome: sim.Progressed,
			GrowthDays: 1234.5678, TTP: 336, EndTime: 336,
			AtStart: [3]int64{999_000_000, 700_000, 300_000}, Final: [3]int64{1e6, 5e8, 7e8},
			ResistantMajority: 280, FirstResistantBirth: -412.25,
			DominantAtProgression: model.ClassPocket, ResistantClonesAtProgression: 17,
			Nadir: 120_000_000, NadirTime: 112, BestResponse: sim.PR, ClonesBorn: 123456789,
			FinalProgression: 336, FirstCTDNACall: 252, CTDNALead: 84, CalledAtProgression: [3]int{0, 2, 1},
			Trajectory: []sim.TrajPoint{
				{Time: -1234.5678, Total: 1, Sensitive: 1},
				{Time: -28.000000000000004, Total: 5e8, Sensitive: 499_000_000, TALoss: 600_000, Pocket: 400_000},
				{Time: 0, Total: 1e9, Sensitive: 999_000_000, TALoss: 700_000, Pocket: 300_000, Conc: [sim.MaxDrugs]float64{2000, 0.125, 1e-300}},
				{Time: 336, Total: 1.2e9, Sensitive: 1e6, TALoss: 5e8, Pocket: 7e8, Conc: [sim.MaxDrugs]float64{1234.5, 600, 0, 9, 9, 9, 9, 9}},
			},
			CTDNA: []sim.CTDNARow{
				{Time: 28, Mutation: "R175H", Class: model.ClassTALoss, TrueVAF: 1e-4, AltReads: 0, Depth: 2000, TumourFraction: 0.002},
				{Time: 252, Mutation: "R175H", Class: model.ClassTALoss, TrueVAF: 0.0041, AltReads: 9, Depth: 2000, Called: true, TumourFraction: 0.0125},
				{Time: 252, Mutation: "dbd-missense#17", Class: model.ClassTALoss, TrueVAF: 0.0007, AltReads: 2, Depth: 1999},
				{Time: 336, Mutation: "T150I", Class: model.ClassPocket, TrueVAF: 0.25, AltReads: 501, Depth: 2000, Called: true},
			},
			Clones: []sim.CloneRecord{
				{ID: 0, Parent: -1, Mutation: "Y220C", Genotype: "", Class: model.Sensitive, Born: -1234.5678, Peak: 999_000_000, PeakTime: 0, Extinct: nan},
				{ID: 7, Parent: 0, Mutation: "R175H", Genotype: "R175H", Class: model.ClassTALoss, Born: -412.25, Peak: 5e8, PeakTime: 336, Extinct: nan},
				{ID: 9, Parent: 7, Mutation: "T150I", Genotype: "R175H+T150I", Class: model.ClassPocket, Born: -3e-9, Peak: 12, PeakTime: -1, Extinct: 14.5},
			},
			Events: []sim.Event{
				{Time: 0, Kind: "detection", Detail: "burden=1000000000"},
				{Time: 112, Kind: "response", Detail: "PR"},
				{Time: 336, Kind: "progression", Detail: "burden=1 nadir=2, \"quoted\"\nnewline ü"},
				{Time: 336, Kind: "end", Detail: "progressed"},
			},
			Genotypes: []sim.GenotypeCount{
				{Genotype: "Y220C", Class: model.Sensitive, Cells: 1e6},
				{Genotype: "R175H", Class: model.ClassTALoss, Cells: 5e8},
				{Genotype: "R175H+T150I", Class: model.ClassPocket, Cells: 7e8},
			},
		},
		{ // cured: no clones recorded, no progression
			Replicate: 1, Stream: 42, Attempts: 1, Outcome: sim.Cured,
			GrowthDays: math.SmallestNonzeroFloat64, TTP: nan, EndTime: 98.5,
			AtStart: [3]int64{1e9, 0, 0}, ResistantMajority: nan, FirstResistantBirth: nan,
			DominantAtProgression: model.Sensitive, Nadir: 0, NadirTime: 56, BestResponse: sim.CR, ClonesBorn: 1,
			FinalProgression: nan, FirstCTDNACall: nan, CTDNALead: nan, CalledAtProgression: [3]int{-1, -1, -1},
			Trajectory: []sim.TrajPoint{{Time: 0, Total: 1e9, Sensitive: 1e9, Conc: [sim.MaxDrugs]float64{math.MaxFloat64, math.SmallestNonzeroFloat64, 3}}, {Time: 98.5}},
			Events:     []sim.Event{{Time: 0, Kind: "detection"}, {Time: 98.5, Kind: "cured"}, {Time: 98.5, Kind: "end", Detail: "cured"}},
		},
		{ // censored, odd floats, nothing in the child tables
			Replicate: 1 << 30, Stream: 0, Attempts: math.MaxInt32, Outcome: sim.Censored,
			GrowthDays: math.Copysign(0, -1), TTP: nan, EndTime: math.Inf(1),
			ResistantMajority: -0.5, FirstResistantBirth: nan, DominantAtProgression: model.ClassTALoss,
			ResistantClonesAtProgression: 99, // ignored: no progression
			Nadir:                        math.MaxInt64, NadirTime: nan, BestResponse: sim.ResponseNone, ClonesBorn: 0,
			// a ctDNA call without progression; the counts are ignored
			FinalProgression: nan, FirstCTDNACall: 700.25, CTDNALead: nan, CalledAtProgression: [3]int{0, 5, 6},
		},
		{ // progressed at the first scan with nothing resistant
			Replicate: 3, Stream: 7, Attempts: 2, Outcome: sim.Progressed,
			GrowthDays: 2000, TTP: 56, EndTime: 56, FirstResistantBirth: nan, ResistantMajority: nan,
			DominantAtProgression: model.Sensitive, ResistantClonesAtProgression: 0,
			Nadir: 1e9, NadirTime: 0, BestResponse: sim.PD, ClonesBorn: 5,
			// progression with no ctDNA call; a later line of therapy progressed too
			FinalProgression: 112, FirstCTDNACall: nan, CTDNALead: nan, CalledAtProgression: [3]int{0, 0, 0},
			Clones:    []sim.CloneRecord{{ID: 0, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Born: -2000, Peak: 2e9, PeakTime: 56, Extinct: nan}},
			CTDNA:     []sim.CTDNARow{{Time: 0, Mutation: "Y234C", Class: model.ClassPocket, TrueVAF: 0, AltReads: 1, Depth: math.MaxInt64}},
			Genotypes: []sim.GenotypeCount{{Genotype: "Y220C", Class: model.Sensitive, Cells: math.MaxInt64}},
		},
	}
}

// The expected rows are derived here independently of the writer.
func wantRuns(rs []sim.Result) []RunRow {
	var out []RunRow
	for _, r := range rs {
		w := RunRow{
			Replicate: r.Replicate, Stream: r.Stream, Attempts: r.Attempts, Outcome: r.Outcome.String(),
			GrowthDays: r.GrowthDays, TTP: r.TTP, EndTime: r.EndTime,
			ResistantMajorityTime: r.ResistantMajority, FirstResistantBirth: r.FirstResistantBirth,
			Start: r.AtStart, Final: r.Final, ResistantClonesAtProgression: -1,
			Nadir: r.Nadir, NadirTime: r.NadirTime, BestResponse: r.BestResponse.String(), ClonesBorn: r.ClonesBorn,
			FinalProgression: r.FinalProgression, FirstCTDNACall: r.FirstCTDNACall, CTDNALead: r.CTDNALead,
			CalledTALossAtProgression: -1, CalledPocketAtProgression: -1,
		}
		if !math.IsNaN(r.TTP) {
			w.DominantClassAtProgression = r.DominantAtProgression.String()
			w.ResistantClonesAtProgression = r.ResistantClonesAtProgression
			w.CalledTALossAtProgression = max(-1, r.CalledAtProgression[model.ClassTALoss])
			w.CalledPocketAtProgression = max(-1, r.CalledAtProgression[model.ClassPocket])
		}
		out = append(out, w)
	}
	return out
}

// wantTraj expects the first nd concentrations of every point.
func wantTraj(rs []sim.Result, nd int) []TrajRow {
	var out []TrajRow
	for _, r := range rs {
		for _, p := range r.Trajectory {
			var conc []float64
			if nd > 0 {
				conc = slices.Clone(p.Conc[:nd])
			}
			out = append(out, TrajRow{r.Replicate, p.Time, p.Total, p.Sensitive, p.TALoss, p.Pocket, conc})
		}
	}
	return out
}

func wantCTDNA(rs []sim.Result) []CTDNARow {
	var out []CTDNARow
	for _, r := range rs {
		for _, c := range r.CTDNA {
			out = append(out, CTDNARow{r.Replicate, c.Time, c.Mutation, c.Class.String(), c.TrueVAF, c.AltReads, c.Depth, c.Called, c.TumourFraction})
		}
	}
	return out
}

func wantBiopsies(rs []sim.Result) []BiopsyRow {
	var out []BiopsyRow
	for _, r := range rs {
		if r.Patient == nil {
			continue
		}
		for _, b := range r.Patient.Biopsies {
			out = append(out, BiopsyRow{r.Replicate, b.Lesion, b.Time, b.At.String(), b.Mutation, b.Class.String(), b.Cells, b.Carriers, b.TrueVAF, b.AltReads, b.Depth, b.Called})
		}
	}
	return out
}

func wantDraws(rs []sim.Result) []DrawRow {
	var out []DrawRow
	for _, r := range rs {
		if r.Patient == nil {
			continue
		}
		for _, d := range r.Patient.Draws {
			out = append(out, DrawRow{r.Replicate, d.Lesion, d.Param, d.Value})
		}
	}
	return out
}

func wantClones(rs []sim.Result) []CloneRow {
	var out []CloneRow
	for _, r := range rs {
		for _, c := range r.Clones {
			les := -1
			if r.Patient != nil {
				les = r.Patient.CloneLesion(c.ID)
			}
			out = append(out, CloneRow{r.Replicate, c.ID, c.Parent, c.Mutation, c.Genotype, c.Class.String(), c.Born, c.Peak, c.PeakTime, c.Extinct, les})
		}
	}
	return out
}

func wantGenotypes(rs []sim.Result) []GenotypeRow {
	var out []GenotypeRow
	for _, r := range rs {
		for _, g := range r.Genotypes {
			out = append(out, GenotypeRow{r.Replicate, g.Genotype, g.Class.String(), g.Cells})
		}
	}
	return out
}

func wantEvents(rs []sim.Result) []EventRow {
	var out []EventRow
	for _, r := range rs {
		for _, e := range r.Events {
			out = append(out, EventRow{r.Replicate, e.Time, e.Kind, e.Detail})
		}
	}
	return out
}

// same compares two values field by field, floats bit for bit.
func same(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	case reflect.Struct:
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}

func checkRows[T any](t *testing.T, table string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", table, len(got), len(want))
		return
	}
	for i := range got {
		if !same(reflect.ValueOf(got[i]), reflect.ValueOf(want[i])) {
			t.Errorf("%s row %d:\n got %+v\nwant %+v", table, i, got[i], want[i])
		}
	}
}

// checkTable reads a table and compares its rows with want.
func checkTable[T any](t *testing.T, table string, read func() ([]T, error), want []T) {
	t.Helper()
	got, err := read()
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, table, got, want)
}

func checkAll(t *testing.T, d *Dataset, rs []sim.Result) {
	t.Helper()
	checkTable(t, "runs", d.Runs, wantRuns(rs))
	checkTable(t, "trajectories", d.Trajectories, wantTraj(rs, len(d.Drugs())))
	checkTable(t, "clones", d.Clones, wantClones(rs))
	checkTable(t, "events", d.Events, wantEvents(rs))
	checkTable(t, "ctdna", d.CTDNA, wantCTDNA(rs))
	checkTable(t, "biopsies", d.Biopsies, wantBiopsies(rs))
	var wantCalled []BiopsyRow
	for _, b := range wantBiopsies(rs) {
		if b.Called {
			wantCalled = append(wantCalled, b)
		}
	}
	checkTable(t, "called biopsies", d.CalledBiopsies, wantCalled)
	checkTable(t, "genotypes", d.Genotypes, wantGenotypes(rs))
	checkTable(t, "draws", d.Draws, wantDraws(rs))
	checkPatientTables(t, d, rs)
	checkSpatialTables(t, d, rs)
}

var testMeta = Meta{
	Version: "v0.1.0-test", Commit: "abc123", ScenarioName: "test",
	Scenario: json.RawMessage(`{"detect": 1e9, "drugs": ["rezatapopt"]}`),
	Seed:     math.MaxUint64 - 1, First: 0, Count: 4, Workers: 2,
	Extra: map[string]string{"note": "hand-made"},
	Drugs: []string{"rezatapopt"},
}

// writeAll writes rs through one reused Result, as sim.Run does.
func writeAll(t *testing.T, dir string, rs []sim.Result, opts ...Option) {
	t.Helper()
	writeMeta(t, dir, testMeta, rs, opts...)
}

func writeMeta(t *testing.T, dir string, meta Meta, rs []sim.Result, opts ...Option) {
	t.Helper()
	w, err := Create(dir, meta, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var buf sim.Result
	for i := range rs {
		buf = rs[i]
		buf.Trajectory = append(buf.Trajectory[:0:0], rs[i].Trajectory...)
		buf.Clones = append(buf.Clones[:0:0], rs[i].Clones...)
		buf.Events = append(buf.Events[:0:0], rs[i].Events...)
		buf.CTDNA = append(buf.CTDNA[:0:0], rs[i].CTDNA...)
		buf.Genotypes = append(buf.Genotypes[:0:0], rs[i].Genotypes...)
		if err := w.Write(&buf); err != nil {
			t.Fatal(err)
		}
		// Scribble over the reused buffers: the writer must have copied.
		for j := range buf.Clones {
			buf.Clones[j].Mutation = "scribbled"
		}
		for j := range buf.Events {
			buf.Events[j].Detail = "scribbled"
		}
		for j := range buf.CTDNA {
			buf.CTDNA[j].Mutation = "scribbled"
		}
		for j := range buf.Genotypes {
			buf.Genotypes[j].Genotype = "scribbled"
		}
		for j := range buf.Trajectory {
			buf.Trajectory[j].Conc[0] = -1
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := filepath.Join(t.TempDir(), "run")
	rs := handResults()
	writeAll(t, dir, rs, WithAllocator(mem))
	mem.AssertSize(t, 0)

	d, err := Open(dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, d, rs)

	m := d.Manifest()
	if m.SchemaVersion != SchemaVersion || m.Version != testMeta.Version || m.Commit != testMeta.Commit ||
		m.Seed != testMeta.Seed || m.Workers != 2 || m.ScenarioName != "test" || m.Extra["note"] != "hand-made" {
		t.Errorf("manifest %+v", m)
	}
	if m.Replicates != (Replicates{First: 0, Count: 4, Written: 4}) {
		t.Errorf("replicates %+v", m.Replicates)
	}
	if !slices.Equal(m.Drugs, []string{"rezatapopt"}) || !slices.Equal(d.Drugs(), m.Drugs) {
		t.Errorf("drugs %q, %q", m.Drugs, d.Drugs())
	}
	var sc map[string]any
	if err := json.Unmarshal(m.Scenario, &sc); err != nil || sc["detect"] != 1e9 {
		t.Errorf("scenario %s (%v)", m.Scenario, err)
	}
	if m.Start.IsZero() || m.End.Before(m.Start) {
		t.Errorf("start %v end %v", m.Start, m.End)
	}
	rows := map[string]int64{TableRuns: 4, TableTrajectories: 6, TableClones: 4, TableEvents: 7, TableCTDNA: 5, TableGenotypes: 4, TablePatients: 0, TableLesions: 0, TableScans: 0, TableSnapshots: 0, TableRegions: 0}
	for _, f := range m.Files {
		if f.Path != f.Table+".arrow" || f.Rows != rows[f.Table] || len(f.SHA256) != 64 {
			t.Errorf("file %+v", f)
		}
	}
	if m.Format != Arrow || m.Compression != Zstd {
		t.Errorf("format %q compression %q", m.Format, m.Compression)
	}
	if len(m.Files) != len(Tables) {
		t.Errorf("%d files in manifest", len(m.Files))
	}

	tbl, err := d.Table(TableClones)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != 4 || tbl.NumCols() != int64(len(cloneColumns)) {
		t.Errorf("clones table %d x %d", tbl.NumRows(), tbl.NumCols())
	}
	if n := tbl.Column(cloneParent).Data().Chunk(0).NullN(); n != 2 {
		t.Errorf("parent_id has %d nulls, want 2 (the founders)", n)
	}
	tbl.Release()

	// Nulls of the new runs columns, straight from the file.
	tbl, err = d.Table(TableRuns)
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[int]int{runFinalProgression: 2, runFirstCTDNACall: 2, runCTDNALead: 3, runCalledTALoss: 2, runCalledPocket: 2} {
		if n := tbl.Column(col).Data().Chunk(0).NullN(); n != want {
			t.Errorf("%s has %d nulls, want %d", tbl.Schema().Field(col).Name, n, want)
		}
	}
	tbl.Release()
	tbl, err = d.Table(TableTrajectories)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumCols() != trajNumCols+1 || tbl.Schema().Field(trajNumCols).Name != "conc_rezatapopt" {
		t.Errorf("trajectories schema %s", tbl.Schema())
	}
	tbl.Release()
	tbl, err = d.Table(TableCTDNA)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != 5 || !tbl.Schema().Equal(Schema(TableCTDNA)) {
		t.Errorf("ctdna table %d rows, schema %s", tbl.NumRows(), tbl.Schema())
	}
	tbl.Release()
}

func TestYAMLScenarioStoredAsString(t *testing.T) {
	dir := t.TempDir()
	meta := testMeta
	meta.Scenario = json.RawMessage("name: x\ndetect: 1e9\n")
	w, err := Create(dir, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d := mustOpen(t, dir)
	var s string
	if err := json.Unmarshal(d.Manifest().Scenario, &s); err != nil || s != string(meta.Scenario) {
		t.Errorf("scenario %s: %v", d.Manifest().Scenario, err)
	}
	if m := d.Manifest(); m.Replicates.Written != 0 {
		t.Errorf("written %d", m.Replicates.Written)
	}
	runs, err := d.Runs()
	if err != nil || len(runs) != 0 {
		t.Errorf("empty dataset: %d runs, %v", len(runs), err)
	}
}

// manyResults makes n varied replicates from the hand-made ones.
func manyResults(n int) []sim.Result {
	base := handResults()
	rs := make([]sim.Result, n)
	for i := range rs {
		r := base[i%len(base)]
		r.Replicate = i
		r.Stream = uint64(i) * 0x9e3779b97f4a7c15
		r.GrowthDays = float64(i) / 7
		r.Trajectory = nil
		for k := range i % 13 {
			r.Trajectory = append(r.Trajectory, sim.TrajPoint{Time: float64(k*7 - 28), Total: int64(i * k), Sensitive: int64(k),
				Conc: [sim.MaxDrugs]float64{float64(i % 5 * 100), float64(k), float64(i) / 3}})
		}
		r.Events = append([]sim.Event(nil), r.Events...)
		r.Events = append(r.Events, sim.Event{Time: float64(i), Kind: "scan", Detail: fmt.Sprintf("burden=%d", i*i)})
		r.CTDNA = append([]sim.CTDNARow(nil), r.CTDNA...)
		for k := range i % 3 {
			r.CTDNA = append(r.CTDNA, sim.CTDNARow{Time: float64(28 * k), Mutation: fmt.Sprintf("m%d#%d", k, i), Class: model.ClassPocket,
				TrueVAF: float64(i) / 1e5, AltReads: int64(i), Depth: 2000, Called: i%2 == 0})
		}
		r.Patient = nil
		r.Snapshots, r.Regions = spatialRows(i)
		if i%2 == 1 { // every other replicate a trial patient (its lesions hold the clone ids)
			r.Patient = handPatients()[0].Patient
			r.Patient.BaselineSum = float64(i)
		}
		if r.Patient != nil && i%3 > 0 {
			for k := range i % 3 {
				r.Patient.Biopsies = append(r.Patient.Biopsies, sim.BiopsyRow{Lesion: k, Time: float64(56 * k), At: sim.BiopsyTime(k + 1),
					Mutation: fmt.Sprintf("b%d#%d", k, i), Class: model.ClassTALoss, Cells: 1e6, Carriers: float64(i), TrueVAF: float64(i) / 1e6,
					AltReads: int64(k), Depth: 500, Called: k == 1})
			}
		}
		if r.Patient != nil {
			r.Patient.Draws = append(r.Patient.Draws, sim.ParamDraw{Lesion: -1, Param: "drugs[rezatapopt].ec50", Value: float64(i) * 10})
			for k := range i % 3 {
				r.Patient.Draws = append(r.Patient.Draws, sim.ParamDraw{Lesion: k, Param: "growth.birth", Value: 0.1 + float64(i+k)/1e4})
			}
		}
		r.Genotypes = nil
		for k := range i%4 + 1 {
			r.Genotypes = append(r.Genotypes, sim.GenotypeCount{Genotype: fmt.Sprintf("g%d", k), Class: model.Class(k % 3), Cells: int64(i*k + 1)})
		}
		rs[i] = r
	}
	return rs
}

func TestMultiBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	rs := manyResults(250)
	writeAll(t, dir, rs, WithBatchRows(16), WithAllocator(mem))
	d, err := Open(dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, d, rs)
	for _, table := range Tables {
		f, err := os.Open(filepath.Join(dir, table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		if r.NumRecords() < 5 {
			t.Errorf("%s: %d record batches, want many", table, r.NumRecords())
		}
		r.Close()
		f.Close()
		tbl, err := d.Table(table)
		if err != nil {
			t.Fatal(err)
		}
		tbl.Release()
	}
}

func TestReadFilesConcatenates(t *testing.T) {
	rs := manyResults(30)
	a, b := t.TempDir(), t.TempDir()
	writeAll(t, a, rs[:12])
	writeAll(t, b, rs[12:])
	runs, err := ReadRunsFiles(filepath.Join(a, "runs.arrow"), filepath.Join(b, "runs.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, "runs", runs, wantRuns(rs))
	ev, err := ReadEventsFiles(filepath.Join(a, "events.arrow"), filepath.Join(b, "events.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, "events", ev, wantEvents(rs))
	traj, err := ReadTrajectoriesFiles(filepath.Join(a, "trajectories.arrow"), filepath.Join(b, "trajectories.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, "trajectories", traj, wantTraj(rs, 1))
	ct, err := ReadCTDNAFiles(filepath.Join(a, "ctdna.arrow"), filepath.Join(b, "ctdna.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, "ctdna", ct, wantCTDNA(rs))
	tbl, err := ReadTable(memory.DefaultAllocator, TableTrajectories, filepath.Join(a, "trajectories.arrow"), filepath.Join(b, "trajectories.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != int64(len(traj)) || !tbl.Schema().Equal(TrajectoriesSchema(testMeta.Drugs)) {
		t.Errorf("trajectories table: %d rows, schema %s", tbl.NumRows(), tbl.Schema())
	}
	tbl.Release()
	// Partitions with other drugs do not concatenate.
	c := t.TempDir()
	meta := testMeta
	meta.Drugs = []string{"nextgen"}
	writeMeta(t, c, meta, rs[:3])
	if _, err := ReadTrajectoriesFiles(filepath.Join(a, "trajectories.arrow"), filepath.Join(c, "trajectories.arrow")); err == nil || !strings.Contains(err.Error(), "[nextgen], want [rezatapopt]") {
		t.Errorf("concatenating trajectories of other drugs: %v", err)
	}
	if _, err := ReadRunsFiles(filepath.Join(a, "events.arrow")); err == nil || !strings.Contains(err.Error(), "events.arrow") {
		t.Errorf("reading events as runs: %v", err)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func looksComplete(names []string) bool {
	for _, n := range names {
		if n == ManifestName || strings.HasSuffix(n, ".arrow") {
			return true
		}
	}
	return false
}

func TestUnclosedAndAbort(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := filepath.Join(t.TempDir(), "a", "b")
	w, err := Create(dir, testMeta, WithAllocator(mem), WithBatchRows(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range manyResults(20) {
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	names := listDir(t, dir)
	if looksComplete(names) || len(names) != len(Tables)+1 {
		t.Errorf("unclosed dataset: %v", names)
	}
	for _, n := range names {
		if n != LockName && (!strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".arrow.tmp")) {
			t.Errorf("unexpected file %s", n)
		}
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "no manifest.json; the run did not finish") {
		t.Errorf("Open of unfinished dataset: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("after Abort: %v", names)
	}
	if err := w.Write(&sim.Result{}); err == nil {
		t.Error("Write after Abort succeeded")
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
}

// writeAndDie, in the child process of a kill test (the directory in the
// environment variable env), writes many replicates in small batches and
// kills itself before Close; in the test's own process it does nothing.
func writeAndDie(env string, opts ...Option) {
	dir := os.Getenv(env)
	if dir == "" {
		return
	}
	w, err := Create(dir, testMeta, append(opts, WithBatchRows(3))...)
	if err != nil {
		os.Exit(3)
	}
	for _, r := range manyResults(50) {
		if err := w.Write(&r); err != nil {
			os.Exit(4)
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// killWriter runs test in a child process writing to dir (writeAndDie) and
// checks that the child was killed by a signal.
func killWriter(t *testing.T, test, env, dir string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env+"="+dir)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != -1 {
		t.Fatalf("child: %v (want killed by a signal)", err)
	}
}

// TestKilled kills a writing process and checks what it leaves.
func TestKilled(t *testing.T) {
	const env = "P53EVO_DATASET_KILL_DIR"
	writeAndDie(env)
	dir := t.TempDir()
	killWriter(t, "TestKilled", env, dir)
	// The killed writer's lock file stays (the kernel released the lock).
	names := listDir(t, dir)
	if looksComplete(names) || len(names) != len(Tables)+1 || !slices.Contains(names, LockName) {
		t.Errorf("killed run left %v", names)
	}
	if _, err := Open(dir); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Open after kill: %v", err)
	}
	// A new run may start over the leftovers.
	writeAll(t, dir, handResults())
	if names := listDir(t, dir); len(names) != len(Tables)+1 {
		t.Errorf("after rerun: %v", names)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	_, err := Create(dir, testMeta)
	if err == nil || !strings.Contains(err.Error(), "already holds a dataset") {
		t.Fatalf("Create over a dataset: %v", err)
	}
	// A stray .arrow file is enough.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "x.arrow"), nil, 0o644)
	if _, err := Create(other, testMeta); err == nil {
		t.Error("Create over a directory with *.arrow succeeded")
	}

	w, err := Create(dir, testMeta, WithForce())
	if err != nil {
		t.Fatal(err)
	}
	// The old dataset stays whole until the new one is complete.
	if d, err := Open(dir); err != nil {
		t.Errorf("the old dataset while a forced Create writes: %v", err)
	} else {
		checkAll(t, d, handResults())
	}
	rs := handResults()[:2]
	for i := range rs {
		if err := w.Write(&rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d := mustOpen(t, dir)
	checkAll(t, d, rs)
	if names := listDir(t, dir); len(names) != len(Tables)+1 {
		t.Errorf("after the forced Close: %v", names)
	}
	if names := listDir(t, filepath.Dir(dir)); len(names) != 2 { // dir and other
		t.Errorf("staging left beside the dataset: %v", names)
	}
}

// A forced replacement that is aborted, or whose process is killed, leaves
// the old dataset as it was (it used to be deleted at Create).
func TestForceKeepsOldUntilComplete(t *testing.T) {
	const env = "P53EVO_DATASET_FORCE_KILL_DIR"
	writeAndDie(env, WithForce())
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	writeAll(t, dir, handResults())
	rs := handResults()[:1]
	w := forcedWriter(t, dir, &rs[0])
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, dir, "after an aborted replacement", handResults())

	// A Close that fails (as on a full disk) leaves the old dataset too.
	w = forcedWriter(t, dir, &rs[0])
	os.Mkdir(filepath.Join(w.dir, tmpName(ManifestName)), 0o755) // the new manifest cannot be written
	if err := w.Close(); err == nil {
		t.Fatal("Close succeeded")
	}
	checkDataset(t, dir, "after a failed replacement", handResults())
	if names := listDir(t, parent); len(names) != 1 {
		t.Errorf("a failed replacement left %v beside the dataset", names)
	}

	killWriter(t, "TestForceKeepsOldUntilComplete", env, dir)
	checkDataset(t, dir, "after a killed replacement", handResults())
	// The killed writer's staging directory is hidden and removable; a new
	// forced run succeeds.
	w = forcedWriter(t, dir, &rs[0])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkDataset(t, dir, "after a forced run", rs)
}

// forcedWriter starts a forced replacement of the dataset in dir and
// writes r to it.
func forcedWriter(t *testing.T, dir string, r *sim.Result) *Writer {
	t.Helper()
	w, err := Create(dir, testMeta, WithForce())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	return w
}

// checkDataset opens the dataset in dir (what says when) and compares its
// tables with rs.
func checkDataset(t *testing.T, dir, what string, rs []sim.Result) {
	t.Helper()
	d, err := Open(dir)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	checkAll(t, d, rs)
}

// Two writers never share a directory: the second is refused while the
// first writes, and the first's dataset is complete afterwards.
func TestCreateLocksDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	w, err := Create(dir, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		var opts []Option
		if force {
			opts = append(opts, WithForce())
		}
		_, err := Create(dir, testMeta, opts...)
		if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "another p53evo process") {
			t.Errorf("second writer (force %v): %v, want ErrBusy", force, err)
		}
	}
	rs := handResults()
	for i := range rs {
		w.Write(&rs[i])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d := mustOpen(t, dir)
	checkAll(t, d, rs)
	if slices.Contains(listDir(t, dir), LockName) {
		t.Error("lock file left after Close")
	}
}

// WithForce refuses to delete files that are not the dataset's; a guard
// runs under the lock.
func TestCreateForceForeignAndGuard(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Create(dir, testMeta, WithForce()); err == nil || !strings.Contains(err.Error(), `"notes.txt"`) {
		t.Errorf("forced Create over a dataset with notes.txt: %v", err)
	}
	if _, err := Open(dir); err != nil {
		t.Errorf("the dataset after the refusal: %v", err)
	}
	other := t.TempDir()
	guard := errors.New("guarded")
	if _, err := Create(other, testMeta, WithGuard(func(string) error { return guard })); !errors.Is(err, guard) {
		t.Errorf("guard: %v", err)
	}
	if _, err := Create("", testMeta); err == nil || !strings.Contains(err.Error(), "empty directory name") {
		t.Errorf(`Create(""): %v`, err)
	}
}

func TestWriteRejectsBadResult(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	w, err := Create(dir, testMeta, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	bad := []sim.Result{
		{Replicate: math.MaxInt32 + 1},
		{Outcome: 99},
		{BestResponse: 99},
		{Clones: []sim.CloneRecord{{Class: model.NumClasses}}},
		{CTDNA: []sim.CTDNARow{{Mutation: "R175H", Class: model.NumClasses}}},
		{TTP: 1, CalledAtProgression: [3]int{0, math.MaxInt32 + 1, 0}},
	}
	for _, r := range bad {
		if err := w.Write(&r); err == nil {
			t.Errorf("Write(%+v) succeeded", r)
		}
	}
	// A rejected result appends nothing; the writer goes on.
	rs := handResults()
	for i := range rs {
		if err := w.Write(&rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, d, rs)
}

func TestTampering(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	path := filepath.Join(dir, "runs.arrow")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	os.WriteFile(path, b, 0o644)
	_, err = Open(dir)
	if err == nil || !strings.Contains(err.Error(), "runs.arrow") || !strings.Contains(err.Error(), "SHA-256 mismatch") {
		t.Errorf("Open of a tampered dataset: %v", err)
	}
	if err := Export(dir, TableRuns, FormatCSV, &bytes.Buffer{}); err == nil {
		t.Error("Export of a tampered dataset succeeded")
	}

	dir = t.TempDir()
	writeAll(t, dir, handResults())
	os.Remove(filepath.Join(dir, "events.arrow"))
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "events.arrow") {
		t.Errorf("Open with a missing table: %v", err)
	}
}

func TestSchemaMetadata(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	for _, table := range Tables {
		f, err := os.Open(filepath.Join(dir, table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewFileReader(f)
		if err != nil {
			t.Fatal(err)
		}
		s := r.Schema()
		if v, _ := s.Metadata().GetValue(MetaKeySchemaVersion); v != strconv.Itoa(SchemaVersion) {
			t.Errorf("%s: schema version %q", table, v)
		}
		if v, _ := s.Metadata().GetValue(MetaKeyTable); v != table {
			t.Errorf("%s: table %q", table, v)
		}
		for _, fd := range s.Fields() {
			u, okU := fd.Metadata.GetValue(MetaKeyUnit)
			d, okD := fd.Metadata.GetValue(MetaKeyDescription)
			if !okU || !okD || d == "" {
				t.Errorf("%s.%s: unit %q (%v) description %q (%v)", table, fd.Name, u, okU, d, okD)
			}
			want := ""
			switch {
			case fd.Name == "time" || strings.HasSuffix(fd.Name, "_time") || strings.HasSuffix(fd.Name, "_days") ||
				slices.Contains([]string{"ttp", "first_resistant_birth", "final_progression", "first_ctdna_call", "ctdna_lead"}, fd.Name):
				want = "days"
			case strings.HasPrefix(fd.Name, "conc_"):
				want = "mg-eq"
			case fd.Name == "true_vaf" || fd.Name == "tumour_fraction":
				want = "fraction"
			case fd.Name == "alt_reads" || fd.Name == "depth":
				want = "reads"
			case slices.Contains([]string{"total", "sensitive", "ta_loss", "pocket", "nadir", "peak_size", "cells", "carriers"}, fd.Name) ||
				strings.HasPrefix(fd.Name, "start_") || strings.HasPrefix(fd.Name, "final_"):
				want = "cells"
			case fd.Name == "attempts" || fd.Name == "clones_born" || strings.HasSuffix(fd.Name, "_at_progression") && fd.Type.ID() == arrow.INT32 ||
				slices.Contains([]string{"lesions", "occult_lesions", "target_lesions", "redraws"}, fd.Name),
				strings.HasPrefix(fd.Name, "plasma_snvs_"), strings.HasPrefix(fd.Name, "tissue_snvs_"):
				want = "count"
			case strings.HasSuffix(fd.Name, "_mm"):
				want = "mm"
			case strings.HasPrefix(fd.Name, "pct_") || strings.Contains(fd.Name, "_pct_"):
				want = "percent"
			case slices.Contains([]string{"drawn_burden", "baseline_cells", "visible_cells"}, fd.Name):
				want = "cells"
			case fd.Name == "duration_of_response":
				want = "days"
			case fd.Name == "baseline_tumour_fraction" || fd.Name == "baseline_y220c_vaf":
				want = "fraction"
			case slices.Contains([]string{"x", "y", "z", "radius"}, fd.Name):
				want = "sites"
			case fd.Name == "carriers" || fd.Name == "tumour_cells":
				want = "cells"
			case fd.Name == "fraction" || fd.Name == "vaf":
				want = "fraction"
			}
			if u != want {
				t.Errorf("%s.%s: unit %q, want %q", table, fd.Name, u, want)
			}
			if drug, ok := strings.CutPrefix(fd.Name, "conc_"); ok && d != "concentration of "+drug+" in force from this time" {
				t.Errorf("%s.%s: description %q", table, fd.Name, d)
			}
		}
		r.Close()
		f.Close()
	}
}

func TestExportCSV(t *testing.T) {
	dir := t.TempDir()
	rs := handResults()
	writeAll(t, dir, rs)
	var buf bytes.Buffer
	if err := Export(dir, TableRuns, FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rs)+1 {
		t.Fatalf("%d CSV records, want header + %d", len(recs), len(rs))
	}
	head := recs[0]
	for i, c := range runsColumns {
		if head[i] != c.name {
			t.Errorf("header[%d] = %q, want %q", i, head[i], c.name)
		}
	}
	col := func(name string) int { return slices.Index(head, name) }
	if got := recs[1][col("ttp")]; got != "336" {
		t.Errorf("ttp %q", got)
	}
	if got := recs[2][col("ttp")]; got != "" {
		t.Errorf("null ttp rendered %q, want empty", got)
	}
	if got := recs[2][col("dominant_class_at_progression")]; got != "" {
		t.Errorf("null class rendered %q", got)
	}
	if got := recs[1][col("stream")]; got != "18446744073709551615" {
		t.Errorf("stream %q", got)
	}
	if got := recs[1][col("outcome")]; got != "progressed" {
		t.Errorf("outcome %q", got)
	}
	if got := recs[3][col("growth_days")]; got != "-0" {
		t.Errorf("negative zero rendered %q", got)
	}

	buf.Reset()
	if err := Export(dir, TableEvents, FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 8 || recs[3][3] != rs[0].Events[2].Detail {
		t.Errorf("events CSV: %d records, detail %q", len(recs), recs[3][3])
	}
	if err := Export(dir, "nope", FormatCSV, &buf); err == nil || !strings.Contains(err.Error(), "runs, trajectories") {
		t.Errorf("unknown table: %v", err)
	}
	if err := Export(dir, TableRuns, "xml", &buf); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestExportJSON(t *testing.T) {
	dir := t.TempDir()
	rs := handResults()
	writeAll(t, dir, rs)
	var buf bytes.Buffer
	if err := Export(dir, TableClones, FormatJSON, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d JSON lines, want 4:\n%s", len(lines), buf.String())
	}
	want := `{"replicate":0,"clone_id":0,"parent_id":null,"mutation":"Y220C","genotype":"","class":"sensitive","birth_time":-1234.5678,"peak_size":999000000,"peak_time":0,"extinction_time":null,"lesion":null}`
	if lines[0] != want {
		t.Errorf("line 0:\n got %s\nwant %s", lines[0], want)
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if len(m) != len(cloneColumns) {
			t.Errorf("line %d has %d keys", i, len(m))
		}
	}

	buf.Reset()
	if err := Export(dir, TableRuns, FormatJSON, &buf); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	var third map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &third); err != nil {
		t.Fatal(err) // +Inf and NaN in non-null columns must not break JSON
	}
	if third["end_time"] != nil || third["nadir_time"] != nil || third["ttp"] != nil {
		t.Errorf("Inf/NaN/null: %v %v %v", third["end_time"], third["nadir_time"], third["ttp"])
	}
	// Floats read back bit for bit.
	var first map[string]any
	dec := json.NewDecoder(strings.NewReader(lines[0]))
	dec.UseNumber()
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if first["stream"] != json.Number("18446744073709551615") {
		t.Errorf("stream %v", first["stream"])
	}
	if f, _ := first["growth_days"].(json.Number).Float64(); f != rs[0].GrowthDays {
		t.Errorf("growth_days %v", first["growth_days"])
	}
}

// TestDeterministic writes the same results twice, with different
// GOMAXPROCS (which sets zstd's concurrency), and wants identical files.
func TestDeterministic(t *testing.T) {
	rs := manyResults(4000) // ~24k trajectory rows: buffers above zstd's block size
	for i := range rs {
		for k := range 40 {
			rs[i].Trajectory = append(rs[i].Trajectory, sim.TrajPoint{Time: float64(k) * 7.25, Total: int64(i*k) ^ 0x5555, Sensitive: int64(k * k),
				Conc: [sim.MaxDrugs]float64{float64(k) * 50, float64(i%7) / 3, float64(i * k)}})
		}
	}
	meta := testMeta
	meta.Drugs = []string{"rezatapopt", "nextgen", "offaxis"}
	a, b := t.TempDir(), t.TempDir()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	writeMeta(t, a, meta, rs)
	runtime.GOMAXPROCS(8)
	writeMeta(t, b, meta, rs, WithBatchRows(DefaultBatchRows))
	for _, table := range Tables {
		fa, err := os.ReadFile(filepath.Join(a, table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		fb, err := os.ReadFile(filepath.Join(b, table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between identical runs", table)
		}
	}
	da := mustOpen(t, a)
	db := mustOpen(t, b)
	if !reflect.DeepEqual(da.Manifest().Files, db.Manifest().Files) {
		t.Errorf("file hashes differ:\n%v\n%v", da.Manifest().Files, db.Manifest().Files)
	}
}

// TestEngine writes real replicates from sim.Run.
func TestEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine")
	}
	m := model.Default()
	m.MutationRate = 1e-7
	cfg := sim.Config{Model: m, Detect: 1e5, Seed: 7, Horizon: 365, Lethal: 1e8}
	cfg.Therapy = func() sim.Therapy {
		return sim.Piecewise{Start: []float64{0}, C: [][]float64{{2000, 0, 0}}}
	}
	cfg.Defaults()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	meta := testMeta
	meta.Drugs = nil
	for _, d := range m.Drugs {
		meta.Drugs = append(meta.Drugs, d.Name)
	}
	w, err := Create(dir, meta, WithAllocator(mem), WithBatchRows(100))
	if err != nil {
		t.Fatal(err)
	}
	var kept []sim.Result
	// One worker: with several, sim.Run (as of this writing) can deadlock
	// when a worker holding the next job is starved of free Results.
	sink := sim.SinkFunc(func(r *sim.Result) error {
		c := *r
		c.Trajectory = slices.Clone(r.Trajectory)
		c.Clones = slices.Clone(r.Clones)
		c.Events = slices.Clone(r.Events)
		c.CTDNA = slices.Clone(r.CTDNA)
		c.Genotypes = slices.Clone(r.Genotypes)
		kept = append(kept, c)
		return w.Write(r)
	})
	if err := sim.Run(t.Context(), &cfg, sim.RunOptions{First: 0, Count: 12, Workers: 1}, sink); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, d, kept)
	clones, _ := d.Clones()
	if len(clones) == 0 {
		t.Error("no clones recorded by the engine")
	}
	ct, _ := d.CTDNA()
	traj, _ := d.Trajectories()
	dosed := 0
	for _, p := range traj {
		if slices.ContainsFunc(p.Conc, func(c float64) bool { return c != 0 }) {
			dosed++
		}
	}
	t.Logf("%d ctDNA rows, %d of %d trajectory points with a drug concentration", len(ct), dosed, len(traj))
}

// BenchmarkWrite measures the cost of one replicate (80 trajectory points,
// 6 clones, 12 events) on top of the engine.
func BenchmarkWrite(b *testing.B) {
	r := handResults()[0]
	for k := range 80 {
		r.Trajectory = append(r.Trajectory, sim.TrajPoint{Time: float64(k * 7), Total: int64(k) << 20})
	}
	r.Clones = append(r.Clones, r.Clones...)
	r.Events = append(r.Events, append(r.Events, r.Events...)...)
	w, err := Create(b.TempDir(), testMeta)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Replicate = i
		if err := w.Write(&r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func TestWriteAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	r := handResults()[0]
	w, err := Create(t.TempDir(), testMeta, WithBatchRows(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for range 1000 { // let the builders grow
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	// Builders still double now and then; on average far below one
	// allocation per replicate.
	var werr error
	if a := testing.AllocsPerRun(2000, func() {
		if err := w.Write(&r); err != nil && werr == nil {
			werr = err
		}
	}); a > 0.1 {
		t.Errorf("%.2f allocations per Write", a)
	}
	if werr != nil {
		t.Fatal(werr)
	}
}

// TestFailedCloseLeavesNothing makes Close fail before and after the tables
// are renamed; neither may leave a dataset that looks complete.
func TestFailedCloseLeavesNothing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rs := handResults()
	for _, stage := range []string{"flush", "manifest"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			w, err := Create(dir, testMeta, WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			for i := range rs {
				if err := w.Write(&rs[i]); err != nil {
					t.Fatal(err)
				}
			}
			switch stage {
			case "flush":
				w.clones.f.Close() // the final flush of the clones file fails
			case "manifest":
				os.Mkdir(filepath.Join(dir, tmpName(ManifestName)), 0o755) // the manifest cannot be created
			}
			if err := w.Close(); err == nil {
				t.Fatal("Close succeeded")
			}
			if names := listDir(t, dir); len(names) != 0 {
				t.Errorf("failed Close left %v", names)
			}
			if err := w.Close(); err == nil {
				t.Error("second Close succeeded")
			}
		})
	}
}

// TestDrugs writes the hand-made results with 0, 1 and 3 drugs: one conc
// column per drug, in order, read back and exported.
func TestDrugs(t *testing.T) {
	for _, drugs := range [][]string{nil, {"rezatapopt"}, {"b-2", "a_1", "C3"}, {"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"}} {
		t.Run(fmt.Sprint(len(drugs)), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			dir := t.TempDir()
			meta := testMeta
			meta.Drugs = slices.Clone(drugs)
			rs := handResults()
			writeMeta(t, dir, meta, rs, WithAllocator(mem))
			mem.AssertSize(t, 0)
			d, err := Open(dir, WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Drugs()) != len(drugs) || !slices.Equal(d.Drugs(), drugs) || len(d.Manifest().Drugs) != len(drugs) {
				t.Errorf("drugs %q, manifest %q, want %q", d.Drugs(), d.Manifest().Drugs, drugs)
			}
			checkAll(t, d, rs)
			traj, _ := d.Trajectories()
			if traj[3].Conc != nil && len(drugs) == 0 || len(drugs) > 0 && len(traj[3].Conc) != len(drugs) {
				t.Errorf("conc %v", traj[3].Conc)
			}

			var names []string
			for _, c := range trajColumns {
				names = append(names, c.name)
			}
			for _, dr := range drugs {
				names = append(names, "conc_"+dr)
			}
			schemaNames := func(s *arrow.Schema) []string {
				var n []string
				for _, f := range s.Fields() {
					n = append(n, f.Name)
				}
				return n
			}
			if got := schemaNames(d.Schema(TableTrajectories)); !slices.Equal(got, names) {
				t.Errorf("Dataset.Schema: %q, want %q", got, names)
			}
			if !TrajectoriesSchema(drugs).Equal(d.Schema(TableTrajectories)) {
				t.Error("TrajectoriesSchema differs from Dataset.Schema")
			}
			if got := schemaNames(Schema(TableTrajectories)); !slices.Equal(got, names[:trajNumCols]) {
				t.Errorf("Schema(trajectories) has %q", got)
			}
			tbl, err := d.Table(TableTrajectories)
			if err != nil {
				t.Fatal(err)
			}
			if !tbl.Schema().Equal(TrajectoriesSchema(drugs)) {
				t.Errorf("file schema %s", tbl.Schema())
			}
			tbl.Release()

			// The manifest says [] rather than null without drugs.
			b, _ := os.ReadFile(filepath.Join(dir, ManifestName))
			var raw struct{ Drugs json.RawMessage }
			var got []string
			if err := json.Unmarshal(b, &raw); err != nil || json.Unmarshal(raw.Drugs, &got) != nil || got == nil || !slices.Equal(got, drugs) {
				t.Errorf("manifest drugs %s, want %q", raw.Drugs, drugs)
			}

			var buf bytes.Buffer
			if err := d.Export(TableTrajectories, FormatCSV, &buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(recs[0], names) || len(recs) != 7 {
				t.Fatalf("CSV: %d records, header %q", len(recs), recs[0])
			}
			if len(drugs) >= 3 && (recs[3][trajNumCols] != "2000" || recs[3][trajNumCols+1] != "0.125" || recs[3][trajNumCols+2] != "1e-300") {
				t.Errorf("CSV row %q", recs[3])
			}
			buf.Reset()
			if err := d.Export(TableTrajectories, FormatJSON, &buf); err != nil {
				t.Fatal(err)
			}
			var row map[string]any
			if err := json.Unmarshal([]byte(strings.SplitN(buf.String(), "\n", 2)[0]), &row); err != nil || len(row) != len(names) {
				t.Errorf("JSON row %v (%v)", row, err)
			}
		})
	}
}

func TestMetaDrugsInvalid(t *testing.T) {
	for _, c := range []struct {
		drugs []string
		msg   string
	}{
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}, "9 drugs: at most 8"},
		{[]string{"a", ""}, "drugs[1]: empty name"},
		{[]string{"a", "b", "a"}, `drugs[2] "a": duplicate`},
		{[]string{"two words"}, `drugs[0] "two words": a drug name names the column conc_<name>, so it may hold only ASCII letters, digits, '-' and '_'`},
		{[]string{"x/y"}, "only ASCII letters"},
		{[]string{"é"}, "only ASCII letters"},
		{[]string{"a.b"}, "only ASCII letters"},
	} {
		parent := t.TempDir()
		dir := filepath.Join(parent, "run")
		meta := testMeta
		meta.Drugs = c.drugs
		w, err := Create(dir, meta)
		if err == nil {
			w.Abort()
			t.Errorf("Create with drugs %q succeeded", c.drugs)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "dataset: ") {
			t.Errorf("drugs %q: %v, want %q", c.drugs, err, c.msg)
		}
		if names := listDir(t, parent); len(names) != 0 {
			t.Errorf("failed Create left %v", names)
		}
	}
	// A refused Create never touches an existing dataset, even with force.
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	meta := testMeta
	meta.Drugs = []string{""}
	if _, err := Create(dir, meta, WithForce()); err == nil {
		t.Fatal("Create succeeded")
	}
	if _, err := Open(dir); err != nil {
		t.Errorf("after a refused forced Create: %v", err)
	}
}

func TestSchemaVersionMismatch(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	path := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int{1, SchemaVersion + 1} {
		// An old manifest: other fields, no drugs.
		old := fmt.Sprintf(`{"schema_version": %d, "files": [{"table": "runs", "path": "runs.arrow"}], "scenario": 7}`, v)
		os.WriteFile(path, []byte(old), 0o644)
		_, err := Open(dir)
		want := fmt.Sprintf("dataset schema %d, this p53evo reads schema %d; rerun the scenario", v, SchemaVersion)
		var sv *SchemaVersionError
		if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &sv) || sv.Version != v {
			t.Errorf("Open of a schema %d dataset: %v", v, err)
		}
		if err := Export(dir, TableRuns, FormatCSV, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Export of a schema %d dataset: %v", v, err)
		}
	}
	os.WriteFile(path, []byte(`{"files": []}`), 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "no schema_version") {
		t.Errorf("Open without schema_version: %v", err)
	}
	os.WriteFile(path, b, 0o644)
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}

	// A table file of schema 1 (without a manifest): refused by the readers.
	md := arrow.NewMetadata([]string{MetaKeySchemaVersion, MetaKeyTable}, []string{"1", TableRuns})
	old := arrow.NewSchema(Schema(TableRuns).Fields(), &md)
	p := filepath.Join(t.TempDir(), "runs.arrow")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	iw, err := ipc.NewFileWriter(f, ipc.WithSchema(old))
	if err != nil {
		t.Fatal(err)
	}
	if err := iw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadRunsFiles(p); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("table schema 1, this p53evo reads schema %d; rerun the scenario", SchemaVersion)) {
		t.Errorf("reading a schema 1 file: %v", err)
	}
}

// TestCTDNA checks the ctdna table with and without draws and its export.
func TestCTDNA(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	// No draws at all: the table is written, empty, and reads and exports.
	dir := t.TempDir()
	rs := handResults()
	for i := range rs {
		rs[i].CTDNA = nil
	}
	writeAll(t, dir, rs, WithAllocator(mem))
	d, err := Open(dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, d, rs)
	if _, err := os.Stat(filepath.Join(dir, "ctdna.arrow")); err != nil {
		t.Fatal(err)
	}
	if fs := d.m.files(TableCTDNA); len(fs) != 1 || fs[0].Rows != 0 {
		t.Errorf("manifest ctdna files %+v", fs)
	}
	ct, err := d.CTDNA()
	if err != nil || len(ct) != 0 {
		t.Errorf("empty ctdna: %v, %v", ct, err)
	}
	if ct, err := ReadCTDNAFiles(filepath.Join(dir, "ctdna.arrow")); err != nil || len(ct) != 0 {
		t.Errorf("ReadCTDNAFiles of an empty table: %v, %v", ct, err)
	}
	tbl, err := d.Table(TableCTDNA)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.NumRows() != 0 || tbl.NumCols() != ctNumCols {
		t.Errorf("empty ctdna table %d x %d", tbl.NumRows(), tbl.NumCols())
	}
	tbl.Release()
	var buf bytes.Buffer
	if err := d.Export(TableCTDNA, FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "replicate,time,mutation,class,true_vaf,alt_reads,depth,called,tumour_fraction\n" {
		t.Errorf("empty ctdna CSV %q", buf.String())
	}
	buf.Reset()
	if err := d.Export(TableCTDNA, FormatJSON, &buf); err != nil || buf.Len() != 0 {
		t.Errorf("empty ctdna JSON %q (%v)", buf.String(), err)
	}

	// With draws.
	dir = t.TempDir()
	rs = handResults()
	writeAll(t, dir, rs)
	buf.Reset()
	if err := Export(dir, TableCTDNA, FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	want := `replicate,time,mutation,class,true_vaf,alt_reads,depth,called,tumour_fraction
0,28,R175H,ta-loss,0.0001,0,2000,false,0.002
0,252,R175H,ta-loss,0.0041,9,2000,true,0.0125
0,252,dbd-missense#17,ta-loss,0.0007,2,1999,false,0
0,336,T150I,pocket,0.25,501,2000,true,0
3,0,Y234C,pocket,0,1,9223372036854775807,false,0
`
	if buf.String() != want {
		t.Errorf("ctdna CSV:\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := Export(dir, TableCTDNA, FormatJSON, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 5 || lines[1] != `{"replicate":0,"time":252,"mutation":"R175H","class":"ta-loss","true_vaf":0.0041,"alt_reads":9,"depth":2000,"called":true,"tumour_fraction":0.0125}` {
		t.Errorf("ctdna JSON:\n%s", buf.String())
	}

	// The runs columns of the liquid biopsy, exported.
	buf.Reset()
	if err := Export(dir, TableRuns, FormatCSV, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	for i, want := range [][5]string{
		{"336", "252", "84", "2", "1"},
		{"", "", "", "", ""},
		{"", "700.25", "", "", ""},
		{"112", "", "", "0", "0"},
	} {
		got := [5]string{}
		for k, name := range []string{"final_progression", "first_ctdna_call", "ctdna_lead", "called_ta_loss_at_progression", "called_pocket_at_progression"} {
			got[k] = recs[i+1][col(name)]
		}
		if got != want {
			t.Errorf("runs row %d: %q, want %q", i, got, want)
		}
	}
}

// Hostile table files are refused before they are read: a symbolic link to
// /dev/zero (endless), a FIFO (blocks at open), a sparse file far larger
// than the manifest records. Each used to hang or be hashed in full.
func TestOpenRefusesHostileFiles(t *testing.T) {
	cases := []struct {
		name string
		make func(path string) error
		want string
	}{
		{"dev-zero", func(p string) error { return os.Symlink("/dev/zero", p) }, "not a regular file (a character device)"},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "not a regular file (a named pipe)"},
		{"sparse", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(5 << 30)
		}, "5368709120 bytes, the manifest records"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }, "not a regular file (a directory)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeAll(t, dir, handResults())
			p := filepath.Join(dir, "clones.arrow")
			os.Remove(p)
			if err := c.make(p); err != nil {
				t.Skip(err)
			}
			done := make(chan error, 1)
			go func() { _, err := Open(dir); done <- err }()
			err := <-done // a hang here fails the test by the test timeout
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open: %v, want %q", err, c.want)
			}
			if _, err := ReadClonesFiles(p); err == nil {
				t.Error("ReadClonesFiles of a hostile file succeeded")
			}
		})
	}
	// The manifest itself.
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, ManifestName), 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open with a FIFO manifest: %v", err)
	}
}

// Open stops hashing when its context is cancelled.
func TestOpenCancelled(t *testing.T) {
	dir := t.TempDir()
	writeAll(t, dir, handResults())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(dir, WithContext(ctx)); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: %v", err)
	}
}

// An empty directory is not a dataset, not an unfinished run.
func TestOpenEmptyDirectory(t *testing.T) {
	_, err := Open(t.TempDir())
	if !errors.Is(err, ErrNotDataset) || errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "not a dataset") {
		t.Errorf("Open of an empty directory: %v", err)
	}
}

// mustOpen opens the dataset in dir or stops the test.
func mustOpen(t *testing.T, dir string) *Dataset {
	t.Helper()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
