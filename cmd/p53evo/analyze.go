package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/p53evo/p53evo/analysis"
	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/sweep"
	"github.com/urfave/cli/v3"
)

func endpointFlag() cli.Flag {
	return &cli.StringFlag{Name: "endpoint", Aliases: []string{"e"}, Value: string(analysis.EndpointTTP),
		Usage: "time-to-event endpoint: " + analysis.EndpointNames(", "), Sources: cli.EnvVars("P53EVO_ENDPOINT")}
}

// parseEndpoint reads --endpoint.
func parseEndpoint(cmd *cli.Command) (analysis.Endpoint, error) {
	e, err := analysis.ParseEndpoint(cmd.String("endpoint"))
	if err != nil {
		return "", usagef("--endpoint %q: allowed %s", cmd.String("endpoint"), analysis.EndpointNames(", "))
	}
	return e, nil
}

func analyzeCommand() *cli.Command {
	return &cli.Command{
		Name:      "analyze",
		Usage:     "time-to-resistance statistics of one or more arms (run directories)",
		ArgsUsage: "DIR [DIR...]",
		Description: "Each DIR is a finished run (one arm), named by its scenario (by the directory name if\n" +
			"two arms share a scenario). Per arm: replicates, events, censored; the Kaplan-Meier median\n" +
			"with its 95% Brookmeyer-Crowley interval (log-log); the restricted mean (RMST) up to --tau;\n" +
			"survival at 6, 12 and 24 months with Greenwood log-log intervals; progressions by the\n" +
			"dominant class; pre-existing resistance; resistant clones at progression. With two or more\n" +
			"arms: the log-rank test of all arms and the hazard ratio of each arm against the first,\n" +
			"both Peto's one-step log-rank estimate and the Cox (Efron) estimate.\n\n" +
			"Endpoints (days from treatment start; without the event a replicate is censored at its end,\n" +
			"a cured one at the arm's last end time):\n" +
			"   ttp                 progression (RECIST PD at a scan, or the lethal burden)\n" +
			"   resistant-majority  resistant cells first outnumber sensitive ones\n" +
			"   first-resistant     birth of the first recorded resistant clone; a lineage born before\n" +
			"                       treatment (pre-existing) is an event at 0, reported as pre-existing\n" +
			"   ctdna               first ctDNA call (needs a scenario with observe.ctdna)\n\n" +
			"--json prints one object (schema_version 1; times in days, null for not reached or not\n" +
			"estimable). Fields: schema_version, endpoint, endpoint_description, time_unit, days_per_month,\n" +
			"tau_days, tau_source, arms[] {name, source, scenario, replicates, events, censored,\n" +
			"events_at_zero, outcomes{progressed,cured,censored}, max_follow_up_days, median_days,\n" +
			"median_lower_days, median_upper_days, rmst{tau_days,days,se_days},\n" +
			"survival[]{months,days,surv,lower,upper}, progressions_by_class{sensitive,ta_loss,pocket},\n" +
			"preexisting{any,ta_loss,pocket,mean_cells_ta_loss,mean_cells_pocket},\n" +
			"resistant_clones_at_progression{n,median,q1,q3}}, comparison (null for one arm)\n" +
			"{reference, logrank{chi2,df,p,observed[],expected[],error?}, hazard_ratios[]{arm,\n" +
			"peto{method,hr,lower,upper,log_hr,se,error?}, cox{...}}}. See 'go doc\n" +
			"github.com/p53evo/p53evo/analysis Report'.\n\n" +
			"Virtual trial patients (scenarios with a patient section, e.g. trial-rezatapopt-2000) add a\n" +
			"trial report: RECIST best overall response counts, ORR and disease control rate with exact\n" +
			"Clopper-Pearson 95% intervals, PFS and duration of response (Kaplan-Meier medians), ctDNA\n" +
			"lead times, the distinct resistance SNVs plasma and tissue called per patient up to\n" +
			"progression by class, and their concordance SNV by SNV ('trial' in --json). --paired A B compares two arms run on the same patients (the\n" +
			"same --seed, -n and patient section) patient by patient: PFS by the sign test with Gehan's\n" +
			"rule for censored pairs, response by the exact McNemar test ('paired' in --json).\n\n" +
			"A sweep directory (p53evo sweep run --out DIR) gives one row per point, with the varied\n" +
			"parameters as columns.\n\n" +
			"Examples:\n   p53evo analyze p53evo-out\n   p53evo analyze my-sweep-out --json\n" +
			"   p53evo analyze full-dose reduced-dose --endpoint first-resistant\n" +
			"   p53evo analyze full-dose reduced-dose --json --tau 730 | jq '.comparison.hazard_ratios'\n" +
			"   p53evo analyze --paired trial-2000 trial-1150",
		Flags: []cli.Flag{
			endpointFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"},
			&cli.BoolFlag{Name: "paired", Usage: "compare two arms of the same virtual trial patients patient by patient (sign test on PFS, McNemar on response)"},
			&cli.Float64Flag{Name: "tau", Usage: "RMST horizon, days", DefaultText: "the shortest maximum follow-up among the arms", Sources: cli.EnvVars("P53EVO_TAU")},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if !cmd.Args().Present() {
				return usagef("analyze needs at least one dataset DIR (one per arm), e.g. 'p53evo analyze p53evo-out'")
			}
			e, err := parseEndpoint(cmd)
			if err != nil {
				return err
			}
			tau := cmd.Float64("tau")
			if cmd.IsSet("tau") && !(tau > 0 && !math.IsInf(tau, 0)) {
				return usagef("--tau %v: must be a positive number of days", tau)
			}
			paired := cmd.Bool("paired")
			if paired && cmd.Args().Len() != 2 {
				return usagef("--paired compares two arms: give exactly two run directories, not %d", cmd.Args().Len())
			}
			for _, d := range cmd.Args().Slice() {
				if isSweepDir(d) {
					if paired {
						return usagef("%s is a sweep directory: --paired compares two run directories", d)
					}
					if cmd.Args().Len() > 1 {
						return usagef("%s is a sweep directory: analyze takes one sweep at a time (each point is an arm)", d)
					}
					return analyzeSweep(d, e, tau, cmd.Bool("json"), cmd.Root().Writer)
				}
			}
			arms, err := loadArms(ctx, cmd.Args().Slice())
			if err != nil {
				return err
			}
			rep, err := analysis.Analyze(arms, analysis.AnalyzeOptions{Endpoint: e, TauDays: tau, Paired: paired})
			if errors.Is(err, analysis.ErrNoCtDNA) || errors.Is(err, analysis.ErrNotPaired) || errors.Is(err, analysis.ErrNoPatients) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if cmd.Bool("json") {
				return rep.WriteJSON(cmd.Root().Writer)
			}
			return rep.WriteText(cmd.Root().Writer)
		},
	}
}

