package sim

import (
	"context"
	"fmt"
	"math"

	"github.com/p53evo/p53evo/model"
)

// Lattice exposes the worker's lattice (nil unless Config.Lattice is set).
func (rp *Replicator) Lattice() *Lattice { return rp.lat }

// spatialBody is a tumour in space (a lattice or demes): a body that also
// keeps its own clock shift, genotype counts and clone records.
type spatialBody interface {
	body
	Shift(dt float64)
	GenotypeCounts(dst []GenotypeCount) []GenotypeCount
	Born() int64
	Records() []CloneRecord
}

// runSpatial is Run in a spatial mode (lattice or demes): grow one founder
// to the detection size with grow, shift time so treatment starts at 0, and
// treat with the same treatment phase (scans, RECIST, phases, progression)
// as the well-mixed engine; spatial observations, if any, at treatment
// start and at the end.
func (rp *Replicator) runSpatial(rep int, res *Result, sb spatialBody, grow func(int, *Result) error) error {
	cfg := rp.cfg
	res.reset(rep)
	res.Patient = nil
	if err := grow(rep, res); err != nil {
		return err
	}
	sb.Shift(-sb.Time())
	res.AtStart = sb.Counts()
	if rp.spat != nil {
		rp.spat.start(res)
	}
	if cfg.StopAtDetection {
		res.Trajectory = appendPoint(res.Trajectory, sb)
	} else {
		if err := rp.treat(res); err != nil {
			return err
		}
		if last := res.Trajectory[len(res.Trajectory)-1]; last.Time != sb.Time() {
			res.Trajectory = rp.point(res.Trajectory)
		}
	}
	if rp.spat != nil {
		rp.spat.at(MomentEnd)
	}
	res.EndTime = sb.Time()
	res.Final = sb.Counts()
	res.Genotypes = sb.GenotypeCounts(res.Genotypes)
	res.ClonesBorn = sb.Born()
	res.Clones = append(res.Clones, sb.Records()...)
	if cfg.StopAtDetection {
		return nil
	}
	for _, r := range res.Clones {
		if r.Class != model.Sensitive && (math.IsNaN(res.FirstResistantBirth) || r.Born < res.FirstResistantBirth) {
			res.FirstResistantBirth = r.Born
		}
	}
	res.Events = append(res.Events, Event{Time: sb.Time(), Kind: "end", Detail: res.Outcome.String()})
	return nil
}

// growLattice is growFounders for a lattice, event by event: growth stops
// at the division that brings the cells to ceil(Detect), so the burden at
// detection is exact.
func (rp *Replicator) growLattice(rep int, res *Result) error {
	cfg := rp.cfg
	lt := rp.lat
	target := int64(math.Ceil(cfg.Detect))
	return rp.growFounders(rep, res, lt, func(nextGrid float64) {
		lt.lastExt = math.Inf(-1)
		lt.run(min(lt.Time()+cfg.Step, nextGrid), NoDrug{}, target)
	})
}

// checkLattice is check in the lattice mode: cancellation, and a bound on
// the cells (memory) instead of the clone cap.
func (rp *Replicator) checkLattice(rep int) error {
	g := &rp.guard
	lt := rp.lat
	if g.done != nil {
		select {
		case <-g.done:
			return fmt.Errorf("replicate %d stopped at %s: %w", rep, dayText(lt.Time()), context.Cause(g.ctx))
		default:
		}
	}
	if g.step != nil {
		g.step(rep, lt.Time(), lt.Clones())
	}
	if lt.Total() > LatticeMaxCells {
		return fmt.Errorf("replicate %d: %d cells on the lattice at %s exceed %d; lower stop.lethal or the horizon", rep, lt.Total(), dayText(lt.Time()), LatticeMaxCells)
	}
	return nil
}
