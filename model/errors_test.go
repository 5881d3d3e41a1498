package model

import (
	"testing"

	"github.com/p53evo/p53evo/internal/errprefix/errprefixtest"
)

// TestErrorPrefix: the errors model returns start with "model: ", once
// (the rule of package errprefix and CONTRIBUTING.md).
func TestErrorPrefix(t *testing.T) {
	_, e1 := ParseMutClass("frameshift")
	_, e2 := ParseTarget("kinase")
	m := Default()
	m.Birth = -1
	errprefixtest.Check(t, "model", map[string]error{
		"ParseMutClass":    e1,
		"ParseTarget":      e2,
		"PK.Validate":      PK{}.Validate(),
		"Regimen.Validate": Regimen{}.Validate(),
		"Model.Validate":   m.Validate(),
	})
}
