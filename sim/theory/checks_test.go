//go:build !p53evo_planted

package theory

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"text/tabwriter"
)

var full = flag.Bool("full", false, "run the high-power validation (minutes)")

// TestEngineAgainstTheory runs every check of the suite. At the quick level
// each check still has enough replicates to detect a few-percent bias (the
// replicate counts follow n ~ 7.85 (1-p)/(p eps^2) for a probability p to
// relative precision eps).
func TestEngineAgainstTheory(t *testing.T) {
	level := Quick
	if *full {
		level = Full
	}
	for _, c := range Suite() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rows := c.Run(level, 1, 20261124)
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%.6g\t%.6g\t%.3g\t%.2f\t%.3g\t%v\n", r.Check, r.Quantity, r.Theory, r.Simulated, r.SE, r.Z, r.P, r.Pass)
				if !r.Pass {
					t.Errorf("%s: %s: theory %.6g, simulated %.6g (SE %.3g, z %.2f, p %.3g, n %d)", r.Check, r.Quantity, r.Theory, r.Simulated, r.SE, r.Z, r.P, r.N)
				}
			}
			tw.Flush()
			if testing.Verbose() {
				fmt.Fprint(os.Stdout, b.String())
			}
		})
	}
}
