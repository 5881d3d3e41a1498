//go:build !p53evo_slow

package sim

// slowWork is a no-op that inlines away; see slow_on.go for the
// -tags p53evo_slow version used by bench/selftest.sh.
func slowWork() {}
