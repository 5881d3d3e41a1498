package sim

import (
	"context"
	"errors"
	"fmt"
)

// ErrTooManyClones is wrapped by a replicate's error when its live clones
// exceed Config.MaxClones.
var ErrTooManyClones = errors.New("too many live clones")

// DefaultMaxClones is Config.MaxClones's default. Measured on the default
// catalog: a live clone takes about 200 bytes and a step about 0.5 us per
// clone, so 2 million clones hold about 400 MB per worker and a step at the
// cap takes about a second (the bound on how long a cancellation waits).
const DefaultMaxClones = 2_000_000

// GenotypeWeight: a replicate also stops when its worker's genotype tables
// weigh more than Config.MaxClones clones, counting GenotypeWeight clones a
// shape (a genotype keyed by catalog entry, whose tables of phenotype,
// mutation choices and child shapes take about 4 kB, the memory of 20
// clones) and one clone a genotype (with SNV keys the SNV genotypes of a
// shape share its tables and hold only their hits, about 150 bytes).
// Genotypes matter at high mutation rates, where most new lineages carry a
// genotype of their own, and with SNV keys in large merged tumours.
const GenotypeWeight = 20

// CloneLimitError says where a replicate hit Config.MaxClones.
type CloneLimitError struct {
	Replicate int
	Day       float64 // tumour time since founding, or since treatment start once treated
	Clones    int     // live clones
	Genotypes int     // genotypes held (one clone's worth each)
	Shapes    int     // shapes held (GenotypeWeight clones' worth each)
	Total     int64   // cells
	Limit     int
}

func (e *CloneLimitError) Error() string {
	return fmt.Sprintf("replicate %d: %d live clones, or %d genotypes (one clone's worth each) and %d genotype shapes (%d clones' worth each), at %s (%.3g cells) exceed engine.max_clones %d: "+
		"one clone per lineage costs memory and time in proportion; set engine.merge: true (one clone per genotype), or lower mutation.rate or detection.size, "+
		"or raise engine.max_clones (0: no limit) if the memory is there (about 200 bytes a clone)",
		e.Replicate, e.Clones, e.Genotypes, e.Shapes, GenotypeWeight, dayText(e.Day), float64(e.Total), e.Limit)
}

func (e *CloneLimitError) Unwrap() error { return ErrTooManyClones }

func dayText(t float64) string {
	return fmt.Sprintf("tumour day %.1f", t)
}

// A guard stops a replicate between engine steps: when the run's context is
// cancelled (a non-blocking receive on its Done channel, a few nanoseconds
// a step), and when the live clones exceed the cap. Steps are never
// interrupted, so the engine's results are unchanged by the checks.
type guard struct {
	ctx  context.Context
	done <-chan struct{}
	step func(rep int, day float64, clones int)
}

// watch makes the Replicator's step loops stop with ctx's error once ctx is
// cancelled.
func (rp *Replicator) watch(ctx context.Context) {
	rp.guard.ctx = ctx
	rp.guard.done = ctx.Done()
}

// check is called between engine steps.
func (rp *Replicator) check(rep int) error {
	if rp.lat != nil {
		return rp.checkLattice(rep)
	}
	if rp.dem != nil {
		return rp.checkDemes(rep)
	}
	g := &rp.guard
	if g.done != nil {
		select {
		case <-g.done:
			return fmt.Errorf("replicate %d stopped at %s: %w", rep, dayText(rp.tm.Time()), context.Cause(g.ctx))
		default:
		}
	}
	n := rp.tm.Clones()
	if g.step != nil {
		g.step(rep, rp.tm.Time(), n)
	}
	if m := rp.cfg.MaxClones; m > 0 && max(n, rp.tm.genotypeCost()) > m {
		return &CloneLimitError{Replicate: rep, Day: rp.tm.Time(), Clones: n, Genotypes: len(rp.tm.genos), Shapes: len(rp.tm.shapes), Total: rp.tm.Total(), Limit: m}
	}
	return nil
}

// nsPerLineage is the cost of a mutant lineage founded, one per lineage
// (README, Performance: about 2 us per clone born).
const nsPerLineage = 2000

// LineagesBeforeDetection estimates the mutant lineages a replicate founds
// before it reaches the detection size: every division yields a mutant
// with probability u x (sites of the catalog), and a tumour growing at
// net rate b - d from one cell to N cells takes about N b / (b - d)
// divisions. It is 0 when the founder does not grow. With engine.merge
// the engine keeps one clone per genotype, so the estimate says nothing of
// its cost.
func LineagesBeforeDetection(cfg *Config) float64 {
	m := &cfg.Model
	if !(m.Birth > m.Death) {
		return 0
	}
	sites := 0.0
	for _, mu := range m.Catalog {
		sites += mu.Sites
	}
	return m.MutationRate * sites * cfg.Detect * m.Birth / (m.Birth - m.Death)
}

// CostWarning returns a warning, or "", for a scenario whose replicates
// will be slow or will hit MaxClones: one clone per lineage (no merge) with
// more than 1e7 lineages expected before detection. A fifth of the
// lineages founded are taken as alive at once, as measured near detection
// at mutation rates 1e-7 to 1e-3.
func CostWarning(cfg *Config) string {
	if cfg.Engine.Merge {
		return ""
	}
	n := LineagesBeforeDetection(cfg)
	if n < 1e7 {
		return ""
	}
	secs := n * nsPerLineage / 1e9
	msg := fmt.Sprintf("about %.2g mutant lineages will be founded per replicate before detection (mutation.rate x catalog sites x detection.size x b/(b-d)), "+
		"about %s of computing each", n, roughDuration(secs))
	if m := cfg.MaxClones; m > 0 && n/5 > float64(m) {
		msg += fmt.Sprintf(", and the live clones will exceed engine.max_clones %d, which stops the run", m)
	}
	return msg + "; set engine.merge: true (one clone per genotype: far faster and smaller), or lower mutation.rate or detection.size"
}

func roughDuration(s float64) string {
	switch {
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.0f min", s/60)
	case s < 2*86400:
		return fmt.Sprintf("%.0f h", s/3600)
	}
	return fmt.Sprintf("%.0f days", s/86400)
}
