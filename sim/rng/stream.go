package rng

import "math/rand/v2"

// Stream is a deterministic random stream: a math/rand/v2 PCG generator
// (16 bytes of state) with the samplers of this package as methods.
//
// A Stream is a plain value: copying it copies the state, so two copies
// produce the same numbers. Its methods take a pointer and never allocate.
// The zero value is a valid (but shared by everyone) stream; use [New] or
// [Derive] to obtain an independent one. A Stream is not safe for concurrent
// use.
type Stream struct {
	pcg rand.PCG
}

// SplitMix64 constants (Steele, Lea & Flood 2014, "Fast splittable
// pseudorandom number generators", OOPSLA; the finaliser is Stafford's
// "Mix13" variant of MurmurHash3's fmix64).
const (
	golden   = 0x9e3779b97f4a7c15 // 2^64 / phi, the SplitMix64 increment
	keySalt  = 0xd1b54a32d192ed03 // odd constant separating keys from the chain
	mixMul1  = 0xbf58476d1ce4e5b9
	mixMul2  = 0x94d049bb133111eb
	seedSalt = 0x2545f4914f6cdd1d
)

// mix64 is the SplitMix64 output function: a bijection of uint64 with full
// avalanche (every input bit flips every output bit with probability ~1/2).
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * mixMul1
	z = (z ^ z>>27) * mixMul2
	return z ^ z>>31
}

// chainStart and chainKey define the hash of (seed, k1, ..., kn):
//
//	h0 = mix64(seed + seedSalt)
//	h_i = mix64(h_{i-1} ^ mix64(k_i + keySalt))
//
// Every step is a bijection in the new key, so for fixed earlier inputs
// distinct keys give distinct chain values, and the order and number of keys
// matter (New(s, 1, 2), New(s, 2, 1) and New(s, 1) are unrelated streams).
func chainStart(seed uint64) uint64 { return mix64(seed + seedSalt) }

func chainKey(h, key uint64) uint64 { return mix64(h ^ mix64(key+keySalt)) }

// fromChain seeds the PCG with the first two outputs of a SplitMix64
// generator whose state is the chain value h.
func fromChain(h uint64) Stream {
	var s Stream
	s.pcg.Seed(mix64(h+golden), mix64(h+golden+golden))
	return s
}

// New returns the stream identified by seed and the identity keys (for
// example replicate number, then clone id). The seed and the keys are hashed
// with SplitMix64 into the 128-bit PCG state, so nearby seeds and keys give
// unrelated streams, and the stream depends only on (seed, keys). New does not
// allocate.
func New(seed uint64, keys ...uint64) Stream {
	h := chainStart(seed)
	for _, k := range keys {
		h = chainKey(h, k)
	}
	return fromChain(h)
}

// Derive returns New(seed, key) without the variadic call; it is the fast
// path used when a clone is born.
func Derive(seed, key uint64) Stream {
	return fromChain(chainKey(chainStart(seed), key))
}

// Uint64 returns a uniformly distributed 64-bit value (PCG-DXSM, O'Neill
// 2014, as implemented by math/rand/v2).
func (s *Stream) Uint64() uint64 { return s.pcg.Uint64() }

// Float64 returns a uniform value in [0, 1) with 53 random bits: the top 53
// bits of one Uint64 scaled by 2^-53. Every multiple of 2^-53 in [0, 1) is
// equally likely.
func (s *Stream) Float64() float64 {
	return float64(int64(s.pcg.Uint64()>>11)) * 0x1p-53 // via int64: one instruction, the same value
}

// Open01 returns a uniform value in the open interval (0, 1): (j + 1/2) 2^-52
// with j the top 52 bits of one Uint64. It is never 0 or 1, so log(Open01())
// and log(1-Open01()) are always finite.
func (s *Stream) Open01() float64 {
	return (float64(int64(s.pcg.Uint64()>>12)) + 0.5) * 0x1p-52
}

// MarshalBinary returns the stream state in math/rand/v2's PCG encoding
// ("pcg:" followed by the two state words, big-endian; 20 bytes). It is meant
// for checkpoints and allocates.
func (s *Stream) MarshalBinary() ([]byte, error) { return s.pcg.MarshalBinary() }

// UnmarshalBinary restores a state written by MarshalBinary; the stream then
// continues exactly where the marshalled one stood.
func (s *Stream) UnmarshalBinary(data []byte) error { return s.pcg.UnmarshalBinary(data) }
