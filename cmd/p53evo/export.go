package main

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/p53evo/p53evo/dataset"
	"github.com/urfave/cli/v3"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write one dataset table to stdout as CSV or JSON lines",
		ArgsUsage: "DIR",
		Description: "For tools without an Arrow reader. The dataset's hashes are checked first.\n\n" +
			"Examples:\n   p53evo export p53evo-out --table runs > runs.csv\n   p53evo export p53evo-out --table clones --to json | head",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "table", Aliases: []string{"t"}, Value: dataset.TableRuns, Usage: "one of " + strings.Join(dataset.Tables, ", ")},
			&cli.StringFlag{Name: "to", Value: "csv", Usage: "csv or json (one object per line)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("export needs exactly one dataset DIR")
			}
			if !slices.Contains(dataset.Tables, cmd.String("table")) {
				return usagef("--table %q: allowed %s", cmd.String("table"), strings.Join(dataset.Tables, ", "))
			}
			if to := cmd.String("to"); to != "csv" && to != "json" {
				return usagef("--to %q: allowed csv, json", to)
			}
			err := dataset.Export(cmd.Args().First(), cmd.String("table"), cmd.String("to"), cmd.Root().Writer)
			if errors.Is(err, dataset.ErrIncomplete) {
				return failure{err.Error()}
			}
			if errors.Is(err, dataset.ErrNotDataset) {
				return usageError{err}
			}
			return err
		},
	}
}
