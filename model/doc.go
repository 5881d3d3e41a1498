// Package model holds the biology of p53evo: the TP53 Y220C background, the
// catalog of secondary mutations (transactivation-loss, pocket-disrupting and
// passenger), genotypes and allele state, drugs with their pharmacodynamics and
// per-mutation EC50 shifts, and the phenotype (birth and death rate) a
// genotype shows at given drug concentrations.
//
// Everything here is a pure value or a pure function. The package must not
// draw random numbers, read or write files, or know about the engine that
// uses it: sim/ asks model/ "how fast does this genotype divide and die at
// these concentrations?" and nothing more.
//
// Every error the package returns starts with "model: ", once (see
// CONTRIBUTING.md).
package model
