package calibrate

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// defaultTargets is trial-targets.json: the shipped targets.
//
//go:embed trial-targets.json
var defaultTargets []byte

// DefaultTargetsJSON is the text of the embedded targets file
// (p53evo calibrate --print-targets).
func DefaultTargetsJSON() []byte { return slices.Clone(defaultTargets) }

// Target is one figure the cohort must reproduce: the measure's name (see
// Measures), its band (Min and/or Max, inclusive) and where the band comes
// from.
type Target struct {
	Name   string   `json:"name"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
	Source string   `json:"source"`
}

// Targets is a targets file.
type Targets struct {
	Note    string   `json:"note,omitempty"`
	Targets []Target `json:"targets"`
}

// DefaultTargets are the embedded targets.
func DefaultTargets() Targets {
	t, err := ParseTargets(defaultTargets)
	if err != nil {
		panic("calibrate: embedded trial-targets.json: " + err.Error())
	}
	return t
}

// ParseTargets reads a targets file strictly: unknown keys, unknown
// measures, duplicates, a target without a band or a source, and a band
// whose min exceeds its max are errors naming the target.
func ParseTargets(data []byte) (Targets, error) {
	var t Targets
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Targets{}, fmt.Errorf("targets: %w", err)
	}
	if dec.More() {
		return Targets{}, errors.New("targets: text after the JSON object")
	}
	if len(t.Targets) == 0 {
		return Targets{}, errors.New("targets: the list \"targets\" is empty; name at least one of: " + strings.Join(MeasureNames(), ", "))
	}
	var errs []error
	seen := map[string]bool{}
	for i, g := range t.Targets {
		where := fmt.Sprintf("targets[%d] (%s)", i, g.Name)
		if _, ok := measureByName(g.Name); !ok {
			errs = append(errs, fmt.Errorf("%s: unknown measure %q; known: %s", where, g.Name, strings.Join(MeasureNames(), ", ")))
			continue
		}
		if seen[g.Name] {
			errs = append(errs, fmt.Errorf("%s: measure given twice", where))
		}
		seen[g.Name] = true
		if g.Min == nil && g.Max == nil {
			errs = append(errs, fmt.Errorf("%s: no band; give min, max or both", where))
		}
		for _, p := range []*float64{g.Min, g.Max} {
			if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
				errs = append(errs, fmt.Errorf("%s: band limits must be finite numbers", where))
			}
		}
		if g.Min != nil && g.Max != nil && *g.Min > *g.Max {
			errs = append(errs, fmt.Errorf("%s: min %g is above max %g", where, *g.Min, *g.Max))
		}
		if strings.TrimSpace(g.Source) == "" {
			errs = append(errs, fmt.Errorf("%s: no source; say where the band comes from", where))
		}
	}
	if len(errs) > 0 {
		return Targets{}, errors.Join(errs...)
	}
	return t, nil
}

// Contains reports whether x lies in the target's band (limits included).
func (g Target) Contains(x float64) bool {
	if math.IsNaN(x) {
		return false
	}
	return (g.Min == nil || x >= *g.Min) && (g.Max == nil || x <= *g.Max)
}

// Band is the band as text: "0.33-0.43", "<= 0.2" or ">= 0.75".
func (g Target) Band() string {
	f := func(x float64) string { return strings.Replace(strconv.FormatFloat(x, 'g', -1, 64), "e+", "e", 1) }
	switch {
	case g.Min != nil && g.Max != nil:
		return f(*g.Min) + "-" + f(*g.Max)
	case g.Max != nil:
		return "<= " + f(*g.Max)
	case g.Min != nil:
		return ">= " + f(*g.Min)
	}
	return "none"
}
