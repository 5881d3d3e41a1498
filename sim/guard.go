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

// GenotypeWeight: a replicate also stops when the genotypes its worker holds
// exceed Config.MaxClones / GenotypeWeight, since a genotype's tables take
// about 4 kB, the memory of 20 clones. Genotypes matter at high mutation
// rates, where most new lineages carry a genotype of their own.
const GenotypeWeight = 20

// CloneLimitError says where a replicate hit Config.MaxClones.
type CloneLimitError struct {
	Replicate int
	Day       float64 // tumour time since founding, or since treatment start once treated
	Clones    int     // live clones
	Genotypes int     // genotypes held
	Total     int64   // cells
	Limit     int
}

func (e *CloneLimitError) Error() string {
	return fmt.Sprintf("replicate %d: %d live clones and %d genotypes (%d clones' worth each) at %s (%.3g cells) exceed engine.max_clones %d: "+
		"one clone per lineage costs memory and time in proportion; set engine.merge: true (one clone per genotype), or lower mutation.rate or detection.size, "+
		"or raise engine.max_clones (0: no limit) if the memory is there (about 200 bytes a clone)",
		e.Replicate, e.Clones, e.Genotypes, GenotypeWeight, dayText(e.Day), float64(e.Total), e.Limit)
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
	if m := rp.cfg.MaxClones; m > 0 && max(n, GenotypeWeight*len(rp.tm.genos)) > m {
		return &CloneLimitError{Replicate: rep, Day: rp.tm.Time(), Clones: n, Genotypes: len(rp.tm.genos), Total: rp.tm.Total(), Limit: m}
	}
	return nil
}
