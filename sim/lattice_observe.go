package sim

import "github.com/p53evo/p53evo/model"

// eachCell calls fn for every cell of the lattice with its position
// relative to the founder's site (the grid's centre; z = 0 in 2D) and its
// clone id, in raster order: x fastest, then y, then z. It is the one
// place the spatial observations (lattice_spatial.go) read the lattice's
// cell storage, so a change of storage changes only this function; the
// order is part of the contract (subsampling and the tables depend on it,
// not on how cells are stored).
func (lt *Lattice) eachCell(fn func(x, y, z int, clone int32)) {
	h := lt.side / 2
	nz, zh := 1, 0
	if lt.cfg.Dim == 3 {
		nz, zh = lt.side, h
	}
	// the grid is stored in tiles; walk it by coordinates to keep raster order
	for z := range nz {
		for y := range lt.side {
			for x := range lt.side {
				if v := lt.grid[lt.site(x, y, z)]; v != 0 {
					fn(x-h, y-h, z-zh, v-1)
				}
			}
		}
	}
}

// eachSite is eachCell as the spatial observations read a tumour
// (spatialTumour): every occupied site holds one cell.
func (lt *Lattice) eachSite(fn func(x, y, z int, clone int64, cells int64)) {
	lt.eachCell(func(x, y, z int, c int32) { fn(x, y, z, int64(c), 1) })
}

// entries is the number of cells (one entry each).
func (lt *Lattice) entries() int64 { return lt.Total() }

// spatialGeno is the genotype index of clone id.
func (lt *Lattice) spatialGeno(id int64) int32 { return lt.cloneGeno(int32(id)) }

// cloneGeno is the genotype index of clone id (an index into lt.genos).
func (lt *Lattice) cloneGeno(id int32) int32 { return lt.clones[id].geno }

// genoClass is the resistance class of genotype g.
func (lt *Lattice) genoClass(g int32) model.Class { return lt.genos[g].class }

// founded, founding and deaths make the Lattice a lineages: blood draws
// read its clones as they read a well-mixed tumour's (ctdna.go).
func (lt *Lattice) founded() int64 { return int64(len(lt.clones)) }

func (lt *Lattice) founding(id int64) (parent int64, mut, site int32, class model.Class) {
	c := &lt.clones[id]
	g := &lt.genos[c.geno]
	if c.parent < 0 {
		return -1, -1, 0, model.Sensitive
	}
	return c.parent, g.newest, lt.snv[id], g.founding
}

func (lt *Lattice) deaths(conc []float64, b *drawBuffers) {
	b.death = b.death[:0]
	for i := range lt.phenos {
		b.death = append(b.death, lt.phenos[i].p.DeathAt(conc))
	}
	b.ids, b.w = b.ids[:0], b.w[:0]
	for i := range lt.clones {
		if c := &lt.clones[i]; c.n > 0 {
			b.ids = append(b.ids, int64(i))
			b.w = append(b.w, b.death[lt.genos[c.geno].pheno]*float64(c.n))
		}
	}
}
