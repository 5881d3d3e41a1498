package scenarios

import (
	"os"
	"path/filepath"
	"strings"
)

// Scenario is one scenario file: every field is optional and a missing field
// (a nil pointer, an empty list) takes its documented default. Load returns
// the scenario as written; Fill returns it with every default made explicit;
// Resolve turns it into a sim.Config; Marshal prints it fully resolved.
//
// The struct is the single source of truth of the format: the YAML decoder,
// the printer, --set and Paths all work from these types and their yaml
// tags, so a new field only needs a tag here, a default in fill and checks in
// validate.
type Scenario struct {
	// Name identifies the scenario in outputs (letters, digits, '.', '_',
	// '-'). Default: the file name without its extension.
	Name string `yaml:"name,omitempty"`
	// Description is free text for people.
	Description string `yaml:"description,omitempty"`
	// Seed of the random streams (default 1).
	Seed *uint64 `yaml:"seed"`
	// Replicates to simulate (default 200).
	Replicates *int      `yaml:"replicates"`
	Founder    Founder   `yaml:"founder"`
	Detection  Detection `yaml:"detection"`
	Growth     Growth    `yaml:"growth"`
	Mutation   Mutation  `yaml:"mutation"`
	Alleles    Alleles   `yaml:"alleles"`
	// Drugs patches and extends the default drugs (rezatapopt, nextgen,
	// offaxis): an entry with a default name overrides that drug's fields, any
	// other name adds a drug (target, emax and ec50 then required). Resolved
	// drugs are the defaults in their order, then added drugs in listed order;
	// concentrations are indexed in that order.
	Drugs []Drug `yaml:"drugs"`
	// Combination of several drugs' kill rates: "additive" (default) or
	// "highest-single".
	Combination *string `yaml:"combination"`
	// Tolerance in [0, 1) damps the kill of reactivators (default 0).
	Tolerance *float64  `yaml:"tolerance"`
	Treatment Treatment `yaml:"treatment"`
	Stop      Stop      `yaml:"stop"`
	Observe   Observe   `yaml:"observe"`
	Record    Record    `yaml:"record"`
	Engine    Engine    `yaml:"engine"`
	// Patient makes every replicate a virtual trial patient with several
	// lesions (see Patient); missing: one lesion grown to detection.size.
	Patient *Patient `yaml:"patient,omitempty"`

	// File is where the scenario was read from ("" if built in code); it
	// names the scenario in error messages. Not part of the format.
	File string `yaml:"-"`
}

// Founder is the founding clone.
type Founder struct {
	// Cells at founding (default 1).
	Cells *int64 `yaml:"cells"`
}

// Detection says when treatment starts.
type Detection struct {
	// Size in cells at which the tumour is detected and treatment starts
	// (t = 0); default 1e9 (about 1 cm3).
	Size *float64 `yaml:"size"`
}

// Growth is the founder genotype's untreated growth.
type Growth struct {
	Birth *float64 `yaml:"birth"` // per day (default 0.14)
	Death *float64 `yaml:"death"` // per day, untreated (default 0.13)
}

// Mutation is the secondary-mutation process.
type Mutation struct {
	// Rate per site per division (default 1e-9).
	Rate *float64 `yaml:"rate"`
	// Catalog is "default" (model.DefaultCatalog) or an explicit list
	// (possibly empty: no mutations). Missing: default.
	Catalog *Catalog `yaml:"catalog"`
	// Extra entries appended to the catalog.
	Extra []MutationEntry `yaml:"extra,omitempty"`
}

// Catalog is the YAML value of mutation.catalog: the word "default" or a list
// of entries.
type Catalog struct {
	Default bool            // the word "default"
	Entries []MutationEntry // the list, when not Default
}

// MutationEntry is one catalog entry (see model.Mutation).
type MutationEntry struct {
	Name string `yaml:"name"` // required
	// Class: "ta-loss", "pocket" or "passenger" (required).
	Class *string `yaml:"class"`
	// Sites: SNVs the entry stands for (default 1).
	Sites      *float64 `yaml:"sites"`
	BirthDelta *float64 `yaml:"birth_delta"` // per day (default 0)
	DeathDelta *float64 `yaml:"death_delta"` // per day (default 0)
	// EC50Fold overrides the EC50 fold change per y220c-pocket drug; drugs
	// not listed use the class default.
	EC50Fold map[string]float64 `yaml:"ec50_fold,omitempty"`
	// Requires names catalog entries a cell must already carry before it
	// can acquire this one (e.g. [I] for a pathway S -> I -> R).
	Requires []string `yaml:"requires,omitempty"`
}

