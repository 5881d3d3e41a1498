// Command benchgate is the decision step of make bench-compare: it reads the
// CSV that benchstat prints for a base-vs-head comparison,
//
//	benchstat -format csv base.txt head.txt | benchgate
//
// and exits 1 when head regresses:
//
//   - the geometric mean of the sec/op ratios head/base over the hot-loop
//     benchmarks (-hot) rises by more than -geomean percent; or
//   - any benchmark's sec/op rises by more than -one percent with a
//     significant difference (benchstat's Mann-Whitney U test, p < -alpha);
//   - any benchmark's allocs/op rises significantly, or from 0 to more
//     than 0. This rule needs the same b.N on both sides (a fixed
//     -benchtime Nx): go test prints allocs/op as the integer part of
//     total allocations / b.N, and one-off allocations in the first
//     iterations (buffers that grow once, then are reused) make it depend
//     on b.N. Under a time-based -benchtime a slower head runs fewer
//     iterations and its allocs/op changes for that reason alone (3 -> 14 for
//     ExactRegime at b.N 4 -> 1). With -allocs-gate=false (what
//     bench/compare.sh passes unless BENCHTIME is Nx) allocs/op rises are
//     printed as notes and do not fail.
//
// It relies on benchstat for the statistics (the medians and the p-values it
// prints are the ones the gate decides on, so the verdict agrees with the
// table a reviewer reads) and only parses and decides; the geomean is its
// own, over the benchmarks present on both sides (benchstat's geomean row
// mixes sets when a benchmark is new). The CSV layout is that of the
// benchstat version pinned in the Makefile.
//
// The last line printed is the verdict, for example
//
//	bench-compare: PASS (geomean +2.1% over 5 hot-loop benchmarks)
//	bench-compare: FAIL: BenchmarkStep/shards=1 sec/op +34.0% (p=0.002)
//
// With -report, or BENCH_GATE=report in the environment, the verdict is
// printed but the exit status is 0 (for noisy machines). Exit status 2 means
// the input could not be read or held no comparison.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// row is one benchmark's line in one benchstat table (one unit).
type row struct {
	Name       string  // e.g. "BenchmarkStep/shards=1" (GOMAXPROCS suffix removed)
	Unit       string  // e.g. "sec/op", "allocs/op"
	Base, Head float64 // benchstat's centres (medians)
	HasBase    bool
	HasHead    bool
	P          float64 // p-value of the base-vs-head test; NaN when absent
}

// parseCSV reads benchstat -format csv output for exactly two inputs. It
// skips configuration lines (goos: ..., pkg: ...) and geomean rows.
func parseCSV(r io.Reader) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var rows []row
	unit := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch {
		case len(rec) < 2:
			// configuration line such as "goos: linux" or a note.
			continue
		case rec[0] == "" && len(rec) >= 3 && rec[2] == "CI":
			// ",sec/op,CI,sec/op,CI,vs base,P"
			if len(rec) != 7 {
				return nil, fmt.Errorf("benchstat table with %d columns: want exactly two inputs (base, head)", len(rec))
			}
			unit = rec[1]
			continue
		case rec[0] == "":
			// ",base.txt,,head.txt,,," (the file names)
			continue
		case rec[0] == "geomean":
			continue
		}
		if unit == "" {
			return nil, fmt.Errorf("benchmark row %q before any table header", rec[0])
		}
		x := row{Name: rec[0], Unit: unit, P: math.NaN()}
		var err1, err2 error
		x.Base, x.HasBase, err1 = number(field(rec, 1))
		x.Head, x.HasHead, err2 = number(field(rec, 3))
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("row %q: %w", rec[0], err)
		}
		if p := field(rec, 6); p != "" {
			x.P, err = pValue(p)
			if err != nil {
				return nil, fmt.Errorf("row %q: %w", rec[0], err)
			}
		}
		rows = append(rows, x)
	}
	names := make([]string, len(rows))
	for i := range rows {
		names[i] = rows[i].Name
	}
	names = normalize(names)
	for i := range rows {
		rows[i].Name = names[i]
	}
	return rows, nil
}

func field(rec []string, i int) string {
	if i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func number(s string) (float64, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, fmt.Errorf("bad number %q", s)
	}
	return v, true, nil
}

// pValue parses benchstat's "p=0.002 n=10" (or "n=6+5").
func pValue(s string) (float64, error) {
	for _, f := range strings.Fields(s) {
		if v, ok := strings.CutPrefix(f, "p="); ok {
			p, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("bad p-value %q", s)
			}
			return p, nil
		}
	}
	return math.NaN(), nil
}

var procSuffix = regexp.MustCompile(`-[0-9]+$`)

// normalize puts back the "Benchmark" prefix that benchstat drops and
// removes the GOMAXPROCS suffix ("-2") when every name carries the same one
// (so a name such as "size=1e-9" run with GOMAXPROCS=1 is left alone).
func normalize(names []string) []string {
	suffix := ""
	for i, n := range names {
		s := procSuffix.FindString(n)
		if s == "" || (i > 0 && s != suffix) {
			suffix = ""
			break
		}
		suffix = s
	}
	out := make([]string, len(names))
	for i, n := range names {
		n = strings.TrimSuffix(n, suffix)
		if !strings.HasPrefix(n, "Benchmark") {
			n = "Benchmark" + n
		}
		out[i] = n
	}
	return out
}

// config holds the gate's thresholds.
type config struct {
	Hot     *regexp.Regexp // benchmarks entering the geomean
	Geomean float64        // max geomean sec/op regression, percent
	One     float64        // max significant single sec/op regression, percent
	Allocs  bool           // whether allocs/op rises fail (else they are notes)
	Alpha   float64        // significance level
}

