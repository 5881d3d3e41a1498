package dataset

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// The tables of spatial observations of lattice and deme tumours
// (engine.space: lattice or demes with observe.snapshot or
// observe.regions): snapshots (one row per cell of a lattice snapshot, per
// deme and clone of a deme snapshot) and regions (one row per variant per
// sample of a multi-region biopsy). They are empty for well-mixed runs.

// Column indices of the snapshots table.
const (
	snapReplicate = iota
	snapMoment
	snapTime
	snapX
	snapY
	snapZ
	snapClone
	snapClass
	snapCells
	snapTumourCells
	snapNumCols
)

const momentDesc = "when the observation was taken: treatment_start, progression (the first), end (of the replicate) or day (a number of days listed in at)"

var snapshotColumns = [snapNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"moment", utf8, false, "", momentDesc},
	{"time", f64, false, "days", "time of the snapshot since treatment start"},
	{"x", i32, false, "sites", "lattice position of the cell (deme mode: of the deme), from the founder's site"},
	{"y", i32, false, "sites", "lattice position of the cell (deme mode: of the deme), from the founder's site"},
	{"z", i32, false, "sites", "lattice position of the cell (deme mode: of the deme), from the founder's site (0 in 2D)"},
	{"clone", i64, false, "", "clone id of the cell (joins clones.clone_id when the clone reached the record threshold)"},
	{"class", utf8, false, "", "resistance class of the clone: sensitive, ta-loss or pocket"},
	{"cells", i64, false, "cells", "cells of the clone at the site: 1 in the lattice mode (a row is a cell); in the deme mode a row is one clone in one deme, with its cells there"},
	{"tumour_cells", i64, false, "cells", "cells of the tumour at the snapshot; above observe.snapshot.max_cells rows the rows are a uniform subsample of that many"},
}

// Column indices of the regions table.
const (
	regReplicate = iota
	regMoment
	regTime
	regSample
	regPunch
	regX
	regY
	regZ
	regRadius
	regCells
	regVariant
	regClass
	regCarriers
	regFraction
	regVAF
	regNumCols
)

var regionColumns = [regNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"moment", utf8, false, "", momentDesc},
	{"time", f64, false, "days", "time of the biopsy since treatment start"},
	{"sample", utf8, false, "", "punch (one punch), pooled (all punches together, a cell in two counted once) or whole (the whole tumour)"},
	{"punch", i32, true, "", "punch number from 0 (rule spread: 0 is the lesion's centre); null for pooled and whole"},
	{"x", f64, true, "sites", "centre of the punch from the founder's site; null for pooled and whole"},
	{"y", f64, true, "sites", "centre of the punch from the founder's site; null for pooled and whole"},
	{"z", f64, true, "sites", "centre of the punch from the founder's site (0 in 2D); null for pooled and whole"},
	{"radius", f64, true, "sites", "radius of the punch: it holds the cells within this distance of its centre; null for pooled and whole"},
	{"cells", i64, false, "cells", "tumour cells in the sample"},
	{"variant", utf8, false, "", "Y220C (truncal) or a secondary mutation's catalog name (name#k for the k-th SNV of an entry standing for several); every variant present in the tumour at that moment has a row in every sample"},
	{"class", utf8, false, "", "class of the variant: truncal (Y220C), ta-loss, pocket or passenger"},
	{"carriers", i64, false, "cells", "cells of the sample carrying the variant"},
	{"fraction", f64, true, "fraction", "cellular fraction: carriers / cells; null for an empty sample"},
	{"vaf", f64, true, "fraction", "variant allele fraction a pure sample reads: fraction / alleles.copies for a secondary mutation (one mutant TP53 copy per carrier; with the default copies 1, after LOH, it equals the fraction; a heterozygous SNV with copies 2 reads half of it), fraction for Y220C (every copy); null for an empty sample"},
}

var (
	snapshotsSchema = newSchema(TableSnapshots, snapshotColumns[:])
	regionsSchema   = newSchema(TableRegions, regionColumns[:])
)

