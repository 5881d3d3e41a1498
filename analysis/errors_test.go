package analysis

import (
	"errors"
	"testing"

	"github.com/p53evo/p53evo/internal/errprefix/errprefixtest"
)

// TestErrorPrefix: the errors analysis returns start with "analysis: ",
// once (the rule of package errprefix and CONTRIBUTING.md), also when a
// sentinel that carries the prefix is wrapped with context.
func TestErrorPrefix(t *testing.T) {
	_, eEnd := ParseEndpoint("overall-survival-ish")
	_, eFmt := FormatOf("plot.bmp")
	_, eKM := KaplanMeier(Sample{})
	_, eLR := LogRankTest([]Sample{{Time: []float64{1}, Event: []bool{true}}})
	_, eHR := HazardRatioCox(Sample{}, Sample{Time: []float64{1}, Event: []bool{true}})
	if !errors.Is(eHR, ErrEmptySample) {
		t.Errorf("HazardRatioCox of an empty arm: %v, want ErrEmptySample", eHR)
	}
	errprefixtest.Check(t, "analysis", map[string]error{
		"ParseEndpoint":            eEnd,
		"FormatOf":                 eFmt,
		"KaplanMeier empty":        eKM,
		"LogRankTest one arm":      eLR,
		"HazardRatioCox empty arm": eHR,
	})
}