// verdict is the gate's decision.
type verdict struct {
	Geomean  float64  // geomean ratio head/base - 1 over hot benchmarks; NaN if none
	NGeo     int      // benchmarks in the geomean
	Failures []string // reasons to fail, in input order
	Notes    []string // large but non-significant changes, new or removed benchmarks
}

func (v verdict) pass() bool { return len(v.Failures) == 0 }

func pct(x float64) string { return fmt.Sprintf("%+.1f%%", 100*x) }

// decide applies the three rules to the parsed rows.
func decide(rows []row, cfg config) verdict {
	v := verdict{Geomean: math.NaN()}
	logSum := 0.0
	seenNew := map[string]bool{}
	for _, r := range rows {
		if !r.HasBase || !r.HasHead {
			if seenNew[r.Name] {
				continue
			}
			seenNew[r.Name] = true
			if r.HasHead {
				v.Notes = append(v.Notes, r.Name+": new on head (absent on base), not compared")
			} else {
				v.Notes = append(v.Notes, r.Name+": absent on head (present on base)")
			}
			continue
		}
		significant := r.P < cfg.Alpha // false when P is NaN
		switch r.Unit {
		case "sec/op":
			if r.Base <= 0 || r.Head <= 0 {
				continue
			}
			change := r.Head/r.Base - 1
			if cfg.Hot.MatchString(r.Name) {
				logSum += math.Log(r.Head / r.Base)
				v.NGeo++
			}
			if change > cfg.One/100 {
				msg := fmt.Sprintf("%s sec/op %s (p=%.3f)", r.Name, pct(change), r.P)
				if significant {
					v.Failures = append(v.Failures, msg)
				} else {
					v.Notes = append(v.Notes, msg+" not significant")
				}
			}
		case "allocs/op":
			msg := ""
			switch {
			case r.Base == 0 && r.Head > 0:
				msg = fmt.Sprintf("%s allocs/op 0 -> %g (p=%.3f)", r.Name, r.Head, r.P)
			case r.Head > r.Base && significant:
				msg = fmt.Sprintf("%s allocs/op %g -> %g %s (p=%.3f)", r.Name, r.Base, r.Head, pct(r.Head/r.Base-1), r.P)
			}
			switch {
			case msg == "":
			case cfg.Allocs:
				v.Failures = append(v.Failures, msg)
			default:
				v.Notes = append(v.Notes, msg+" not gated (b.N may differ between runs; use -benchtime Nx)")
			}
		}
	}
	if v.NGeo > 0 {
		v.Geomean = math.Exp(logSum/float64(v.NGeo)) - 1
		if v.Geomean > cfg.Geomean/100 {
			// The geomean failure goes first: it is the headline.
			v.Failures = append([]string{fmt.Sprintf("geomean sec/op %s over %d hot-loop benchmarks (limit +%g%%)", pct(v.Geomean), v.NGeo, cfg.Geomean)}, v.Failures...)
		}
	}
	return v
}

// line is the one-line verdict.
func (v verdict) line() string {
	if !v.pass() {
		return "bench-compare: FAIL: " + strings.Join(v.Failures, "; ")
	}
	if v.NGeo == 0 {
		return "bench-compare: PASS (no hot-loop benchmark on both sides; geomean not checked)"
	}
	return fmt.Sprintf("bench-compare: PASS (geomean %s over %d hot-loop benchmarks)", pct(v.Geomean), v.NGeo)
}

func main() {
	in := flag.String("in", "-", "benchstat CSV file (- for standard input)")
	hot := flag.String("hot", "Lesion|Peer4Type|ExactRegime|Step", "regexp selecting the hot-loop benchmarks for the geomean rule")
	geo := flag.Float64("geomean", 10, "fail if the hot-loop geomean of sec/op regresses by more than this percent")
	one := flag.Float64("one", 20, "fail if one benchmark's sec/op regresses significantly by more than this percent")
	allocs := flag.Bool("allocs-gate", true, "fail on a significant allocs/op rise or 0 -> >0 (needs equal b.N on both sides: -benchtime Nx); false: notes only")
	alpha := flag.Float64("alpha", 0.05, "significance level for the p-values benchstat prints")
	report := flag.Bool("report", os.Getenv("BENCH_GATE") == "report", "print the verdict but always exit 0 (default from BENCH_GATE=report)")
	flag.Parse()
	os.Exit(run(*in, *report, config{Geomean: *geo, One: *one, Allocs: *allocs, Alpha: *alpha}, *hot, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the globals; it returns the exit status.
func run(in string, report bool, cfg config, hot string, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, "benchgate:", err)
		if report {
			fmt.Fprintln(stdout, "bench-compare: ERROR (report mode: not enforced):", err)
			return 0
		}
		return 2
	}
	var err error
	if cfg.Hot, err = regexp.Compile(hot); err != nil {
		return fail(err)
	}
	r := stdin
	if in != "-" {
		f, err := os.Open(in)
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		r = f
	}
	rows, err := parseCSV(r)
	if err != nil {
		return fail(err)
	}
	if len(rows) == 0 {
		return fail(errors.New("no benchmark rows in benchstat output"))
	}
	v := decide(rows, cfg)
	for _, n := range v.Notes {
		fmt.Fprintln(stdout, "bench-compare: note:", n)
	}
	line := v.line()
	if report {
		line += " [report mode: not enforced]"
	}
	fmt.Fprintln(stdout, line)
	if v.pass() || report {
		return 0
	}
	return 1
}
