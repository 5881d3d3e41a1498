// Package sim is the stochastic engine of p53evo.
//
// # What it simulates
//
// A tumour is a set of clones. A clone is a lineage: the descendants of one
// cell that founded it (the Y220C founder, or a mutant daughter) that carry
// no further mutation. Cells of a clone divide at rate b and die at rate
// d(t) = d0 + drug kill(t) (model.Phenotype); at a division one daughter
// carries a new secondary mutation with probability u (model.Choices), and
// that daughter founds a new clone with a unique id and its parent's id
// (infinite-sites bookkeeping), so lineages and Muller plots can be drawn.
// Clones do not interact, so each evolves as an independent linear
// birth-death process between synchronisation points (step ends).
//
// # How a step is taken
//
// Advance moves every clone from the clock to t1. The step is first split
// into segments at every change of drug exposure, so rates are constant on
// each segment. Then:
//
//   - Every clone (Options.ExactBelow, default 1) takes exact steps from
//     the no-emission generating function of its rate class (emission.go):
//     per lineage, the paths that shed no mutant have generating function
//     F(x) = (p x + q)/(r x + s), a Moebius map composed over the segments.
//     F(1) is the chance of no mutant, F(0) that of no mutant and
//     extinction, and given no mutant the size is zero-or-geometric as in
//     Kendall's (1948) law. A clone's next mutant daughter comes at the time
//     where n ln F_[t,tau](1) = -E (inverted in closed form), its size there
//     is size-biased, and after the last daughter its size at t1 is drawn
//     given none: K ~ Binomial(n, 1-alpha) surviving lineages and
//     K + NegBin(K, 1-beta) cells (Bailey 1964, ch. 8).
//   - A clone of one cell, which is what a newborn mutant is, costs one
//     uniform u read against F(0) and F(1) of its map from birth to t1:
//     extinct, alive (its geometric size inverted from the same u, with no
//     logarithm when it is 1), or a first mutant at F_[t,tau](1) = u. Small
//     clones draw their survivors lineage by lineage and their sizes
//     survivor by survivor with a cached ln beta. When a clone dies out,
//     its exact extinction time (inverting P(T <= s) = (F_[t,s](0) /
//     F_[t,t1](0))^n) is drawn only if its record needs it.
//   - A large clone (Options.BridgeMinCells, 1024 cells, or more) expected
//     to shed many daughters (Options.BridgeAbove, 16, or more) in the rest
//     of the step is cheaper on a bridge: it moves in sub-steps that end at
//     every segment end and change its expected size at most e^0.5-fold with
//     relative variance below about 1.3%; each sub-step's size is exact
//     (Kendall) and its daughters are Poisson along the exponential bridge
//     between the sub-step's sizes, whose mean integral is biased by about a
//     twelfth of that variance at most. The theory checks steep-decline-large
//     and switch-in-step measure it against the exact mode.
//   - Options.ExactBelow above 1 simulates clones smaller than it event by
//     event instead (Gillespie's direct method for one clone), the
//     independent reference the theory suite compares with.
//
// Detection (Replicator.grow) is at the first step end with at least
// Config.Detect cells; growth steps aim six standard deviations of the
// total's fluctuation short of it, and near it grow the tumour by at most
// DetectTol/4 in expectation, so the total overshoots Detect by less than
// DetectTol (0.1%).
//
// Mutant daughters wait until the existing clones are done and are numbered
// in (parent id, birth time) order. Clones are kept in id order, shards take
// contiguous runs of them and a clone sheds its daughters in time order
// (bridge sub-steps draw theirs sorted, by exponential spacings), so the
// order is checked in one pass rather than sorted (a radix sort handles
// anything else). The daughters are then advanced from their birth to t1 in
// the same way, generation after generation.
//
// # SNVs
//
// A catalog entry standing for n sites is ceil(n) SNVs (model.SNVs). A
// mutant daughter draws its entry by weight and then which of the entry's
// SNVs not yet carried on that copy, uniformly. With Options.Merge, which
// keeps one clone per genotype, genotypes are keyed by SNV
// (model.Hit.Site), so a merged clone is one true variant. SNV genotypes
// are cheap: those of one shape (the same entries on the same copies,
// whichever SNVs) share the shape's tables (phenotype, rate class,
// mutation choices, child shapes) and hold only their hits, about 150
// bytes each, their children in one map; the clone cap counts a shape as
// GenotypeWeight clones and an SNV genotype as one. With one clone per
// lineage, genotypes stay keyed by entry (small tables, no allocation once
// a worker has met them) and each clone's SNV is kept with its ancestry.
// Blood draws read one variant per SNV in either mode, summed over
// lineages and, for a virtual trial patient, over lesions. Merged single
// lesions without blood draws key genotypes by entry (nothing reads SNVs
// apart there, and SNV keys multiply merged clones about 13-fold at 1e11
// cells); a patient's merged lesions are always keyed by SNV, since every
// patient's plasma is drawn at least at baseline. The lattice and deme
// modes take blood draws too, read by the same code (drawFrom over the
// lineages interface: each clone's parent and founding SNV, and the live
// clones' deaths per day); a lattice clone's SNV is drawn at its birth
// from a stream keyed by the seed and its id, not from the event stream.
//
// Merged, a parent's stream of mutant daughters of one entry is settled
// daughter by daughter while fewer than AggregateMin are expected, by a
// normal sum per SNV once each SNV expects AggregateMin, and in between
// (SNV keys, many daughters spread over many SNVs) by its survivors: they
// are Poisson with the thinned mean, each on a uniformly drawn free SNV,
// born at one of the 33 Simpson nodes by its weight, with the geometric
// size of a lineage born there.
//
// # Reproducibility
//
// Every clone owns a PCG stream (sim/rng) derived by SplitMix64 hashing from
// the replicate's seed and the clone's id; the replicate's seed is a hash of
// (scenario seed, replicate, attempt). Mutant ids are assigned in a fixed
// order after each step. So a replicate's result depends only on (scenario,
// seed, replicate): not on the number of workers running replicates
// (RunOptions.Workers), nor on how one tumour's clones are split across
// goroutines (Options.Shards). TestGolden pins the output bit for bit. A
// lattice replicate's opt-in block update (LatticeConfig.Block,
// lattice_par.go) derives a stream per (block, sub-step) and settles what
// blocks share in block order, so it too is bit-identical whatever its
// goroutine count (LatticeConfig.Goroutines).
//
// # A replicate
//
// Replicator.Run grows a founder (Config.Founder cells) until the total
// first reaches Config.Detect at a step end (within DetectTol); a founder whose lineage dies out is
// replaced, and the attempts are counted (conditioning on survival). Time is
// then shifted so treatment starts at t = 0 (growth-phase times are
// negative). Treatment runs under a Therapy; every Config.Scan days a scan
// applies RECIST 1.1 (progression at 1.728 x nadir, partial response at
// 0.343 x baseline, volumes scaling as diameter cubed). The replicate stops
// at progression plus Config.FollowUp, at extinction (cured), at the lethal
// burden, or at the horizon (censored).
//
// # Stopping early
//
// Between engine steps (never inside one, so results are unchanged) a
// replicate checks whether Run's context is cancelled and whether its live
// clones, or GenotypeWeight times its genotypes, exceed Config.MaxClones;
// either stops it with an error (wrapping the context's error, or a
// CloneLimitError naming engine.merge). CostWarning estimates the lineages
// a scenario founds before detection, to warn before a run that would be
// slow or hit the cap.
//
// # Boundaries
//
// The package must not read or write files: results leave through the Sink
// interface (Run delivers them in replicate order) and the caller decides
// where they go (dataset/ writes Arrow). It takes its biology from model/
// and adds only randomness and time.
//
// References: D. G. Kendall (1948) Ann. Math. Stat. 19:1-15; N. T. J. Bailey
// (1964) The Elements of Stochastic Processes, ch. 8; D. T. Gillespie (1977)
// J. Phys. Chem. 81:2340; I. Bozic et al. (2013) eLife 2:e00747; Y. Iwasa,
// M. A. Nowak, F. Michor (2006) Genetics 172:2557.
package sim
