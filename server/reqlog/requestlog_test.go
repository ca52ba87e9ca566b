package reqlog

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

// slogLine is the line the server's slog handler writes for the request, its path
// and client name clipped: what Log must write byte for byte.
func slogLine(t testing.TB, json bool, at time.Time, attrs []slog.Attr, method, path, requested string) string {
	t.Helper()
	path, requested = Clip(path), Clip(requested)
	var buf bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&buf, &slog.HandlerOptions{})
	if json {
		h = slog.NewJSONHandler(&buf, &slog.HandlerOptions{})
	}
	r := slog.NewRecord(at, slog.LevelInfo, "echo", 0)
	r.AddAttrs(attrs...)
	r.AddAttrs(slog.String("method", method), slog.String("path", path))
	if requested != "" {
		r.AddAttrs(slog.String("requested", requested))
	}
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func requestLogLine(json bool, rl *Lines, at time.Time, method, path, requested string) string {
	var buf bytes.Buffer
	l := &Log{w: &buf, json: json, opts: &slog.HandlerOptions{}}
	l.Write(rl, at, method, path, requested)
	return buf.String()
}

func testAttrs() []slog.Attr {
	return []slog.Attr{slog.String("client", "partner a"), slog.Int("code", 4019), slog.Int("status", 403),
		slog.String("tls", "TLS 1.3"), slog.String("remote", "127.0.0.1:50412")}
}

func TestRequestLogMatchesSlog(t *testing.T) {
	east := time.FixedZone("", 5*3600+30*60)
	newYork, err := time.LoadLocation("America/New_York") // from time/tzdata if the system has none
	if err != nil {
		t.Fatal(err)
	}
	west := time.FixedZone("PST", -8*3600)
	times := []time.Time{
		time.Date(2026, 11, 22, 10, 18, 37, 0, time.UTC),
		time.Date(2026, 11, 22, 10, 18, 37, 999_999_999, time.UTC),
		time.Date(2026, 11, 22, 10, 18, 37, 120_000_000, east),
		time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, west),
		time.Date(10000, 1, 1, 0, 0, 0, 1_500_000, time.UTC),
		time.Date(2026, 11, 22, 10, 18, 37, 100, time.UTC),            // the same second again, in nanoseconds
		time.Date(2026, 11, 22, 10, 18, 37, 100, time.UTC).In(east),   // the same instant in another zone
		time.Date(2026, 11, 22, 10, 18, 38, 10, east),                 // the next second in that zone
		time.Date(2026, 11, 22, 10, 18, 39, 10, east),                 // and the one after
		time.Date(2026, 3, 8, 9, 59, 59, 999e6, time.UTC).In(newYork), // the second before a DST change
		time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC).In(newYork),      // and after
		time.Date(-1, 12, 31, 23, 59, 59, 5e8, time.UTC),
		time.Now(),
		time.Now().Add(time.Millisecond),
	}
	requests := [][3]string{
		{"GET", "/", ""},
		{"HEAD", "/", ""},                               // only the method differs
		{"HEAD", "/", "partner"},                        // only the client asked for
		{"HEAD", "/", "partner2"},                       //
		{"GET", "/" + strings.Repeat("\xff", 2000), ""}, // too long to keep
		{"GET", "/" + strings.Repeat("\xff", 2000), ""},
		{"GET", "/c/demo/", ""},
		{"POST", "/c/partner-a/x y", "partner-a"},
		{"GET", `/"quoted"=\back`, ""},
		{"GET", "/caf\u00e9/\u2028/\x7f/\xff", "\u202e"},
		{"", "", ""},
		{"PUT", "/a\tb\nc", "x=y"},
		{"GET", "/<script>&", ""},
	}
	for _, json := range []bool{false, true} {
		for _, at := range times {
			rl := &Lines{Attrs: testAttrs()}
			for _, rq := range requests {
				for range 2 { // the line made, then the line remembered
					want := slogLine(t, json, at, testAttrs(), rq[0], rq[1], rq[2])
					if got := requestLogLine(json, rl, at, rq[0], rq[1], rq[2]); got != want {
						t.Errorf("json=%v %v %q:\n got %q\nwant %q", json, at, rq, got, want)
					}
				}
			}
		}
	}
}

// FuzzRequestLog checks the line against slog's for any method, path and client name.
func FuzzRequestLog(f *testing.F) {
	f.Add("GET", "/c/demo/", "", false, int64(0))
	f.Add("PO ST", "/\"=\\\x00\u2029", "a b", true, int64(1_700_000_000_123_456_789))
	f.Fuzz(func(t *testing.T, method, path, requested string, json bool, ns int64) {
		at := time.Unix(0, ns).In(time.FixedZone("", int(ns%(14*3600))))
		rl := &Lines{Attrs: testAttrs()}
		want := slogLine(t, json, at, testAttrs(), method, path, requested)
		for range 2 {
			if got := requestLogLine(json, rl, at, method, path, requested); got != want {
				t.Fatalf("json=%v:\n got %q\nwant %q", json, got, want)
			}
		}
	})
}