// mutClassName names a variant's class in the regions table.
func mutClassName(c model.MutClass) string {
	if c == 0 {
		return "truncal"
	}
	return c.String()
}

// checkSpatial rejects spatial rows the tables cannot represent.
func checkSpatial(r *sim.Result) error {
	for i := range r.Snapshots {
		if err := checkClass(r.Snapshots[i].Class); err != nil {
			return fmt.Errorf("replicate %d: snapshot cell %d: %w", r.Replicate, i, err)
		}
	}
	for i := range r.Regions {
		x := &r.Regions[i]
		if x.Punch > math.MaxInt32 {
			return fmt.Errorf("replicate %d: punch %d does not fit int32", r.Replicate, x.Punch)
		}
		if x.MutClass != 0 && x.MutClass != model.TALoss && x.MutClass != model.Pocket && x.MutClass != model.Passenger {
			return fmt.Errorf("replicate %d: region row %d: unknown variant class %d", r.Replicate, i, x.MutClass)
		}
	}
	return nil
}

// writeSpatial appends a replicate's snapshot and region rows.
func (w *Writer) writeSpatial(r *sim.Result) {
	rep := int32(r.Replicate)
	if n := len(r.Snapshots); n > 0 {
		b := &w.snb
		rb, mo, tm := b[snapReplicate].(*array.Int32Builder), b[snapMoment].(*array.StringBuilder), b[snapTime].(*array.Float64Builder)
		xb, yb, zb := b[snapX].(*array.Int32Builder), b[snapY].(*array.Int32Builder), b[snapZ].(*array.Int32Builder)
		cl, cs, tc := b[snapClone].(*array.Int64Builder), b[snapClass].(*array.StringBuilder), b[snapTumourCells].(*array.Int64Builder)
		nb := b[snapCells].(*array.Int64Builder)
		for i := range r.Snapshots {
			c := &r.Snapshots[i]
			rb.Append(rep)
			mo.Append(c.Moment)
			tm.Append(c.Time)
			xb.Append(c.X)
			yb.Append(c.Y)
			zb.Append(c.Z)
			cl.Append(c.Clone)
			cs.Append(c.Class.String())
			nb.Append(c.Cells)
			tc.Append(c.TumourCells)
		}
		w.snaps.pending += n
	}
	if n := len(r.Regions); n > 0 {
		b := &w.rgb
		for i := range r.Regions {
			x := &r.Regions[i]
			b[regReplicate].(*array.Int32Builder).Append(rep)
			b[regMoment].(*array.StringBuilder).Append(x.Moment)
			b[regTime].(*array.Float64Builder).Append(x.Time)
			b[regSample].(*array.StringBuilder).Append(x.Sample)
			if pb := b[regPunch].(*array.Int32Builder); x.Punch >= 0 {
				pb.Append(int32(x.Punch))
			} else {
				pb.AppendNull()
			}
			appendNullable(b[regX].(*array.Float64Builder), x.X)
			appendNullable(b[regY].(*array.Float64Builder), x.Y)
			appendNullable(b[regZ].(*array.Float64Builder), x.Z)
			appendNullable(b[regRadius].(*array.Float64Builder), x.Radius)
			b[regCells].(*array.Int64Builder).Append(x.Cells)
			b[regVariant].(*array.StringBuilder).Append(x.Variant)
			b[regClass].(*array.StringBuilder).Append(mutClassName(x.MutClass))
			b[regCarriers].(*array.Int64Builder).Append(x.Carriers)
			appendNullable(b[regFraction].(*array.Float64Builder), x.Fraction)
			appendNullable(b[regVAF].(*array.Float64Builder), x.VAF)
		}
		w.regions.pending += n
	}
}

// SnapshotRow is one row of the snapshots table: one cell of a lattice
// tumour, or one clone in one deme of a deme tumour, at one moment.
type SnapshotRow struct {
	Replicate   int
	Moment      string // treatment_start, progression, end or day
	Time        float64
	X, Y, Z     int
	Clone       int64
	Class       string // sensitive, ta-loss, pocket
	Cells       int64  // 1 on the lattice; the clone's cells in the deme
	TumourCells int64
}

