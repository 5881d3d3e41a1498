// Package dataset defines the Arrow tables p53evo writes (runs, trajectories,
// clones, events), writes them while a run goes with bounded memory, moves
// them into place atomically, and reads them back.
//
// It knows the engine's result types and the on-disk format; it must not run
// simulations or compute statistics.
package dataset
