//go:build !p53evo_planted

package sim

// planted is false in every normal build. With -tags p53evo_planted the
// engine puts back the defects that the theory checks of mutant production
// and detection were written to catch (plant_on.go), so that a test can show
// those checks fail on them.
const planted = false

func (tm *Tumor) advancePlanted(c *clone, g *genoInfo, rc *rateClass, a, b float64, out []pending) []pending {
	return out
}
