package theory

import (
	"math"
	"math/cmplx"
)

// Piece is a stretch of time with constant rates for the two-type process
// of TwoType: sensitive cells divide at rate Bs (a mutant daughter with
// probability U) and die at rate Ds; resistant cells divide at Br and die at
// Dr.
type Piece struct {
	Until          float64 // the piece ends at this time
	Bs, Ds, Br, Dr float64
}

// TwoType describes n0 sensitive cells at time 0 that shed resistant
// daughters (at a division, with probability U) and are observed at time T
// (the last piece's end). Rates are piecewise constant.
type TwoType struct {
	N0     float64
	U      float64
	Pieces []Piece
}

// walk steps through remaining time tau from 0 to T, the last piece first,
// in steps at most h long that end at the pieces' ends, calling step with
// each step's piece and length (the backward equations run in tau).
func (tt *TwoType) walk(h float64, step func(p *Piece, dt float64)) {
	for i := len(tt.Pieces) - 1; i >= 0; i-- {
		p := &tt.Pieces[i]
		start := 0.0
		if i > 0 {
			start = tt.Pieces[i-1].Until
		}
		span := p.Until - start
		n := int(math.Ceil(span / h))
		for k := 0; k < n; k++ {
			step(p, span/float64(n))
		}
	}
}

// PGF is E[z^R(T)] from n0 sensitive cells at 0, R the resistant cells at
// T, by fourth-order Runge-Kutta on the backward (Kolmogorov) equations of
// the generating functions of one resistant cell, g_r, and one sensitive
// cell, g_s, in the remaining time tau:
//
//	g_r' = Br g_r^2 + Dr - (Br + Dr) g_r,                g_r(0) = z
//	g_s' = l g_s^2 + Ds + nu g_s g_r - (l + Ds + nu) g_s,  g_s(0) = 1
//
// with l = Bs (1-U) and nu = Bs U: a division of a sensitive cell leaves two
// sensitive cells or a sensitive and a resistant one. Each cell at T counts
// as z if resistant, 1 if sensitive.
func (tt *TwoType) PGF(z complex128) complex128 {
	gr, gs := z, complex(1, 0)
	tt.walk(0.01, func(p *Piece, dt float64) {
		l, nu := p.Bs*(1-tt.U), p.Bs*tt.U
		f := func(gr, gs complex128) (complex128, complex128) {
			dr := complex(p.Br, 0)*gr*gr + complex(p.Dr, 0) - complex(p.Br+p.Dr, 0)*gr
			ds := complex(l, 0)*gs*gs + complex(p.Ds, 0) + complex(nu, 0)*gs*gr - complex(l+p.Ds+nu, 0)*gs
			return dr, ds
		}
		h := complex(dt, 0)
		k1r, k1s := f(gr, gs)
		k2r, k2s := f(gr+h/2*k1r, gs+h/2*k1s)
		k3r, k3s := f(gr+h/2*k2r, gs+h/2*k2s)
		k4r, k4s := f(gr+h*k3r, gs+h*k3s)
		gr += h / 6 * (k1r + 2*k2r + 2*k3r + k4r)
		gs += h / 6 * (k1s + 2*k2s + 2*k3s + k4s)
	})
	return cmplx.Exp(complex(tt.N0, 0) * cmplx.Log(gs))
}

// PMF is P(R(T) = k) for k = 0..kmax, read off the generating function on
// the unit circle by a discrete Fourier transform of n points (aliasing
// adds P(R = k + n) and beyond, negligible when n is far in the tail).
func (tt *TwoType) PMF(kmax, n int) []float64 {
	g := make([]complex128, n)
	for j := range g {
		g[j] = tt.PGF(cmplx.Exp(complex(0, 2*math.Pi*float64(j)/float64(n))))
	}
	p := make([]float64, kmax+1)
	for k := range p {
		var s complex128
		for j := range g {
			s += g[j] * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k%n)/float64(n)))
		}
		p[k] = max(real(s)/float64(n), 0)
	}
	return p
}

