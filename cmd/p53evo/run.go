package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/p53evo/p53evo/analysis"
	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/scenarios"
	"github.com/p53evo/p53evo/sim"
	"github.com/p53evo/p53evo/sweep"
	"github.com/urfave/cli/v3"
)

// scenarioFlags are shared by run and scenarios show.
func scenarioFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Value: scenarios.DefaultName, Usage: "library scenario NAME or a YAML FILE", Sources: cli.EnvVars("P53EVO_SCENARIO")},
		&cli.StringSliceFlag{Name: "set", Usage: "override a field, e.g. --set growth.birth=0.2 (repeatable)"},
	}
}

// plural is "1 worker", "2 workers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// tableFlags choose the table files' format and codec (run, sweep run).
func tableFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Value: string(dataset.Arrow), Usage: "table files: arrow (Arrow IPC, .arrow) or parquet (.parquet, read by DuckDB and Spark without extensions)", Sources: cli.EnvVars("P53EVO_FORMAT")},
		&cli.StringFlag{Name: "compression", Value: string(dataset.Zstd), Usage: "codec of the table files: zstd, lz4 or none (for readers without a zstd codec)", Sources: cli.EnvVars("P53EVO_COMPRESSION")},
	}
}

// tableOptions reads --format and --compression.
func tableOptions(cmd *cli.Command) (dataset.Format, dataset.Compression, error) {
	f, err := dataset.ParseFormat(cmd.String("format"))
	if err != nil {
		return "", "", usagef("--format: %v", err)
	}
	c, err := dataset.ParseCompression(cmd.String("compression"))
	if err != nil {
		return "", "", usagef("--compression: %v", err)
	}
	return f, c, nil
}

// loadScenario opens the scenario named by --scenario and applies --set.
func loadScenario(cmd *cli.Command) (*scenarios.Scenario, error) {
	s, err := scenarios.Open(cmd.String("scenario"))
	if err != nil {
		return nil, usageError{err}
	}
	if err := applySets(s, cmd.StringSlice("set")); err != nil {
		return nil, err
	}
	return s, nil
}

func runCommand() *cli.Command {
	flags := append(scenarioFlags(),
		&cli.IntFlag{Name: "replicates", Aliases: []string{"n"}, Usage: "replicates to run (default: the scenario's)", Sources: cli.EnvVars("P53EVO_REPLICATES")},
		&cli.Uint64Flag{Name: "seed", Usage: "random seed (default: the scenario's)", Sources: cli.EnvVars("P53EVO_SEED")},
		&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "goroutines running replicates (default: all cores)", Sources: cli.EnvVars("P53EVO_WORKERS")},
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "p53evo-out", Usage: "dataset directory", Sources: cli.EnvVars("P53EVO_OUT")},
		&cli.BoolFlag{Name: "force", Usage: "replace an existing dataset in --out"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print no summary"},
	)
	flags = append(flags, tableFlags()...)
	return &cli.Command{
		Name:  "run",
		Usage: "simulate a scenario's replicates and write a dataset (Arrow IPC or Parquet tables)",
		Description: "Runs every replicate of a scenario on a pool of workers and writes the tables\n" +
			"(" + strings.Join(dataset.Tables, ", ") + ") as Arrow IPC files (.arrow) or, with\n" +
			"--format parquet, Parquet files (.parquet), plus manifest.json, to --out. The tables appear\n" +
			"only when the run completes; an interrupted run leaves no dataset. Results depend only on\n" +
			"scenario, seed and replicate number, not on --workers.\n\n" +
			"Examples:\n   p53evo run\n   p53evo run -s untreated -n 50 -o untreated-out\n" +
			"   p53evo run -s my-scenario.yaml --set treatment.phases[0].doses.rezatapopt=1150 --seed 7",
		Flags: flags,
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Present() {
				return usagef("run takes no arguments (got %q); name the scenario with --scenario", cmd.Args().First())
			}
			s, err := loadScenario(cmd)
			if err != nil {
				return err
			}
			if cmd.IsSet("replicates") {
				if err := scenarios.Set(s, "replicates", fmt.Sprint(cmd.Int("replicates"))); err != nil {
					return usagef("--replicates: %w", err)
				}
			}
			if cmd.IsSet("seed") {
				if err := scenarios.Set(s, "seed", fmt.Sprint(cmd.Uint64("seed"))); err != nil {
					return usagef("--seed: %w", err)
				}
			}
			cfg, err := scenarios.Resolve(s)
			if err != nil {
				return usageError{err}
			}
			resolved, err := scenarios.Marshal(s)
			if err != nil {
				return err
			}
			n := s.ReplicateCount()
			workers := cmd.Int("workers")
			if workers < 0 {
				return usagef("--workers %d: must be >= 1 (or 0 for all cores)", workers)
			}
			if workers == 0 {
				workers = runtime.GOMAXPROCS(0)
			}
			return runScenario(ctx, cmd, s.Name, cfg, resolved, n, workers)
		},
	}
}

