package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/p53evo/p53evo/scenarios"
	"github.com/p53evo/p53evo/sweep"
	"github.com/urfave/cli/v3"
)

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:  "sweep",
		Usage: "run scenario sweeps: points on axes, sharded, resumable, on SLURM job arrays",
		Description: "A sweep file names a base scenario and axes; their cartesian product gives the points,\n" +
			"each run with its own seed and written under DIR/point=<id>/. Work units (a point's batch of\n" +
			"replicates) are split over shards (--shard i/n or a SLURM array); a rerun skips finished\n" +
			"units. See `go doc github.com/p53evo/p53evo/sweep` and deploy/slurm/README.md.\n\n" +
			"Examples:\n   p53evo sweep plan examples/dose.yaml\n   p53evo sweep run examples/dose-small.yaml --out dose-out\n" +
			"   p53evo sweep run examples/dose-small.yaml --out dose-out --shard 2/8 --format parquet\n   p53evo sweep status dose-out\n   p53evo sweep merge dose-out",
		Commands: []*cli.Command{sweepPlanCommand(), sweepPointCommand(), sweepRunCommand(), sweepStatusCommand(), sweepMergeCommand()},
	}
}

// loadPlan reads and checks a sweep file; every problem is a usage error.
func loadPlan(cmd *cli.Command, what string) (*sweep.Plan, error) {
	if cmd.Args().Len() != 1 {
		return nil, usagef("%s needs exactly one sweep FILE (got %d arguments)", what, cmd.Args().Len())
	}
	spec, err := sweep.LoadSpec(cmd.Args().First())
	if err != nil {
		return nil, usageError{err}
	}
	p, err := sweep.NewPlan(spec)
	if err != nil {
		return nil, usageError{err}
	}
	return p, nil
}

func sweepPlanCommand() *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "list a sweep's points without running anything",
		ArgsUsage: "FILE",
		Description: "Checks the sweep file (every axis value is applied to the base scenario) and prints the\n" +
			"number of points and units, then one line per point: its id, seed and varied values.\n\n" +
			"Example:\n   p53evo sweep plan dose.yaml",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			p, err := loadPlan(cmd, "plan")
			if err != nil {
				return err
			}
			w := cmd.Root().Writer
			fmt.Fprintf(w, "sweep %s: base %s, seed %d\n", p.Name, p.Spec.Base, p.Spec.Seed)
			unit := fmt.Sprintf("%d replicates", min(p.Batch, p.Replicates))
			if p.Replicates%p.Batch != 0 && p.Replicates > p.Batch {
				unit = fmt.Sprintf("up to %d replicates", p.Batch)
			}
			fmt.Fprintf(w, "%d points x %d replicates = %d replicates, in %d units of %s\n",
				len(p.Points), p.Replicates, len(p.Points)*p.Replicates, p.NumUnits(), unit)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprint(tw, "index\tpoint\tseed")
			for _, c := range p.Columns {
				fmt.Fprint(tw, "\t", c)
			}
			fmt.Fprintln(tw)
			for _, pt := range p.Points {
				fmt.Fprintf(tw, "%d\t%s\t%d", pt.Index, pt.ID, pt.Seed)
				for _, v := range pt.Values {
					fmt.Fprint(tw, "\t", v)
				}
				fmt.Fprintln(tw)
			}
			return tw.Flush()
		},
	}
}

