package main

import (
	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line bar on a terminal and nothing elsewhere, so logs
// of batch jobs stay clean.
type progress struct {
	w     io.Writer
	on    bool
	label string
	start time.Time

	mu          sync.Mutex // update and step come from different goroutines
	last        time.Time
	done, total int
	inside      string // where the slowest replicate in flight is
}

func newProgress(w io.Writer, label string) *progress {
	return &progress{w: w, on: isTerminal(w), label: label, start: time.Now()}
}

// isTerminal reports whether w is a character device (a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	// a terminal answers the terminal-attributes request; other character
	// devices such as /dev/null do not
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func (p *progress) update(done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total, p.inside = done, total, ""
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.draw(now)
}

// step shows progress within long replicates: called between engine steps
// (sim.RunOptions.Step), it redraws at most once a second.
func (p *progress) step(rep int, day float64, clones int) {
	if !p.on {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.last) < time.Second || now.Sub(p.start) < time.Second {
		return
	}
	p.inside = fmt.Sprintf(" (replicate %d: day %.0f, %d clones)", rep, day, clones)
	p.draw(now)
}

func (p *progress) draw(now time.Time) {
	done, total := p.done, p.total
	if total == 0 {
		return
	}
	p.last = now
	const width = 30
	fill := width * done / max(total, 1)
	el := now.Sub(p.start)
	eta := ""
	if done > 0 && done < total {
		eta = fmt.Sprintf(" eta %s", (el * time.Duration(total-done) / time.Duration(done)).Round(time.Second))
	}
	fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %d/%d %s%s%s ", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total, el.Round(time.Second), eta, p.inside)
	if done >= total {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) finish() {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
