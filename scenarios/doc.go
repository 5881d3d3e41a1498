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
// 1e6. The fully resolved single-lesion reference arm (Marshal's output,
// abridged; the default scenario, rezatapopt-continuous, adds a patient
// section: every replicate a virtual trial patient, see Patient):
//
//	name: rezatapopt-continuous-lesion # default: the file name
//	description: ...
//	seed: 1
//	replicates: 200
//	founder: {cells: 1}
//	detection: {size: 1e9}          # cells; treatment starts at t = 0
//	growth: {birth: 0.14, death: 0.13} # death > birth only with founder.cells >= detection.size
//	mutation:
//	  rate: 1e-9                    # per site per division
//	  catalog: default              # or a list of entries; [] for none
//	  extra: []                     # entries appended to the catalog
//	  # entry: {name: R248W, class: ta-loss|pocket|passenger, sites: 1,
//	  #         birth_delta: 0, death_delta: 0, ec50_fold: {rezatapopt: 1},
//	  #         requires: [I]}      # open only to cells already carrying I (pathways)
//	alleles: {copies: 1, dominance: 1}
//	drugs:                          # defaults rezatapopt, nextgen, offaxis;
//	  - {name: rezatapopt, target: y220c-pocket, emax: 0.0436, ec50: 900, hill: 3, pocket_fold: 100,
//	     pk: {ka: 24, half_life: 0.75, scale: 1}}   # pk defaults: model.DefaultRezatapoptPK, every drug
//	  # a listed default name overrides fields; a new name adds a drug (at most 8 drugs)
//	combination: additive           # or highest-single
//	tolerance: 0
//	treatment:                      # no phases: untreated (the default)
//	  exposure: steady-state        # or pk: each drug's one-compartment oral model (drugs[].pk)
//	  segment: 0.0416667            # days; pk profiles reach the engine as segments of average concentration
//	  phases:
//	    - name: rezatapopt          # default "phase <i>"
//	      doses: {rezatapopt: 2000} # mg per administration; none: a pause
//	      interval: 1               # days between administrations
//	      cycle: {on: 21, off: 7}   # optional: days on, days off, from the phase's start
//	      until: progression        # the end rule, see below (default never)
//	      next: 1                   # optional: index, name or stop; default the following phase (stop after the last)
//	stop: {horizon: 1826.25, follow_up: 0, lethal: 1e12}
//	                                # stop.at: DAYS ends every replicate then, whatever imaging
//	                                # shows (horizon and follow_up do not apply)
//	                                # stop.at_detection: true ends it at detection (a patient: at
//	                                # diagnosis), before any treatment; takes no phases
//	observe:
//	  scan_every: 56                # imaging, days
//	  progression: nadir            # or baseline: 1.728 x the line's start (adaptive therapy)
//	  visible: 0                    # cells imaging can see (0: all); below it a scan reads CR
//	  ctdna: {every: 28, depth: 2000, min_alt: 5, lod: 0.001, shed: 1.4e-4,
//	          half_life_min: 30, normal_ge: 2.25e6, record_min_vaf: 1e-4}  # every: off (or 0) for no blood draws; any engine.space
//	  # engine.space: lattice or demes; missing: not taken. Moments: treatment_start,
//	  # progression (the first), end, or days since treatment start (increasing)
//	  snapshot: {at: [treatment_start, progression], max_cells: 200000}  # cells (demes: deme and clone rows), subsampled above max_cells
//	  regions: {at: [end], k: 5, radius: 5, rule: spread}  # or rule: positions, positions: [[x, y], ...]
//	record: {grid: 7, growth_grid: 28, clone_threshold: 100}
//	engine: {step: 7, min_step: 0.01, exact_below: 1, shards: 1, shard_min: 256, max_attempts: 1000000,
//	         max_clones: 2000000}     # stop a replicate above this many live clones (or 20 x genotypes); 0: no limit
//	# engine.space: none (well mixed, the default), lattice (engine.lattice) or demes
//	# (engine.demes). Blood draws (observe.ctdna), until: ctdna and ctDNA-triggered
//	# switches work in every space, read from the spatial tumour's clones; a patient
//	# section needs space none (a patient's lesions are well mixed).
//	# engine.lattice: {dim: 2, neighbourhood: von-neumann, rule: push, update: serial}
//	# update: blocks runs blocks of the grid concurrently over short sub-steps
//	# (an approximation, bit-identical for any goroutines); with it
//	# block: 32 (16 in 3D; a power of two, 16-1024) and goroutines: 2 (1-64).
//
// # Treatment policies
//
// The first phase starts at detection (t = 0). A phase gives its doses on
// its schedule until its end rule fires, then hands over to its next phase
// (stop: no more drug). End rules:
//
//	until: never                                 # the phase lasts until the run ends
//	until: progression                           # at RECIST progression (a scan)
//	until: {after: 180}                          # days after the phase began
//	until: {ctdna: {class: pocket, vaf: 0.005}}  # a blood draw calls a ta-loss or pocket mutation at observed VAF >= vaf
//	until: {burden_below: 0.5}                   # a scan finds burden <= 0.5 x the baseline
//	until: {burden_above: 1.0}                   # a scan finds burden >= 1.0 x the baseline
//
// Progression ends the run (after stop.follow_up) unless the current phase
// ends at progression and hands over to another phase: a new line of
// treatment, for which RECIST starts again from the burden at that scan, so
// a switch at progression runs on to the next line's progression.
// Under exposure steady-state a drug's concentration is dose x scale /
// interval mg-eq on dosing days and 0 in pauses (a daily dose of D mg is D
// mg-eq, the unit of ec50); under pk it follows the one-compartment model
// (see model.PK), so doses build up and wash out.
//
// Defaults come from model.Default and sim.Config.Defaults, so they cannot
// drift apart. Anchors, aliases and merge keys (<<) work as in YAML.
//
// # Use
//
//	s, err := scenarios.Open("rezatapopt-continuous") // or a file path
//	err = scenarios.Set(s, "treatment.phases[0].doses.rezatapopt", "1500")
//	err = scenarios.Set(s, "treatment.phases[0].until", "{after: 30}")
//	cfg, err := scenarios.Resolve(s) // sim.Config; s.ReplicateCount() replicates
//	pol, err := scenarios.Policy(s)  // the *sim.Policy behind cfg.Therapy
//	out, err := scenarios.Marshal(s) // fully resolved YAML, loads back to Fill(s)
//
// Errors are *Error values (file:line:col: path: message, plus a source
// excerpt), several joined with errors.Join; Errors unpacks them.
package scenarios
