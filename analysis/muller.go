package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// Muller is the reconstructed clonal composition of one replicate over
// time, laid out for a Muller (fish) plot: every band holds a clone and,
// nested inside it, its descendants.
//
// The dataset keeps, per clone, only its birth, peak size and time and
// extinction time, and per replicate the class totals over time
// (trajectories). ReconstructMuller therefore approximates each clone's own
// size (its cells, not its descendants') by
//
//   - 0 before birth; exponential growth from 1 cell at birth to the peak
//     size at the peak time;
//   - after the peak: exponential decline to 1 cell at the extinction time
//     (0 afterwards), or, for a clone alive at the end, the peak size held;
//
// and then rescales, at every time, the curves of each class so that they
// sum to that class's total in the trajectories table. Cells of a class with
// no recorded clone alive at a time (clones below the record threshold)
// form an "unrecorded" band under the founder. The curves are therefore
// reconstructions: the class totals are exact, the split among clones of a
// class is not.
type Muller struct {
	Replicate int
	Times     []float64 // days since treatment start
	Total     []float64 // cells (the trajectories table's total)
	// Bands in drawing order: every band comes after its parent (depth
	// first, children in order of birth).
	Bands []MullerBand
	// Merged counts recorded clones folded into an ancestor's band because
	// their clade never reached MinFreq.
	Merged  int
	MinFreq float64
}

// Band kinds.
const (
	BandClone      = "clone"      // a recorded clone
	BandMinor      = "minor"      // merged clones of another class than the ancestor they were merged into
	BandUnrecorded = "unrecorded" // class cells without a recorded clone alive
)

// MullerBand is one band of a Muller plot.
type MullerBand struct {
	Kind     string
	ID       int64  // clone id (BandClone), else -1
	Parent   int    // index of the parent band in Bands; -1 for the root
	Class    string // sensitive, ta-loss or pocket
	Mutation string
	Genotype string
	Birth    float64 // days; NaN for merged and unrecorded bands
	// Own is the band's own cells at every time (merged clones of the same
	// class included); Clade adds the bands nested inside it.
	Own, Clade []float64
	// Lo and Hi bound the band at every time, as fractions of the total
	// (0 ≤ Lo ≤ Hi ≤ 1): the vertical layout of the plot.
	Lo, Hi []float64
	// PeakFreq is the clade's largest share of the total.
	PeakFreq float64
}

// cloneCurve is the raw (unscaled) own size of a clone at t.
func cloneCurve(c *dataset.CloneRow, t float64) float64 {
	b, p, e := c.BirthTime, c.PeakTime, c.ExtinctionTime
	P := math.Max(float64(c.PeakSize), 1)
	switch {
	case t < b:
		return 0
	case !math.IsNaN(e) && t >= e:
		return 0
	case t <= p:
		if p <= b {
			return P
		}
		return math.Exp(math.Log(P) * (t - b) / (p - b))
	case math.IsNaN(e):
		return P
	case e <= p:
		return P
	}
	return math.Exp(math.Log(P) * (e - t) / (e - p))
}

// classIndex maps a class name to 0, 1, 2 (unknown classes count as
// sensitive).
func classIndex(class string) int {
	for i, c := range Classes {
		if c == class {
			return i
		}
	}
	return 0
}

// interpAt returns the class totals at t by log-linear interpolation of
// the trajectory (linear when an end is 0).
func interpAt(traj []dataset.TrajRow, t float64) [3]float64 {
	i, _ := slices.BinarySearchFunc(traj, t, func(r dataset.TrajRow, t float64) int { return cmp.Compare(r.Time, t) })
	at := func(r dataset.TrajRow) [3]float64 {
		return [3]float64{float64(r.Sensitive), float64(r.TALoss), float64(r.Pocket)}
	}
	switch {
	case i < len(traj) && traj[i].Time == t:
		return at(traj[i])
	case i == 0:
		return at(traj[0])
	case i == len(traj):
		return at(traj[len(traj)-1])
	}
	a, b := at(traj[i-1]), at(traj[i])
	w := (t - traj[i-1].Time) / (traj[i].Time - traj[i-1].Time)
	var out [3]float64
	for k := range out {
		if a[k] > 0 && b[k] > 0 {
			out[k] = math.Exp(math.Log(a[k]) + w*(math.Log(b[k])-math.Log(a[k])))
		} else {
			out[k] = a[k] + w*(b[k]-a[k])
		}
	}
	return out
}

