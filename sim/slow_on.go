//go:build p53evo_slow

package sim

import "runtime"

// slowWork is deliberate extra work in the hot loop, compiled in only with
// -tags p53evo_slow. It exists so that bench/selftest.sh can check that the
// benchmark gate (make bench-compare) fails on a known regression: about
// 200 ns per clone advanced (a chain of 200 dependent multiply-adds; it
// touches no shared state, so sharded advancing stays race-free).
func slowWork() {
	x := uint64(0x9e3779b97f4a7c15)
	for i := 0; i < 200; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	runtime.KeepAlive(x)
}
