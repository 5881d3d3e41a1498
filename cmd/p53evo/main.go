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
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/p53evo/p53evo/internal/suggest"

	"github.com/urfave/cli/v3"
)

// Set at build time by the Makefile (-ldflags "-X main.version=... -X
// main.commit=..."); otherwise init reads them from the binary's build
// information (module version, VCS revision), which go build, go run and
// go install record.
var (
	version = "dev"
	commit  = "unknown"
)

func init() { version, commit = fromBuildInfo(version, commit, debug.ReadBuildInfo) }

// fromBuildInfo fills an unstamped version and commit from the build
// information: the main module's version (as go install pkg@version
// records it; "(devel)" in a checkout) and the VCS revision, with
// "-dirty" when the working tree had changes.
func fromBuildInfo(v, c string, read func() (*debug.BuildInfo, bool)) (string, string) {
	bi, ok := read()
	if !ok {
		return v, c
	}
	if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if c == "unknown" {
		var rev, modified string
		for _, st := range bi.Settings {
			switch st.Key {
			case "vcs.revision":
				rev = st.Value
			case "vcs.modified":
				modified = st.Value
			}
		}
		if rev != "" {
			c = rev[:min(12, len(rev))]
			if modified == "true" {
				c += "-dirty"
			}
		}
	}
	return v, c
}

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
		Commands: []*cli.Command{
			runCommand(),
			scenariosCommand(),
			validateCommand(),
			calibrateCommand(),
			exportCommand(),
			sweepCommand(),
			analyzeCommand(),
			plotCommand(),
			versionCommand(),
		},
	}
	conventions(app)
	return app
}

// conventions gives every command the same handling of mistakes: a usage
// error (exit 2, one line on stderr naming the problem and the closest
// valid choice, nothing on stdout) for an unknown flag, a bad flag value
// or an unknown subcommand, and a help text without a second default for
// flags whose usage already says what the default is.
//
// Repeatable flags such as --set never split a value at commas ({on: 21,
// off: 7}): urfave/cli reads that setting from the command that parses the
// flag, so every command gets it.
func conventions(cmd *cli.Command) {
	cmd.DisableSliceFlagSeparator = true
	cmd.OnUsageError = func(ctx context.Context, c *cli.Command, err error, isSubcommand bool) error {
		return usageError{flagError(c, err)}
	}
	for _, f := range cmd.Flags {
		hideDefault(f)
	}
	if len(cmd.Commands) > 0 && cmd.Action == nil {
		cmd.Action = func(ctx context.Context, c *cli.Command) error {
			if !c.Args().Present() {
				if c.Root() == c {
					return cli.ShowRootCommandHelp(c)
				}
				return cli.ShowSubcommandHelp(c)
			}
			name := c.Args().First()
			if name == "help" { // p53evo help [COMMAND]: the same as --help
				if topic := c.Args().Get(1); topic != "" {
					if sub := c.Command(topic); sub != nil {
						return cli.ShowCommandHelp(ctx, c, topic)
					}
					name = topic
				} else if c.Root() == c {
					return cli.ShowRootCommandHelp(c)
				} else {
					return cli.ShowSubcommandHelp(c)
				}
			}
			var names []string
			for _, sub := range c.VisibleCommands() {
				names = append(names, sub.Name)
			}
			hint := suggest.Hint(name, names)
			if hint == "" {
				hint = " (commands: " + strings.Join(names, ", ") + ")"
			}
			if c.Root() == c {
				return usagef("unknown command %q%s", name, hint)
			}
			return usagef("unknown command %q for %s%s", name, cmdPath(c), hint)
		}
	}
	for _, sub := range cmd.Commands {
		conventions(sub)
	}
}

// flagError rewrites urfave/cli's flag errors as one line naming the flag,
// the command and the closest flag.
func flagError(c *cli.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		var names []string
		for _, f := range c.VisibleFlags() {
			for _, n := range f.Names() {
				if len(n) > 1 {
					names = append(names, n)
				}
			}
		}
		hint := suggest.Hint(name, names)
		if hint != "" {
			hint = strings.Replace(hint, "mean ", "mean --", 1)
		} else {
			hint = fmt.Sprintf(" ('%s --help' lists them)", c.FullName())
		}
		return fmt.Errorf("unknown flag %s%s%s", dashed(name), forCmd(c), hint)
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		want := "a valid value"
		for _, f := range c.Flags {
			if !slices.Contains(f.Names(), m[2]) {
				continue
			}
			switch f.(type) {
			case *cli.IntFlag:
				want = "a whole number"
			case *cli.Uint64Flag:
				want = "a whole number >= 0"
			case *cli.FloatFlag:
				want = "a number"
			case *cli.BoolFlag:
				want = "true or false"
			}
			return fmt.Errorf("%s %q%s: want %s", dashed(f.Names()[0]), m[1], forCmd(c), want)
		}
		return fmt.Errorf("%s %q%s: want %s", dashed(m[2]), m[1], forCmd(c), want)
	}
	if c.Root() == c {
		return err
	}
	return fmt.Errorf("%s: %s", cmdPath(c), msg)
}

var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:\s]+): `)

func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// cmdPath is the command's name below the root ("sweep run").
func cmdPath(c *cli.Command) string { return strings.TrimPrefix(c.FullName(), c.Root().Name+" ") }

// forCmd is " for COMMAND", or "" for the root.
func forCmd(c *cli.Command) string {
	if c.Root() == c {
		return ""
	}
	return " for " + cmdPath(c)
}

// hideDefault drops urfave/cli's "(default: ...)" for flags whose usage
// text states the default itself.
func hideDefault(f cli.Flag) {
	switch f := f.(type) {
	case *cli.IntFlag:
		f.HideDefault = f.HideDefault || strings.Contains(f.Usage, "(default:")
	case *cli.Uint64Flag:
		f.HideDefault = f.HideDefault || strings.Contains(f.Usage, "(default:")
	case *cli.StringFlag:
		f.HideDefault = f.HideDefault || strings.Contains(f.Usage, "(default:")
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
		fmt.Fprintln(stderr, "p53evo:", plainFlagError(err.Error()))
		return exitUsage
	}
	fmt.Fprintln(stderr, "p53evo:", err)
	return exitFailure
}

// isCLIUsage recognises urfave/cli's own argument errors that do not pass
// through OnUsageError.
func isCLIUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"flag provided but not defined", "No help topic", "invalid value", "Required flag", "flag needs an argument", "from environment variable"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

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
