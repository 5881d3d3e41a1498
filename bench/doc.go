// Package bench holds the benchmarks that guard the engine's hot loop on
// standard workloads. It contains no library code: run it with
//
//	go test -run '^$' -bench . -benchmem ./bench/
package bench
