package sim

import "math"

// Exact mutant production.
//
// A cell of a clone divides without mutation at rate lambda = b(1-u), dies
// at rate mu(t), and divides into itself plus a mutant daughter at rate
// nu = b u (the daughter leaves to found a clone; the clone keeps its
// cell). Write M for the number of mutant daughters a lineage sheds over an
// interval and N for its cells at the end. The generating function of N on
// the paths that shed no mutant, phi(x) = E[x^N; M = 0], solves the backward
// equation
//
//	d phi / dt = lambda phi^2 + mu - (lambda + mu + nu) phi,  phi = x at t = 0,
//
// a Riccati equation: over an interval of constant rates phi is a Moebius
// (linear fractional) map of x, and over piecewise-constant rates the maps
// compose, as the branching property says (F_[a,c] = F_[a,b] o F_[b,c]). A
// Moebius map (p x + q)/(r x + s) read at x = 1, 0 and as a series in x gives
// everything the engine needs, per lineage:
//
//   - P(M = 0) = F(1) = (p + q)/(r + s);
//   - given M = 0, N is 0 with probability alpha~ = (q/s)/F(1) and otherwise
//     geometric with ratio beta~ = -r/s (the same zero-or-geometric form as
//     Kendall's law, to which it reduces when nu = 0).
//
// So a clone of n cells is advanced exactly, mutants included: the first
// mutant daughter comes at the time tau where n ln F_[t,tau](1) falls below
// -E, E ~ Exp(1) (inverted in closed form within a segment); the clone's cells
// at tau, given that the first mutant appears then, are the size-biased law of
// a sum of n lineages: n-1 ordinary lineages conditioned on no emission plus
// one lineage of size 1 + NegBin(2, 1-beta~) (the one that divides); the
// daughter is emitted and the clone goes on from tau. When the next mutant
// would come after the step end, the clone's size there is drawn from the
// conditioned law. No path, bridge or interpolation is involved.
//
// For constant rates over an interval of length h, with S = lambda + mu + nu,
// D = sqrt(S^2 - 4 lambda mu) (> 0 when nu > 0), A = (S + D)/2,
// B = 2 lambda mu/(S + D) and c = D/(1 - e^{-D h}) (c = 1/h when D = 0), the
// map is
//
//	F(x) = ((c - A) x + mu) / (-lambda x + c + B),
//
// derived from the roots of lambda y^2 - (lambda+mu+nu) y + mu and divided
// through by 1 - e^{-D h} so that it stays finite when D -> 0 and when
// lambda = 0. Two identities keep the inversions free of cancellation:
// A + B = S, so that 1 - F(1) = nu/(c + B - lambda) for one segment, and
// solving F(1) = y for c gives c = nu/(1 - y) + lambda - B, while F(0) = y
// gives c = mu/y - B.

// mob is the Moebius map x -> (p x + q)/(r x + 1): a map (p x + q)/(r x + s)
// scaled so that s = 1, which leaves it unchanged and saves the divisions by
// s where it is read.
type mob struct{ p, q, r float64 }

var mobIdentity = mob{1, 0, 0}

// then composes two maps: the map of [a,c] from those of [a,b] (m) and [b,c]
// (o), scaled back to s = 1.
func (m mob) then(o mob) mob {
	p := m.p*o.p + m.q*o.r
	q := m.p*o.q + m.q
	r := m.r*o.p + o.r
	k := 1 / (m.r*o.q + 1)
	return mob{p * k, q * k, r * k}
}

// noEmit is P(M = 0) for one lineage.
func (m mob) noEmit() float64 { return (m.p + m.q) / (m.r + 1) }

// zero is F(0): P(N = 0, M = 0) for one lineage.
func (m mob) zero() float64 { return m.q }

// law is the one-lineage law of N given M = 0: zero with probability alpha,
// otherwise geometric with ratio beta.
func (m mob) law() (alpha, beta float64) {
	z := m.noEmit()
	alpha, beta = 0, 0
	if z > 0 {
		alpha = m.q / z
	}
	beta = -m.r
	return min(max(alpha, 0), 1), min(max(beta, 0), 1)
}

