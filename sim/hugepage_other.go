//go:build !linux

package sim

// makeGrid returns a zeroed grid of n sites.
func makeGrid(n int) []int32 { return make([]int32, n) }
