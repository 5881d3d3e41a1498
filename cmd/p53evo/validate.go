package main

import (
	"context"
	"fmt"
	"runtime"
	"text/tabwriter"

	"github.com/p53evo/p53evo/sim/theory"
	"github.com/urfave/cli/v3"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "compare the engine with exact theory and print a table",
		Description: "Runs every check of the theory suite (Kendall's birth-death law, extinction, time to\n" +
			"detection, resistance present at detection, Luria-Delbrueck, mutant shedding) at two\n" +
			"settings of the exact/Kendall threshold. Each row: quantity, theory, simulated, SE, z, pass.\n" +
			"A row fails when |z| > 3.5 (or a distribution test's p < 4.7e-4). Exit status 1 on a failure.\n\n" +
			"Example:\n   p53evo validate --quick        # seconds\n   p53evo validate                # high power, a few minutes on 2 cores",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quick", Usage: "fewer replicates (the go test level)", Sources: cli.EnvVars("P53EVO_QUICK")},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "goroutines (default: all cores)", Sources: cli.EnvVars("P53EVO_WORKERS")},
			&cli.Uint64Flag{Name: "seed", Value: 20261124, Usage: "random seed", Sources: cli.EnvVars("P53EVO_SEED")},
			&cli.StringFlag{Name: "only", Usage: "run only the check with this name"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			level := theory.Full
			if cmd.Bool("quick") {
				level = theory.Quick
			}
			w := cmd.Int("workers")
			if w <= 0 {
				w = runtime.GOMAXPROCS(0)
			}
			out := cmd.Root().Writer
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "check\tquantity\ttheory\tsimulated\tSE\tz\tp\tn\tpass")
			failed, ran := 0, 0
			for _, c := range theory.Suite() {
				if o := cmd.String("only"); o != "" && o != c.Name {
					continue
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				for _, r := range c.Run(level, w, cmd.Uint64("seed")) {
					ran++
					verdict := "ok"
					if !r.Pass {
						verdict = "FAIL"
						failed++
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%.6g\t%s\t%s\t%.3g\t%d\t%s\n", r.Check, r.Quantity, num(r.Theory, "%.6g"), r.Simulated, num(r.SE, "%.3g"), num(r.Z, "%.2f"), r.P, r.N, verdict)
				}
				tw.Flush()
			}
			if ran == 0 {
				return usagef("no check named %q (see 'p53evo validate --help')", cmd.String("only"))
			}
			fmt.Fprintf(out, "\n%d passed, %d failed\n", ran-failed, failed)
			if failed > 0 {
				return failure{fmt.Sprintf("%d of %d theory comparisons failed", failed, ran)}
			}
			return nil
		},
	}
}

func num(x float64, format string) string {
	if x != x {
		return "-"
	}
	return fmt.Sprintf(format, x)
}
