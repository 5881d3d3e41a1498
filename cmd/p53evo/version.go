package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/p53evo/p53evo/dataset"
	"github.com/urfave/cli/v3"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:        "version",
		Usage:       "print version, commit, Go version and dataset schema version",
		Description: "Example:\n   p53evo version",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			fmt.Fprintf(cmd.Root().Writer, "p53evo %s\ncommit %s\n%s %s/%s\ndataset schema %d\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, dataset.SchemaVersion)
			return nil
		},
	}
}