// ownSizes reconstructs every clone's own size on the grid (see Muller).
// rem[k][j] is the class-k total at grid j that no recorded clone carries.
func ownSizes(clones []dataset.CloneRow, traj []dataset.TrajRow, grid []float64) (own [][]float64, rem [3][]float64) {
	own = make([][]float64, len(clones))
	for i := range own {
		own[i] = make([]float64, len(grid))
	}
	for k := range rem {
		rem[k] = make([]float64, len(grid))
	}
	cls := make([]int, len(clones))
	for i := range clones {
		cls[i] = classIndex(clones[i].Class)
	}
	for j, t := range grid {
		var raw [3]float64
		for i := range clones {
			v := cloneCurve(&clones[i], t)
			own[i][j] = v
			raw[cls[i]] += v
		}
		tot := interpAt(traj, t)
		var scale [3]float64
		for k := range tot {
			if raw[k] > 0 {
				scale[k] = tot[k] / raw[k]
			} else {
				rem[k][j] = tot[k]
			}
		}
		for i := range clones {
			own[i][j] *= scale[cls[i]]
		}
	}
	return own, rem
}

// ReconstructMuller builds the Muller layout of one replicate from its
// clones and trajectory rows (other replicates' rows are ignored). Clades
// (a clone with its descendants) whose share of the total never reaches
// minFreq are merged into their nearest kept ancestor: into its own cells
// when of the same class, otherwise into a "minor" band of their class
// nested in it, so that colours keep telling classes apart. A clone whose
// parent was not recorded hangs from the founder.
func ReconstructMuller(replicate int, clones []dataset.CloneRow, traj []dataset.TrajRow, minFreq float64) (_ *Muller, err error) {
	defer errprefix.Wrap(&err, "analysis")
	cs, tr := replicateRows(replicate, clones, traj)
	if len(tr) == 0 {
		return nil, fmt.Errorf("replicate %d has no trajectory rows", replicate)
	}
	t := newCloneTree(cs)
	if hasCycle(t.parent) {
		return nil, fmt.Errorf("replicate %d: the clones' parent links form a cycle", replicate)
	}
	t.link()

	m := &Muller{Replicate: replicate, MinFreq: minFreq}
	// Pass 1, on the trajectory grid: which clades reach minFreq.
	grid0 := uniqueTimes(tr)
	own, _ := ownSizes(cs, tr, grid0)
	clade := cladeSums(own, t.children, t.tops)
	tot0 := totalAt(tr, grid0)
	kept := make([]bool, len(cs))
	for i := range cs {
		kept[i] = peakShare(clade[i], tot0) >= minFreq
	}
	if t.root >= 0 {
		kept[t.root] = true
	}
	// Pass 2, on the grid refined with the kept clones' births and deaths.
	m.Times = refineGrid(grid0, cs, kept)
	m.Total = totalAt(tr, m.Times)
	own, rem := ownSizes(cs, tr, m.Times)
	bands := t.bands(cs, kept, own, rem, len(m.Times), &m.Merged)
	m.Bands = orderBands(bands)
	m.layout()
	return m, nil
}

// replicateRows selects one replicate's clones (by birth, then id) and
// trajectory rows (by time).
func replicateRows(replicate int, clones []dataset.CloneRow, traj []dataset.TrajRow) ([]dataset.CloneRow, []dataset.TrajRow) {
	var cs []dataset.CloneRow
	for _, c := range clones {
		if c.Replicate == replicate {
			cs = append(cs, c)
		}
	}
	var tr []dataset.TrajRow
	for _, r := range traj {
		if r.Replicate == replicate {
			tr = append(tr, r)
		}
	}
	slices.SortStableFunc(tr, func(a, b dataset.TrajRow) int { return cmp.Compare(a.Time, b.Time) })
	slices.SortStableFunc(cs, func(a, b dataset.CloneRow) int {
		return cmp.Or(cmp.Compare(a.BirthTime, b.BirthTime), cmp.Compare(a.ID, b.ID))
	})
	return cs, tr
}

// cloneTree is the clones' tree: a virtual root (index -1) adopts founders
// and orphans; with a single founder, the founder is the root.
type cloneTree struct {
	parent   []int   // -1: under the virtual root
	children [][]int // after link
	tops     []int   // under the virtual root, after link
	root     int     // the single founder, or -1 (none) or -2 (several)
}

