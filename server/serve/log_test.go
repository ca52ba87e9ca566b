package serve

import (
	"bufio"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/server/config"
)

// TestLogBounded: 2,000 keep-alive requests with 60 KB paths (and 200 to the page
// listener) write well under 20 MB of log, the paths clipped and the lines over the
// limits counted as dropped.
func TestLogBounded(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	long := "/c/partner-a/" + strings.Repeat("a", 60<<10)
	c, err := tls.Dial("tcp", ts.s.MTLSAddr(), clientTLS(t, goodCert[0], goodCert[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	go func() { // the requests are written while the answers are read, so neither side waits on the other
		for range 2000 {
			if _, err := io.WriteString(c, "GET "+long+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				return
			}
		}
	}()
	for i := range 2000 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for range 200 {
		if resp, err := http.Get("http://" + ts.s.HTTPAddr() + "/x" + strings.Repeat("b", 30<<10)); err == nil {
			resp.Body.Close()
		}
	}
	m := get(t, "http://"+ts.s.HTTPAddr()+"/metrics")
	ts.stop()
	log := ts.stderr.String()
	if len(log) > 20<<20 {
		t.Errorf("%d MB of log for 2,000 requests", len(log)>>20)
	}
	if strings.Contains(log, strings.Repeat("a", 1024)) || strings.Contains(log, strings.Repeat("b", 1024)) {
		t.Errorf("a path was logged whole")
	}
	if !strings.Contains(log, "more bytes]") {
		t.Errorf("no clipped path in the log")
	}
	if strings.Contains(m, "mtlsplay_log_lines_dropped_total 0\n") || !strings.Contains(m, "mtlsplay_log_lines_dropped_total ") {
		t.Errorf("the lines over the limit are not counted:\n%s", grepLines(m, "dropped"))
	}
}
