//go:build p53evo_planted

package theory

import (
	"testing"
)

// TestPlantedDefectsAreCaught runs, on an engine built with the former
// defects put back (-tags p53evo_planted, sim/plant_on.go), the checks
// written to catch them, and requires each to fail: mutants shed along a
// bridge that ignores a drug switch inside the step (switch-in-step), a
// whole-step bridge through a 30-fold decline (steep-decline, which needs
// the high-power level), and detection overshooting the size by up to 1%
// (detection-overshoot).
func TestPlantedDefectsAreCaught(t *testing.T) {
	levels := map[string]Level{"switch-in-step": Quick, "steep-decline": Full, "detection-overshoot": Quick}
	for _, c := range Suite() {
		level, ok := levels[c.Name]
		if !ok {
			continue
		}
		delete(levels, c.Name)
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			c.Thresholds = c.Thresholds[len(c.Thresholds)-1:] // the default threshold
			c.Bridge = false
			failed := 0
			for _, r := range c.Run(level, 0, 20261124) {
				t.Logf("%s: %s: theory %.6g, simulated %.6g, z %.2f, p %.3g, pass %v", r.Check, r.Quantity, r.Theory, r.Simulated, r.Z, r.P, r.Pass)
				if !r.Pass {
					failed++
				}
			}
			if failed == 0 {
				t.Errorf("no row of %s fails on the planted defect", c.Name)
			}
		})
	}
	for name := range levels {
		t.Errorf("check %s is missing from the suite", name)
	}
}
