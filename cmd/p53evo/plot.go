package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/p53evo/p53evo/analysis"
	"github.com/p53evo/p53evo/dataset"
	"github.com/urfave/cli/v3"
)

var plotKinds = []string{"km", "muller", "burden", "vaf", "waterfall", "spider", "plasma-tissue", "section"}

func plotCommand() *cli.Command {
	return &cli.Command{
		Name:      "plot",
		Usage:     "draw Kaplan-Meier curves, Muller plots, burden or ctDNA over time, trial waterfalls and spider plots (PNG, SVG, PDF)",
		ArgsUsage: "DIR [DIR...]",
		Description: "The format follows the extension of --out (.png, .svg or .pdf). Time is in months since\n" +
			"the start of treatment (negative: growth before detection).\n\n" +
			"Kinds:\n" +
			"   km      Kaplan-Meier curves of --endpoint, one per DIR (arm), with censoring ticks, 95%\n" +
			"           bands, medians and, for two or more arms, the log-rank p in the title.\n" +
			"   muller  Muller (fish) plot of one replicate of one DIR: clones as bands nested in\n" +
			"           their parent's, coloured by class (sensitive grey-blue, ta-loss red, pocket\n" +
			"           orange). Clone curves are RECONSTRUCTED from each clone's birth, peak and\n" +
			"           extinction and rescaled to the class totals of the trajectory. Clades whose\n" +
			"           frequency stays below --min-freq are merged into their parent. --absolute: cell\n" +
			"           counts on a log axis.\n" +
			"   burden  cells (total and by class, log axis) of one replicate with RECIST thresholds and\n" +
			"           scans, or without --replicate the median and 10-90% range of all replicates.\n" +
			"   vaf     ctDNA variant allele fractions (needs a scenario with observe.ctdna): one\n" +
			"           replicate, or without --replicate the median by class.\n" +
			"   waterfall  virtual trial patients (a scenario with a patient section): each patient's\n" +
			"           best % change of the sum of target diameters, sorted, coloured by best overall\n" +
			"           response, with the -30% and +20% lines.\n" +
			"   spider  virtual trial patients: the % change of the sum of target diameters at every\n" +
			"           scan up to progression, one line per patient.\n" +
			"   plasma-tissue  one virtual trial patient (--replicate; default the one with the most SNVs\n" +
			"           called by both): plasma VAF of each resistance SNV called in plasma over time,\n" +
			"           the tumour fraction (Y220C marker), and the SNVs each tissue biopsy called\n" +
			"           (triangles at the biopsy time, labelled by lesion; needs patient.biopsy).\n" +
			"   section lattice or deme tumours (engine.space: lattice or demes with observe.snapshot):\n" +
			"           the sites of one replicate (in 3D the z slice holding the most cells) coloured by\n" +
			"           class (--by clone: shades of the class per clone; a deme takes its majority\n" +
			"           class, or its largest clone), one panel per snapshot side by side\n" +
			"           on the same sites (--time picks them, e.g. treatment_start,progression); without\n" +
			"           --replicate the first with a progression snapshot; .png or .svg.\n" +
			"Treatment phases are shaded. muller shows, without --replicate, the first replicate that\n" +
			"progressed.\n\n" +
			"Examples:\n   p53evo plot full-dose reduced-dose --kind km --out km.png\n" +
			"   p53evo plot p53evo-out --kind muller --replicate 3 --out muller.svg\n" +
			"   p53evo plot p53evo-out --kind muller --absolute --min-freq 0.001 --out muller-abs.pdf\n" +
			"   p53evo plot p53evo-out --kind burden --out burden.png\n" +
			"   p53evo plot p53evo-out --kind km --endpoint first-resistant --out first.png\n" +
			"   p53evo plot trial-out --kind waterfall --out waterfall.png\n" +
			"   p53evo plot trial-out --kind plasma-tissue --replicate 7 --out pt.png\n" +
			"   p53evo plot lattice-out --kind section --time treatment_start,progression --out section.png",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "kind", Aliases: []string{"k"}, Value: "km", Usage: "plot kind: " + strings.Join(plotKinds, ", ")},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output FILE; its extension (.png, .svg, .pdf) picks the format", Sources: cli.EnvVars("P53EVO_PLOT_OUT")},
			&cli.IntFlag{Name: "replicate", Aliases: []string{"r"}, Usage: "replicate to draw (muller, burden, vaf)", DefaultText: "muller: the first that progressed; burden, vaf: all replicates summarised"},
			&cli.BoolFlag{Name: "absolute", Usage: "muller: cell counts on a log axis instead of frequencies"},
			&cli.Float64Flag{Name: "min-freq", Value: 0.01, Usage: "muller: merge clades whose frequency stays below this into their parent"},
			&cli.Float64Flag{Name: "from", Usage: "muller, burden: start the time axis at this many months (negative: before treatment)", DefaultText: "muller: shortly before treatment or the first subclone at 1%; burden: the whole record"},
			endpointFlag(),
			&cli.StringFlag{Name: "time", Usage: "section: the snapshots to draw, comma-separated: treatment_start, progression, end or day numbers", DefaultText: "every snapshot of the replicate"},
			&cli.StringFlag{Name: "by", Value: analysis.SectionByClass, Usage: "section: colour cells by class or clone"},
			&cli.IntFlag{Name: "scale", Usage: "section: pixels per lattice site", DefaultText: "as large as fits, 1 to 8"},
		},
		Action: plotAction,
	}
}

