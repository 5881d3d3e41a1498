package dataset

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// SchemaVersion is the version of the on-disk layout: the manifest, the table
// names and every table's columns. It changes whenever a reader written for
// the old layout would misread the new one.
//
// Version 2 added the runs columns final_progression, first_ctdna_call,
// ctdna_lead and called_*_at_progression, the trajectories columns conc_<drug>
// and the ctdna table; the manifest lists the drugs.
//
// Version 3 added the genotypes table and Parquet table files (the
// manifest's format and compression).
//
// Version 4 added the tables of virtual trial patients (patients, lesions,
// scans) and the clones column lesion.
//
// Version 5 added the tables of spatial observations of lattice tumours
// (snapshots, regions).
//
// Version 6 added the draws table (the values of patient.vary) and the
// snapshots column cells (a row of a deme tumour's snapshot is one clone in
// one deme).
const SchemaVersion = 6

// Table names. A table lives in the file Name+".arrow" (or, for partitioned
// sweeps, in several files listed by the manifest).
const (
	TableRuns         = "runs"
	TableTrajectories = "trajectories"
	TableClones       = "clones"
	TableEvents       = "events"
	TableCTDNA        = "ctdna"
	TableGenotypes    = "genotypes"
	TablePatients     = "patients"
	TableLesions      = "lesions"
	TableScans        = "scans"
	TableSnapshots    = "snapshots"
	TableRegions      = "regions"
)

// Tables lists the tables of a dataset in the order they are written.
var Tables = []string{TableRuns, TableTrajectories, TableClones, TableEvents, TableCTDNA, TableGenotypes, TablePatients, TableLesions, TableScans, TableBiopsies, TableSnapshots, TableRegions, TableDraws}

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
	bln  = arrow.FixedWidthTypes.Boolean
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
	runFinalProgression
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
	runFirstCTDNACall
	runCTDNALead
	runCalledTALoss
	runCalledPocket
	runNumCols
)

var runsColumns = [runNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"stream", u64, false, "", "seed of the replicate's random streams"},
	{"attempts", i32, false, "count", "founders needed until one reached the detection size"},
	{"outcome", utf8, false, "", "outcome of treatment: progressed, cured or censored"},
	{"growth_days", f64, false, "days", "time from founding to detection (treatment start)"},
	{"ttp", f64, true, "days", "time to progression (first scan meeting RECIST PD, or lethal burden); null if no progression"},
	{"final_progression", f64, true, "days", "progression that ended treatment (equal to ttp unless a phase switched lines of therapy at progression); null if none"},
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
	{"nadir", i64, false, "cells", "smallest burden a scan reported before progression (0: none visible, see observe.visible)"},
	{"nadir_time", f64, false, "days", "time of the nadir"},
	{"best_response", utf8, false, "", "RECIST 1.1 best overall response: CR, PR, SD, PD or NE (no scan)"},
	{"clones_born", i64, false, "count", "clones founded, the founder included"},
	{"first_ctdna_call", f64, true, "days", "time of the first ctDNA draw calling a resistance mutation; null if none"},
	{"ctdna_lead", f64, true, "days", "lead of the first ctDNA call over imaging progression, ttp - first_ctdna_call; null unless both exist"},
	{"called_ta_loss_at_progression", i32, true, "count", "distinct transactivation-loss (class A) resistance mutations called at the last ctDNA draw at or before progression; null if no progression"},
	{"called_pocket_at_progression", i32, true, "count", "distinct pocket (class B) resistance mutations called at the last ctDNA draw at or before progression; null if no progression"},
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

// ConcPrefix starts the name of a trajectories column holding a drug's
// concentration: conc_<drug>, one per drug in scenario order.
const ConcPrefix = "conc_"

func concColumn(drug string) column {
	return column{ConcPrefix + drug, f64, false, "mg-eq", "concentration of " + drug + " in force from this time"}
}

// trajColumnsFor is the trajectories table's columns with drugs' conc columns.
func trajColumnsFor(drugs []string) []column {
	cols := make([]column, 0, trajNumCols+len(drugs))
	cols = append(cols, trajColumns[:]...)
	for _, d := range drugs {
		cols = append(cols, concColumn(d))
	}
	return cols
}

