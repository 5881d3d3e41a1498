package scenarios

import "github.com/p53evo/p53evo/internal/strictyaml"

// Error is one problem with a scenario: where it is (file, 1-based line and
// column; 0 when unknown), which field (a path such as
// treatment.phases[1].doses.rezatapopt) and what is wrong and allowed.
// Several problems are returned together with errors.Join; use Errors to get
// them back. It is the error of the strict YAML decoder shared by every
// file p53evo reads.
type Error = strictyaml.Error

// Errors returns the *Error values inside err (as returned by Load, Set,
// Fill or Resolve), in order.
func Errors(err error) []*Error { return strictyaml.Errors(err) }
