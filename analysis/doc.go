// Package analysis reads p53evo datasets (through dataset/ only) and computes
// what a modeler reports: Kaplan-Meier estimates with Greenwood confidence
// intervals, medians with Brookmeyer-Crowley intervals, log-rank tests and
// hazard ratios, and plots of survival, clone dynamics and burden.
//
// It must not simulate or write datasets.
package analysis
