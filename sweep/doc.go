// Package sweep runs scenario sweeps: a base scenario, fixed overrides and
// axes whose cartesian product gives the points, every point simulated with
// its own seed, in work units that can be split over shards (SLURM job array
// tasks), resumed after a kill, and merged into one dataset per point.
//
// It plans, runs, tracks and merges; the simulation is sim's, the files are
// dataset's, the scenario paths and checks are scenarios'.
//
// # Sweep file
//
//	name: dose-response              # default: the file name
//	base: rezatapopt-continuous-lesion # library name, or scenario file relative to this file
//	seed: 1                          # sweep seed (default 1); the base's seed is not used
//	replicates: 50                   # per point (default: the base scenario's)
//	batch: 10                        # replicates per work unit (default 10)
//	set: {detection.size: 1e8}       # fixed overrides, as --set PATH=VALUE
//	axes:
//	  - {path: mutation.rate, log: {from: 1e-9, to: 1e-8, n: 3}}
//	  - {path: growth.death, linear: {from: 0.12, to: 0.13, n: 2}}
//	  - {path: treatment.phases[0].doses.rezatapopt, values: [1150, 1500, 2000]}
//	  - lhs:                         # Latin hypercube block: n points over the ranges
//	      n: 20
//	      seed: 3                    # default: the sweep seed
//	      ranges:
//	        - {path: alleles.dominance, from: 0, to: 1}
//	        - {path: tolerance, from: 1e-3, to: 0.5, log: true}
//
// Sweep files are read by the same strict decoder as scenario files
// (internal/strictyaml): an unknown key, a wrong type or an empty range is
// refused with file:line:col, the key path and what is allowed; anchors,
// aliases and merge keys (<<) are expanded. Paths are those of scenarios.Set (scenarios.Paths lists them);
// in a flow mapping ({...}) a path with [ ] must be quoted. seed,
// replicates, name and description belong to the sweep and cannot be set
// or varied. Every axis value is applied alone to the base (with set) by
// scenarios.Set and resolved before anything runs, so a bad axis is reported
// naming the axis and the value; then every point is built and resolved.
//
// Generated values: linear and log axes give n values from from to to
// (ends exact, log axes evenly spaced in log10), printed with at most 12
// significant digits. An lhs block cuts each range into n strata of equal
// width (in log scale with log: true), draws for range k a random
// permutation of the strata and a uniform position in each from the stream
// rng.New(seed, k), and rounds to 6 significant digits. Points are the
// cartesian product of the axes, the first axis varying slowest; an lhs
// block counts as one axis of n values.
//
// # Point identity and seeds
//
// A point's id (PointID) is "p" and the first 12 hex digits of the SHA-256
// of its scenario printed fully resolved by scenarios.Marshal, with name,
// description, seed and replicates replaced by constants. It is a hash of
// the resolved parameters rather than of the (path, value) list because
// then it depends only on what is simulated: not on the axis order, the
// other points, how the sweep is split, or how a value or path was spelt
// (1e8 and 100000000, drugs[0] and drugs[rezatapopt], a value set to its
// default); two points with the same parameters are refused. The price:
// ids change when p53evo's defaults or scenario format change, as results
// may too. The letter keeps readers that infer the types of Hive partition
// values (point=<id>) from reading an id such as 067122114e60 as a number.
//
// The point's scenario seed is PointSeed(sweep seed, id): the first 8 bytes
// of SHA-256("p53evo sweep seed v1\n<seed>\n<id>"). Its replicates are
// numbered 0..R-1, so point P's replicate r is replicate r of `p53evo run`
// of P's scenario (`p53evo sweep point FILE ID` prints it) — the same bytes
// in every table.
//
// # Work units and shards
//
// Unit k is point k / U, replicates b*batch .. b*batch+batch-1 with
// b = k mod U, where U = ceil(replicates / batch): units are numbered point
// by point in plan order. Shard i of n runs the units with k mod n = i
// (round robin, so that expensive neighbouring points spread over the
// shards). Results depend only on (point, seed, replicate), so any split
// gives the same results.
//
// # Directory layout
//
//	DIR/sweep.json                       the plan: points, ids, seeds, replicates, batch, table format and codec (same bytes from every shard)
//	DIR/points.arrow                     point, index, seed, then one column per varied path (float64, or utf8 if any value is not a number); points.parquet for Parquet sweeps
//	DIR/shards/shard-<i>-of-<n>.json     per shard: state (running, complete, stopped, failed), host, SLURM ids, and every complete unit's table hashes
//	DIR/point=<id>/reps-<first>-<last>/  one unit: a dataset (manifest.json + one file per table)
//	DIR/point=<id>/.reps-<first>-<last>.tmp/  a unit being written
//	DIR/point=<id>/manifest.json, <table>.arrow   after merge: the point's dataset (replicates 0..R-1); unit directories removed
//
// point=<id> is a Hive partition: readers that understand them (DuckDB's
// read_parquet with hive_partitioning, polars' scan_parquet, pyarrow.dataset
// with partitioning="hive") get a point column to join with the points
// table. Plan.Format and Plan.Compression choose the table files' format
// (dataset.Arrow or dataset.Parquet) and codec; sweep.json records them and
// a directory refuses a run that asks for others.
//
// # Resuming
//
// A unit is written with dataset.Create to its hidden temporary directory
// and renamed into place when the dataset inside is complete; a unit is
// complete iff its directory holds a manifest (or its point is merged). A
// run skips complete units and removes a unit's temporary directory before
// running it, so a SIGKILL costs only the units in flight. A cancelled
// context (the command maps SIGINT, SIGTERM and SIGUSR1 to it) abandons
// the units in flight and Run returns ErrStopped; the shard is resumed by
// running it again, with the same or any other split. sweep.json guards
// the directory: a run whose plan differs (another sweep file, base
// scenario or p53evo version that changes ids) is refused, and so is a
// directory holding a run's dataset.
//
// One process per unit at a time: a run claims a unit (an exclusive lock on
// point=<id>/.reps-<first>-<last>.lock) before it inspects, repairs or
// writes it, and leaves units claimed by another process to it; its count
// of complete units is read back from disk at the end, and if units were
// left to another process it returns ErrBusy. Every run holds the sweep
// directory's lock (dataset.LockName) shared, so `p53evo run` cannot write
// there meanwhile.
//
// Before a complete unit is skipped its tables are verified (type, size and
// SHA-256 against its manifest, seed and range against the plan, hashes
// against those the shard manifests recorded). A broken unit (a directory
// without manifest, an altered table) is moved to
// DIR/.quarantine/point=<id>/reps-<first>-<last>.<time>/ with a REASON.txt
// and redone. StatusOf with Verify checks the same without changing
// anything.
//
// # Merging and reading
//
// Merge verifies every unit (SHA-256 of each table against the unit's
// manifest, seed and replicate range against the plan, and the hashes the
// shard manifests recorded), concatenates each table's unit files in
// replicate order into record batches of whole units (at least
// dataset.DefaultBatchRows rows each), and writes the point's manifest
// last (dataset.Merge). The merged table files are byte-identical whether the sweep ran in
// one process or in any number of shards, since units are (the dataset
// writer's output depends only on the results) and the batching depends
// only on the units. Manifests differ in times and hosts.
//
// Open reads a sweep directory for analysis: Points gives each point's id
// and varied parameters, Runs a point's runs table (from the merged
// dataset or the units), Files any table's files, ExportParts every
// complete point for dataset.ExportParts.
//
// Every error the package returns starts with "sweep: ", once (see
// CONTRIBUTING.md).
package sweep
