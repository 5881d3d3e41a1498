// Package analysis reads p53evo datasets (through dataset/ only) and computes
// what a modeler reports: Kaplan-Meier estimates with Greenwood confidence
// intervals, medians with Brookmeyer-Crowley intervals, log-rank tests and
// hazard ratios, and plots of survival, clone dynamics and burden; for
// virtual trial patients, the trial report (best overall response, response
// rates with exact intervals, PFS and duration of response, paired tests of
// two arms on the same patients) and waterfall and spider plots; for
// lattice and deme tumours, section plots of their snapshots (PNG rasters or SVG).
//
// It must not simulate or write datasets.
//
// Every error the package returns starts with "analysis: ", once (see
// CONTRIBUTING.md).
package analysis
