package analysis

import (
	"encoding/json"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// The manifest's scenario is read by the scenario loader; one it refuses
// (here a key of a former format) is taken as treated, nothing else known.
func TestManifestScenario(t *testing.T) {
	manifest := func(yaml string) dataset.Manifest {
		b, _ := json.Marshal(yaml)
		return dataset.Manifest{Scenario: b}
	}
	sc := manifestScenario(manifest("observe: {ctdna: {every: off}}\ntreatment:\n  phases:\n    - {doses: {rezatapopt: 2000}, until: progression}\n    - {name: pause, until: {after: 7}}\n"))
	if !sc.treated || !sc.drawsKnown || sc.draws {
		t.Errorf("treated %v, draws %v (known %v); want treated, no draws (known)", sc.treated, sc.draws, sc.drawsKnown)
	}
	if got, on := sc.phaseLabel("phase 0"); got != "rezatapopt 2000 mg" || !on {
		t.Errorf("phase 0 label %q (%v)", got, on)
	}
	if _, on := sc.phaseLabel("pause"); on {
		t.Error("a phase without doses is shaded")
	}
	old := manifestScenario(manifest("treatment:\n  phases:\n    - {start: 0, doses: {rezatapopt: 2000}}\n"))
	if !old.treated || old.drawsKnown || old.doses != nil {
		t.Errorf("refused scenario read as %+v; want treated and nothing else known", old)
	}
	untreated := manifestScenario(manifest("observe: {ctdna: {every: 28}}\n"))
	if untreated.treated || !untreated.draws {
		t.Errorf("untreated scenario read as %+v", untreated)
	}
}
