package sim

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// Sink receives finished replicates, one at a time and in replicate order,
// from a single goroutine. The Result is reused after Write returns: copy
// what must outlive the call.
type Sink interface {
	Write(r *Result) error
}

// SinkFunc adapts a function to the Sink interface.
type SinkFunc func(r *Result) error

func (f SinkFunc) Write(r *Result) error { return f(r) }

// RunOptions say which replicates to run and how.
type RunOptions struct {
	First, Count int // replicates First .. First+Count-1
	Workers      int // goroutines running replicates (default GOMAXPROCS)
	// Progress, if set, is called after each replicate is delivered.
	Progress func(done, total int)
	// Step, if set, is called by the worker goroutines between engine steps
	// with the replicate, its tumour time and its live clones: progress
	// within long replicates. It must be safe for concurrent use and cheap.
	Step func(rep int, day float64, clones int)
}

// Run simulates replicates on a pool of workers and hands them to sink in
// replicate order. A replicate's result depends only on (cfg, cfg.Seed,
// replicate number), never on the number of workers. When ctx is cancelled,
// Run stops handing out work, delivers every replicate before the first
// unfinished one, and returns ctx's error. Replicates in flight stop at
// their next step end (a step takes milliseconds at the defaults, so a
// cancelled run returns promptly); so does a replicate whose live clones
// exceed cfg.MaxClones, with a CloneLimitError.
func Run(ctx context.Context, cfg *Config, opt RunOptions, sink Sink) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = max(1, min(w, opt.Count))
	// A window of 2w results in flight bounds memory whatever the count.
	window := 2 * w
	free := make(chan *Result, window)
	for i := 0; i < window; i++ {
		free <- new(Result)
	}
	jobs := make(chan int)
	results := make(chan runDone, window)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runWorker(ctx, cfg, opt.Step, free, jobs, results)
		}()
	}
	go func() {
		defer close(jobs)
		for rep := opt.First; rep < opt.First+opt.Count; rep++ {
			select {
			case jobs <- rep:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	return deliver(ctx, cancel, opt, sink, free, results, window)
}

// runDone is a finished replicate, or the error that stopped it.
type runDone struct {
	res *Result
	err error
}

// runWorker runs the replicates it takes from jobs on its own Replicator,
// each into a buffer taken from free, and sends them to results.
func runWorker(ctx context.Context, cfg *Config, step func(int, float64, int), free chan *Result, jobs <-chan int, results chan<- runDone) {
	rp := NewReplicator(cfg)
	defer rp.Close()
	rp.watch(ctx)
	rp.guard.step = step
	for {
		// Take a buffer before a job: jobs go out in replicate order,
		// so the worker holding the next replicate to deliver always
		// has a buffer, and finished later replicates cannot starve it.
		var res *Result
		select {
		case res = <-free:
		case <-ctx.Done():
			return
		}
		rep, ok := <-jobs
		if !ok {
			return
		}
		err := rp.Run(rep, res)
		results <- runDone{res, err}
	}
}

// deliver hands the results to sink in replicate order, holding those that
// finish early, and returns their buffers to free; the first error cancels
// the run.
func deliver(ctx context.Context, cancel context.CancelFunc, opt RunOptions, sink Sink, free chan<- *Result, results <-chan runDone, window int) error {
	held := make(map[int]*Result, window)
	next := opt.First
	var firstErr error
	for d := range results {
		if d.err != nil {
			if firstErr == nil {
				firstErr = d.err
				cancel()
			}
			free <- d.res
			continue
		}
		held[d.res.Replicate] = d.res
		for firstErr == nil {
			r, ok := held[next]
			if !ok {
				break
			}
			delete(held, next)
			if err := sink.Write(r); err != nil {
				firstErr = fmt.Errorf("writing replicate %d: %w", next, err)
				cancel()
			}
			next++
			free <- r
			if opt.Progress != nil {
				opt.Progress(next-opt.First, opt.Count)
			}
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if next < opt.First+opt.Count {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("run stopped after %d of %d replicates", next-opt.First, opt.Count)
	}
	return nil
}
