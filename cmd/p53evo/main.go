// Command p53evo simulates how TP53 Y220C tumours become resistant to
// p53-reactivating drugs such as rezatapopt, and writes Arrow datasets for
// time-to-resistance analysis. It is a thin shell over the p53evo packages:
// every command parses flags, calls a library, and prints.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/urfave/cli/v3"
)

// Set at build time by the Makefile (-ldflags "-X main.version=... -X main.commit=...").
var (
	version = "dev"
	commit  = "unknown"
)

// Exit statuses.
const (
	exitFailure = 1 // the work ran and failed (a theory check, a write)
	exitUsage   = 2 // bad flags, arguments or input files: nothing ran
)

// usageError marks a mistake in how p53evo was called or in its input.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// failure is an error with exit status 1 whose message was already printed.
type failure struct{ msg string }

func (f failure) Error() string { return f.msg }

func newApp(stdout, stderr io.Writer) *cli.Command {
	app := &cli.Command{
		Name:    "p53evo",
		Usage:   "simulate resistance of TP53 Y220C tumours to p53 reactivators",
		Version: version + " (" + commit + ")",
		Description: "p53evo evolves tumour cell populations carrying TP53 Y220C under p53-reactivating drugs,\n" +
			"lets them acquire transactivation-loss and pocket-disrupting mutations, and writes Arrow\n" +
			"datasets for time-to-resistance analysis.\n\n" +
			"Example:\n   p53evo run                       # the default scenario, written to ./p53evo-out\n" +
			"   p53evo scenarios list\n   p53evo validate --quick",
		Writer:                stdout,
		ErrWriter:             stderr,
		EnableShellCompletion: true,
		// --set values such as {on: 21, off: 7} contain commas: never split them
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           true,
		OnUsageError: func(ctx context.Context, cmd *cli.Command, err error, isSubcommand bool) error {
			return usageError{err}
		},
		Commands: []*cli.Command{
			runCommand(),
			scenariosCommand(),
			validateCommand(),
			exportCommand(),
			sweepCommand(),
			analyzeCommand(),
			plotCommand(),
			versionCommand(),
		},
	}
	noSliceSeparator(app)
	return app
}

// noSliceSeparator keeps repeatable flags such as --set from splitting a
// value at commas ({on: 21, off: 7}) in every command: urfave/cli reads the
// setting from the command that parses the flag, not from the root.
func noSliceSeparator(c *cli.Command) {
	c.DisableSliceFlagSeparator = true
	for _, sub := range c.Commands {
		noSliceSeparator(sub)
	}
}

func main() {
	os.Exit(realMain(os.Args, os.Stdout, os.Stderr))
}

// realMain runs the app and turns its error into an exit status.
func realMain(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := newApp(stdout, stderr)
	err := app.Run(ctx, args)
	return exitStatus(err, stderr)
}

func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var f failure
	if errors.As(err, &f) {
		if f.msg != "" {
			fmt.Fprintln(stderr, "p53evo:", f.msg)
		}
		return exitFailure
	}
	var u usageError
	if errors.As(err, &u) || isCLIUsage(err) {
		fmt.Fprintln(stderr, "p53evo:", oneLine(plainFlagError(err.Error())))
		fmt.Fprintln(stderr, "Run 'p53evo --help' (or 'p53evo COMMAND --help') for usage.")
		return exitUsage
	}
	fmt.Fprintln(stderr, "p53evo:", err)
	return exitFailure
}

// isCLIUsage recognises urfave/cli's own argument errors.
func isCLIUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"flag provided but not defined", "No help topic", "invalid value", "Required flag", "flag needs an argument", "from environment variable"} {
		if contains(msg, p) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// oneLine keeps the first line of a multi-line message for usage errors
// that are single mistakes; scenario errors keep all their lines.
func oneLine(s string) string { return s }

var (
	envValueError  = regexp.MustCompile(`^could not parse "(.*)" as (\w+) value from environment variable "(\w+)" for flag ([\w-]+):`)
	flagValueError = regexp.MustCompile(`^invalid value "(.*)" for flag -{1,2}([\w-]+): strconv\.Parse(\w+): parsing .*: (invalid syntax|value out of range)$`)
)

// plainFlagError rewrites urfave/cli's errors for flag values that do not
// parse (from the command line or a P53EVO_* variable) without Go's strconv
// wording: the flag or variable, the value and what is allowed.
func plainFlagError(msg string) string {
	if m := envValueError.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s=%q (for --%s): want %s", m[3], m[1], m[4], typeWord(m[2]))
	}
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		what := "want " + typeWord(strings.ToLower(m[3]))
		if m[4] == "value out of range" {
			what = "out of range"
		}
		return fmt.Sprintf("-%s%s %q: %s (see --help)", dashes(m[2]), m[2], m[1], what)
	}
	return msg
}

func dashes(name string) string {
	if len(name) == 1 {
		return ""
	}
	return "-"
}

func typeWord(t string) string {
	switch t {
	case "int", "int64":
		return "a whole number"
	case "uint", "uint64":
		return "a whole number >= 0"
	case "float", "float64":
		return "a number"
	case "bool":
		return "true or false"
	}
	return "a " + t + " value"
}
