package reqlog

import (
	"log"
	"log/slog"
	"strings"
)

// HTTPServerLog is a net/http server's ErrorLog that turns its own lines (a handler
// panic, a broken HTTP/2 connection) into warnings of the structured log.
func HTTPServerLog(l *slog.Logger, listener string) *log.Logger {
	return log.New(&serverLog{log: l, listener: listener}, "", 0)
}

type serverLog struct {
	log      *slog.Logger
	listener string
}

func (l *serverLog) Write(p []byte) (int, error) {
	l.log.Warn("http server", "listener", l.listener, "message", strings.TrimSpace(string(p)))
	return len(p), nil
}
