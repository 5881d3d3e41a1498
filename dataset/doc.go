// Package dataset defines the tables p53evo writes (runs, trajectories,
// clones, events, ctdna, genotypes, and for virtual trial patients
// patients, lesions and scans), writes them as Arrow IPC or Parquet
// files while a run goes with bounded memory, moves them into place
// atomically, reads them back, and exports them.
//
// It knows the engine's result types and the on-disk formats, and is the
// only package that does: sweep merges the datasets of a point's units
// (Merge) and writes its points table (EncodePoints) through it, and
// analysis reads columns through it (Runs, ScanTrajectories,
// OptionalFloats) without touching Arrow. It must not run simulations or
// compute statistics.
//
// # Layout
//
// A run directory holds, once the run has finished:
//
//	manifest.json        written last; lists every table file with its SHA-256
//	runs.arrow           one row per replicate
//	trajectories.arrow   the tumour's composition and the drug concentrations over time
//	clones.arrow         clones that reached the record threshold
//	events.arrow         detection, scans, responses, phases, progression, end
//	ctdna.arrow          resistance mutations seen at liquid-biopsy blood draws
//	genotypes.arrow      live cells of each genotype when the replicate ended
//	patients.arrow       one row per virtual trial patient: draws, baseline, RECIST summary
//	lesions.arrow        one row per lesion of a patient
//	scans.arrow          one row per RECIST reading of a patient
//	snapshots.arrow      cells of a lattice tumour (position, clone, class), or each clone's cells per deme, at chosen moments
//	regions.arrow        multi-region biopsies of a lattice or deme tumour: cells and variant carriers per punch
//	draws.arrow          values of patient.vary drawn per patient or lesion
//
// Patients, lesions and scans are empty for single-tumour replicates,
// snapshots and regions for well-mixed ones; for a patient the
// clones table names each clone's lesion and the genotypes table sums the
// lesions.
// (.parquet instead of .arrow with WithFormat(Parquet).)
//
// The trajectories table has one column conc_<drug> (mg-eq) per drug of the
// scenario, in the scenario's order; the manifest lists the drugs
// (Manifest.Drugs, Dataset.Drugs), so its schema depends on the dataset
// (TrajectoriesSchema, Dataset.Schema). Every table file exists even when it
// has no rows (a scenario without blood draws has an empty ctdna table).
//
// # Formats
//
// Tables are Arrow IPC files (Feather v2) by default, or Parquet files
// (WithFormat), compressed with zstd, LZ4 (LZ4 frames in IPC, LZ4_RAW in
// Parquet) or not at all (WithCompression); the manifest records both.
// pyarrow, polars and R arrow read either; DuckDB reads Parquet natively
// but Arrow IPC only through an extension it downloads; apache-arrow for
// JavaScript reads IPC (zstd only with a codec registered). Parquet files
// are written with arrow-go's parquet/file package, one row group per record
// batch, and carry the Arrow schema under "ARROW:schema" (as pqarrow writes
// it), so the field metadata survives; the reader takes either format, told
// apart by the file's magic bytes. Export writes a table (or the tables of
// several datasets with leading constant columns, ExportParts) as CSV, JSON
// lines, Parquet or Arrow; CSV always quotes uint64 columns.
//
// Times are in days with t = 0 at the start of
// treatment (the growth phase is negative). Every column carries "unit"
// ("days", "cells", "count", "mg-eq", "fraction", "reads", "mm",
// "percent", "sites" or "") and
// "description" in its field metadata; each schema carries
// "p53evo.schema_version" and "p53evo.table". Column "replicate" joins the
// tables. Null means "did not happen" (no progression, clone still alive,
// founder has no parent, no ctDNA call); the engine's NaN becomes null and
// the row types turn it back into NaN (or -1 for counts and ids, "" for
// strings).
//
// Open refuses a dataset of another schema version (SchemaVersionError), and
// the readers a table file of another version: rerun the scenario.
//
// Strings are plain utf8 columns, not dictionaries: the IPC file format
// allows one dictionary per field, and zstd already compresses repeated
// values well.
//
// # Completeness
//
// Writer writes each table to a hidden temporary file (".runs.arrow.tmp")
// in record batches of DefaultBatchRows rows, so memory stays bounded
// whatever the number of replicates. Close syncs the files, renames them to
// their final names and writes manifest.json last (through a temporary file
// and a rename). A process killed before Close leaves only ".*.tmp" files;
// Open refuses a directory without manifest.json (ErrIncomplete, or
// ErrNotDataset when it holds no dataset file at all) and a table whose
// SHA-256 differs from the manifest's.
//
// # One writer, whole replacement, defensive reading
//
// Create takes an exclusive flock on LockName in the directory and Close or
// Abort releases it (removing the file); a second writer gets ErrBusy. The
// kernel drops the lock of a process that dies, so a lock is never stuck.
// WithForce writes the new dataset to a hidden directory beside the old one
// (".<dir>.p53evo-new-*") and exchanges the two directories in one step
// when Close has completed it: a replacement that fails or is killed leaves
// the old dataset whole. Readers open only regular files (a FIFO or device
// is refused without blocking), check each table's size against the
// manifest before hashing it, and stop hashing when WithContext's context
// is cancelled.
//
// The same results give byte-identical table files and so identical hashes,
// whatever GOMAXPROCS.
//
// The manifest lists files per table, so a table may consist of several
// files (partitions of a sweep); readers concatenate them in manifest order.
// ReadRunsFiles and its siblings read table files without a manifest.
//
// Every error the package returns starts with "dataset: ", once (see
// CONTRIBUTING.md).
package dataset
