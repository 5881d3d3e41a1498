package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/p53evo/p53evo/scenarios"
	"github.com/urfave/cli/v3"
)

func scenariosCommand() *cli.Command {
	return &cli.Command{
		Name:  "scenarios",
		Usage: "list, show and check scenario files",
		Description: "Examples:\n   p53evo scenarios list\n   p53evo scenarios show rezatapopt-continuous\n" +
			"   p53evo scenarios show my.yaml --set growth.death=0.12\n   p53evo scenarios validate a.yaml b.yaml",
		Commands: []*cli.Command{
			{
				Name:        "list",
				Usage:       "list the scenarios built into p53evo",
				Description: "Example:\n   p53evo scenarios list",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					tw := tabwriter.NewWriter(cmd.Root().Writer, 0, 0, 2, ' ', 0)
					for _, i := range scenarios.List() {
						fmt.Fprintf(tw, "%s\t%s\n", i.Name, i.Description)
					}
					return tw.Flush()
				},
			},
			{
				Name:      "show",
				Usage:     "print a scenario fully resolved (every default filled in) as YAML",
				ArgsUsage: "NAME|FILE",
				Description: "The output loads back to the same scenario, so it is a good start for your own file.\n\n" +
					"Examples:\n   p53evo scenarios show untreated > mine.yaml\n   p53evo scenarios show rezatapopt-continuous --set alleles.copies=2",
				Flags: []cli.Flag{&cli.StringSliceFlag{Name: "set", Usage: "override a field, e.g. --set growth.birth=0.2 (repeatable)"}},
				Action: func(ctx context.Context, cmd *cli.Command) error {
					name := scenarios.DefaultName
					if cmd.Args().Len() > 1 {
						return usagef("show takes one scenario, got %d", cmd.Args().Len())
					}
					if cmd.Args().Present() {
						name = cmd.Args().First()
					}
					s, err := scenarios.Open(name)
					if err != nil {
						return usageError{err}
					}
					if err := applySets(s, cmd.StringSlice("set")); err != nil {
						return err
					}
					b, err := scenarios.Marshal(s)
					if err != nil {
						return usageError{err}
					}
					_, err = cmd.Root().Writer.Write(b)
					return err
				},
			},
			{
				Name:        "validate",
				Usage:       "check scenario files without running them (the engine against theory: 'p53evo validate')",
				ArgsUsage:   "FILE...",
				Description: "Prints every problem with file:line:col, the field path and what is allowed; exit status 2 if any.\n\nExample:\n   p53evo scenarios validate my.yaml",
				Action: func(ctx context.Context, cmd *cli.Command) error {
					if !cmd.Args().Present() {
						return usagef("validate needs at least one FILE")
					}
					bad := 0
					for _, f := range cmd.Args().Slice() {
						s, err := scenarios.LoadFile(f)
						if err == nil {
							_, err = scenarios.Resolve(s)
						}
						if err != nil {
							bad++
							fmt.Fprintln(cmd.Root().ErrWriter, err)
							continue
						}
						fmt.Fprintf(cmd.Root().Writer, "%s: ok\n", f)
					}
					if bad > 0 {
						return usagef("%d of %d scenario files have errors", bad, cmd.Args().Len())
					}
					return nil
				},
			},
		},
	}
}

// applySets applies every --set PATH=VALUE and then checks the scenario
// once, so that the order of the --set flags does not matter. The
// scenario's errors already name the --set they came from.
func applySets(s *scenarios.Scenario, kvs []string) error {
	var as []scenarios.Assignment
	for _, kv := range kvs {
		path, val, ok := strings.Cut(kv, "=")
		if !ok || path == "" {
			return usagef("--set %q: want PATH=VALUE, e.g. --set growth.birth=0.2", kv)
		}
		as = append(as, scenarios.Assignment{Path: path, Value: val})
	}
	if err := scenarios.SetAll(s, as); err != nil {
		return usageError{err}
	}
	return nil
}