func BenchmarkRequestLog(b *testing.B) {
	for _, json := range []bool{false, true} {
		name := "text"
		if json {
			name = "json"
		}
		b.Run(name+"/slog", func(b *testing.B) {
			var h slog.Handler = slog.NewTextHandler(discardWriter{}, nil)
			if json {
				h = slog.NewJSONHandler(discardWriter{}, nil)
			}
			l := slog.New(h).With(attrsAny(testAttrs())...)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				l.LogAttrs(ctx, slog.LevelInfo, "echo", slog.String("method", "GET"), slog.String("path", "/c/bench/"))
			}
		})
		b.Run(name+"/requestLog", func(b *testing.B) {
			l := &Log{w: discardWriter{}, json: json, opts: &slog.HandlerOptions{}}
			rl := &Lines{Attrs: testAttrs()}
			b.ReportAllocs()
			for b.Loop() {
				l.Write(rl, time.Now(), "GET", "/c/bench/", "")
			}
		})
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

func attrsAny(as []slog.Attr) []any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = a
	}
	return out
}

// TestRequestLogKeepsShortLines: an entry keeps the last line only when it is short,
// so a client sending long paths pins no memory for as long as it stays connected.
func TestRequestLogKeepsShortLines(t *testing.T) {
	l := &Log{w: discardWriter{}, opts: &slog.HandlerOptions{}}
	rl := &Lines{Attrs: testAttrs()}
	l.Write(rl, time.Now(), "GET", "/c/demo/", "")
	if rl.last.Load() == nil {
		t.Fatal("a short line was not kept")
	}
	l.Write(rl, time.Now(), "GET", "/"+strings.Repeat("\x01", MaxLoggedPath-1), "") // each byte escaped in four
	if ll := rl.last.Load(); ll == nil || ll.path != "/c/demo/" {
		t.Errorf("after a long path, the entry keeps %v; want the short line still", ll)
	}
}

// TestLogLimits: a connection writes at most LinesPerConnection lines a second and
// the server LinesPerSecond; the rest are counted, and said in one line when the
// next second's first line is written. Paths are clipped.
func TestLogLimits(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, false, &slog.HandlerOptions{})
	sec := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	rl := &Lines{Attrs: testAttrs()}
	for range LinesPerConnection + 10 {
		l.Write(rl, sec, "GET", "/c/a/", "")
	}
	if n := strings.Count(buf.String(), "msg=echo"); n != LinesPerConnection || l.Dropped() != 10 {
		t.Errorf("one connection in one second: %d lines written, %d dropped; want %d and 10", n, l.Dropped(), LinesPerConnection)
	}
	buf.Reset()
	for i := range LinesPerSecond + 5 { // many connections in the next second
		l.Write(&Lines{Attrs: testAttrs()}, sec.Add(time.Second), "GET", "/c/"+strings.Repeat("x", i%3), "")
	}
	out := buf.String()
	if n := strings.Count(out, "msg=echo"); n != LinesPerSecond || l.Dropped() != 15 {
		t.Errorf("the server in one second: %d lines written, %d dropped in all; want %d and 15", n, l.Dropped(), LinesPerSecond)
	}
	if !strings.HasPrefix(out, `time=2026-06-01T00:00:01.000Z level=WARN msg="log lines dropped (too many a second)" count=10 `) {
		t.Errorf("the drops of the second before are not said first:\n%.300s", out)
	}
	buf.Reset()
	l.Write(&Lines{Attrs: testAttrs()}, sec.Add(2*time.Second), "GET", "/"+strings.Repeat("é", 1000), "")
	line := buf.String()[strings.Index(buf.String(), "level=INFO"):]
	if !strings.Contains(line, "…[1746 more bytes]") || len(line) > 512 {
		t.Errorf("a 2 KB path is not clipped (on a character boundary):\n%s", line)
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/short", "/short"},
		{strings.Repeat("a", MaxLoggedPath), strings.Repeat("a", MaxLoggedPath)},
		{strings.Repeat("a", MaxLoggedPath+1), strings.Repeat("a", MaxLoggedPath) + "…[1 more bytes]"},
		{"a" + strings.Repeat("é", MaxLoggedPath), "a" + strings.Repeat("é", (MaxLoggedPath-1)/2) + "…[" + strconv.Itoa(2*MaxLoggedPath+1-MaxLoggedPath+1) + " more bytes]"},
	} {
		if got := Clip(tc.in); got != tc.want {
			t.Errorf("Clip(%.20q…) = %.40q…, want %.40q…", tc.in, got, tc.want)
		}
	}
}
