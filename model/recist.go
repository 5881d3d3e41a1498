package model

// RECIST 1.1 (Eisenhauer et al. 2009, Eur J Cancer 45:228): the clinic's
// response rules, defined once for the engine, the virtual patients and the
// plots.
const (
	// RECISTPartialDiameter: partial response when the sum of target
	// diameters is at most this fraction of baseline (a 30% decrease).
	RECISTPartialDiameter = 0.7
	// RECISTProgressionDiameter: progression when the sum of target
	// diameters is at least this multiple of its nadir (a 20% increase),
	// and at least RECISTProgressionMM larger.
	RECISTProgressionDiameter = 1.2
	// RECISTProgressionMM is the absolute increase over the nadir that
	// progression also needs, in mm.
	RECISTProgressionMM = 5

	// RECISTPartial and RECISTProgression are the same thresholds on a
	// burden in cells, which scales as a diameter cubed: 0.7^3 and 1.2^3.
	RECISTPartial     = RECISTPartialDiameter * RECISTPartialDiameter * RECISTPartialDiameter
	RECISTProgression = RECISTProgressionDiameter * RECISTProgressionDiameter * RECISTProgressionDiameter
)