// plotAction checks the flags and draws the plot of the kind asked for.
func plotAction(ctx context.Context, cmd *cli.Command) error {
	kind := cmd.String("kind")
	if !slices.Contains(plotKinds, kind) {
		return usagef("--kind %q: allowed %s", kind, strings.Join(plotKinds, ", "))
	}
	if !cmd.Args().Present() {
		return usagef("plot needs a dataset DIR (km: one per arm), e.g. 'p53evo plot p53evo-out --kind %s --out %s.png'", kind, kind)
	}
	out := cmd.String("out")
	if out == "" {
		return usagef("--out FILE is required; its extension picks the format (allowed: .png, .svg, .pdf)")
	}
	if _, err := analysis.FormatOf(out); err != nil {
		return usagef("--out %v", err)
	}
	if kind == "section" {
		return plotSection(ctx, cmd, out)
	}
	for _, f := range []string{"time", "by", "scale"} {
		if cmd.IsSet(f) {
			return usagef("--%s applies to --kind section, not %s", f, kind)
		}
	}
	e, err := parseEndpoint(cmd)
	if err != nil {
		return err
	}
	mf := cmd.Float64("min-freq")
	if !(mf >= 0 && mf < 1) {
		return usagef("--min-freq %v: must be in [0, 1)", mf)
	}
	rep := -1
	if cmd.IsSet("replicate") {
		if rep = int(cmd.Int("replicate")); rep < 0 {
			return usagef("--replicate %d: must be >= 0", rep)
		}
	}
	from := math.NaN()
	if cmd.IsSet("from") {
		m := cmd.Float64("from")
		if kind != "muller" && kind != "burden" {
			return usagef("--from applies to --kind muller and burden, not %s", kind)
		}
		if !(m >= -maxFromMonths && m <= maxFromMonths) {
			return usagef("--from %v: must be a number of months from -%d to %d (negative: before treatment)", m, maxFromMonths, maxFromMonths)
		}
		from = m * analysis.DaysPerMonth
	}
	dirs := cmd.Args().Slice()
	if kind != "km" && len(dirs) != 1 {
		return usagef("--kind %s draws one dataset, got %d DIRs (only km compares arms)", kind, len(dirs))
	}
	var fig *analysis.Figure
	switch kind {
	case "km":
		arms, err := loadArms(ctx, dirs)
		if err != nil {
			return err
		}
		fig, err = analysis.PlotKM(arms, e)
		if errors.Is(err, analysis.ErrNoCtDNA) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
	default:
		fig, err = plotOne(ctx, kind, dirs[0], rep, mf, from, cmd.Bool("absolute"))
		if err != nil {
			return err
		}
	}
	if err := fig.Save(out); err != nil {
		return err
	}
	fmt.Fprintf(cmd.Root().Writer, "wrote %s\n", out)
	return nil
}

