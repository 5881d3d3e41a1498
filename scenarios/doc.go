// Package scenarios defines the YAML scenario format of p53evo, validates it
// strictly (every error names the file position, the field path and what is
// allowed), resolves defaults, and ships a library of named scenarios embedded
// in the binary.
//
// It turns a scenario into model/ and sim/ values; it must not run
// simulations or write datasets.
//
// # Format
//
// Every key is optional; a missing key takes its default. Keys are
// snake_case; unknown keys, wrong types and out-of-range values are errors.
// Numbers may be written 1e9, 1e-9, 2000 or 0.14; whole-number fields accept
// 1e6. The fully resolved default scenario (Marshal's output, abridged):
//
//	name: rezatapopt-continuous     # default: the file name
//	description: ...
//	seed: 1
//	replicates: 200
//	founder: {cells: 1}
//	detection: {size: 1e9}          # cells; treatment starts at t = 0
//	growth: {birth: 0.14, death: 0.13}
//	mutation:
//	  rate: 1e-9                    # per site per division
//	  catalog: default              # or a list of entries; [] for none
//	  extra: []                     # entries appended to the catalog
//	  # entry: {name: R248W, class: ta-loss|pocket|passenger, sites: 1,
//	  #         birth_delta: 0, death_delta: 0, ec50_fold: {rezatapopt: 1}}
//	alleles: {copies: 1, dominance: 1}
//	drugs:                          # defaults rezatapopt, nextgen, offaxis;
//	  - {name: rezatapopt, target: y220c-pocket, emax: 0.0323, ec50: 850, hill: 3, pocket_fold: 100}
//	  # a listed default name overrides fields; a new name adds a drug
//	combination: additive           # or highest-single
//	tolerance: 0
//	treatment:                      # no phases: untreated (the default)
//	  phases:
//	    - {start: 0, doses: {rezatapopt: 2000}}   # mg-eq from day start
//	stop: {horizon: 1826.25, follow_up: 0, lethal: 1e12}
//	observe: {scan_every: 56}
//	record: {grid: 7, growth_grid: 28, clone_threshold: 100}
//	engine: {step: 7, min_step: 0.01, exact_below: 16, shards: 1, shard_min: 4096, max_attempts: 1000000}
//
// Defaults come from model.Default and sim.Config.Defaults, so they cannot
// drift apart. Anchors, aliases and merge keys (<<) work as in YAML.
//
// # Use
//
//	s, err := scenarios.Open("rezatapopt-continuous") // or a file path
//	err = scenarios.Set(s, "treatment.phases[0].doses.rezatapopt", "1500")
//	cfg, err := scenarios.Resolve(s) // sim.Config; s.ReplicateCount() replicates
//	out, err := scenarios.Marshal(s) // fully resolved YAML, loads back to Fill(s)
//
// Errors are *Error values (file:line:col: path: message, plus a source
// excerpt), several joined with errors.Join; Errors unpacks them.
package scenarios
