package dataset

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/p53evo/p53evo/model"
)

// SchemaVersion is the version of the on-disk layout: the manifest, the table
// names and every table's columns. It changes whenever a reader written for
// the old layout would misread the new one.
const SchemaVersion = 1

// Table names. A table lives in the file Name+".arrow" (or, for partitioned
// sweeps, in several files listed by the manifest).
const (
	TableRuns         = "runs"
	TableTrajectories = "trajectories"
	TableClones       = "clones"
	TableEvents       = "events"
)

// Tables lists the tables of a dataset in the order they are written.
var Tables = []string{TableRuns, TableTrajectories, TableClones, TableEvents}

// Schema metadata keys.
const (
	MetaKeySchemaVersion = "p53evo.schema_version"
	MetaKeyTable         = "p53evo.table"
	// Field metadata keys: every column carries both.
	MetaKeyUnit        = "unit"
	MetaKeyDescription = "description"
)

// The per-class columns below name the classes one by one; this fails to
// compile if model gains or loses a class, so that the schema (and
// SchemaVersion) is revisited.
var _ = [3]struct{}(([model.NumClasses]struct{}{}))

type column struct {
	name     string
	typ      arrow.DataType
	nullable bool
	unit     string
	desc     string
}

var (
	i32  = arrow.PrimitiveTypes.Int32
	i64  = arrow.PrimitiveTypes.Int64
	u64  = arrow.PrimitiveTypes.Uint64
	f64  = arrow.PrimitiveTypes.Float64
	utf8 = arrow.BinaryTypes.String
)

const repDesc = "replicate number; joins the tables"

// Column indices of the runs table, in schema order.
const (
	runReplicate = iota
	runStream
	runAttempts
	runOutcome
	runGrowthDays
	runTTP
	runEndTime
	runResistantMajority
	runFirstResistantBirth
	runStartSensitive
	runStartTALoss
	runStartPocket
	runFinalSensitive
	runFinalTALoss
	runFinalPocket
	runDominant
	runResistantClones
	runNadir
	runNadirTime
	runBestResponse
	runClonesBorn
	runNumCols
)

var runsColumns = [runNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"stream", u64, false, "", "seed of the replicate's random streams"},
	{"attempts", i32, false, "count", "founders needed until one reached the detection size"},
	{"outcome", utf8, false, "", "outcome of treatment: progressed, cured or censored"},
	{"growth_days", f64, false, "days", "time from founding to detection (treatment start)"},
	{"ttp", f64, true, "days", "time to progression (first scan meeting RECIST PD, or lethal burden); null if no progression"},
	{"end_time", f64, false, "days", "time the simulation of the replicate stopped"},
	{"resistant_majority_time", f64, true, "days", "first grid time resistant cells outnumber sensitive ones; null if never"},
	{"first_resistant_birth", f64, true, "days", "birth time of the first recorded resistant clone (negative: before treatment); null if none"},
	{"start_sensitive", i64, false, "cells", "sensitive cells at treatment start"},
	{"start_ta_loss", i64, false, "cells", "transactivation-loss (class A) cells at treatment start"},
	{"start_pocket", i64, false, "cells", "pocket-mutant (class B) cells at treatment start"},
	{"final_sensitive", i64, false, "cells", "sensitive cells at the end"},
	{"final_ta_loss", i64, false, "cells", "transactivation-loss (class A) cells at the end"},
	{"final_pocket", i64, false, "cells", "pocket-mutant (class B) cells at the end"},
	{"dominant_class_at_progression", utf8, true, "", "most numerous class at progression (sensitive, ta-loss, pocket); null if no progression"},
	{"resistant_clones_at_progression", i32, true, "count", "live resistant clones at progression; null if no progression"},
	{"nadir", i64, false, "cells", "smallest scanned burden before progression"},
	{"nadir_time", f64, false, "days", "time of the nadir"},
	{"best_response", utf8, false, "", "RECIST 1.1 best overall response: CR, PR, SD, PD or NE (no scan)"},
	{"clones_born", i64, false, "count", "clones founded, the founder included"},
}

const (
	trajReplicate = iota
	trajTime
	trajTotal
	trajSensitive
	trajTALoss
	trajPocket
	trajNumCols
)

var trajColumns = [trajNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"time", f64, false, "days", "time since treatment start (negative: growth phase)"},
	{"total", i64, false, "cells", "tumour cells"},
	{"sensitive", i64, false, "cells", "sensitive cells"},
	{"ta_loss", i64, false, "cells", "transactivation-loss (class A) cells"},
	{"pocket", i64, false, "cells", "pocket-mutant (class B) cells"},
}

const (
	cloneReplicate = iota
	cloneID
	cloneParent
	cloneMutation
	cloneGenotype
	cloneClass
	cloneBirth
	clonePeak
	clonePeakTime
	cloneExtinct
	cloneNumCols
)

var cloneColumns = [cloneNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"clone_id", i64, false, "", "clone id, unique within the replicate"},
	{"parent_id", i64, true, "", "clone id of the parent; null for the founder"},
	{"mutation", utf8, false, "", "mutation that founded the clone (Y220C for the founder)"},
	{"genotype", utf8, false, "", "all secondary mutations, joined by +"},
	{"class", utf8, false, "", "resistance class of the genotype: sensitive, ta-loss or pocket"},
	{"birth_time", f64, false, "days", "time the clone was founded (negative: before treatment)"},
	{"peak_size", i64, false, "cells", "largest size the clone reached"},
	{"peak_time", f64, false, "days", "time of the peak size"},
	{"extinction_time", f64, true, "days", "time the clone died out; null if alive at the end"},
}

const (
	evReplicate = iota
	evTime
	evKind
	evDetail
	evNumCols
)

var eventColumns = [evNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"time", f64, false, "days", "time since treatment start"},
	{"kind", utf8, false, "", "detection, scan, response, progression, cured, lethal or end"},
	{"detail", utf8, false, "", "free text, key=value pairs"},
}

func newSchema(table string, cols []column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{
			Name:     c.name,
			Type:     c.typ,
			Nullable: c.nullable,
			Metadata: arrow.NewMetadata([]string{MetaKeyUnit, MetaKeyDescription}, []string{c.unit, c.desc}),
		}
	}
	md := arrow.NewMetadata(
		[]string{MetaKeySchemaVersion, MetaKeyTable},
		[]string{strconv.Itoa(SchemaVersion), table},
	)
	return arrow.NewSchema(fields, &md)
}

var (
	runsSchema   = newSchema(TableRuns, runsColumns[:])
	trajSchema   = newSchema(TableTrajectories, trajColumns[:])
	clonesSchema = newSchema(TableClones, cloneColumns[:])
	eventsSchema = newSchema(TableEvents, eventColumns[:])
)

// Schema returns the Arrow schema of a table, or nil for an unknown name.
func Schema(table string) *arrow.Schema {
	switch table {
	case TableRuns:
		return runsSchema
	case TableTrajectories:
		return trajSchema
	case TableClones:
		return clonesSchema
	case TableEvents:
		return eventsSchema
	}
	return nil
}

func tableColumns(table string) []column {
	switch table {
	case TableRuns:
		return runsColumns[:]
	case TableTrajectories:
		return trajColumns[:]
	case TableClones:
		return cloneColumns[:]
	case TableEvents:
		return eventColumns[:]
	}
	return nil
}
