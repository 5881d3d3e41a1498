package sim_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json")

// smallConfig is a fast treated scenario with every feature in play:
// default catalog and drugs, a drug switch, records and scans.
func smallConfig(seed uint64) sim.Config {
	m := model.Default()
	m.MutationRate = 1e-7 // many mutants in a small tumour
	cfg := sim.Config{Model: m, Detect: 1e6, Seed: seed, Horizon: 730, Lethal: 1e9}
	cfg.Therapy = func() sim.Therapy {
		return sim.Piecewise{Start: []float64{0, 300}, C: [][]float64{{2000, 0, 0}, {0, 2000, 0}}}
	}
	cfg.Defaults()
	return cfg
}

// digest hashes every field of a result bit for bit.
func digest(r *sim.Result) string {
	h := sha256.New()
	w := func(vs ...any) {
		for _, v := range vs {
			switch x := v.(type) {
			case float64:
				binary.Write(h, binary.LittleEndian, math.Float64bits(x))
			case string:
				h.Write([]byte(x))
				h.Write([]byte{0})
			default:
				binary.Write(h, binary.LittleEndian, x)
			}
		}
	}
	w(int64(r.Replicate), r.Stream, int64(r.Attempts), uint8(r.Outcome), r.GrowthDays, r.TTP, r.EndTime,
		r.AtStart, r.Final, r.ResistantMajority, r.FirstResistantBirth, uint8(r.DominantAtProgression),
		int64(r.ResistantClonesAtProgression), r.Nadir, r.NadirTime, uint8(r.BestResponse), r.ClonesBorn)
	for _, p := range r.Trajectory {
		w(p.Time, p.Total, p.Sensitive, p.TALoss, p.Pocket, p.Conc)
	}
	w(r.FinalProgression, r.FirstCTDNACall, r.CTDNALead, [3]int64{int64(r.CalledAtProgression[0]), int64(r.CalledAtProgression[1]), int64(r.CalledAtProgression[2])})
	for _, c := range r.CTDNA {
		w(c.Time, c.Mutation, uint8(c.Class), c.TrueVAF, c.AltReads, c.Depth, c.Called)
	}
	for _, c := range r.Clones {
		w(c.ID, c.Parent, c.Mutation, c.Genotype, uint8(c.Class), c.Born, c.Peak, c.PeakTime, c.Extinct)
	}
	for _, e := range r.Events {
		w(e.Time, e.Kind, e.Detail)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type goldenRow struct {
	Replicate int     `json:"replicate"`
	Outcome   string  `json:"outcome"`
	TTP       float64 `json:"ttp_days"`
	Clones    int     `json:"recorded_clones"`
	Digest    string  `json:"sha256"`
}

func runDigests(t *testing.T, cfg sim.Config, n, workers int) []goldenRow {
	t.Helper()
	var rows []goldenRow
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n, Workers: workers}, sim.SinkFunc(func(r *sim.Result) error {
		ttp := r.TTP
		if math.IsNaN(ttp) {
			ttp = -1
		}
		rows = append(rows, goldenRow{r.Replicate, r.Outcome.String(), ttp, len(r.Clones), digest(r)})
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// readGolden is the golden value of testdata/name for got: with -update it
// writes got there and returns false (nothing to compare); otherwise it
// reads the file into a value of got's type.
func readGolden[T any](t *testing.T, name string, got T) (want T, ok bool) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return want, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	return want, true
}

// TestGolden pins the engine's output bit for bit for a fixed seed. A change
// that alters any random stream or any arithmetic shows up here; if it is
// intended, regenerate with `go test ./sim -run TestGolden -update` and say
// why in the commit.
func TestGolden(t *testing.T) {
	got := runDigests(t, smallConfig(42), 6, 2)
	want, ok := readGolden(t, "golden.json", got)
	if !ok {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%d replicates, golden has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("replicate %d: got %+v, golden %+v", i, got[i], want[i])
		}
	}
}

// TestWorkersDoNotChangeResults: 1, 2 and 8 workers give identical results.
func TestWorkersDoNotChangeResults(t *testing.T) {
	base := runDigests(t, smallConfig(7), 8, 1)
	for _, w := range []int{2, 8} {
		got := runDigests(t, smallConfig(7), 8, w)
		for i := range base {
			if got[i] != base[i] {
				t.Fatalf("workers=%d replicate %d differs: %+v vs %+v", w, i, got[i], base[i])
			}
		}
	}
	// a replicate's result does not depend on which others run with it
	cfg := smallConfig(7)
	var solo string
	sim.Run(context.Background(), &cfg, sim.RunOptions{First: 5, Count: 1, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
		solo = digest(r)
		return nil
	}))
	if solo != base[5].Digest {
		t.Fatalf("replicate 5 alone differs from replicate 5 in a batch")
	}
}

// TestShardsDoNotChangeResults: splitting one tumour's clones across 1, 2, 3
// or 5 goroutines gives identical results.
func TestShardsDoNotChangeResults(t *testing.T) {
	var base []goldenRow
	for _, shards := range []int{1, 2, 3, 5} {
		cfg := smallConfig(11)
		cfg.Engine.Shards = shards
		cfg.Engine.ShardMin = 2
		got := runDigests(t, cfg, 3, 1)
		if base == nil {
			base = got
			continue
		}
		for i := range base {
			if got[i] != base[i] {
				t.Fatalf("shards=%d replicate %d differs: %+v vs %+v", shards, i, got[i], base[i])
			}
		}
	}
}

// TestSeedsDiffer guards against a stream that ignores the seed.
func TestSeedsDiffer(t *testing.T) {
	a := runDigests(t, smallConfig(1), 2, 1)
	b := runDigests(t, smallConfig(2), 2, 1)
	if a[0].Digest == b[0].Digest || a[0].Digest == a[1].Digest {
		t.Fatal("different seeds or replicates gave identical results")
	}
}

// TestAdvanceAllocatesNothing: once a tumour's buffers have grown and every
// reachable genotype has been met, a step allocates nothing, serial or
// sharded. (Meeting a new genotype is the one cold path that allocates: it
// builds the genotype's mutation table once per worker.) The catalog here is
// closed, two single-site entries, so the warm-up meets every genotype. Merged
// (one clone per genotype, genotypes keyed by SNV) with entries of several
// SNVs, the replay meets the same genotypes as the warm-up and allocates
// nothing either.
func TestAdvanceAllocatesNothing(t *testing.T) {
	for _, run := range []struct {
		shards int
		merge  bool
	}{{1, false}, {2, false}, {1, true}} {
		shards := run.shards
		m := model.Default()
		m.MutationRate = 1e-6
		m.Catalog = []model.Mutation{{Name: "R248W", Class: model.TALoss, Sites: 1}, {Name: "V147D", Class: model.Pocket, Sites: 1}}
		if run.merge {
			m.Catalog[0].Sites, m.Catalog[1].Sites = 40, 7
		}
		tm := sim.NewTumor(&m, sim.Options{ExactBelow: sim.DefaultExactBelow, RecordAt: 100, Shards: shards, ShardMin: 1, Merge: run.merge})
		var drug sim.Exposure = sim.Constant{C: []float64{2000, 0, 0}} // boxed once, as in Replicator
		// AllocsPerRun calls the function once before measuring: that call
		// grows the buffers; the measured replay of the same seed, with
		// 1e8 cells, tens of thousands of clones and a thousand mutants per
		// step, must then allocate nothing.
		// A garbage collection empties the runtime's per-P caches of
		// goroutine wait records (sudogs), and the next blocking channel or
		// WaitGroup operation of the shard pool then allocates one: the
		// runtime's allocation, not the engine's, that appears whenever an
		// earlier test's garbage is collected during the replay. So the
		// replay runs with the collector paused.
		runtime.GC()
		old := debug.SetGCPercent(-1)
		allocs := testing.AllocsPerRun(1, func() {
			tm.Reset(99, 1e8, 0)
			for tt := 7.0; tt <= 350; tt += 7 {
				tm.Advance(tt, drug)
			}
		})
		debug.SetGCPercent(old)
		tm.Close()
		// Serial: exactly nothing. Sharded: the runtime may still allocate a
		// wait record when a shard goroutine parks on a processor whose cache
		// is empty; that is at most a handful per replay, while an engine
		// that allocated in its loop would show thousands (a thousand mutants
		// a step, tens of thousands of clones).
		limit := 0.1
		if shards > 1 {
			limit = 5
		}
		if allocs > limit {
			t.Errorf("shards=%d merge=%v: %.0f allocations in a replay of 50 steps", shards, run.merge, allocs)
		}
	}
}

// TestConfigValidate names the field at fault.
func TestConfigValidate(t *testing.T) {
	cases := []struct {
		mod  func(*sim.Config)
		want string
	}{
		{func(c *sim.Config) { c.Founder = 0 }, "founder"},
		{func(c *sim.Config) { c.Detect = 0.5 }, "detection size"},
		{func(c *sim.Config) { c.Step = -1 }, "step"},
		{func(c *sim.Config) { c.Lethal = 10 }, "lethal size"},
		{func(c *sim.Config) { c.Model.Birth = -0.1 }, "birth rate"},
		{func(c *sim.Config) { c.FollowUp = math.NaN() }, "follow-up"},
		{func(c *sim.Config) { c.Visible = c.Detect }, "visible size"},
	}
	if cfg := smallConfig(1); cfg.Validate() != nil {
		t.Fatalf("the unmodified config is invalid: %v", cfg.Validate())
	}
	merged := smallConfig(1)
	merged.Engine.Merge = true // merged by SNV: blood draws read true variants
	if err := merged.Validate(); err != nil {
		t.Errorf("merged clones with blood draws: %v", err)
	}
	for _, tc := range cases {
		cfg := smallConfig(1)
		tc.mod(&cfg)
		err := cfg.Validate()
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("want error naming %q, got %v", tc.want, err)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// TestRunDoesNotStall: many tiny replicates with more workers than cores
// and a sink that is sometimes slow, the pattern that once let finished
// later replicates take every buffer while the next one waited for one.
func TestRunDoesNotStall(t *testing.T) {
	m := model.Model{Birth: 1, Death: 0.5, Alleles: model.Alleles{Copies: 1, Dominance: 1}}
	cfg := sim.Config{Model: m, Detect: 50, Seed: 1, StopAtDetection: true}
	cfg.Defaults()
	for _, w := range []int{2, 3, 8} {
		n, next := 3000, 0
		ctx, cancel := context.WithCancel(context.Background())
		watchdog := time.AfterFunc(60*time.Second, cancel) // a stall becomes an error, not a hang
		err := sim.Run(ctx, &cfg, sim.RunOptions{Count: n, Workers: w}, sim.SinkFunc(func(r *sim.Result) error {
			if r.Replicate != next {
				t.Fatalf("replicate %d delivered, want %d", r.Replicate, next)
			}
			next++
			if next%97 == 0 {
				runtime.Gosched()
			}
			return nil
		}))
		watchdog.Stop()
		cancel()
		if err != nil || next != n {
			t.Fatalf("workers=%d: stalled or failed: %v after %d of %d", w, err, next, n)
		}
	}
}

// Merged clones are keyed by SNV, so blood draws are allowed with them and
// read SNVs of a many-site entry as separate variants, named entry#k with k
// within the entry's SNVs; a merged tumour holds one clone per genotype.
func TestMergedDrawsReadSNVs(t *testing.T) {
	cfg := smallConfig(5)
	cfg.Engine.Merge = true
	cfg.CTDNA.Every = 28
	cfg.CTDNA.RecordMinVAF = 1e-15 // a row for every variant present
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	snvs := map[string]int{}
	for i, mu := range cfg.Model.Catalog {
		snvs[mu.Name] = cfg.Model.SNVs(i)
	}
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var res sim.Result
	multi := 0
	for rep := range 4 {
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		for _, row := range res.CTDNA {
			name, k, ok := strings.Cut(row.Mutation, "#")
			n, known := snvs[name]
			if !known {
				t.Fatalf("row names %q, not a catalog entry", row.Mutation)
			}
			if !ok {
				if n > 1 {
					t.Errorf("%q: an entry of %d SNVs read without its SNV", row.Mutation, n)
				}
				continue
			}
			multi++
			if j, err := strconv.Atoi(k); err != nil || j < 1 || j > n {
				t.Errorf("%q: SNV %q outside 1..%d", row.Mutation, k, n)
			}
		}
	}
	if multi == 0 {
		t.Error("no SNV of a many-site entry was read: the test has no power")
	}
}
