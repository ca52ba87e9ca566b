package reqlog

import (
	"io"
	"sync"
	"time"
)

// LineBuffer batches log lines before they reach the log's writer: one write(2)
// per request line would cost more than the echo request itself. Lines reach the
// writer within flushDelay, when the buffer fills, and on Close.
type LineBuffer struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	pending bool // a flush is scheduled
	closed  bool
}

const (
	logFlushDelay = 200 * time.Millisecond
	logBufferSize = 32 << 10
)

// NewLineBuffer returns a buffer in front of w.
func NewLineBuffer(w io.Writer) *LineBuffer { return &LineBuffer{w: w} }

func (l *LineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.w.Write(p)
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) >= logBufferSize {
		l.flushLocked()
	} else if !l.pending {
		l.pending = true
		time.AfterFunc(logFlushDelay, l.Flush)
	}
	return len(p), nil
}

// Flush writes what is buffered.
func (l *LineBuffer) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = false
	l.flushLocked()
}

func (l *LineBuffer) flushLocked() {
	if len(l.buf) > 0 {
		_, _ = l.w.Write(l.buf)
		l.buf = l.buf[:0]
	}
}

// Close flushes and makes later writes go straight through.
func (l *LineBuffer) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	l.closed = true
	return nil
}