// openDataset opens a run directory for analyze and plot. A missing or
// non-dataset directory is a usage error; an unfinished run a failure, as
// for export.
func openDataset(ctx context.Context, dir string) (*dataset.Dataset, error) {
	if isSweepDir(dir) {
		return nil, usagef("%s is a sweep directory: this draws one dataset; pass one of its point directories (%s lists them; 'p53evo plot %s --kind km' draws every point)", dir, filepath.Join(dir, "point=<id>"), dir)
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, usagef("%s: no such directory", dir)
	case err != nil:
		return nil, usageError{err}
	case !fi.IsDir():
		return nil, usagef("%s is not a directory (want a run directory written by 'p53evo run')", dir)
	}
	d, err := dataset.Open(dir, dataset.WithContext(ctx))
	if errors.Is(err, dataset.ErrIncomplete) || ctx.Err() != nil {
		return nil, failure{err.Error()}
	}
	if err != nil {
		return nil, usageError{err}
	}
	return d, nil
}

// loadArms reads one arm per directory. Arms are named by their scenario;
// arms whose scenario names clash are named by their directory's base name,
// and by the path as given if those clash too. A sweep directory gives one
// arm per complete point, and a sweep's point directory one arm, named by
// the point's varied values.
func loadArms(ctx context.Context, dirs []string) ([]analysis.ArmData, error) {
	var arms []analysis.ArmData
	for _, dir := range dirs {
		if isSweepDir(dir) {
			as, err := sweepArms(dir)
			if err != nil {
				return nil, err
			}
			arms = append(arms, as...)
			continue
		}
		if s, p, ok := sweepPoint(dir); ok {
			a, err := pointArm(s, p)
			if err != nil {
				return nil, err
			}
			a.Source = dir
			arms = append(arms, a)
			continue
		}
		d, err := openDataset(ctx, dir)
		if err != nil {
			return nil, err
		}
		a, err := analysis.LoadArm(d, "")
		if err != nil {
			return nil, err
		}
		a.Source = dir
		arms = append(arms, a)
	}
	nameArms(arms)
	return arms, nil
}

