// Package scenarios defines the YAML scenario format of p53evo, validates it
// strictly (every error names the file position, the field path and what is
// allowed), resolves defaults, and ships a library of named scenarios embedded
// in the binary.
//
// It turns a scenario into model/ and sim/ values; it must not run
// simulations or write datasets.
package scenarios
