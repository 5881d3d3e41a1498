package sim

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// makeGrid returns a zeroed grid of n sites. A grid of several megabytes is
// asked to sit on transparent huge pages (2 MB), where the kernel allows
// them: a push walks hundreds of sites across the grid, and with 4 KB pages
// nearly every step along y or z would need another address translation.
// The advice is a hint; if refused, the grid works the same.
func makeGrid(n int) []int32 {
	const huge = 2 << 20
	if n*4 < 2*huge {
		return make([]int32, n)
	}
	// over-allocate so that a whole number of huge pages lies inside
	buf := make([]int32, n+huge/4)
	start := uintptr(unsafe.Pointer(&buf[0]))
	skip := int((huge-start%huge)%huge) / 4
	g := buf[skip : skip+n : skip+n]
	b := unsafe.Slice((*byte)(unsafe.Pointer(&g[0])), n*4)
	_ = unix.Madvise(b[:len(b)/huge*huge], unix.MADV_HUGEPAGE)
	return g
}