func newCloneTree(cs []dataset.CloneRow) *cloneTree {
	byID := map[int64]int{}
	for i, c := range cs {
		byID[c.ID] = i
	}
	t := &cloneTree{parent: make([]int, len(cs)), root: -1}
	for i, c := range cs {
		t.parent[i] = -1
		if j, ok := byID[c.Parent]; ok && c.Parent >= 0 && j != i {
			t.parent[i] = j
		}
	}
	for i := range cs {
		if t.parent[i] == -1 && cs[i].Parent < 0 {
			if t.root == -1 {
				t.root = i
			} else {
				t.root = -2 // several founders
			}
		}
	}
	if t.root >= 0 {
		for i := range cs {
			if t.parent[i] == -1 && i != t.root {
				t.parent[i] = t.root
			}
		}
	}
	return t
}

// link lists every clone's children and the clones under the virtual root.
func (t *cloneTree) link() {
	t.children = make([][]int, len(t.parent))
	for i, p := range t.parent {
		if p >= 0 {
			t.children[p] = append(t.children[p], i)
		} else {
			t.tops = append(t.tops, i)
		}
	}
}

// totalAt is the tumour's size at each time of grid.
func totalAt(tr []dataset.TrajRow, grid []float64) []float64 {
	out := make([]float64, len(grid))
	for j, t := range grid {
		v := interpAt(tr, t)
		out[j] = v[0] + v[1] + v[2]
	}
	return out
}

// refineGrid adds the kept clones' births and deaths inside grid0's span.
func refineGrid(grid0 []float64, cs []dataset.CloneRow, kept []bool) []float64 {
	grid := slices.Clone(grid0)
	lo, hi := grid0[0], grid0[len(grid0)-1]
	for i, c := range cs {
		if !kept[i] {
			continue
		}
		for _, t := range []float64{c.BirthTime, c.ExtinctionTime} {
			if t > lo && t < hi {
				grid = append(grid, t)
			}
		}
	}
	slices.Sort(grid)
	return slices.Compact(grid)
}

// bands builds the bands on a grid of n times: kept clones, minor bands per
// (kept ancestor, other class), unrecorded cells under the root. merged
// counts the clones folded into minor bands.
func (t *cloneTree) bands(cs []dataset.CloneRow, kept []bool, own [][]float64, rem [3][]float64, n int, merged *int) []MullerBand {
	var bands []MullerBand
	minor := map[[2]int]int{} // (band, class) -> minor band
	newBand := func(b MullerBand) int {
		b.Own = make([]float64, n)
		bands = append(bands, b)
		return len(bands) - 1
	}
	var visit func(i, pb int)
	visit = func(i, pb int) {
		c := &cs[i]
		b := newBand(MullerBand{Kind: BandClone, ID: c.ID, Parent: pb, Class: c.Class, Mutation: c.Mutation, Genotype: c.Genotype, Birth: c.BirthTime})
		addTo(bands[b].Own, own[i])
		for _, ch := range t.children[i] {
			if kept[ch] {
				visit(ch, b)
			} else {
				fold(ch, b, t.children, own, cs, &bands, minor, newBand, merged)
			}
		}
	}
	rootBand := -1
	if t.root >= 0 {
		visit(t.root, -1)
		rootBand = 0
	} else {
		rootBand = newBand(MullerBand{Kind: BandClone, ID: -1, Parent: -1, Class: "sensitive", Mutation: "founders", Birth: math.NaN()})
		for _, top := range t.tops {
			if kept[top] {
				visit(top, rootBand)
			} else {
				fold(top, rootBand, t.children, own, cs, &bands, minor, newBand, merged)
			}
		}
	}
	for k, class := range Classes {
		if peakOf(rem[k]) == 0 {
			continue
		}
		if class == bands[rootBand].Class {
			addTo(bands[rootBand].Own, rem[k])
			continue
		}
		b := newBand(MullerBand{Kind: BandUnrecorded, ID: -1, Parent: rootBand, Class: class, Mutation: "unrecorded", Birth: math.NaN()})
		addTo(bands[b].Own, rem[k])
	}
	return bands
}

// fold merges the clade of clone i into band b (see ReconstructMuller).
func fold(i, b int, children [][]int, own [][]float64, cs []dataset.CloneRow, bands *[]MullerBand, minor map[[2]int]int, newBand func(MullerBand) int, merged *int) {
	*merged++
	k := classIndex(cs[i].Class)
	if cs[i].Class == (*bands)[b].Class {
		addTo((*bands)[b].Own, own[i])
	} else {
		mb, ok := minor[[2]int{b, k}]
		if !ok {
			mb = newBand(MullerBand{Kind: BandMinor, ID: -1, Parent: b, Class: cs[i].Class, Mutation: "minor " + cs[i].Class + " clones", Birth: math.NaN()})
			minor[[2]int{b, k}] = mb
		}
		addTo((*bands)[mb].Own, own[i])
	}
	for _, ch := range children[i] {
		fold(ch, b, children, own, cs, bands, minor, newBand, merged)
	}
}

