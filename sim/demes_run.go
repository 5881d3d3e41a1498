package sim

import (
	"context"
	"fmt"
	"math"

	"github.com/p53evo/p53evo/model"
)

// Demes exposes the worker's deme tumour (nil unless Config.Demes is set).
func (rp *Replicator) Demes() *Demes { return rp.dem }

// runDemes is Run in the deme mode: grow one founder to the detection size
// with the well-mixed engine's step rule, shift time so treatment starts at
// 0, and treat with the shared treatment phase (scans, RECIST, phases,
// progression).
func (rp *Replicator) runDemes(rep int, res *Result) error {
	cfg := rp.cfg
	res.reset(rep)
	res.Patient = nil
	dm := rp.dem
	if err := rp.growDemes(rep, res); err != nil {
		return err
	}
	dm.Shift(-dm.Time())
	res.AtStart = dm.Counts()
	if rp.spat != nil {
		rp.spat.start(res)
	}
	if cfg.StopAtDetection {
		res.Trajectory = appendPoint(res.Trajectory, dm)
	} else {
		if err := rp.treat(res); err != nil {
			return err
		}
		if last := res.Trajectory[len(res.Trajectory)-1]; last.Time != dm.Time() {
			res.Trajectory = rp.point(res.Trajectory)
		}
	}
	if rp.spat != nil {
		rp.spat.at(MomentEnd)
	}
	res.EndTime = dm.Time()
	res.Final = dm.Counts()
	res.Genotypes = dm.GenotypeCounts(res.Genotypes)
	res.ClonesBorn = dm.Born()
	res.Clones = append(res.Clones, dm.Records()...)
	if cfg.StopAtDetection {
		return nil
	}
	for _, r := range res.Clones {
		if r.Class != model.Sensitive && (math.IsNaN(res.FirstResistantBirth) || r.Born < res.FirstResistantBirth) {
			res.FirstResistantBirth = r.Born
		}
	}
	res.Events = append(res.Events, Event{Time: dm.Time(), Kind: "end", Detail: res.Outcome.String()})
	return nil
}

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
