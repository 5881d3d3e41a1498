package sim

import "github.com/p53evo/p53evo/model"

// eachSite calls fn for every clone of every deme with the deme's position
// relative to the founding site (the grid's centre; z = 0 in 2D), the
// clone's id and its cells in the deme, demes in raster order of their
// sites (x fastest, then y, then z), a deme's clones by increasing id. It
// is the one place the spatial observations (lattice_spatial.go) read the
// demes; the order depends on the sites alone, not on the order demes are
// stored in.
func (dm *Demes) eachSite(fn func(x, y, z int, clone int64, cells int64)) {
	h := dm.side / 2
	zh := 0
	if dm.cfg.Dim == 3 {
		zh = h
	}
	for s, v := range dm.grid {
		if v == 0 {
			continue
		}
		d := &dm.demes[v-1]
		x, y, z := dm.coords(int32(s))
		for _, e := range d.ent {
			fn(x-h, y-h, z-zh, e.id, e.n)
		}
	}
}

// entries is the number of (deme, clone) pairs.
func (dm *Demes) entries() int64 {
	var n int64
	for i := range dm.demes {
		n += int64(len(dm.demes[i].ent))
	}
	return n
}

// spatialGeno is the genotype index of clone id.
func (dm *Demes) spatialGeno(id int64) int32 { return dm.clones[id].geno }

// genoClass is the resistance class of genotype g.
func (dm *Demes) genoClass(g int32) model.Class { return dm.tm.genos[g].class }

// founded, founding and deaths make the Demes a lineages: blood draws read
// the clones tumour-wide (their cells summed over the demes) as they read
// a well-mixed tumour's (ctdna.go); the ancestry is the engine's (dm.tm).
func (dm *Demes) founded() int64 { return dm.tm.founded() }

func (dm *Demes) founding(id int64) (parent int64, mut, site int32, class model.Class) {
	return dm.tm.founding(id)
}

func (dm *Demes) deaths(conc []float64, b *drawBuffers) {
	tm := dm.tm
	tm.phenoDeaths(conc, b)
	b.ids, b.w = b.ids[:0], b.w[:0]
	for _, id := range dm.live {
		c := &dm.clones[id]
		b.ids = append(b.ids, id)
		b.w = append(b.w, b.death[tm.genos[c.geno].pheno]*float64(c.n))
	}
}
