package sim

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// cellTally is an independent tally of a tumour's cells for a blood draw:
// for every cell (or deme entry), its deaths per day under conc, recomputed
// from the model, go to the total and, once per founding mutation in its
// ancestry that confers resistance on its own, to that SNV (name#k), so a
// cell carrying one SNV on two copies counts twice (two alleles).
type cellTally struct {
	m       *model.Model
	conc    []float64
	total   float64
	carried map[string]float64
}

// add counts cells cells of a clone of genotype g whose ancestry's founding
// mutations (the clone's own first) are hits with SNVs sites.
func (c *cellTally) add(t *testing.T, g model.Genotype, cells int64, hits []model.Hit, sites []int32) {
	ph := c.m.Phenotype(g)
	d := ph.DeathAt(c.conc) * float64(cells)
	c.total += d
	for i, h := range hits {
		for j := range i {
			if hits[j].Mut == h.Mut && hits[j].Copy == h.Copy && sites[j] == sites[i] {
				t.Fatalf("SNV %d of entry %d founded twice on copy %d in one lineage", sites[i], h.Mut, h.Copy)
			}
		}
		if c.m.Class(model.Genotype{Hits: []model.Hit{h}}) == model.Sensitive {
			continue
		}
		name := c.m.Catalog[h.Mut].Name
		if c.m.SNVs(h.Mut) > 1 {
			name += "#" + strconv.Itoa(int(sites[i])+1)
		}
		c.carried[name] += d
	}
}

// check compares a draw's rows with the tally: the same variants, each
// with VAF = ge T_m / (copies ge T + 2 NormalGE), and the tumour fraction.
func (c *cellTally) check(t *testing.T, what string, cfg *CTDNAConfig, rows []CTDNARow) {
	t.Helper()
	ge := cfg.Shed * cfg.HalfLife / (60 * 24) / math.Ln2
	den := float64(c.m.Alleles.Copies)*ge*c.total + 2*cfg.NormalGE
	tf := ge * c.total / (ge*c.total + cfg.NormalGE)
	if len(rows) != len(c.carried) {
		t.Errorf("%s: %d rows, the cells carry %d resistance SNVs", what, len(rows), len(c.carried))
	}
	multi := 0
	for _, r := range rows {
		want, ok := c.carried[r.Mutation]
		if !ok {
			t.Errorf("%s: row %s: no cell carries it", what, r.Mutation)
			continue
		}
		if v := ge * want / den; math.Abs(r.TrueVAF-v) > 1e-12*v {
			t.Errorf("%s: %s true VAF %v, the cells give %v", what, r.Mutation, r.TrueVAF, v)
		}
		if math.Abs(r.TumourFraction-tf) > 1e-12*tf {
			t.Errorf("%s: tumour fraction %v, the cells give %v", what, r.TumourFraction, tf)
		}
		if _, k, ok := strings.Cut(r.Mutation, "#"); ok && k != "1" {
			multi++
		}
	}
	if len(rows) < 5 || multi == 0 {
		t.Errorf("%s: %d variants, %d of them an entry's SNV other than the first; the test wants several", what, len(rows), multi)
	}
	t.Logf("%s: %d variants, tumour fraction %.3g", what, len(rows), tf)
}

func drawModel(copies int) model.Model {
	m := model.Default()
	m.MutationRate = 3e-6 // many mutants, several SNVs of one entry
	m.Birth, m.Death = 0.6, 0.2
	m.Alleles.Copies = copies
	return m
}

func drawConfig() CTDNAConfig {
	cfg := CTDNAConfig{Every: 28, Shed: 1e3, RecordMinVAF: 1e-300} // a row for every variant
	cfg.Defaults()
	return cfg
}

// TestLatticeDrawIsCellTally: a lattice tumour's blood draw (drawFrom over
// the Lattice) equals an independent tally of its cells: each cell's
// genotype's death rate under the drug, its ancestry walked clone by clone
// with the SNV each clone founded, for one and two Y220C copies. No lineage
// founds one SNV twice on a copy.
func TestLatticeDrawIsCellTally(t *testing.T) {
	for _, copies := range []int{1, 2} {
		m := drawModel(copies)
		lt := NewLattice(&m, LatticeConfig{Dim: 2, Rule: RulePush}, 0)
		for seed := uint64(1); lt.Total() < 4000; seed++ {
			lt.Reset(seed, 1, 0)
			lt.AdvanceUntil(200, NoDrug{}, 4000)
		}
		conc := []float64{500, 0, 0}
		lt.Advance(lt.Time()+3, Constant{C: conc})
		cfg := drawConfig()
		var b drawBuffers
		var s snvTally
		r := rng.New(1)
		rows, _ := drawFrom(lt, &b, &s, &m, &cfg, conc, lt.Time(), &r, nil)
		ct := cellTally{m: &m, conc: conc, carried: map[string]float64{}}
		var hits []model.Hit
		var sites []int32
		for i := range int(lt.Total()) {
			_, _, _, c := lt.Cell(i)
			hits, sites = hits[:0], sites[:0]
			for a := int64(c); lt.clones[a].parent >= 0; a = lt.clones[a].parent {
				hs := lt.genos[lt.clones[a].geno].g.Hits
				hits = append(hits, hs[len(hs)-1])
				sites = append(sites, lt.snv[a])
			}
			ct.add(t, lt.genos[lt.clones[c].geno].g, 1, hits, sites)
		}
		ct.check(t, "lattice, copies "+strconv.Itoa(copies), &cfg, rows)
	}
}