// checkDrugs reports why drugs cannot name the conc columns, if they cannot.
func checkDrugs(drugs []string) error {
	if len(drugs) > sim.MaxDrugs {
		return fmt.Errorf("%d drugs: at most %d are supported", len(drugs), sim.MaxDrugs)
	}
	seen := make(map[string]bool, len(drugs))
	var errs []error
	for i, d := range drugs {
		switch {
		case d == "":
			errs = append(errs, fmt.Errorf("drugs[%d]: empty name", i))
		case !validDrugName(d):
			errs = append(errs, fmt.Errorf("drugs[%d] %q: a drug name names the column %s<name>, so it may hold only ASCII letters, digits, '-' and '_'", i, d, ConcPrefix))
		case seen[d]:
			errs = append(errs, fmt.Errorf("drugs[%d] %q: duplicate drug name", i, d))
		}
		seen[d] = true
	}
	return errors.Join(errs...)
}

func validDrugName(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
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
	cloneLesion
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
	{"lesion", i32, true, "", "lesion of a virtual trial patient the clone grew in (joins lesions.lesion); null for a single-tumour replicate"},
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
	{"kind", utf8, false, "", "detection, scan, response, progression, phase (treatment phase in force from this time: phase=NAME why=REASON), ctdna-call (first ctDNA call), cured, lethal or end"},
	{"detail", utf8, false, "", "free text, key=value pairs"},
}

const (
	ctReplicate = iota
	ctTime
	ctMutation
	ctClass
	ctTrueVAF
	ctAltReads
	ctDepth
	ctCalled
	ctTumourFraction
	ctNumCols
)

var ctdnaColumns = [ctNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"time", f64, false, "days", "time of the blood draw since treatment start"},
	{"mutation", utf8, false, "", "resistance mutation (catalog name; name#k, the entry's k-th SNV, when the entry stands for several SNVs); for virtual trial patients every draw's first row is the truncal marker Y220C"},
	{"class", utf8, false, "", "resistance class of the mutation: ta-loss or pocket (sensitive for the Y220C marker)"},
	{"true_vaf", f64, false, "fraction", "true variant allele fraction in plasma at the draw"},
	{"alt_reads", i64, false, "reads", "sequencing reads carrying the mutation"},
	{"depth", i64, false, "reads", "sequencing depth of the draw"},
	{"called", bln, false, "", "whether the draw calls the mutation (enough alt reads and observed VAF at or above the limit of detection)"},
	{"tumour_fraction", f64, false, "fraction", "share of the draw's cell-free genomes shed by the tumour (the same in every row of one draw)"},
}

const (
	genoReplicate = iota
	genoGenotype
	genoClass
	genoCells
	genoNumCols
)

var genotypeColumns = [genoNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"genotype", utf8, false, "", "all secondary mutations, joined by + (Y220C: the founder genotype), as in clones.genotype"},
	{"class", utf8, false, "", "resistance class of the genotype: sensitive, ta-loss or pocket"},
	{"cells", i64, false, "cells", "live cells of the genotype when the replicate ended; genotypes with none are left out"},
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
	ctdnaSchema  = newSchema(TableCTDNA, ctdnaColumns[:])
	genoSchema   = newSchema(TableGenotypes, genotypeColumns[:])
)

// TrajectoriesSchema returns the schema of the trajectories table of a
// scenario with the given drugs: the fixed columns, then conc_<drug> for
// each drug in order. The names must be valid drug names (as Create checks
// for Meta.Drugs).
func TrajectoriesSchema(drugs []string) *arrow.Schema {
	if len(drugs) == 0 {
		return trajSchema
	}
	return newSchema(TableTrajectories, trajColumnsFor(drugs))
}

// Schema returns the Arrow schema of a table, or nil for an unknown name.
// For the trajectories table it is the schema of a scenario without drugs
// (no conc_<drug> columns); TrajectoriesSchema gives a scenario's, and
// Dataset.Schema a dataset's.
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
	case TableCTDNA:
		return ctdnaSchema
	case TableGenotypes:
		return genoSchema
	case TablePatients:
		return patientsSchema
	case TableLesions:
		return lesionsSchema
	case TableScans:
		return scansSchema
	case TableBiopsies:
		return biopsySchema
	case TableSnapshots:
		return snapshotsSchema
	case TableRegions:
		return regionsSchema
	case TableDraws:
		return drawSchema
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
	case TableCTDNA:
		return ctdnaColumns[:]
	case TableGenotypes:
		return genotypeColumns[:]
	case TablePatients:
		return patientColumns[:]
	case TableLesions:
		return lesionColumns[:]
	case TableScans:
		return scanColumns[:]
	case TableBiopsies:
		return biopsyColumns[:]
	case TableSnapshots:
		return snapshotColumns[:]
	case TableRegions:
		return regionColumns[:]
	case TableDraws:
		return drawColumns[:]
	}
	return nil
}
