package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func defaultConfig() config {
	return config{
		Hot:     regexp.MustCompile("Lesion|Peer4Type|ExactRegime|Step"),
		Geomean: 10, One: 20, Alpha: 0.05, Allocs: true,
	}
}

func parseFile(t *testing.T, name string) []row {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := parseCSV(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		file     string
		modify   func(*config)
		pass     bool
		geomean  float64 // percent; NaN: not computed
		ngeo     int
		line     string   // exact verdict line
		failures []string // substrings, one per failure, in order
		notes    []string // substrings that must appear among the notes
	}{
		{
			file: "selftest_same.csv", pass: true, geomean: -3.99, ngeo: 4,
			line: "bench-compare: PASS (geomean -4.0% over 4 hot-loop benchmarks)",
		},
		{
			file: "selftest_slow.csv", pass: false, geomean: 88.62, ngeo: 4,
			failures: []string{
				"geomean sec/op +88.6% over 4 hot-loop benchmarks (limit +10%)",
				"BenchmarkPeer4Type/size=1e+09 sec/op +124.1% (p=0.002)",
				"BenchmarkStep/shards=1 sec/op +82.5% (p=0.002)",
				"BenchmarkStep/shards=2 sec/op +222.6% (p=0.015)",
			},
		},
		{
			// every hot benchmark +12%, none significant: only the geomean
			// rule fires; the -50% of the non-hot BenchmarkRun is left out.
			file: "geomean.csv", pass: false, geomean: 12, ngeo: 4,
			failures: []string{"geomean sec/op +12.0% over 4 hot-loop benchmarks (limit +10%)"},
		},
		{
			file: "geomean.csv", modify: func(c *config) { c.Geomean = 15 }, pass: true, geomean: 12, ngeo: 4,
			line: "bench-compare: PASS (geomean +12.0% over 4 hot-loop benchmarks)",
		},
		{
			// the -50% counts once BenchmarkRun is a hot benchmark.
			file: "geomean.csv", modify: func(c *config) { c.Hot = regexp.MustCompile(".") }, pass: true,
			geomean: 100 * (math.Pow(1.12*1.12*1.12*1.12*0.5, 0.2) - 1), ngeo: 5,
		},
		{
			file: "one.csv", pass: false, geomean: 100 * (math.Pow(0.9*0.9*0.9*1.34, 0.25) - 1), ngeo: 4,
			line: "bench-compare: FAIL: BenchmarkStep/shards=1 sec/op +34.0% (p=0.002)",
		},
		{
			file: "one.csv", modify: func(c *config) { c.One = 40 }, pass: true, geomean: 100 * (math.Pow(0.9*0.9*0.9*1.34, 0.25) - 1), ngeo: 4,
		},
		{
			file: "one.csv", modify: func(c *config) { c.Alpha = 0.001 }, pass: true, geomean: 100 * (math.Pow(0.9*0.9*0.9*1.34, 0.25) - 1), ngeo: 4,
			notes: []string{"BenchmarkStep/shards=1 sec/op +34.0% (p=0.002) not significant"},
		},
		{
			file: "notsig.csv", pass: true, geomean: 100 * (math.Pow(0.9*0.9*0.9*1.34, 0.25) - 1), ngeo: 4,
			notes: []string{"BenchmarkStep/shards=1 sec/op +34.0% (p=0.240) not significant"},
		},
		{
			file: "allocs.csv", pass: false, geomean: 0, ngeo: 3,
			failures: []string{
				"BenchmarkExactRegime allocs/op 0 -> 1 (p=0.000)",
				"BenchmarkStep/shards=1 allocs/op 107 -> 120 +12.1% (p=0.002)",
			},
		},
		{
			file: "allocs.csv", modify: func(c *config) { c.Allocs = false }, pass: true, geomean: 0, ngeo: 3,
			notes: []string{
				"BenchmarkExactRegime allocs/op 0 -> 1 (p=0.000) not gated",
				"BenchmarkStep/shards=1 allocs/op 107 -> 120 +12.1% (p=0.002) not gated",
			},
		},
		{
			// benchmarks absent on base are reported, once, and not compared.
			file: "newbench.csv", pass: true, geomean: 100 * (math.Sqrt(0.010548544/0.011146938*0.010853469000000001/0.009990212) - 1), ngeo: 2,
			notes: []string{"BenchmarkPeer4Type/size=1e+06: new on head", "BenchmarkPeer4Type/size=1e+08: new on head"},
		},
		{
			file: "nosuffix.csv", modify: func(c *config) { c.Hot = regexp.MustCompile("Nothing") }, pass: true, geomean: math.NaN(),
			line: "bench-compare: PASS (no hot-loop benchmark on both sides; geomean not checked)",
		},
	} {
		name := tc.file
		if tc.modify != nil {
			name += "/modified"
		}
		t.Run(name, func(t *testing.T) {
			cfg := defaultConfig()
			if tc.modify != nil {
				tc.modify(&cfg)
			}
			v := decide(parseFile(t, tc.file), cfg)
			if v.pass() != tc.pass {
				t.Errorf("pass = %v, want %v (%s)", v.pass(), tc.pass, v.line())
			}
			if math.IsNaN(tc.geomean) != math.IsNaN(v.Geomean) || (!math.IsNaN(tc.geomean) && math.Abs(100*v.Geomean-tc.geomean) > 0.01) {
				t.Errorf("geomean = %.4f%%, want %.4f%%", 100*v.Geomean, tc.geomean)
			}
			if v.NGeo != tc.ngeo {
				t.Errorf("geomean over %d benchmarks, want %d", v.NGeo, tc.ngeo)
			}
			if tc.line != "" && v.line() != tc.line {
				t.Errorf("verdict\n got %q\nwant %q", v.line(), tc.line)
			}
			if tc.failures != nil {
				if len(v.Failures) != len(tc.failures) {
					t.Fatalf("failures %q, want %d like %q", v.Failures, len(tc.failures), tc.failures)
				}
				for i, f := range tc.failures {
					if !strings.Contains(v.Failures[i], f) {
						t.Errorf("failure %d = %q, want it to contain %q", i, v.Failures[i], f)
					}
				}
			}
			notes := strings.Join(v.Notes, "\n")
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes %q lack %q", v.Notes, n)
				}
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	rows := parseFile(t, "selftest_slow.csv")
	// 4 sec/op + 1 medianR1 + 4 B/op + 4 allocs/op + 1 sec/event + 2 clones + 2 sec/clone
	if len(rows) != 18 {
		t.Fatalf("%d rows, want 18", len(rows))
	}
	want := row{Name: "BenchmarkStep/shards=1", Unit: "sec/op", Base: 0.013223783, Head: 0.024137108, HasBase: true, HasHead: true, P: 0.002}
	if rows[2] != want {
		t.Errorf("rows[2] = %+v, want %+v", rows[2], want)
	}
	units := map[string]int{}
	for _, r := range rows {
		units[r.Unit]++
	}
	if units["sec/op"] != 4 || units["allocs/op"] != 4 || units["sec/clone"] != 2 {
		t.Errorf("units %v", units)
	}

	rows = parseFile(t, "newbench.csv")
	if r := rows[2]; r.Name != "BenchmarkPeer4Type/size=1e+06" || r.HasBase || !r.HasHead || !math.IsNaN(r.P) {
		t.Errorf("row absent on base parsed as %+v", r)
	}

	// Without a common GOMAXPROCS suffix, names are left alone.
	rows = parseFile(t, "nosuffix.csv")
	if rows[0].Name != "BenchmarkStep/shards=1" || rows[1].Name != "BenchmarkDecay/rate=1e-9" {
		t.Errorf("names %q, %q", rows[0].Name, rows[1].Name)
	}

	if _, err := parseCSV(strings.NewReader(mustRead(t, "three.csv"))); err == nil || !strings.Contains(err.Error(), "two inputs") {
		t.Errorf("three inputs: err = %v, want an error about two inputs", err)
	}
	if _, err := parseCSV(strings.NewReader(",sec/op,CI,sec/op,CI,vs base,P\nStep-2,fast,,1,,~,p=1 n=1\n")); err == nil {
		t.Error("bad number parsed without error")
	}
	if _, err := parseCSV(strings.NewReader("Step-2,1,,1,,~,p=1 n=1\n")); err == nil {
		t.Error("row before header parsed without error")
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"Step/shards=1-2", "Lesion/size=1e+09-2"}, []string{"BenchmarkStep/shards=1", "BenchmarkLesion/size=1e+09"}},
		{[]string{"Step/shards=1-8", "ExactRegime-8"}, []string{"BenchmarkStep/shards=1", "BenchmarkExactRegime"}},
		{[]string{"A-2", "B-4"}, []string{"BenchmarkA-2", "BenchmarkB-4"}},
		{[]string{"Decay/rate=1e-9", "Step"}, []string{"BenchmarkDecay/rate=1e-9", "BenchmarkStep"}},
		{[]string{"BenchmarkX-2"}, []string{"BenchmarkX"}},
	} {
		got := normalize(tc.in)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPValue(t *testing.T) {
	for in, want := range map[string]float64{"p=0.002 n=10": 0.002, "p=0.004 n=6+5": 0.004, "p=1.000 n=5": 1, "n=5": math.NaN()} {
		got, err := pValue(in)
		if err != nil || (got != want && !(math.IsNaN(got) && math.IsNaN(want))) {
			t.Errorf("pValue(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := pValue("p=x n=3"); err == nil {
		t.Error("bad p-value parsed without error")
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRun checks exit statuses and the last line printed.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		file   string
		report bool
		status int
		last   string
	}{
		{"selftest_same.csv", false, 0, "bench-compare: PASS (geomean -4.0% over 4 hot-loop benchmarks)"},
		{"one.csv", false, 1, "bench-compare: FAIL: BenchmarkStep/shards=1 sec/op +34.0% (p=0.002)"},
		{"one.csv", true, 0, "bench-compare: FAIL: BenchmarkStep/shards=1 sec/op +34.0% (p=0.002) [report mode: not enforced]"},
		{"empty.csv", false, 2, ""},
		{"three.csv", false, 2, ""},
		{"three.csv", true, 0, "bench-compare: ERROR (report mode: not enforced): benchstat table with 11 columns: want exactly two inputs (base, head)"},
		{"missing.csv", false, 2, ""},
	} {
		var out, errb bytes.Buffer
		cfg := defaultConfig()
		status := run(filepath.Join("testdata", tc.file), tc.report, cfg, cfg.Hot.String(), nil, &out, &errb)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		last := lines[len(lines)-1]
		if status != tc.status || last != tc.last {
			t.Errorf("%s report=%v: status %d, last line %q; want %d, %q (stderr %q)", tc.file, tc.report, status, last, tc.status, tc.last, errb.String())
		}
	}
	// Standard input and a bad -hot regexp.
	var out bytes.Buffer
	cfg := defaultConfig()
	if s := run("-", false, cfg, cfg.Hot.String(), strings.NewReader(mustRead(t, "selftest_slow.csv")), &out, &out); s != 1 {
		t.Errorf("stdin: status %d, want 1; output %s", s, out.String())
	}
	if s := run("-", false, cfg, "(", strings.NewReader(""), &out, &out); s != 2 {
		t.Errorf("bad regexp: status %d, want 2", s)
	}
}