// inverse applies the inverse map.
func (m mob) inverse(y float64) float64 { return (y - m.q) / (-m.r*y + m.p) }

// segRates are the constant rates of one rate class on one segment.
type segRates struct {
	lam, mu, nu float64
	d, a, b     float64 // D, A, B of the closed form
}

func newSegRates(lam, mu, nu float64) segRates {
	s := lam + mu + nu
	// D^2 = (lam-mu)^2 + nu^2 + 2 nu (lam+mu): no cancellation
	d := math.Sqrt((lam-mu)*(lam-mu) + nu*nu + 2*nu*(lam+mu))
	sr := segRates{lam: lam, mu: mu, nu: nu, d: d, a: (s + d) / 2}
	if s+d > 0 {
		sr.b = 2 * lam * mu / (s + d)
	}
	return sr
}

// cOf is D/(1 - e^{-D h}).
func (sr *segRates) cOf(h float64) float64 {
	x := sr.d * h
	if x < 1e-8 {
		return 1/h + sr.d/2
	}
	return sr.d / -math.Expm1(-x)
}

// over is the map of an interval of length h > 0.
func (sr *segRates) over(h float64) mob {
	if !(h > 0) {
		return mobIdentity
	}
	c := sr.cOf(h)
	k := 1 / (c + sr.b)
	return mob{(c - sr.a) * k, sr.mu * k, -sr.lam * k}
}

// lengthFromC turns a value of c back into an interval length (+Inf when no
// finite length has it).
func (sr *segRates) lengthFromC(c float64) float64 {
	if !(c > sr.d) {
		return math.Inf(1)
	}
	if sr.d == 0 {
		return 1 / c
	}
	return -math.Log1p(-sr.d/c) / sr.d
}

// hitNoEmit is the length h after which one segment's F(1) falls to y
// (y < 1): c = nu/(1-y) + lambda - B.
func (sr *segRates) hitNoEmit(oneMinusY float64) float64 {
	if !(oneMinusY > 0) {
		return 0
	}
	return sr.lengthFromC(sr.nu/oneMinusY + sr.lam - sr.b)
}

// hitZero is the length h after which one segment's F(0) rises to y:
// c = mu/y - B.
func (sr *segRates) hitZero(y float64) float64 {
	if !(y > 0) {
		return 0
	}
	return sr.lengthFromC(sr.mu/y - sr.b)
}

// prepare computes a rate class's segment maps and their suffix products for
// the current step, once per step (stamp), and the no-emission law over the
// whole step. Called only from the serial part of a step.
func (tm *Tumor) prepare(rc *rateClass) {
	if rc.stamp == tm.stamp {
		return
	}
	rc.stamp = tm.stamp
	ph := &tm.phenos[rc.pheno]
	birth := ph.p.Birth
	lam, nu := birth*(1-rc.u), birth*rc.u
	nseg := len(tm.segT) - 1
	// the rate class's arrays are views into the tumour's per-step buffers,
	// which grow only when a step has more segments or rate classes than
	// any before (a view stays valid if a buffer moves: its array is kept)
	if tm.prepStamp != tm.stamp {
		tm.prepStamp = tm.stamp
		tm.segBuf, tm.mapBuf, tm.sufBuf = tm.segBuf[:0], tm.mapBuf[:0], tm.sufBuf[:0]
	}
	off, soff := len(tm.segBuf), len(tm.sufBuf)
	for k := 0; k < nseg; k++ {
		sr := newSegRates(lam, ph.death[k], nu)
		tm.segBuf = append(tm.segBuf, sr)
		tm.mapBuf = append(tm.mapBuf, sr.over(tm.segT[k+1]-tm.segT[k]))
	}
	for k := 0; k <= nseg; k++ {
		tm.sufBuf = append(tm.sufBuf, mobIdentity)
	}
	rc.seg = tm.segBuf[off : off+nseg : off+nseg]
	rc.maps = tm.mapBuf[off : off+nseg : off+nseg]
	rc.suf = tm.sufBuf[soff : soff+nseg+1 : soff+nseg+1]
	// suffix products: suf[k] maps segT[k] to the step end
	for k := nseg - 1; k >= 0; k-- {
		rc.suf[k] = rc.maps[k].then(rc.suf[k+1])
	}
	f := rc.suf[0]
	rc.noEmitT, rc.extT = f.noEmit(), f.zero()
	rc.lnNoEmit = math.Log(rc.noEmitT)
	rc.alphaT, rc.betaT = f.law()
	rc.lnBetaT = 0
	if rc.betaT > 0 {
		rc.lnBetaT = math.Log(rc.betaT)
	}
}

