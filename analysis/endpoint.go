package analysis

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// Endpoint names a time-to-event endpoint computed from the runs table.
// Every endpoint is measured in days from the start of treatment (t = 0).
type Endpoint string

// The endpoints. See EndpointSample for their censoring rules.
const (
	// EndpointTTP: time to progression (RECIST PD at a scan, or the lethal
	// burden); TTPSample.
	EndpointTTP Endpoint = "ttp"
	// EndpointResistantMajority: first trajectory grid time at which
	// resistant (ta-loss + pocket) cells outnumber sensitive ones.
	EndpointResistantMajority Endpoint = "resistant-majority"
	// EndpointFirstResistant: birth of the first recorded resistant clone
	// (one that reached the record threshold). A lineage born before
	// treatment (pre-existing resistance) is an event at t = 0.
	EndpointFirstResistant Endpoint = "first-resistant"
	// EndpointCtDNA: first ctDNA call, from the runs column
	// first_ctdna_call (written by scenarios with observe.ctdna).
	EndpointCtDNA Endpoint = "ctdna"
)

// Endpoints lists the endpoints in the order help texts show them.
var Endpoints = []Endpoint{EndpointTTP, EndpointResistantMajority, EndpointFirstResistant, EndpointCtDNA}

// EndpointNames returns the endpoint names joined by sep.
func EndpointNames(sep string) string {
	s := make([]string, len(Endpoints))
	for i, e := range Endpoints {
		s[i] = string(e)
	}
	return strings.Join(s, sep)
}

