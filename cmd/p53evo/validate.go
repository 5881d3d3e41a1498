package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/p53evo/p53evo/internal/suggest"
	"github.com/p53evo/p53evo/sim/theory"
	"github.com/urfave/cli/v3"
)

// checkNames lists the suite's check names once each, in suite order (a
// name can have a merged-clones variant).
func checkNames() []string {
	var names []string
	for _, c := range theory.Suite() {
		if !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	return names
}

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "check the simulation engine against exact theory (scenario files: 'scenarios validate')",
		Description: "Tests the engine, not your input: every check of the theory suite simulates a simple\n" +
			"model many times and compares it with an exact result (Kendall's birth-death law,\n" +
			"extinction, time to detection, resistance present at detection, Luria-Delbrueck, mutant\n" +
			"shedding), at two settings of the exact/Kendall threshold and with merged clones. Each row:\n" +
			"quantity, theory, simulated, SE, z, pass. A row fails when |z| > 3.5 (or a distribution\n" +
			"test's p < 4.7e-4); exit status 1 on a failure. To check scenario files, use\n" +
			"'p53evo scenarios validate FILE...'.\n\n" +
			"Checks (--only NAME; --list prints them with what each simulates):\n   " + strings.Join(checkNames(), ", ") + "\n\n" +
			"Examples:\n   p53evo validate --quick        # seconds\n" +
			"   p53evo validate                # high power, about 3 minutes on 2 cores\n" +
			"   p53evo validate --quick --json > theory.json   # one object per row, then a summary",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quick", Usage: "fewer replicates (the go test level)", Sources: cli.EnvVars("P53EVO_QUICK")},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "goroutines (default: all cores)", Sources: cli.EnvVars("P53EVO_WORKERS")},
			&cli.Uint64Flag{Name: "seed", Value: 20261124, Usage: "random seed", Sources: cli.EnvVars("P53EVO_SEED")},
			&cli.StringFlag{Name: "only", Usage: "run only the checks with this name (see --list)"},
			&cli.BoolFlag{Name: "list", Usage: "list the checks and what each simulates, run nothing"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON lines (one object per row, then {\"passed\":..,\"failed\":..}) instead of the table"},
		},
		Action: validateAction,
	}
}

// validateAction runs the theory suite (or lists it).
func validateAction(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Present() {
		return usagef("validate takes no arguments (got %q); to check scenario files use 'p53evo scenarios validate FILE'", cmd.Args().First())
	}
	out, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	if cmd.Bool("list") {
		return listChecks(out)
	}
	only := cmd.String("only")
	if only != "" && !slices.Contains(checkNames(), only) {
		return usagef("--only %q: no such check%s (checks: %s)", only, suggest.Hint(only, checkNames()), strings.Join(checkNames(), ", "))
	}
	level := theory.Quick
	if !cmd.Bool("quick") {
		level = theory.Full
	}
	w := cmd.Int("workers")
	if w < 0 {
		return usagef("--workers %d: must be >= 1 (or 0 for all cores)", w)
	}
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	var checks []*theory.Check
	for _, c := range theory.Suite() {
		if only == "" || c.Name == only {
			checks = append(checks, c)
		}
	}
	failed, ran, err := runChecks(ctx, out, stderr, checks, level, w, cmd.Uint64("seed"), cmd.Bool("json"))
	if err != nil {
		return err
	}
	if failed > 0 {
		return failure{fmt.Sprintf("%d of %d theory comparisons failed", failed, ran)}
	}
	return nil
}

// listChecks prints the checks of the theory suite and what each simulates.
func listChecks(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tclones\tsimulates")
	for _, c := range theory.Suite() {
		mode := "per lineage"
		if c.Merge {
			mode = "merged"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, mode, c.What)
	}
	return tw.Flush()
}

// runChecks runs the checks and prints their rows (a table, or JSON lines
// when jsonOut) and the summary, with progress on stderr when it is a
// terminal; it returns the rows that failed and those that ran.
func runChecks(ctx context.Context, out, stderr io.Writer, checks []*theory.Check, level theory.Level, w int, seed uint64, jsonOut bool) (failed, ran int, err error) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if !jsonOut {
		fmt.Fprintln(tw, "check\tquantity\ttheory\tsimulated\tSE\tz\tp\tn\tpass")
	}
	// Progress on a terminal: which check runs, how many are done.
	term := isTerminal(stderr)
	start := time.Now()
	for i, c := range checks {
		if err := ctx.Err(); err != nil {
			return failed, ran, failure{"interrupted"}
		}
		if term {
			fmt.Fprintf(stderr, "\r\033[Kvalidate: check %d of %d: %s (%s elapsed)", i+1, len(checks), c.Name, time.Since(start).Round(time.Second))
		}
		for _, r := range c.Run(level, w, seed) {
			ran++
			if !r.Pass {
				failed++
			}
			if jsonOut {
				if err := writeRowJSON(out, r); err != nil {
					return failed, ran, err
				}
				continue
			}
			verdict := "ok"
			if !r.Pass {
				verdict = "FAIL"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.6g\t%s\t%s\t%.3g\t%d\t%s\n", r.Check, r.Quantity, num(r.Theory, "%.6g"), r.Simulated, num(r.SE, "%.3g"), num(r.Z, "%.2f"), r.P, r.N, verdict)
		}
		if !jsonOut {
			tw.Flush()
		}
	}
	if term {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if jsonOut {
		b, _ := json.Marshal(map[string]int{"passed": ran - failed, "failed": failed})
		fmt.Fprintf(out, "%s\n", b)
	} else {
		fmt.Fprintf(out, "\n%d passed, %d failed\n", ran-failed, failed)
	}
	return failed, ran, nil
}

// writeRowJSON prints one comparison as a JSON object; NaN (no theory
// value, no z for a distribution test) is null.
func writeRowJSON(w io.Writer, r theory.Row) error {
	f := func(x float64) *float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return &x
	}
	b, err := json.Marshal(struct {
		Check     string   `json:"check"`
		Quantity  string   `json:"quantity"`
		Theory    *float64 `json:"theory"`
		Simulated *float64 `json:"simulated"`
		SE        *float64 `json:"se"`
		Z         *float64 `json:"z"`
		P         *float64 `json:"p"`
		N         int      `json:"n"`
		Pass      bool     `json:"pass"`
	}{r.Check, r.Quantity, f(r.Theory), f(r.Simulated), f(r.SE), f(r.Z), f(r.P), r.N, r.Pass})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func num(x float64, format string) string {
	if x != x {
		return "-"
	}
	return fmt.Sprintf(format, x)
}
