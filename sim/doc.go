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
//   - Clones smaller than Options.ExactBelow (default 16 cells) are simulated
//     event by event (Gillespie's direct method for one clone): exponential
//     waiting times at rate (b + d) n, restarted at segment ends
//     (memorylessness makes that exact), one uniform to choose death, plain
//     division or mutant division.
//   - Larger clones take one exact step for the whole interval. For a linear
//     birth-death process with rates lambda(t), mu(t) started by one cell,
//     Kendall (1948) showed that N(t) is 0 with probability alpha and
//     otherwise geometric with ratio beta, where, with
//     rho(t) = integral_0^t (mu - lambda) and A = integral_0^t lambda e^rho,
//     alpha = 1 - 1/(e^rho + A) and beta = A/(e^rho + A). For piecewise
//     constant rates both integrals are finite sums of closed forms. From n0
//     cells the surviving lineages are K ~ Binomial(n0, 1-alpha) and
//     N = K + NegBin(K, 1-beta) (Kendall 1948; Bailey 1964, ch. 8). lambda is b(1-u), the rate of
//     non-mutant divisions; mutant divisions are drawn apart.
//   - Mutant daughters are drawn from the exact joint law of a clone's
//     cells and the daughters it sheds (emission.go): the generating
//     function of the cells on the paths that shed no daughter is a Moebius
//     map of its argument that composes across segments; the next daughter
//     comes at a time found by inverting it in closed form, the clone's
//     size then is size-biased (the dividing lineage), and the size at the
//     step end is drawn given that no further daughter comes. No path is
//     interpolated.
//   - A large clone (Options.BridgeMinCells, 1024 cells, or more) expected
//     to shed many daughters (Options.BridgeAbove, 16, or more) in the rest
//     of the step is cheaper on a bridge: it moves in sub-steps that end at
//     every segment end and change its expected size at most e^0.5-fold with
//     relative variance below about 1.3%; each sub-step's size is exact
//     (Kendall) and its daughters are Poisson along the exponential bridge
//     between the sub-step's sizes, whose mean integral is biased by about a
//     twelfth of that variance at most. The theory checks steep-decline-large
//     and switch-in-step measure it against the exact mode.
//   - A clone that dies out within a step gets its exact extinction time,
//     given that it shed nothing more, by inverting the composed maps at 0.
//
// Detection (Replicator.grow) is at the first step end with at least
// Config.Detect cells; growth steps aim six standard deviations of the
// total's fluctuation short of it, and near it grow the tumour by at most
// DetectTol/4 in expectation, so the total overshoots Detect by less than
// DetectTol (0.1%).
//
// Mutant daughters wait until the existing clones are done, are sorted by
// (parent id, birth time) and numbered, and are then advanced from their
// birth to t1 in the same way, generation after generation.
//
// # Reproducibility
//
// Every clone owns a PCG stream (sim/rng) derived by SplitMix64 hashing from
// the replicate's seed and the clone's id; the replicate's seed is a hash of
// (scenario seed, replicate, attempt). Mutant ids are assigned in a fixed
// order after each step. So a replicate's result depends only on (scenario,
// seed, replicate): not on the number of workers running replicates
// (RunOptions.Workers), nor on how one tumour's clones are split across
// goroutines (Options.Shards). TestGolden pins the output bit for bit.
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