// Alleles is the Y220C allele state (see model.Alleles).
type Alleles struct {
	Copies    *int     `yaml:"copies"`    // 1..8 (default 1)
	Dominance *float64 `yaml:"dominance"` // in [0, 1] (default 1)
}

// Drug is one drug's pharmacodynamics (see model.Drug) and
// pharmacokinetics.
type Drug struct {
	Name string `yaml:"name"` // required
	// Target: "y220c-pocket" (a reactivator) or "off-axis".
	Target *string  `yaml:"target"`
	Emax   *float64 `yaml:"emax"` // maximal extra death rate, per day
	EC50   *float64 `yaml:"ec50"` // mg-eq
	Hill   *float64 `yaml:"hill"` // default 1 for added drugs
	// PocketFold: EC50 fold change caused by pocket mutations (y220c-pocket
	// drugs; default 1 for added drugs). Ignored for off-axis drugs.
	PocketFold *float64 `yaml:"pocket_fold,omitempty"`
	// PK is the drug's one-compartment oral model (see model.PK), used when
	// treatment.exposure is pk; its scale is used by both exposures. Missing
	// fields take model.DefaultRezatapoptPK's values, for every drug.
	PK *DrugPK `yaml:"pk"`
}

// DrugPK is a drug's pharmacokinetics (see model.PK).
type DrugPK struct {
	Ka       *float64 `yaml:"ka"`        // absorption rate constant, per day
	HalfLife *float64 `yaml:"half_life"` // elimination half-life, days
	Scale    *float64 `yaml:"scale"`     // mg-eq per (mg/day) at steady state
}

// Treatment is the treatment policy: phases that follow each other, each
// giving some drugs on a schedule until its end rule fires. No phases:
// untreated (the default).
type Treatment struct {
	// Exposure is how doses become concentrations: "steady-state" (the
	// default: dose x scale / interval while dosing, 0 in cycle pauses and
	// after the last dose) or "pk" (each drug's one-compartment oral model,
	// drugs[].pk).
	Exposure *string `yaml:"exposure"`
	// Segment (days; default 1/24) is the length of the piecewise-constant
	// segments, each holding the average concentration, that carry a PK
	// profile to the engine.
	Segment *float64 `yaml:"segment"`
	Phases  []Phase  `yaml:"phases"`
}

// Phase is one phase of the treatment policy. The first phase starts at
// detection (t = 0); a phase ends by its Until rule and hands over to Next.
type Phase struct {
	// Name labels the phase in events and outputs, and may be used by next
	// (default "phase <i>", i its index).
	Name string `yaml:"name,omitempty"`
	// Doses maps drug names to mg per administration. Drugs not listed are
	// not given; no doses at all is a treatment pause.
	Doses map[string]float64 `yaml:"doses"`
	// Interval is the number of days between administrations (default 1:
	// once daily).
	Interval *float64 `yaml:"interval"`
	// Cycle makes the schedule intermittent: On days of dosing, then Off
	// days of pause, repeated from the start of the phase. Missing:
	// continuous.
	Cycle *Cycle `yaml:"cycle,omitempty"`
	// Until is the phase's end rule (default never).
	Until *Until `yaml:"until"`
	// Next is the phase that follows: an index, a phase name, or "stop" to
	// end treatment. Missing: the following phase in the list, or stop after
	// the last one (this default stays implicit when filling, so that an
	// appended phase follows the last one).
	Next *PhaseRef `yaml:"next,omitempty"`
}

// Cycle is an intermittent schedule (for example 21 days on, 7 off).
type Cycle struct {
	On  *float64 `yaml:"on"`  // days of dosing, > 0
	Off *float64 `yaml:"off"` // days of pause, >= 0 (0: continuous)
}

// Until is a phase's end rule, written as a word (never, progression) or a
// mapping with exactly one of the keys below:
//
//	until: never                             # lasts until the replicate stops
//	until: progression                       # at RECIST progression
//	until: {after: 180}                      # days after the phase began
//	until: {ctdna: {class: pocket, vaf: 0.01}}  # a blood draw calls a mutation of the class at observed VAF >= vaf
//	until: {burden_below: 0.5}               # a scan finds burden <= 0.5 x baseline
//	until: {burden_above: 1.0}               # a scan finds burden >= 1.0 x baseline
type Until struct {
	// Word is "never" or "progression" when the rule is written as a word,
	// else "".
	Word        string      `yaml:"-"`
	After       *float64    `yaml:"after"`
	CTDNA       *CTDNAUntil `yaml:"ctdna"`
	BurdenBelow *float64    `yaml:"burden_below"`
	BurdenAbove *float64    `yaml:"burden_above"`
}

