// Package calibrate holds p53evo's virtual trial cohort to what the clinic
// reports. It runs the library's trial arms (trial-rezatapopt-600 ...
// trial-rezatapopt-2500: the same virtual patients at each dose), measures
// what a trial would report of them (objective response rate by dose, the
// median duration of response, how progressions spread over scans,
// baseline plasma, burden and lesion counts) and compares each figure with
// its target band. The targets, each with its source, are embedded as
// trial-targets.json; a modeler can give another file.
//
// Calibration and prediction are kept apart: the targets are what the
// cohort's estimated parameters (sim.DefaultPatient) were fitted to;
// everything else the cohort reports (when plasma sees resistance, which
// mutations a biopsy finds, how therapy arms compare) is a prediction.
//
// `p53evo calibrate` prints the comparison as a table (or JSON) and exits
// non-zero when a target is missed; `go test ./calibrate` holds the shipped
// defaults to the embedded targets.
package calibrate
