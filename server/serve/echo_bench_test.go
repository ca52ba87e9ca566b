package serve

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"

	"github.com/mtlsplay/mtlsplay/server/config"
)

// The echo's hot paths in-process: client and server share the process, so these
// are for profiles (go test -bench Echo -cpuprofile) and allocation counts; the
// server's CPU per operation against nginx is what make bench-echo measures.

func benchServer(b *testing.B, mode string) (*testServer, *tls.Config) {
	ts := startServe(b, Options{ConfigPath: writeConfig(b, testConfig(mode)), LogLevel: slog.LevelWarn})
	return ts, clientTLS(b, "client-good-chain.pem", "client-good.key")
}

var benchRequest = []byte("GET /c/partner-a/ HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")

func benchRoundTrip(b *testing.B, c net.Conn, br *bufio.Reader) {
	if _, err := c.Write(benchRequest); err != nil {
		b.Fatal(err)
	}
	status, err := br.ReadSlice('\n')
	if err != nil || !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) {
		b.Fatalf("status %q, %v", status, err)
	}
	n := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			b.Fatal(err)
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && string(k) == "Content-Length" {
			n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkEchoHandshake(b *testing.B) {
	for _, mode := range []string{config.ModeStrict, config.ModeReport} {
		b.Run(mode, func(b *testing.B) {
			ts, cfg := benchServer(b, mode)
			for b.Loop() {
				c, err := tls.Dial("tcp", ts.s.MTLSAddr(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				benchRoundTrip(b, c, bufio.NewReader(c))
				c.Close()
			}
		})
	}
}

func BenchmarkEchoKeepAlive(b *testing.B) {
	ts, cfg := benchServer(b, config.ModeStrict)
	c, err := tls.Dial("tcp", ts.s.MTLSAddr(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 64<<10)
	b.ReportAllocs()
	for b.Loop() {
		benchRoundTrip(b, c, br)
	}
}