// RegionRow is one row of the regions table: one variant in one sample of
// a multi-region biopsy. Null floats are NaN; a null punch is -1.
type RegionRow struct {
	Replicate int
	Moment    string
	Time      float64
	Sample    string // punch, pooled, whole
	Punch     int
	X, Y, Z   float64
	Radius    float64
	Cells     int64
	Variant   string
	Class     string // truncal, ta-loss, pocket, passenger
	Carriers  int64
	Fraction  float64
	VAF       float64
}

// Snapshots reads the snapshots table (empty for well-mixed runs).
func (d *Dataset) Snapshots() ([]SnapshotRow, error) {
	return readSnapshots(d.mem, d.Files(TableSnapshots))
}

// Regions reads the regions table (empty for well-mixed runs).
func (d *Dataset) Regions() ([]RegionRow, error) { return readRegions(d.mem, d.Files(TableRegions)) }

// ReadSnapshotsFiles is ReadRunsFiles for the snapshots table.
func ReadSnapshotsFiles(paths ...string) ([]SnapshotRow, error) {
	return readSnapshots(memory.DefaultAllocator, paths)
}

// ReadRegionsFiles is ReadRunsFiles for the regions table.
func ReadRegionsFiles(paths ...string) ([]RegionRow, error) {
	return readRegions(memory.DefaultAllocator, paths)
}

func readSnapshots(mem memory.Allocator, paths []string) (_ []SnapshotRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []SnapshotRow
	in := interner{}
	err = eachBatch(mem, fixed(snapshotColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep, xs, ys, zs := c(snapReplicate).(*array.Int32), c(snapX).(*array.Int32), c(snapY).(*array.Int32), c(snapZ).(*array.Int32)
		mo, cls := c(snapMoment).(*array.String), c(snapClass).(*array.String)
		tm, cl, tc := c(snapTime).(*array.Float64), c(snapClone).(*array.Int64), c(snapTumourCells).(*array.Int64)
		nc := c(snapCells).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, SnapshotRow{
				Replicate: int(rep.Value(i)), Moment: in.get(mo.Value(i)), Time: tm.Value(i),
				X: int(xs.Value(i)), Y: int(ys.Value(i)), Z: int(zs.Value(i)),
				Clone: cl.Value(i), Class: in.get(cls.Value(i)), Cells: nc.Value(i), TumourCells: tc.Value(i),
			})
		}
		return nil
	})
	return rows, err
}

func readRegions(mem memory.Allocator, paths []string) (_ []RegionRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []RegionRow
	in := interner{}
	err = eachBatch(mem, fixed(regionColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		f64s := func(k int) *array.Float64 { return c(k).(*array.Float64) }
		i64s := func(k int) *array.Int64 { return c(k).(*array.Int64) }
		strs := func(k int) *array.String { return c(k).(*array.String) }
		punch := c(regPunch).(*array.Int32)
		for i := 0; i < int(rec.NumRows()); i++ {
			p := -1
			if punch.IsValid(i) {
				p = int(punch.Value(i))
			}
			rows = append(rows, RegionRow{
				Replicate: int(c(regReplicate).(*array.Int32).Value(i)),
				Moment:    in.get(strs(regMoment).Value(i)),
				Time:      f64s(regTime).Value(i),
				Sample:    in.get(strs(regSample).Value(i)),
				Punch:     p,
				X:         nullableF64(f64s(regX), i),
				Y:         nullableF64(f64s(regY), i),
				Z:         nullableF64(f64s(regZ), i),
				Radius:    nullableF64(f64s(regRadius), i),
				Cells:     i64s(regCells).Value(i),
				Variant:   in.get(strs(regVariant).Value(i)),
				Class:     in.get(strs(regClass).Value(i)),
				Carriers:  i64s(regCarriers).Value(i),
				Fraction:  nullableF64(f64s(regFraction), i),
				VAF:       nullableF64(f64s(regVAF), i),
			})
		}
		return nil
	})
	return rows, err
}