// CTDNAUntil ends a phase when a blood draw calls a resistance mutation.
type CTDNAUntil struct {
	Class *string  `yaml:"class"` // ta-loss or pocket
	VAF   *float64 `yaml:"vaf"`   // observed variant allele fraction, in (0, 1]
}

// PhaseRef names a phase: its index (written as a whole number), its name,
// or "stop".
type PhaseRef string

// Period is a number of days between events, or "off" (written also as 0).
// 0 stands for off.
type Period float64

// Stop says when a replicate ends.
type Stop struct {
	Horizon  *float64 `yaml:"horizon"`   // days of treatment at most (default 1826.25)
	FollowUp *float64 `yaml:"follow_up"` // days after progression (default 0)
	Lethal   *float64 `yaml:"lethal"`    // burden that kills, cells (default 1e12)
	// At ends every replicate this many days after treatment start, whatever
	// imaging shows: progression no longer stops it (horizon and follow_up
	// do not apply). Unset: stop at progression plus follow_up, or at the
	// horizon.
	At *float64 `yaml:"at,omitempty"`
	// AtDetection ends every replicate at detection (a virtual patient: at
	// diagnosis), before any treatment: the growth phase alone, for theory
	// checks such as the fluctuation test (default false). It takes no
	// treatment phases.
	AtDetection *bool `yaml:"at_detection,omitempty"`
}

// Observe is the clinic's schedule.
type Observe struct {
	ScanEvery *float64 `yaml:"scan_every"` // imaging interval, days (default 56)
	// Progression: "nadir" (RECIST 1.1: 1.728 x the smallest burden of the
	// line, the default) or "baseline" (1.728 x the burden at the start of
	// the line; for adaptive therapy, whose pauses let the tumour regrow
	// from its nadir by design).
	Progression *string `yaml:"progression"`
	// Visible is the smallest burden imaging can see, cells (default 0:
	// every cell counts). Scans read a smaller burden as 0: a complete
	// response, after which the tumour's reappearance is progression.
	Visible *float64     `yaml:"visible"`
	CTDNA   CTDNAObserve `yaml:"ctdna"`
	// Snapshot and Regions observe a spatial tumour (engine.space:
	// lattice; see spatial.go). Missing: not taken.
	Snapshot *Snapshot `yaml:"snapshot,omitempty"`
	Regions  *Regions  `yaml:"regions,omitempty"`
}

// CTDNAObserve is the liquid biopsy (see sim.CTDNAConfig; defaults from
// sim.Config.Defaults): cell deaths shed tumour DNA into plasma, a blood
// draw is sequenced at Depth, and a mutation is called with at least MinAlt
// alt reads at observed VAF >= LOD.
type CTDNAObserve struct {
	Every        *Period  `yaml:"every"`          // days between draws; 0 or off: no draws
	Depth        *int64   `yaml:"depth"`          // sequencing depth, reads
	MinAlt       *int64   `yaml:"min_alt"`        // alt reads needed for a call
	LOD          *float64 `yaml:"lod"`            // limit of detection, observed VAF in [0, 1]
	Shed         *float64 `yaml:"shed"`           // genome equivalents shed per cell death
	HalfLifeMin  *float64 `yaml:"half_life_min"`  // plasma half-life of ctDNA, minutes
	NormalGE     *float64 `yaml:"normal_ge"`      // normal cell-free DNA in plasma, diploid genome equivalents
	RecordMinVAF *float64 `yaml:"record_min_vaf"` // rows kept from this true VAF on, in [0, 1]
}

// Record says what is kept of each replicate.
type Record struct {
	Grid       *float64 `yaml:"grid"`        // trajectory interval during treatment, days (default 7)
	GrowthGrid *float64 `yaml:"growth_grid"` // before treatment, days (default 28); also the longest growth step
	// CloneThreshold: clones reaching this many cells are recorded (default 100).
	CloneThreshold *int64 `yaml:"clone_threshold"`
}