func sweepPointCommand() *cli.Command {
	return &cli.Command{
		Name:      "point",
		Usage:     "print one point's scenario (with its seed) as YAML",
		ArgsUsage: "FILE ID",
		Description: "`p53evo run -s` of the output gives the point's results: replicate r of the sweep's point\n" +
			"is replicate r of that run. ID may be a unique prefix (the leading p may be left out).\n\n" +
			"Example:\n   p53evo sweep point examples/dose.yaml p3fa2c1 > point.yaml && p53evo run -s point.yaml",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 2 {
				return usagef("point needs a sweep FILE and a point ID (got %d arguments)", cmd.Args().Len())
			}
			spec, err := sweep.LoadSpec(cmd.Args().Get(0))
			if err != nil {
				return usageError{err}
			}
			p, err := sweep.NewPlan(spec)
			if err != nil {
				return usageError{err}
			}
			id := cmd.Args().Get(1)
			i := p.PointByID(id)
			if i < 0 {
				return usagef("no point %q in %s (or the prefix is not unique); `p53evo sweep plan %s` lists them", id, spec.File, spec.File)
			}
			s, err := p.Scenario(i)
			if err != nil {
				return err
			}
			b, err := scenarios.Marshal(s)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.Root().Writer, "# point %s of sweep %s (`p53evo run -s` of this file reproduces it)\n", p.Points[i].ID, p.Name)
			_, err = cmd.Root().Writer.Write(b)
			return err
		},
	}
}

// parseShard reads --shard: "i/n" (0 <= i < n) or "slurm" (the array task
// of a SLURM job array, which must be --array=0-(n-1)).
func parseShard(v string, getenv func(string) string) (i, n int, extra map[string]string, err error) {
	if v == "" {
		return 0, 1, nil, nil
	}
	if v == "slurm" {
		return slurmShard(getenv)
	}
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, nil, usagef("--shard %q: want i/n (shard i of n, 0 <= i < n, e.g. 0/4) or slurm", v)
	}
	if n < 1 || i < 0 || i >= n {
		return 0, 0, nil, usagef("--shard %s: want 0 <= i < n (shards are numbered from 0: 0/%d to %d/%d)", v, max(n, 1), max(n, 1)-1, max(n, 1))
	}
	return i, n, nil, nil
}

func slurmShard(getenv func(string) string) (i, n int, extra map[string]string, err error) {
	num := func(name string) (int, bool, error) {
		s := getenv(name)
		if s == "" {
			return 0, false, nil
		}
		x, err := strconv.Atoi(s)
		if err != nil {
			return 0, true, usagef("--shard slurm: %s=%q is not a whole number", name, s)
		}
		return x, true, nil
	}
	id, okID, err := num("SLURM_ARRAY_TASK_ID")
	if err != nil {
		return 0, 0, nil, err
	}
	count, okCount, err := num("SLURM_ARRAY_TASK_COUNT")
	if err != nil {
		return 0, 0, nil, err
	}
	if !okID || !okCount {
		return 0, 0, nil, usagef("--shard slurm: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set: submit a job array (sbatch --array=0-N), or give --shard i/n")
	}
	lo, okLo, err := num("SLURM_ARRAY_TASK_MIN")
	if err != nil {
		return 0, 0, nil, err
	}
	hi, okHi, err := num("SLURM_ARRAY_TASK_MAX")
	if err != nil {
		return 0, 0, nil, err
	}
	step, okStep, err := num("SLURM_ARRAY_TASK_STEP")
	if err != nil {
		return 0, 0, nil, err
	}
	if (okLo && lo != 0) || (okStep && step != 1) || (okHi && hi != count-1) {
		return 0, 0, nil, usagef("--shard slurm: the array must be --array=0-%d (contiguous from 0, step 1); this one has min %s, max %s, step %s and %d tasks",
			count-1, getenv("SLURM_ARRAY_TASK_MIN"), getenv("SLURM_ARRAY_TASK_MAX"), getenv("SLURM_ARRAY_TASK_STEP"), count)
	}
	if count < 1 || id < 0 || id >= count {
		return 0, 0, nil, usagef("--shard slurm: SLURM_ARRAY_TASK_ID=%d is not in 0..%d (SLURM_ARRAY_TASK_COUNT=%d)", id, count-1, count)
	}
	extra = map[string]string{}
	if j := getenv("SLURM_ARRAY_JOB_ID"); j != "" {
		extra["slurm_job"] = j + "_" + strconv.Itoa(id)
	}
	if j := getenv("SLURM_JOB_ID"); j != "" {
		extra["slurm_job_id"] = j
	}
	return id, count, extra, nil
}

func sweepRunCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run a sweep, or one shard of it, into a directory; reruns resume",
		ArgsUsage: "FILE",
		Description: "Work units (a point's batch of replicates, in a fixed global order) are split over shards\n" +
			"round robin: shard i of n runs units k with k mod n = i. Each unit is written to\n" +
			"DIR/point=<id>/reps-<first>-<last>/ and appears only when complete, so a rerun of the same\n" +
			"command skips complete units (after checking their SHA-256) and redoes interrupted ones; a\n" +
			"broken unit (no manifest, tampered tables) is moved to DIR/.quarantine/ and redone. One\n" +
			"process writes a unit at a time: units another process is writing are left to it (exit\n" +
			"status 1 if the shard is then incomplete). SIGINT, SIGTERM and SIGUSR1 stop\n" +
			"gracefully (the units in flight are abandoned) with exit status 0. --shard slurm takes the\n" +
			"shard from SLURM_ARRAY_TASK_ID/COUNT and GOMAXPROCS from SLURM_CPUS_PER_TASK.\n\n" +
			"Examples:\n   p53evo sweep run dose.yaml --out dose-out\n   p53evo sweep run dose.yaml --out dose-out --shard 0/4 --workers 2\n" +
			"   exec p53evo sweep run dose.yaml --out dose-out --shard slurm     # in an sbatch --array=0-3 script",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "sweep directory (required)", Sources: cli.EnvVars("P53EVO_SWEEP_OUT")},
			&cli.StringFlag{Name: "shard", Usage: "i/n: run shard i of n (0 <= i < n); slurm: the SLURM array task", Sources: cli.EnvVars("P53EVO_SHARD")},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "units simulated at once (default: all cores, or SLURM_CPUS_PER_TASK)", Sources: cli.EnvVars("P53EVO_WORKERS")},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing when the shard completes"},
			tableFlags()[0], tableFlags()[1],
		},
		Action: sweepRunAction,
	}
}

// sweepRunAction plans the sweep and runs this shard's units into --out.
func sweepRunAction(ctx context.Context, cmd *cli.Command) error {
	// SIGINT and SIGTERM cancel ctx (realMain); SIGUSR1 is SLURM's
	// warning before the time limit (#SBATCH --signal=B:USR1@300).
	// Caught from the start: its default action would kill.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGUSR1)
	defer stop()
	stdout, stderr := cmd.Root().Writer, cmd.Root().ErrWriter
	out := cmd.String("out")
	if out == "" {
		return usagef("sweep run needs --out DIR")
	}
	shard, shards, extra, err := parseShard(cmd.String("shard"), os.Getenv)
	if err != nil {
		return err
	}
	if cmd.String("shard") == "slurm" {
		if c := os.Getenv("SLURM_CPUS_PER_TASK"); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 {
				return usagef("--shard slurm: SLURM_CPUS_PER_TASK=%q is not a positive whole number", c)
			}
			runtime.GOMAXPROCS(n)
		}
	}
	workers := cmd.Int("workers")
	if workers < 0 {
		return usagef("--workers %d: must be >= 1 (or 0 for all cores)", workers)
	}
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p, err := loadPlan(cmd, "sweep run")
	if err != nil {
		return err
	}
	if p.Format, p.Compression, err = tableOptions(cmd); err != nil {
		return err
	}
	if err := p.Prepare(out); err != nil {
		return usageError{err}
	}
	label := p.Name
	if shards > 1 {
		label = fmt.Sprintf("%s %d/%d", p.Name, shard, shards)
	}
	bar := newProgress(stderr, label)
	rep, err := sweep.Run(ctx, p, out, sweep.Options{
		Shard: shard, Shards: shards, Workers: workers, Progress: bar.update,
		Version: version, Commit: commit, Extra: extra,
	})
	bar.finish()
	for _, q := range rep.Quarantined {
		fmt.Fprintf(stderr, "p53evo: set aside a broken unit and redid it: %s\n", q)
	}
	if errors.Is(err, sweep.ErrBusy) {
		return failure{fmt.Sprintf("sweep %s, shard %d/%d: %v", p.Name, shard, shards, err)}
	}
	if errors.Is(err, sweep.ErrStopped) {
		fmt.Fprintf(stderr, "stopped: %d of %d units done in this shard; rerun to resume\n", rep.Done, rep.Units)
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweep %s, shard %d/%d: %w (%d of %d units done; rerun to resume)", p.Name, shard, shards, err, rep.Done, rep.Units)
	}
	if !cmd.Bool("quiet") {
		fmt.Fprintf(stdout, "sweep %s, shard %d/%d: %d units complete (%d already done, %d run: %d replicates in %s on %s)\n",
			p.Name, shard, shards, rep.Done, rep.Skipped, rep.Ran, rep.Replicates, rep.Elapsed.Round(10*time.Millisecond), plural(workers, "worker"))
	}
	return nil
}

func sweepStatusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show which work units of a sweep directory are complete, per shard",
		ArgsUsage: "DIR",
		Description: "Reads DIR/sweep.json, the unit directories and the shard manifests (DIR/shards/). The split\n" +
			"into shards is that of the latest shard run unless --shards is given. Units whose directory\n" +
			"is not their complete dataset (no manifest, wrong sizes, another seed or range, or, with\n" +
			"--verify, a SHA-256 that differs) are listed as broken. Exit status 0 whether or not the\n" +
			"sweep is complete; with --verify, 1 if anything is broken.\n\n" +
			"Examples:\n   p53evo sweep status dose-out\n   p53evo sweep status dose-out --shards 8",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "shards", Usage: "show the split into this many shards"},
			&cli.BoolFlag{Name: "verify", Usage: "check the SHA-256 of every table against its manifest (reads every file); exit status 1 if any unit is broken"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("status needs exactly one sweep DIR")
			}
			if cmd.Int("shards") < 0 {
				return usagef("--shards %d: must be >= 1", cmd.Int("shards"))
			}
			r, err := sweep.StatusOf(cmd.Args().First(), sweep.StatusOptions{Shards: cmd.Int("shards"), Verify: cmd.Bool("verify"), Context: ctx})
			if ctx.Err() != nil {
				return failure{"interrupted"}
			}
			if err != nil {
				return usageError{err}
			}
			r.Write(cmd.Root().Writer)
			if cmd.Bool("verify") && len(r.Broken) > 0 {
				return failure{fmt.Sprintf("%d broken units or points in %s; `p53evo sweep run` with the same sweep file sets them aside and redoes them", len(r.Broken), r.Dir)}
			}
			return nil
		},
	}
}

func sweepMergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "compact each point's units into one dataset, verifying every hash",
		ArgsUsage: "DIR",
		Description: "For every point whose units are all complete, writes DIR/point=<id>/<table>.arrow (or\n" +
			".parquet, as the sweep was run) and\n" +
			"manifest.json (a dataset that `p53evo export` and `dataset.Open` read) and removes the unit\n" +
			"directories. Table files are byte-identical however the sweep was sharded. Points with\n" +
			"missing units are left alone and the exit status is 1; merging again after the missing\n" +
			"shards ran finishes the job.\n\n" +
			"Example:\n   p53evo sweep merge dose-out",
		Flags: []cli.Flag{&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Usage: "points merged at once (default: all cores)", Sources: cli.EnvVars("P53EVO_WORKERS")}},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("merge needs exactly one sweep DIR")
			}
			dir := cmd.Args().First()
			if _, err := sweep.Open(dir); err != nil {
				return usageError{err}
			}
			rep, err := sweep.Merge(dir, sweep.MergeOptions{Workers: cmd.Int("workers"), Version: version, Commit: commit})
			fmt.Fprintf(cmd.Root().Writer, "merged %d points (%d already merged, %d incomplete) of %d in %s\n", rep.Merged, rep.Already, rep.Incomplete, rep.Points, dir)
			return err
		},
	}
}
