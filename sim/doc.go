// Package sim is the stochastic engine of p53evo.
//
// It must not read or write files: results leave through the Sink
// interface, and the caller decides where they go (dataset/ writes Arrow).
// It takes its biology from model/ and adds only randomness and time.
package sim
