package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"guanai/repository"
)

// progressBar draws a seed's progress on a terminal, one line per stage redrawn in place; written to a file or a
// pipe it prints each stage once, when it ends.
type progressBar struct {
	w        io.Writer
	terminal bool
	stage    string
	last     repository.SeedProgress
	started  time.Time
	drawn    time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	terminal := false
	if ok {
		if fi, err := f.Stat(); err == nil {
			terminal = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progressBar{w: w, terminal: terminal}
}

func (b *progressBar) report(p repository.SeedProgress) {
	if p.Stage != b.stage {
		b.finish()
		b.stage, b.started = p.Stage, time.Now()
	}
	b.last = p
	if b.terminal && time.Since(b.drawn) > 100*time.Millisecond {
		fmt.Fprintf(b.w, "\r%s", b.line())
		b.drawn = time.Now()
	}
}

// finish prints the stage that just ended with its row count and time.
func (b *progressBar) finish() {
	if b.stage == "" {
		return
	}
	if b.terminal {
		fmt.Fprint(b.w, "\r")
	}
	fmt.Fprintf(b.w, "%s %s\n", b.line(), time.Since(b.started).Round(100*time.Millisecond))
	b.stage = ""
}

func (b *progressBar) line() string {
	const width = 30
	done := width
	if b.last.Total > 0 {
		done = width * b.last.Done / b.last.Total
	}
	return fmt.Sprintf("%-36s [%s%s] %9d/%-9d", b.stage, strings.Repeat("#", done), strings.Repeat(".", width-done),
		b.last.Done, b.last.Total)
}