// TestDemesDrawIsCellTally: the same for a deme tumour, its cells read deme
// by deme (eachSite) rather than from the tumour-wide clone counts the
// draw reads.
func TestDemesDrawIsCellTally(t *testing.T) {
	for _, copies := range []int{1, 2} {
		m := drawModel(copies)
		dm := NewDemes(&m, DemesConfig{Dim: 2, K: 300, Dispersal: DemeInvasion, Migration: 0.2}, Options{})
		for seed := uint64(1); dm.Total() < 3e4; seed++ {
			dm.Reset(seed, 1, 0)
			for dm.Total() > 0 && dm.Total() < 3e4 {
				dm.Advance(dm.Time()+0.25, NoDrug{})
			}
		}
		conc := []float64{500, 0, 0}
		dm.Advance(dm.Time()+3, Constant{C: conc})
		cfg := drawConfig()
		var b drawBuffers
		var s snvTally
		r := rng.New(1)
		rows, _ := drawFrom(dm, &b, &s, &m, &cfg, conc, dm.Time(), &r, nil)
		ct := cellTally{m: &m, conc: conc, carried: map[string]float64{}}
		tm := dm.tm
		var hits []model.Hit
		var sites []int32
		dm.eachSite(func(_, _, _ int, c int64, cells int64) {
			hits, sites = hits[:0], sites[:0]
			for a := c; tm.ancParent[a] >= 0; a = tm.ancParent[a] {
				hs := tm.genos[tm.ancGeno[a]].g.Hits
				hits = append(hits, hs[len(hs)-1])
				sites = append(sites, tm.ancSite[a])
			}
			ct.add(t, tm.genos[dm.clones[c].geno].g, cells, hits, sites)
		})
		ct.check(t, "demes, copies "+strconv.Itoa(copies), &cfg, rows)
	}
}

// TestLatticeCloneSNV: a lattice clone's founding SNV is uniform among its
// entry's SNVs (a pocket entry of 2.5 sites: 3 SNVs), and never one its
// ancestry founded on the same copy (uniform among the other two), while
// the other copy may take it; 30,000 draws each, chi-square below the 0.1%
// critical value.
func TestLatticeCloneSNV(t *testing.T) {
	m := model.Default()
	m.Alleles.Copies = 2
	k := slices.IndexFunc(m.Catalog, func(mu model.Mutation) bool { return mu.Name == "T230I" })
	if m.SNVs(k) != 3 {
		t.Fatalf("T230I has %d SNVs, want 3", m.SNVs(k))
	}
	lt := NewLattice(&m, LatticeConfig{Dim: 2}, 0)
	lt.Reset(1, 1, 0)
	if _, err := lt.Plant(0, 0, 0, model.Hit{Mut: k, Copy: 0, Site: 1}); err != nil {
		t.Fatal(err)
	}
	const n = 30000
	for _, c := range []struct {
		parent int32
		copy   int
		want   []float64 // expected share of each SNV
		crit   float64   // chi-square 0.1% critical value
	}{
		{0, 0, []float64{1. / 3, 1. / 3, 1. / 3}, 13.82},
		{1, 0, []float64{0.5, 0, 0.5}, 10.83},
		{1, 1, []float64{1. / 3, 1. / 3, 1. / 3}, 13.82},
	} {
		var got [3]float64
		for id := range n {
			got[lt.cloneSNV(c.parent, int32(10+id), model.Hit{Mut: k, Copy: c.copy})]++
		}
		chi := 0.0
		for s, w := range c.want {
			if w == 0 {
				if got[s] != 0 {
					t.Errorf("parent %d copy %d: SNV %d drawn %v times; its ancestry founded it", c.parent, c.copy, s, got[s])
				}
				continue
			}
			e := w * n
			chi += (got[s] - e) * (got[s] - e) / e
		}
		if chi > c.crit {
			t.Errorf("parent %d copy %d: SNVs %v, chi-square %.1f > %.1f", c.parent, c.copy, got, chi, c.crit)
		}
	}
}