// Moments are the mean and variance of R(T), from the linear equations of
// the first and second factorial moments of one cell's generating functions
// (m = g', f = g” at z = 1):
//
//	m_r' = (Br - Dr) m_r,             f_r' = (Br - Dr) f_r + 2 Br m_r^2
//	m_s' = (l - Ds) m_s + nu m_r,     f_s' = (l - Ds) f_s + 2 l m_s^2 + nu (2 m_s m_r + f_r)
//
// with m_r(0) = 1 and the rest 0; for n0 independent cells the mean is
// n0 m_s and the variance n0 (f_s + m_s - m_s^2).
func (tt *TwoType) Moments() (mean, variance float64) {
	y := [4]float64{1, 0, 0, 0} // m_r, f_r, m_s, f_s
	tt.walk(1e-3, func(p *Piece, dt float64) {
		l, nu := p.Bs*(1-tt.U), p.Bs*tt.U
		f := func(y [4]float64) [4]float64 {
			mr, fr, ms, fs := y[0], y[1], y[2], y[3]
			return [4]float64{
				(p.Br - p.Dr) * mr,
				(p.Br-p.Dr)*fr + 2*p.Br*mr*mr,
				(l-p.Ds)*ms + nu*mr,
				(l-p.Ds)*fs + 2*l*ms*ms + nu*(2*ms*mr+fr),
			}
		}
		add := func(a [4]float64, s float64, b [4]float64) [4]float64 {
			for i := range a {
				a[i] += s * b[i]
			}
			return a
		}
		k1 := f(y)
		k2 := f(add(y, dt/2, k1))
		k3 := f(add(y, dt/2, k2))
		k4 := f(add(y, dt, k3))
		for i := range y {
			y[i] += dt / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	})
	ms, fs := y[2], y[3]
	return tt.N0 * ms, tt.N0 * (fs + ms - ms*ms)
}

// Decline is a subcritical sensitive population (division b, death d > b)
// of n0 cells that sheds resistant daughters at probability u per division
// until it dies out; a resistant lineage survives forever with probability
// 1 - dr/br. With l = b(1-u), nu = b u, one sensitive cell's lineage:
//
//   - sheds no mutant ever with the smaller root q0 of
//     l q^2 - (l + d + nu) q + d = 0;
//   - leaves no resistant lineage alive forever with the smaller root q1 of
//     l q^2 - (l + d + nu (1 - dr/br)) q + d = 0 (a mutant division counts
//     q times the chance dr/br that the mutant's lineage dies out);
//   - sheds M mutants, with generating function h(z), the smaller root of
//     l h^2 - (l + d + nu (1 - z)) h + d = 0, mean m = nu/(d - l) and second
//     factorial moment (2 l m^2 + 2 nu m)/(d - l).
//
// From n0 cells the laws are the n0-th powers (independent lineages).
type Decline struct {
	N0, B, D, U, Br, Dr float64
}

func smallRoot(a, b, c float64) float64 { // of a q^2 - b q + c, stable
	return 2 * c / (b + math.Sqrt(b*b-4*a*c))
}

// NoMutant is P(no mutant daughter is ever born).
func (x Decline) NoMutant() float64 {
	l, nu := x.B*(1-x.U), x.B*x.U
	return math.Pow(smallRoot(l, l+x.D+nu, x.D), x.N0)
}

// Escape is P(some resistant lineage survives forever).
func (x Decline) Escape() float64 {
	l, nu := x.B*(1-x.U), x.B*x.U
	return 1 - math.Pow(smallRoot(l, l+x.D+nu*(1-x.Dr/x.Br), x.D), x.N0)
}

// Mutants are the mean and variance of the number of mutants ever born.
func (x Decline) Mutants() (mean, variance float64) {
	l, nu := x.B*(1-x.U), x.B*x.U
	m := nu / (x.D - l)
	f2 := (2*l*m*m + 2*nu*m) / (x.D - l)
	return x.N0 * m, x.N0 * (f2 + m - m*m)
}

// MutantPMF is P(M = k), k = 0..kmax, from h(z)^n0 on the unit circle.
func (x Decline) MutantPMF(kmax, n int) []float64 {
	l, nu := x.B*(1-x.U), x.B*x.U
	g := make([]complex128, n)
	for j := range g {
		z := cmplx.Exp(complex(0, 2*math.Pi*float64(j)/float64(n)))
		b := complex(l+x.D+nu, 0) - complex(nu, 0)*z
		h := 2 * complex(x.D, 0) / (b + cmplx.Sqrt(b*b-complex(4*l*x.D, 0)))
		g[j] = cmplx.Exp(complex(x.N0, 0) * cmplx.Log(h))
	}
	p := make([]float64, kmax+1)
	for k := range p {
		var s complex128
		for j := range g {
			s += g[j] * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k%n)/float64(n)))
		}
		p[k] = max(real(s)/float64(n), 0)
	}
	return p
}
