package sim

import "sync"

// shardPool advances the clones of one step on several goroutines. The
// goroutines live as long as the Tumor, so a step starts no goroutine and
// allocates nothing once the buffers have grown. Each shard takes a
// contiguous run of clones and collects its mutant daughters in its own
// buffer; the engine sorts them afterwards, so the split does not change the
// result.
type shardPool struct {
	n    int
	work []chan shardJob
	wg   sync.WaitGroup
	out  [][]pending
}

type shardJob struct {
	tm     *Tumor
	clones []clone
	a, b   float64
	k      int
}

func newShardPool(n int) *shardPool {
	p := &shardPool{n: n, work: make([]chan shardJob, n), out: make([][]pending, n)}
	for i := range p.work {
		p.work[i] = make(chan shardJob)
		go p.loop(p.work[i])
	}
	return p
}

func (p *shardPool) loop(ch chan shardJob) {
	for j := range ch {
		buf := p.out[j.k][:0]
		for i := range j.clones {
			buf = j.tm.advanceClone(&j.clones[i], j.a, j.b, buf)
		}
		p.out[j.k] = buf
		p.wg.Done()
	}
}

func (p *shardPool) run(tm *Tumor, clones []clone, a, b float64, out []pending) []pending {
	n := len(clones)
	p.wg.Add(p.n)
	for k := 0; k < p.n; k++ {
		p.work[k] <- shardJob{tm: tm, clones: clones[k*n/p.n : (k+1)*n/p.n], a: a, b: b, k: k}
	}
	p.wg.Wait()
	for k := 0; k < p.n; k++ {
		out = append(out, p.out[k]...)
	}
	return out
}

func (p *shardPool) close() {
	for _, ch := range p.work {
		close(ch)
	}
}