// Engine holds numerical settings of the simulator (see sim.Options).
type Engine struct {
	Step        *float64 `yaml:"step"`         // longest treatment step, days (default 7); growth steps go grid point to grid point
	MinStep     *float64 `yaml:"min_step"`     // shortest step near detection, days (default 0.01)
	ExactBelow  *int64   `yaml:"exact_below"`  // event-by-event below this clone size (default 1: none)
	Shards      *int     `yaml:"shards"`       // goroutines per step (default 1)
	ShardMin    *int     `yaml:"shard_min"`    // live clones before sharding (default 256)
	MaxAttempts *int     `yaml:"max_attempts"` // founders tried before giving up (default 1e6)
	// MaxClones stops a replicate whose live clones, or sim.GenotypeWeight
	// times its genotypes, exceed it: a bound on memory, about 200 bytes a
	// clone (default sim.DefaultMaxClones; 0: no limit).
	MaxClones *int `yaml:"max_clones"`
	// Merge keeps one clone per genotype instead of one per lineage (see
	// sim.Options.Merge): much faster for large tumours; lineage records and
	// distinct-clone counts become per genotype (default false).
	Merge *bool `yaml:"merge"`
	// Space is the tumour's geometry: none (well mixed, the default) or
	// lattice (one cell per site of a 2D or 3D lattice; see sim.Lattice).
	Space *string `yaml:"space"`
	// Lattice sets up engine.space: lattice (filled in only then).
	Lattice *Lattice `yaml:"lattice,omitempty"`
	// Demes sets up engine.space: demes (filled in only then).
	Demes *Demes `yaml:"demes,omitempty"`
}

// Demes describes engine.space: demes: well-mixed demes of at most k cells
// on the sites of a 2D or 3D lattice (see sim.Demes).
type Demes struct {
	Dim *int     `yaml:"dim"` // 2 or 3 (default 2)
	K   *float64 `yaml:"k"`   // carrying capacity, cells per deme (default 1e4)
	// Dispersal: fission (a deme reaching k splits into a neighbour site;
	// the default) or invasion (births stop at k, cells migrate into
	// neighbours with room).
	Dispersal *string `yaml:"dispersal"`
	// Migration (invasion only): rate at which a cell moves, per day.
	Migration *float64 `yaml:"migration"`
	// Push (fission only): a full deme with no empty neighbour pushes a
	// line of demes outward (true, the default) or waits at k (false:
	// boundary-driven growth).
	Push *bool `yaml:"push"`
	// Step: days between the demes' synchronisations (default 0.25).
	Step *float64 `yaml:"step"`
}

// Lattice describes the lattice of engine.space: lattice.
type Lattice struct {
	Dim *int `yaml:"dim"` // 2 or 3 (default 2)
	// Neighbourhood: von-neumann (4 neighbours in 2D, 6 in 3D; the
	// default), moore (8, 26) or hex (6 neighbours on a hexagonal lattice
	// in axial coordinates; 2D only).
	Neighbourhood *string `yaml:"neighbourhood"`
	// Rule: what a dividing cell with no empty neighbour does: push (push
	// a line of cells outward along a random direction; the default) or
	// wait (no division: boundary-driven growth).
	Rule *string `yaml:"rule"`
	// Update: serial (the exact event-by-event engine; the default when
	// missing) or blocks (an opt-in approximation that runs blocks of the
	// grid concurrently over short sub-steps; see sim/lattice_par.go).
	// Results under blocks do not depend on goroutines, but differ from
	// serial ones.
	Update *string `yaml:"update,omitempty"`
	// Block: with update: blocks, the side of a block in sites, a power
	// of two from 16 to 1024 (default 32 in 2D, 16 in 3D). It changes
	// results (the partition is part of the model's approximation).
	Block *int `yaml:"block,omitempty"`
	// Goroutines: with update: blocks, how many goroutines one replicate
	// uses (1 to 64, default 2). It does not change results.
	Goroutines *int `yaml:"goroutines,omitempty"`
}

// LoadFile reads and loads a scenario file.
func LoadFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Load(path, data)
}

// ReplicateCount is the number of replicates the scenario asks for.
func (s *Scenario) ReplicateCount() int {
	if s.Replicates != nil {
		return *s.Replicates
	}
	return defaultReplicates
}

// defaultName is the scenario name implied by a file name.
func defaultName(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".yaml", ".yml"} {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			if b.Len() > 0 {
				b.WriteByte('_')
			}
		}
	}
	if b.Len() == 0 || b.Len() > maxNameLen {
		return "scenario"
	}
	return b.String()
}