func hasCycle(parent []int) bool {
	for i := range parent {
		j, steps := i, 0
		for j >= 0 {
			j = parent[j]
			if steps++; steps > len(parent) {
				return true
			}
		}
	}
	return false
}

func uniqueTimes(tr []dataset.TrajRow) []float64 {
	var ts []float64
	for _, r := range tr {
		if len(ts) == 0 || r.Time != ts[len(ts)-1] {
			ts = append(ts, r.Time)
		}
	}
	return ts
}

func addTo(dst, src []float64) {
	for j := range dst {
		dst[j] += src[j]
	}
}

func peakOf(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func peakShare(x, total []float64) float64 {
	m := 0.0
	for j := range x {
		if total[j] > 0 {
			m = max(m, x[j]/total[j])
		}
	}
	return m
}

// cladeSums adds descendants' own sizes to every clone's.
func cladeSums(own [][]float64, children [][]int, tops []int) [][]float64 {
	clade := make([][]float64, len(own))
	var sum func(i int) []float64
	sum = func(i int) []float64 {
		c := slices.Clone(own[i])
		for _, ch := range children[i] {
			addTo(c, sum(ch))
		}
		clade[i] = c
		return c
	}
	for _, t := range tops {
		sum(t)
	}
	return clade
}

// orderBands puts the bands in depth-first order, children of a band
// sorted minor bands first, then clones by birth, then unrecorded, and
// renumbers the parent links.
func orderBands(bands []MullerBand) []MullerBand {
	children := make([][]int, len(bands))
	var tops []int
	for i, b := range bands {
		if b.Parent >= 0 {
			children[b.Parent] = append(children[b.Parent], i)
		} else {
			tops = append(tops, i)
		}
	}
	rank := map[string]int{BandMinor: 0, BandClone: 1, BandUnrecorded: 2}
	var out []MullerBand
	var visit func(i, parent int)
	visit = func(i, parent int) {
		b := bands[i]
		b.Parent = parent
		out = append(out, b)
		me := len(out) - 1
		ch := children[i]
		slices.SortStableFunc(ch, func(x, y int) int {
			bx, by := &bands[x], &bands[y]
			return cmp.Or(cmp.Compare(rank[bx.Kind], rank[by.Kind]), cmp.Compare(bx.Birth, by.Birth), cmp.Compare(classIndex(bx.Class), classIndex(by.Class)))
		})
		for _, c := range ch {
			visit(c, me)
		}
	}
	for _, t := range tops {
		visit(t, -1)
	}
	return out
}

// layout computes Clade, Lo, Hi and PeakFreq. Within a band, its own cells
// are split evenly below and above its children, which are stacked in the
// middle: the classic Muller nesting.
func (m *Muller) layout() {
	n := len(m.Times)
	kids := make([][]int, len(m.Bands))
	for i := len(m.Bands) - 1; i >= 0; i-- {
		b := &m.Bands[i]
		b.Clade = slices.Clone(b.Own)
		b.Lo, b.Hi = make([]float64, n), make([]float64, n)
		for _, c := range kids[i] {
			addTo(b.Clade, m.Bands[c].Clade)
		}
		if b.Parent >= 0 {
			kids[b.Parent] = append(kids[b.Parent], i)
		}
	}
	for i := range kids {
		slices.Reverse(kids[i]) // back to drawing order
	}
	for j := 0; j < n; j++ {
		tot := 0.0
		for i := range m.Bands {
			if m.Bands[i].Parent < 0 {
				tot += m.Bands[i].Clade[j]
			}
		}
		var place func(i int, lo float64)
		place = func(i int, lo float64) {
			b := &m.Bands[i]
			f := 0.0
			if tot > 0 {
				f = b.Clade[j] / tot
				b.PeakFreq = max(b.PeakFreq, f)
			}
			b.Lo[j], b.Hi[j] = lo, lo+f
			at := lo
			if tot > 0 {
				at += b.Own[j] / tot / 2
			}
			for _, c := range kids[i] {
				place(c, at)
				at = m.Bands[c].Hi[j]
			}
		}
		lo := 0.0
		for i := range m.Bands {
			if m.Bands[i].Parent < 0 {
				place(i, lo)
				lo = m.Bands[i].Hi[j]
			}
		}
	}
}
