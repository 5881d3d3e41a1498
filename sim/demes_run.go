package sim

import (
	"context"
	"fmt"
)

// Demes exposes the worker's deme tumour (nil unless Config.Demes is set).
func (rp *Replicator) Demes() *Demes { return rp.dem }

// growDemes runs founders until one reaches the detection size, with the
// growth steps of the well-mixed engine (Replicator.grow, detectionStep),
// each made of deme steps; a founder whose lineage dies out is replaced
// (attempts counted), with the seeds of the well-mixed engine.
func (rp *Replicator) growDemes(rep int, res *Result) error {
	cfg := rp.cfg
	dm := rp.dem
	for attempt := 1; ; attempt++ {
		if attempt > cfg.MaxAttempts {
			return fmt.Errorf("replicate %d: %w after %d attempts", rep, ErrNoDetection, cfg.MaxAttempts)
		}
		seed := ReplicateSeed(cfg.Seed, rep, attempt)
		res.Stream = seed
		res.Attempts = attempt
		dm.Reset(seed, cfg.Founder, 0)
		res.Trajectory = appendPoint(res.Trajectory[:0], dm)
		nextGrid := cfg.GrowthGrid
		for dm.Total() > 0 && float64(dm.Total()) < cfg.Detect {
			if err := rp.check(rep); err != nil {
				return err
			}
			t := dm.Time()
			step := min(cfg.Step, nextGrid-t)
			if r, bd := dm.growthRates(); r > 0 {
				step = min(step, detectionStep(float64(dm.Total()), cfg.Detect, r, bd, cfg.MinStep))
			}
			dm.Advance(t+step, NoDrug{})
			if dm.Time() >= nextGrid {
				res.Trajectory = appendPoint(res.Trajectory, dm)
				nextGrid += cfg.GrowthGrid
			}
		}
		if dm.Total() > 0 {
			res.detected(dm.Time())
			return nil
		}
	}
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
