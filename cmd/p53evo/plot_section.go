package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/p53evo/p53evo/analysis"
	"github.com/urfave/cli/v3"
)

// plotSection draws --kind section: snapshots of one lattice or deme replicate.
func plotSection(ctx context.Context, cmd *cli.Command, out string) error {
	dirs := cmd.Args().Slice()
	if len(dirs) != 1 {
		return usagef("--kind section draws one dataset, got %d DIRs", len(dirs))
	}
	if f, _ := analysis.FormatOf(out); f == "pdf" {
		return usagef("--out %s: --kind section writes .png or .svg", out)
	}
	by := cmd.String("by")
	if by != analysis.SectionByClass && by != analysis.SectionByClone {
		return usagef("--by %q: allowed %s, %s", by, analysis.SectionByClass, analysis.SectionByClone)
	}
	scale := int(cmd.Int("scale"))
	if cmd.IsSet("scale") && (scale < 1 || scale > 64) {
		return usagef("--scale %d: must be 1 to 64 pixels per site", scale)
	}
	for _, f := range []string{"absolute", "min-freq", "from", "endpoint"} {
		if cmd.IsSet(f) {
			return usagef("--%s does not apply to --kind section", f)
		}
	}
	d, err := openDataset(ctx, dirs[0])
	if err != nil {
		return err
	}
	rows, err := d.Snapshots()
	if err != nil {
		return err
	}
	rep := 0
	if cmd.IsSet("replicate") {
		if rep = int(cmd.Int("replicate")); rep < 0 {
			return usagef("--replicate %d: must be >= 0", rep)
		}
	} else if rep, err = analysis.DefaultSectionReplicate(rows); err != nil {
		return usageError{fmt.Errorf("%s: %w", dirs[0], err)}
	}
	var times []string
	if t := cmd.String("time"); t != "" {
		times = strings.Split(t, ",")
	}
	panels, err := analysis.SectionPanels(rows, rep, times)
	if errors.Is(err, analysis.ErrNoSnapshots) {
		return usageError{fmt.Errorf("%s: %w", dirs[0], err)}
	}
	if err != nil {
		return usagef("%s: %v", dirs[0], err)
	}
	title := fmt.Sprintf("%s, replicate %d", d.Manifest().ScenarioName, rep)
	s, err := analysis.DrawSection(title, panels, by, scale)
	if err != nil {
		return err
	}
	if err := analysis.SaveSection(s, out); err != nil {
		return err
	}
	fmt.Fprintf(cmd.Root().Writer, "wrote %s\n", out)
	return nil
}