// pointArm reads a sweep point (merged or not) as an arm named by its
// varied values.
func pointArm(s *sweep.Sweep, p sweep.PointInfo) (analysis.ArmData, error) {
	arm := analysis.ArmData{Name: shortLabel(p, s.Columns()), Source: sweep.PointDir(s.Dir(), p.ID)}
	ds, err := s.Datasets(p.ID)
	if errors.Is(err, sweep.ErrIncomplete) {
		return arm, failure{err.Error()}
	}
	if err != nil {
		return arm, err
	}
	for _, d := range ds {
		a, err := analysis.LoadArm(d, arm.Name)
		if err != nil {
			return arm, err
		}
		arm.Scenario = a.Scenario
		arm.Runs = append(arm.Runs, a.Runs...)
		arm.FirstCtDNACall = append(arm.FirstCtDNACall, a.FirstCtDNACall...)
		arm.Patients = append(arm.Patients, a.Patients...)
		arm.PlasmaCalls = append(arm.PlasmaCalls, a.PlasmaCalls...)
		arm.TissueCalls = append(arm.TissueCalls, a.TissueCalls...)
		arm.CallsRead = a.CallsRead && (arm.CallsRead || len(arm.Patients) == len(a.Patients))
		arm.Seed = a.Seed
	}
	return arm, nil
}

// sweepArms reads every complete point of a sweep as an arm named by its
// varied values.
func sweepArms(dir string) ([]analysis.ArmData, error) {
	s, err := sweep.Open(dir)
	if err != nil {
		return nil, usageError{err}
	}
	var arms []analysis.ArmData
	for _, p := range s.Points() {
		if !s.Complete(p.ID) {
			continue
		}
		arm, err := pointArm(s, p)
		if err != nil {
			return nil, err
		}
		arms = append(arms, arm)
	}
	if len(arms) == 0 {
		return nil, failure{fmt.Sprintf("%s: no complete point yet; run or resume the sweep first", dir)}
	}
	return arms, nil
}

// sweepPoint recognises a sweep's point directory (SWEEP/point=<id>).
func sweepPoint(dir string) (*sweep.Sweep, sweep.PointInfo, bool) {
	id, ok := strings.CutPrefix(filepath.Base(filepath.Clean(dir)), "point=")
	parent := filepath.Dir(filepath.Clean(dir))
	if !ok || !isSweepDir(parent) {
		return nil, sweep.PointInfo{}, false
	}
	s, err := sweep.Open(parent)
	if err != nil {
		return nil, sweep.PointInfo{}, false
	}
	p, ok := s.Point(id)
	return s, p, ok
}

// shortLabel is "name=value ..." for a point, each path shortened to its
// last element when that is unique among the sweep's columns.
func shortLabel(p sweep.PointInfo, columns []string) string {
	if len(p.Params) == 0 {
		return p.ID
	}
	last := func(path string) string { return path[strings.LastIndex(path, ".")+1:] }
	count := map[string]int{}
	for _, c := range columns {
		count[last(c)]++
	}
	parts := make([]string, len(p.Params))
	for i, q := range p.Params {
		name := q.Path
		if count[last(q.Path)] == 1 {
			name = last(q.Path)
		}
		parts[i] = name + "=" + q.Value
	}
	return strings.Join(parts, " ")
}

func nameArms(arms []analysis.ArmData) {
	rename := func(name func(a analysis.ArmData) string) {
		count := map[string]int{}
		for _, a := range arms {
			count[a.Name]++
		}
		for i, a := range arms {
			if count[a.Name] > 1 {
				arms[i].Name = name(a)
			}
		}
	}
	rename(func(a analysis.ArmData) string { return filepath.Base(filepath.Clean(a.Source)) })
	rename(func(a analysis.ArmData) string { return a.Source })
	// Still equal (the same directory twice): number them.
	seen := map[string]int{}
	for i, a := range arms {
		seen[a.Name]++
		if seen[a.Name] > 1 {
			arms[i].Name = fmt.Sprintf("%s (%d)", a.Name, seen[a.Name])
		}
	}
}
