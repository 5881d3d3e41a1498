package rng
import ("testing";"math")
func BenchmarkZExp6(b *testing.B){ s:=New(1); x:=0.0; for b.Loop(){ for range 6 {x+=s.Exp()}}; sinkF=x}
func BenchmarkZUint6(b *testing.B){ s:=New(1); var x uint64; for b.Loop(){ for range 6 {x+=s.Uint64()}}; sinkU=x}
func BenchmarkZExpFloor6(b *testing.B){ s:=New(1); x:=0.0; for b.Loop(){ for range 6 {x+=math.Floor(s.Exp()*3.3)}}; sinkF=x}
func BenchmarkZExpSumVar(b *testing.B){ s:=New(1); var x int64; for b.Loop(){ x+=s.poissonExpSum(5)}; sinkI=x}
