package model

import (
	"math"
	"slices"
	"strings"
)

// Hit is one secondary mutation: a catalog entry on one Y220C copy, and
// which of the entry's SNVs it is.
type Hit struct {
	Mut  int // index into Model.Catalog
	Copy int // which Y220C copy, 0 .. Alleles.Copies-1
	// Site is the SNV within the entry, 0 .. SNVs(Mut)-1 (always 0 for an
	// entry of one site). SNVs of one entry act alike; the site tells
	// variants apart (a blood draw reads each SNV as its own variant).
	Site int
}

// SNVs is the number of distinct SNVs catalog entry i stands for: its
// Sites rounded up (an entry of 2.5 sites has 3 SNVs, each hit at 2.5/3 of
// the rate of a one-site entry), at least 1.
func (m *Model) SNVs(i int) int {
	return max(1, int(math.Ceil(m.Catalog[i].Sites)))
}

// Genotype is the set of secondary mutations a clone carries on top of the
// Y220C background, in the order they were acquired. The founder has none.
type Genotype struct {
	Hits []Hit
}

// With returns g plus h, sharing nothing with g.
func (g Genotype) With(h Hit) Genotype {
	hs := make([]Hit, len(g.Hits)+1)
	copy(hs, g.Hits)
	hs[len(g.Hits)] = h
	return Genotype{Hits: hs}
}

// Label names a genotype for people: "Y220C" for the founder, otherwise its
// secondary mutations joined by "+", e.g. "R248W" or "V147D+nonsense".
func (m *Model) Label(g Genotype) string {
	if len(g.Hits) == 0 {
		return "Y220C"
	}
	var b strings.Builder
	for i, h := range g.Hits {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(m.Catalog[h.Mut].Name)
	}
	return b.String()
}

// Class is the most resistant class g carries: ta-loss over pocket over
// sensitive. Passengers do not count.
func (m *Model) Class(g Genotype) Class {
	c := Sensitive
	for _, h := range g.Hits {
		switch m.Catalog[h.Mut].Class {
		case TALoss:
			return ClassTALoss
		case Pocket:
			c = ClassPocket
		}
	}
	return c
}

// Choice is one way a cell of some genotype can mutate, with its weight in
// sites (the probability per division is Weight x MutationRate).
type Choice struct {
	Hit    Hit
	Weight float64
}

// Choices lists the mutations open to a cell of genotype g, appended to buf:
// every catalog entry on every Y220C copy, with the sites not yet hit on that
// copy. The probability that a division of such a cell yields a mutant
// daughter is MutationRate times the sum of the weights.
func (m *Model) Choices(g Genotype, buf []Choice) []Choice {
	for c := 0; c < m.Alleles.Copies; c++ {
		for i := range m.Catalog {
			if !g.carriesAll(m.Catalog[i].Requires) {
				continue
			}
			w := m.Catalog[i].Sites
			for _, h := range g.Hits {
				if h.Mut == i && h.Copy == c {
					w--
				}
			}
			if w > 0 {
				buf = append(buf, Choice{Hit: Hit{Mut: i, Copy: c}, Weight: w})
			}
		}
	}
	return buf
}

// Phenotype is what a genotype does: its birth and untreated death rate and,
// for every drug and Y220C copy, the fold change of that drug's EC50 on that
// copy (+Inf: the copy does not respond). Compute it once per genotype with
// Model.Phenotype; evaluating it at concentrations does not allocate.
type Phenotype struct {
	Birth, Death float64
	// Fold[d*copies+c] is drug d's EC50 fold on copy c.
	Fold   []float64
	copies int
	m      *Model
}

// Phenotype computes the phenotype of g. Fitness effects add; EC50 folds of
// several mutations on one copy multiply; a ta-loss mutation on a copy makes
// that copy ignore every reactivator.
func (m *Model) Phenotype(g Genotype) Phenotype {
	p := Phenotype{Birth: m.Birth, Death: m.Death, copies: m.Alleles.Copies, m: m}
	p.Fold = make([]float64, len(m.Drugs)*p.copies)
	for i := range p.Fold {
		p.Fold[i] = 1
	}
	for _, h := range g.Hits {
		mu := &m.Catalog[h.Mut]
		p.Birth += mu.BirthDelta
		p.Death += mu.DeathDelta
		for d := range m.Drugs {
			drug := &m.Drugs[d]
			if drug.Target != Reactivator {
				continue
			}
			f, ok := mu.EC50Fold[drug.Name]
			if !ok {
				switch mu.Class {
				case TALoss:
					f = math.Inf(1)
				case Pocket:
					f = drug.PocketFold
				default:
					f = 1
				}
			}
			p.Fold[d*p.copies+h.Copy] *= f
		}
	}
	if p.Birth < 0 {
		p.Birth = 0
	}
	if p.Death < 0 {
		p.Death = 0
	}
	return p
}

// Kill is the extra death rate (per day) at drug concentrations conc
// (indexed like Model.Drugs).
func (p *Phenotype) Kill(conc []float64) float64 {
	m := p.m
	total := 0.0
	for d := range m.Drugs {
		c := conc[d]
		if c <= 0 {
			continue
		}
		drug := &m.Drugs[d]
		var k float64
		if drug.Target == OffAxis {
			k = drug.Kill(c, 1)
		} else {
			lo, hi := math.Inf(1), math.Inf(-1)
			for cp := 0; cp < p.copies; cp++ {
				kc := drug.Kill(c, p.Fold[d*p.copies+cp])
				lo = min(lo, kc)
				hi = max(hi, kc)
			}
			h := m.Alleles.Dominance
			k = (1-h)*hi + h*lo
			k *= 1 - m.Tolerance
		}
		if m.Combination == HighestSingle {
			total = max(total, k)
		} else {
			total += k
		}
	}
	return total
}

// DeathAt is the total death rate at concentrations conc.
func (p *Phenotype) DeathAt(conc []float64) float64 { return p.Death + p.Kill(conc) }

// Equal reports whether two phenotypes behave identically.
func (p *Phenotype) Equal(q *Phenotype) bool {
	return p.Birth == q.Birth && p.Death == q.Death && slices.Equal(p.Fold, q.Fold)
}

// carriesAll reports whether g carries every listed catalog entry, on any
// copy.
func (g Genotype) carriesAll(muts []int) bool {
	for _, r := range muts {
		found := false
		for _, h := range g.Hits {
			if h.Mut == r {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