// plotOne draws the single-dataset kinds.
func plotOne(ctx context.Context, kind, dir string, rep int, minFreq, from float64, absolute bool) (*analysis.Figure, error) {
	d, err := openDataset(ctx, dir)
	if err != nil {
		return nil, err
	}
	arm, err := analysis.LoadArm(d, "")
	if err != nil {
		return nil, err
	}
	if kind == "waterfall" || kind == "spider" || kind == "plasma-tissue" {
		return plotTrial(d, kind, arm, rep)
	}
	runs := arm.Runs
	if rep >= 0 {
		if _, err := analysis.FindRun(runs, rep); err != nil {
			return nil, usagef("--replicate: %v", err)
		}
	}
	var ctdna []analysis.VAFRow
	if kind == "vaf" { // fail early, before reading anything else
		ctdna, err = analysis.LoadCtDNA(d)
		if errors.Is(err, analysis.ErrNoCtDNATable) {
			return nil, usageError{err}
		}
		if err != nil {
			return nil, err
		}
	}
	sch, err := analysis.LoadSchedule(d)
	if err != nil {
		return nil, err
	}
	traj, err := d.Trajectories()
	if err != nil {
		return nil, err
	}
	// The phases to shade: the replicate's, or those of most replicates.
	phases := func(rep int) []analysis.Phase {
		if rep >= 0 {
			return sch.Replicate(rep)
		}
		return sch.Majority(traj)
	}
	switch kind {
	case "muller":
		if rep < 0 {
			if rep, err = analysis.DefaultReplicate(runs); err != nil {
				return nil, err
			}
		}
		clones, err := d.Clones()
		if err != nil {
			return nil, err
		}
		m, err := analysis.ReconstructMuller(rep, clones, traj, minFreq)
		if err != nil {
			return nil, err
		}
		run, _ := analysis.FindRun(runs, rep)
		return analysis.PlotMuller(m, analysis.MullerOptions{
			Arm: arm.Name, Absolute: absolute, Phases: phases(rep), FromDays: from,
			Outcome: analysis.Outcome(run), ProgressionDays: run.TTP,
		})
	case "burden":
		events, err := d.Events()
		if err != nil {
			return nil, err
		}
		return analysis.PlotBurden(runs, traj, events, analysis.BurdenOptions{Arm: arm.Name, Replicate: rep, Phases: phases(rep), FromDays: from})
	case "vaf":
		return analysis.PlotVAF(runs, ctdna, analysis.VAFOptions{Arm: arm.Name, Replicate: rep, Phases: phases(rep)})
	}
	return nil, usagef("--kind %q: allowed %s", kind, strings.Join(plotKinds, ", "))
}

// maxFromMonths bounds plot --from: a century either side of treatment
// start, beyond any simulated record.
const maxFromMonths = 1200

// plotTrial draws the figures of virtual trial patients.
func plotTrial(d *dataset.Dataset, kind string, arm analysis.ArmData, rep int) (*analysis.Figure, error) {
	if rep >= 0 && kind != "plasma-tissue" {
		return nil, usagef("--replicate applies to muller, burden, vaf and plasma-tissue; --kind %s draws every patient", kind)
	}
	if !arm.HasPatients() {
		return nil, usageError{fmt.Errorf("%s: --kind %s: %w", d.Dir(), kind, analysis.ErrNoPatients)}
	}
	if kind == "plasma-tissue" {
		if rep >= 0 && !slices.ContainsFunc(arm.Patients, func(p dataset.PatientRow) bool { return p.Replicate == rep }) {
			return nil, usagef("--replicate %d: no such patient in %s (%d patients)", rep, d.Dir(), len(arm.Patients))
		}
		ct, err := d.CTDNA()
		if err != nil {
			return nil, err
		}
		bx, err := d.Biopsies()
		if err != nil {
			return nil, err
		}
		fig, err := analysis.PlotPlasmaTissue(arm.Patients, ct, bx, rep, arm.Name)
		if errors.Is(err, analysis.ErrNoCalls) {
			return nil, usageError{err}
		}
		return fig, err
	}
	if kind == "waterfall" {
		return analysis.PlotWaterfall(arm.Patients, arm.Name)
	}
	scans, err := d.Scans()
	if err != nil {
		return nil, err
	}
	return analysis.PlotSpider(arm.Patients, scans, arm.Name)
}
