package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/p53evo/p53evo/calibrate"
	"github.com/p53evo/p53evo/scenarios"
	"github.com/urfave/cli/v3"
)

func calibrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "calibrate",
		Usage: "compare the virtual trial cohort with the clinic's targets (ORR by dose, duration of response, ...)",
		Description: "Runs the library's trial arms (" + calibrate.ArmName(calibrate.Doses[0]) + " ... " + calibrate.ArmName(calibrate.Doses[len(calibrate.Doses)-1]) + ",\n" +
			"the same virtual patients at every dose) that the targets need, measures what a trial reports\n" +
			"and compares each figure with its band: one row per target (target, band, value, the patients,\n" +
			"responders or progressions it rests on, pass). Exit status 1 when a target is missed.\n\n" +
			"Measures a targets file can name: " + strings.Join(calibrate.MeasureNames(), ", ") + ".\n\n" +
			"Examples:\n   p53evo calibrate                            # the shipped targets, 300 patients per arm\n" +
			"   p53evo calibrate --print-targets > my.json  # the targets with their sources, to edit\n" +
			"   p53evo calibrate --targets my.json -n 100 --json\n" +
			"   p53evo calibrate --set 'patient.kill={dist: lognormal, median: 0.7, cv: 0.4, min: 0.01, max: 10}'",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "targets", Usage: "targets file (JSON, as --print-targets prints; default: the shipped targets)"},
			&cli.IntFlag{Name: "patients", Aliases: []string{"n"}, Value: calibrate.DefaultPatients, Usage: fmt.Sprintf("virtual patients per arm (default %d)", calibrate.DefaultPatients)},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "goroutines (default: all cores)", Sources: cli.EnvVars("P53EVO_WORKERS")},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object instead of the table"},
			&cli.BoolFlag{Name: "print-targets", Usage: "print the targets file in use and run nothing"},
			&cli.StringSliceFlag{Name: "set", Usage: "override a field of every arm, e.g. --set patient.growth={...} (repeatable)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return usagef("calibrate takes no arguments (got %q); name a targets file with --targets", cmd.Args().First())
			}
			out, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
			data := calibrate.DefaultTargetsJSON()
			if f := cmd.String("targets"); f != "" {
				b, err := os.ReadFile(f)
				if err != nil {
					return usagef("--targets: %v", err)
				}
				data = b
			}
			tg, err := calibrate.ParseTargets(data)
			if err != nil {
				return usagef("--targets %s: %v", orDefault(cmd.String("targets")), err)
			}
			if cmd.Bool("print-targets") {
				_, err := out.Write(data)
				return err
			}
			n := cmd.Int("patients")
			if n < 1 || n > 1_000_000 {
				return usagef("--patients %d: must be in [1, 1000000]", n)
			}
			w := cmd.Int("workers")
			if w < 0 {
				return usagef("--workers %d: must be >= 1 (or 0 for all cores)", w)
			}
			var set []scenarios.Assignment
			for _, kv := range cmd.StringSlice("set") {
				path, val, ok := strings.Cut(kv, "=")
				if !ok || path == "" {
					return usagef("--set %q: want PATH=VALUE, e.g. --set patient.non_dependent=0.1", kv)
				}
				set = append(set, scenarios.Assignment{Path: path, Value: val})
			}
			// check the assignments on one arm before running anything
			if _, err := calibrate.Arm(calibrate.Doses[0], set); err != nil {
				return usageError{err}
			}
			opt := calibrate.Options{Patients: n, Workers: w, Set: set}
			term := isTerminal(stderr)
			start := time.Now()
			if term {
				opt.Progress = func(arm string, done, total int) {
					fmt.Fprintf(stderr, "\r\033[Kcalibrate: %s %d/%d (%s elapsed)", arm, done, total, time.Since(start).Round(time.Second))
				}
			}
			rep, err := calibrate.Run(ctx, tg, opt)
			if term {
				fmt.Fprint(stderr, "\r\033[K")
			}
			if err != nil {
				if ctx.Err() != nil {
					return failure{"interrupted"}
				}
				return err
			}
			if cmd.Bool("json") {
				err = rep.WriteJSON(out)
			} else {
				err = rep.WriteText(out)
			}
			if err != nil {
				return err
			}
			if f := rep.Failed(); f > 0 {
				return failure{fmt.Sprintf("%d of %d calibration targets missed", f, len(rep.Rows))}
			}
			return nil
		},
	}
}

func orDefault(f string) string {
	if f == "" {
		return "(shipped)"
	}
	return f
}
