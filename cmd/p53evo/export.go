package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/suggest"
	"github.com/p53evo/p53evo/sweep"
	"github.com/urfave/cli/v3"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write one table of a run or a sweep as CSV, JSON lines, Parquet or Arrow",
		ArgsUsage: "DIR",
		Description: "DIR is a run directory or a sweep directory. For a sweep, every complete point's rows are\n" +
			"written in plan order, preceded by the columns point (its id) and one per varied parameter;\n" +
			"incomplete points are left out (and counted on stderr). The dataset's hashes are checked first.\n" +
			"CSV quotes the uint64 columns (stream) so that every digit survives; readers that infer types\n" +
			"need them typed as unsigned 64-bit integers (DuckDB: types = {'stream': 'UBIGINT'}).\n" +
			"Parquet and Arrow go to --out FILE, or to stdout when it is not a terminal.\n\n" +
			"Examples:\n   p53evo export p53evo-out --table runs > runs.csv\n" +
			"   p53evo export p53evo-out --table clones --to json | head\n" +
			"   p53evo export dose-out --table runs --to parquet --out dose-runs.parquet",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "table", Aliases: []string{"t"}, Value: dataset.TableRuns, Usage: "one of " + strings.Join(dataset.Tables, ", ")},
			&cli.StringFlag{Name: "to", Value: dataset.FormatCSV, Usage: "csv, json (one object per line), parquet or arrow"},
			&cli.StringFlag{Name: "compression", Value: string(dataset.Zstd), Usage: "codec for --to parquet or arrow: zstd, lz4 or none"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to FILE (replaced atomically) instead of stdout"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return usagef("export needs exactly one run or sweep DIR (got %d arguments)", cmd.Args().Len())
			}
			table, to := cmd.String("table"), cmd.String("to")
			if !slices.Contains(dataset.Tables, table) {
				return usagef("--table %q: allowed %s%s", table, strings.Join(dataset.Tables, ", "), suggest.Hint(table, dataset.Tables))
			}
			if !slices.Contains(dataset.ExportFormats, to) {
				return usagef("--to %q: allowed %s%s", to, strings.Join(dataset.ExportFormats, ", "), suggest.Hint(to, dataset.ExportFormats))
			}
			codec, err := dataset.ParseCompression(cmd.String("compression"))
			if err != nil {
				return usagef("--compression: %v", err)
			}
			binary := to == dataset.FormatParquet || to == dataset.FormatArrow
			out := cmd.String("out")
			if binary && out == "" && isTerminal(cmd.Root().Writer) {
				return usagef("--to %s writes a binary file: give --out FILE or redirect stdout", to)
			}
			dir := cmd.Args().First()
			parts, incomplete, err := exportParts(dir)
			if err != nil {
				return err
			}
			if incomplete > 0 {
				fmt.Fprintf(cmd.Root().ErrWriter, "p53evo: export: %d incomplete points of %s left out (`p53evo sweep status %s`)\n", incomplete, dir, dir)
			}
			write := func(w io.Writer) error { return dataset.ExportParts(w, table, to, codec, parts) }
			if out == "" {
				return write(cmd.Root().Writer)
			}
			return atomicfile.Write(out, write)
		},
	}
}

// exportParts opens a run directory or a sweep directory for export.
func exportParts(dir string) ([]dataset.Part, int, error) {
	if _, err := os.Stat(filepath.Join(dir, sweep.PlanFile)); err == nil {
		s, err := sweep.Open(dir)
		if err != nil {
			return nil, 0, usageError{err}
		}
		parts, incomplete, err := s.ExportParts()
		if err != nil {
			return nil, 0, err
		}
		if len(parts) == 0 {
			return nil, 0, failure{fmt.Sprintf("%s: no complete point to export (`p53evo sweep status %s`)", dir, dir)}
		}
		return parts, incomplete, nil
	}
	d, err := dataset.Open(dir)
	if errors.Is(err, dataset.ErrIncomplete) {
		return nil, 0, failure{err.Error()}
	}
	if errors.Is(err, dataset.ErrNotDataset) {
		return nil, 0, usageError{err}
	}
	if err != nil {
		return nil, 0, err
	}
	return []dataset.Part{{D: d}}, 0, nil
}
