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
	zh := 0
	if lt.cfg.Dim == 3 {
		zh = h
	}
	for s, v := range lt.grid {
		if v == 0 {
			continue
		}
		x, y, z := lt.coords(int32(s))
		fn(x-h, y-h, z-zh, lt.cells[v-1].clone)
	}
}

// cloneGeno is the genotype index of clone id (an index into lt.genos).
func (lt *Lattice) cloneGeno(id int32) int32 { return lt.clones[id].geno }

// genoHits are the secondary mutations of genotype g (an index into
// lt.genos).
func (lt *Lattice) genoHits(g int32) []model.Hit { return lt.genos[g].g.Hits }

// genoClass is the resistance class of genotype g.
func (lt *Lattice) genoClass(g int32) model.Class { return lt.genos[g].class }
