package reqlog

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The log is bounded, so a hostile client cannot fill a disk through it: a path is
// logged up to MaxLoggedPath bytes, a connection writes at most
// LinesPerConnection lines a second and the server at most LinesPerSecond. What is
// dropped is counted (Dropped, in /metrics) and said in one line when the next
// second's first line is written.
const (
	MaxLoggedPath      = 256
	LinesPerConnection = 50
	LinesPerSecond     = 1000
)

// Clip shortens s to at most MaxLoggedPath bytes, on a character boundary, and
// says how much was cut.
func Clip(s string) string {
	if len(s) <= MaxLoggedPath {
		return s
	}
	cut := MaxLoggedPath
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…[" + strconv.Itoa(len(s)-cut) + " more bytes]"
}

// window counts the lines of one second.
type window struct {
	sec atomic.Int64
	n   atomic.Int64
}

// take counts a line in second sec and reports whether it is within limit; turned
// reports whether this line opened a new second.
func (w *window) take(sec, limit int64) (ok, turned bool) {
	if s := w.sec.Load(); s != sec && w.sec.CompareAndSwap(s, sec) {
		w.n.Store(0)
		turned = true
	}
	return w.n.Add(1) <= limit, turned
}

// Allow reports whether a line may be written at now (the overall limit), counting
// it; a line that may not is counted as dropped. The page listener's lines use it.
func (l *Log) Allow(now time.Time) bool {
	ok, turned := l.overall.take(now.Unix(), LinesPerSecond)
	if turned {
		l.sayDropped(now)
	}
	if !ok {
		l.drop()
	}
	return ok
}

func (l *Log) drop() {
	l.dropped.Add(1)
	l.recent.Add(1)
}

// Dropped is how many lines the limits have dropped since the server started.
func (l *Log) Dropped() uint64 { return l.dropped.Load() }

// sayDropped writes one line for the lines dropped since it last did.
func (l *Log) sayDropped(now time.Time) {
	n := l.recent.Swap(0)
	if n == 0 {
		return
	}
	r := slog.NewRecord(now, slog.LevelWarn, "log lines dropped (too many a second)", 0)
	r.AddAttrs(slog.Int64("count", n), slog.Int("per_connection", LinesPerConnection), slog.Int("per_second", LinesPerSecond))
	_ = l.handler().Handle(context.Background(), r)
}