func runScenario(ctx context.Context, cmd *cli.Command, name string, cfg sim.Config, resolved []byte, n, workers int) error {
	out := cmd.String("out")
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	if strings.TrimSpace(out) == "" {
		return usagef("--out is empty: name the dataset directory (default p53evo-out)")
	}
	format, codec, err := tableOptions(cmd)
	if err != nil {
		return err
	}
	opts := []dataset.Option{dataset.WithGuard(refuseSweepDir), dataset.WithFormat(format), dataset.WithCompression(codec)}
	if cmd.Bool("force") {
		opts = append(opts, dataset.WithForce())
	}
	if w := sim.CostWarning(&cfg); w != "" {
		fmt.Fprintln(stderr, "p53evo: warning:", w)
	}
	host, _ := os.Hostname()
	meta := dataset.SimMeta(dataset.Meta{
		Version: version, Commit: commit, ScenarioName: name,
		Seed: cfg.Seed, First: 0, Count: n, Workers: workers,
		Extra: map[string]string{"host": host},
	}, &cfg, resolved)
	kept := "no dataset written to " + out
	if cmd.Bool("force") {
		kept = "the dataset in " + out + " is unchanged"
	}
	bar := newProgress(stderr, name)
	bar.update(0, n)
	start := time.Now()
	err = dataset.Simulate(ctx, out, meta, &cfg, sim.RunOptions{Count: n, Workers: workers, Progress: bar.update, Step: bar.step}, opts...)
	bar.finish()
	switch {
	case errors.Is(err, dataset.ErrBusy):
		return failure{err.Error()}
	case errors.Is(err, dataset.ErrCreate):
		return usagef("%v", err)
	case err != nil && (ctx.Err() != nil || errors.Is(err, context.Canceled)):
		return failure{fmt.Sprintf("interrupted: %s", kept)}
	case err != nil:
		return fmt.Errorf("%w (%s)", err, kept)
	}
	elapsed := time.Since(start)
	if cmd.Bool("quiet") {
		return nil
	}
	d, err := dataset.Open(out)
	if err != nil {
		return err
	}
	runs, err := d.Runs()
	if err != nil {
		return err
	}
	arm, err := analysis.Summarize(name, runs)
	if err != nil {
		return err
	}
	arm.WriteText(stdout)
	fmt.Fprintf(stdout, "  dataset: %s (%d replicates in %s on %s)\n", out, n, elapsed.Round(10*time.Millisecond), plural(workers, "worker"))
	return nil
}

// refuseSweepDir is run's guard (called under the directory's lock): a
// sweep directory is not replaced by a run's dataset, nor mixed with one.
func refuseSweepDir(dir string) error {
	if what := sweepMarker(dir); what != "" {
		return usagef("%s is a sweep directory (it holds %s); 'p53evo run' writes run datasets only: choose another --out", dir, what)
	}
	return nil
}

// sweepMarker names the first entry of dir that belongs to a sweep, or "".
func sweepMarker(dir string) string {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		switch n := e.Name(); {
		case n == sweep.PlanFile, n == sweep.PointsFile(dataset.Arrow), n == sweep.PointsFile(dataset.Parquet), n == sweep.ShardsDir && e.IsDir(), strings.HasPrefix(n, "point=") && e.IsDir():
			return n
		}
	}
	return ""
}