// ParseEndpoint checks an endpoint name.
func ParseEndpoint(s string) (_ Endpoint, err error) {
	defer errprefix.Wrap(&err, "analysis")
	for _, e := range Endpoints {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown endpoint %q (allowed: %s)", s, EndpointNames(", "))
}

// Description says in one sentence what the endpoint measures and how it is
// censored.
func (e Endpoint) Description() string {
	switch e {
	case EndpointTTP:
		return "time to progression: first scan meeting RECIST PD or the lethal burden; censored at the end of follow-up (cured: at the planned end of follow-up, stop.at or stop.horizon)"
	case EndpointResistantMajority:
		return "time until resistant (ta-loss + pocket) cells outnumber sensitive ones on the trajectory grid (already at start: event at 0); censored at the end of follow-up (cured: at the planned end of follow-up, stop.at or stop.horizon)"
	case EndpointFirstResistant:
		return "time to the birth of the first recorded resistant clone; a lineage born before treatment (pre-existing) is an event at 0; censored at the end of follow-up (cured: at the planned end of follow-up, stop.at or stop.horizon)"
	case EndpointCtDNA:
		return "time to the first ctDNA call (runs column first_ctdna_call); censored at the end of follow-up (cured: at the planned end of follow-up, stop.at or stop.horizon)"
	}
	return string(e)
}

// Label is a short axis label for the endpoint.
func (e Endpoint) Label() string {
	switch e {
	case EndpointTTP:
		return "progression-free"
	case EndpointResistantMajority:
		return "without resistant majority"
	case EndpointFirstResistant:
		return "without a resistant lineage"
	case EndpointCtDNA:
		return "without a ctDNA call"
	}
	return string(e)
}

// Event names the endpoint's event, as in "time to <event>".
func (e Endpoint) Event() string {
	switch e {
	case EndpointTTP:
		return "progression"
	case EndpointResistantMajority:
		return "resistant majority"
	case EndpointFirstResistant:
		return "first resistant lineage"
	case EndpointCtDNA:
		return "ctDNA call"
	}
	return string(e)
}

// ColumnFirstCtDNACall is the runs-table column of the ctdna endpoint
// (days from treatment start; null: no call).
const ColumnFirstCtDNACall = "first_ctdna_call"

// ErrNoCtDNA says that a dataset has no ctDNA information: no ctDNA
// columns (an old dataset), or a scenario without blood draws.
var ErrNoCtDNA = errors.New("no ctDNA draws in this dataset")

// ArmData is what the analysis needs of one arm: its runs and, if the
// dataset has them, optional columns. A run directory is one arm; a sweep
// (later) gives one ArmData per point.
type ArmData struct {
	Name     string // shown in tables, legends and JSON
	Source   string // where the arm was read from (a directory)
	Scenario string // scenario name from the manifest ("" if none)
	Runs     []dataset.RunRow
	// FirstCtDNACall is the runs column first_ctdna_call, aligned with
	// Runs (NaN: no call); nil when the dataset has no such column or its
	// scenario takes no blood draws.
	FirstCtDNACall []float64
	noDraws        bool // the scenario takes no blood draws
	// Patients is the patients table of an arm of virtual trial patients
	// (nil otherwise); Seed the manifest's seed (pairs arms in Paired).
	Patients []dataset.PatientRow
	Seed     uint64
	// PlasmaCalls and TissueCalls are the resistance SNVs the ctdna and
	// biopsies tables call for the patients (read with Patients);
	// CallsRead says they were read.
	PlasmaCalls, TissueCalls []SNVCall
	CallsRead                bool
	// FollowUpEnd is the scenario's planned end of follow-up, days after
	// treatment start (stop.at when set, else stop.horizon), read from the
	// manifest; 0 when not known. A cured replicate is followed to it.
	FollowUpEnd float64
}

// LoadArm reads an arm from an opened dataset. name "" means the
// manifest's scenario name, or the directory's base name without one.
func LoadArm(d *dataset.Dataset, name string) (_ ArmData, err error) {
	defer errprefix.Wrap(&err, "analysis")
	a := ArmData{Name: name, Source: d.Dir(), Scenario: d.Manifest().ScenarioName, Seed: d.Manifest().Seed}
	if a.Name == "" {
		a.Name = a.Scenario
	}
	if a.Name == "" {
		a.Name = filepath.Base(filepath.Clean(d.Dir()))
	}
	if a.Runs, err = d.Runs(); err != nil {
		return a, err
	}
	if tableRows(d.Manifest(), dataset.TablePatients) > 0 {
		if a.Patients, err = d.Patients(); err != nil {
			return a, err
		}
		ct, err := d.CTDNA()
		if err != nil {
			return a, err
		}
		a.PlasmaCalls = PlasmaCalls(ct)
		bx, err := d.CalledBiopsies()
		if err != nil {
			return a, err
		}
		a.TissueCalls, a.CallsRead = TissueCalls(bx), true
	}
	ct, ok, err := d.OptionalFloats(dataset.TableRuns, ColumnFirstCtDNACall)
	if err != nil {
		return a, err
	}
	// Datasets always have the column. When the scenario takes no blood
	// draws it says nothing; with draws and no call, every replicate is
	// censored for the ctdna endpoint.
	sc := manifestScenario(d.Manifest())
	a.FollowUpEnd = sc.followUp
	if ok && sc.drawsKnown && !sc.draws {
		ok = false
		a.noDraws = true
	}
	if ok {
		if len(ct) != len(a.Runs) {
			return a, fmt.Errorf("%s: column %s has %d rows, the runs table %d", d.Dir(), ColumnFirstCtDNACall, len(ct), len(a.Runs))
		}
		a.FirstCtDNACall = ct
	}
	return a, nil
}

// tableRows is the number of rows the manifest lists for a table.
func tableRows(m dataset.Manifest, table string) int64 {
	var n int64
	for _, f := range m.Files {
		if f.Table == table {
			n += f.Rows
		}
	}
	return n
}

// horizon is the latest end time of an arm's replicates.
func horizon(runs []dataset.RunRow) float64 {
	last := 0.0
	for _, r := range runs {
		last = max(last, r.EndTime)
	}
	return last
}

// followUp is an arm's maximum follow-up: its latest end time, and at
// least the scenario's planned end of follow-up when a replicate was cured
// (a cured patient is followed, free of every event, to the end of the
// study). It is where cured replicates are censored.
func followUp(a ArmData) float64 {
	last := horizon(a.Runs)
	for _, r := range a.Runs {
		if r.Outcome == "cured" {
			return max(last, a.FollowUpEnd)
		}
	}
	return last
}

// EndpointSample builds the right-censored sample of an endpoint for an
// arm. The rules, for every endpoint:
//
//   - the event time is the endpoint's time, clamped at 0 (something that
//     happened before treatment, such as a resistant lineage born in the
//     growth phase, is an event at t = 0);
//   - without the event, a cured replicate is censored at the arm's
//     maximum follow-up (it can no longer have the event): the scenario's
//     planned end of follow-up (stop.at, else stop.horizon) when the
//     manifest gives it, and never before the arm's latest end time;
//     every other replicate at its own end time.
//
// ttp is TTPSample with that censoring time for cured replicates (a
// progressed replicate's TTP is never negative, so the clamp leaves it). EndpointCtDNA fails with an error wrapping
// ErrNoCtDNA when the arm has no first_ctdna_call column.
func EndpointSample(e Endpoint, a ArmData) (_ Sample, err error) {
	defer errprefix.Wrap(&err, "analysis")
	var at func(i int) float64
	switch e {
	case EndpointTTP:
		at = ttpAt(a.Runs)
	case EndpointResistantMajority:
		at = func(i int) float64 { return a.Runs[i].ResistantMajorityTime }
	case EndpointFirstResistant:
		at = func(i int) float64 { return a.Runs[i].FirstResistantBirth }
	case EndpointCtDNA:
		if a.FirstCtDNACall == nil {
			if a.noDraws {
				return Sample{}, fmt.Errorf("%s: %w: its scenario takes no blood draws (observe.ctdna.every is 0)", a.Source, ErrNoCtDNA)
			}
			return Sample{}, fmt.Errorf("%s: %w: the runs table has no %s column (written by p53evo before dataset schema 2)", a.Source, ErrNoCtDNA, ColumnFirstCtDNACall)
		}
		at = func(i int) float64 { return a.FirstCtDNACall[i] }
	default:
		return Sample{}, fmt.Errorf("unknown endpoint %q (allowed: %s)", e, EndpointNames(", "))
	}
	return censoredSample(a.Runs, followUp(a), at), nil
}