// toEnd is the map from t (inside the step) to the step end.
func (tm *Tumor) toEnd(rc *rateClass, t float64) mob {
	k := tm.segIndex(t)
	if t <= tm.segT[k] {
		return rc.suf[k]
	}
	m := rc.seg[k].over(tm.segT[k+1] - t)
	if k+2 < len(tm.segT) { // the last segment's suffix is the identity
		m = m.then(rc.suf[k+1])
	}
	return m
}

// nextEmission finds the time of a clone's next mutant daughter after t when
// lineage-wise ln P(no emission by tau) must fall to target (< 0): the
// first mutant of n cells comes when n ln F_[t,tau](1) = -E. It returns tau
// (+Inf if after the step end) and the map of [t, tau].
func (tm *Tumor) nextEmission(rc *rateClass, t, target float64) (float64, mob) {
	k, lo, g, ok := tm.findSegment(rc, t, func(g2 mob, _ int) bool { return math.Log(g2.noEmit()) <= target })
	if !ok {
		return math.Inf(1), g
	}
	// within segment k: F_[t,lo](F_[lo,tau](1)) = z, so F_[lo,tau](1) = y =
	// g^-1(z); 1 - y without forming y
	z := 1 + math.Expm1(target)
	oneMinusY := ((g.p + g.q) - (g.r+1)*z) / (g.p - g.r*z)
	h := min(max(rc.seg[k].hitNoEmit(oneMinusY), 0), tm.segT[k+1]-lo)
	return lo + h, g.then(rc.seg[k].over(h))
}

// extinctAt draws when a clone of n cells at t died out, given that it shed
// no mutant and was extinct at the step end: P(T <= s) = (F_[t,s](0) /
// F_[t,end](0))^n, inverted segment by segment in closed form.
func (tm *Tumor) extinctAt(rc *rateClass, n int64, t float64, end mob, u float64) float64 {
	zEnd := end.zero() // F_[t,end](0)
	nseg := len(tm.segT) - 1
	if !(zEnd > 0) {
		return tm.segT[nseg]
	}
	target := math.Log(u)/float64(n) + math.Log(zEnd) // ln F_[t,T](0)
	k, lo, g, _ := tm.findSegment(rc, t, func(g2 mob, k int) bool {
		z2 := g2.zero()
		return z2 > 0 && math.Log(z2) >= target || k == nseg-1
	})
	if k >= nseg {
		return tm.segT[nseg]
	}
	h := rc.seg[k].hitZero(g.inverse(math.Exp(target)))
	return lo + min(max(h, 0), tm.segT[k+1]-lo)
}

// findSegment composes the maps of rc from t segment by segment and returns
// the first segment k for which done(F_[t, end of k], k) holds, with the
// start lo of the part of k after t and the map g of [t, lo]; ok is false,
// and g maps t to the step end, when no segment does.
func (tm *Tumor) findSegment(rc *rateClass, t float64, done func(g mob, k int) bool) (k int, lo float64, g mob, ok bool) {
	g = mobIdentity
	nseg := len(tm.segT) - 1
	lo = t
	for k = tm.segIndex(t); k < nseg; k++ {
		hi := tm.segT[k+1]
		mk := rc.maps[k]
		if lo > tm.segT[k] {
			mk = rc.seg[k].over(hi - lo)
		}
		g2 := g.then(mk)
		if done(g2, k) {
			return k, lo, g, true
		}
		g, lo = g2, hi
	}
	return nseg, lo, g, false
}
