package sim

import (
	"context"
	"fmt"
)

// Demes exposes the worker's deme tumour (nil unless Config.Demes is set).
func (rp *Replicator) Demes() *Demes { return rp.dem }

// growDemes is growFounders for a deme tumour, with the growth steps of
// the well-mixed engine (Replicator.grow, detectionStep), each made of deme
// steps.
func (rp *Replicator) growDemes(rep int, res *Result) error {
	cfg := rp.cfg
	dm := rp.dem
	return rp.growFounders(rep, res, dm, func(nextGrid float64) {
		t := dm.Time()
		step := min(cfg.Step, nextGrid-t)
		if r, bd := dm.growthRates(); r > 0 {
			step = min(step, detectionStep(float64(dm.Total()), cfg.Detect, r, bd, cfg.MinStep))
		}
		dm.Advance(t+step, NoDrug{})
	})
}

// checkDemes is check in the deme mode: cancellation, the clone cap, and a
// bound on the demes (memory).
func (rp *Replicator) checkDemes(rep int) error {
	g := &rp.guard
	dm := rp.dem
	if g.done != nil {
		select {
		case <-g.done:
			return fmt.Errorf("replicate %d stopped at %s: %w", rep, dayText(dm.Time()), context.Cause(g.ctx))
		default:
		}
	}
	if g.step != nil {
		g.step(rep, dm.Time(), dm.Clones())
	}
	if m := rp.cfg.MaxClones; m > 0 && max(dm.Clones(), GenotypeWeight*len(dm.tm.genos)) > m {
		return &CloneLimitError{Replicate: rep, Day: dm.Time(), Clones: dm.Clones(), Genotypes: len(dm.tm.genos), Total: dm.Total(), Limit: m}
	}
	if dm.Demes() > DemesMaxDemes {
		return fmt.Errorf("replicate %d: %d demes at %s exceed %d; lower stop.lethal or the horizon, or raise engine.demes.k", rep, dm.Demes(), dayText(dm.Time()), DemesMaxDemes)
	}
	return nil
}
