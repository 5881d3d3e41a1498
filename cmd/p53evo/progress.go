package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line bar on a terminal and nothing elsewhere, so logs
// of batch jobs stay clean.
type progress struct {
	w     io.Writer
	on    bool
	label string
	start time.Time
	last  time.Time
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
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(done, total int) {
	if !p.on {
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
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
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d %s%s ", p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total, el.Round(time.Second), eta)
	if done >= total {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) finish() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
