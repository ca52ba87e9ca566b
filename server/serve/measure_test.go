package serve

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/server/config"
)

// TestMeasureUnderDecideLoad measures, with MTLSPLAY_MEASURE=1, what others wait
// for while 64 clients keep explanation-heavy POST /api/decide requests in flight:
// /healthz and an mTLS echo request, each asked every 50 ms for 5 s. It reports the
// latencies and asserts nothing about them.
func TestMeasureUnderDecideLoad(t *testing.T) {
	if os.Getenv("MTLSPLAY_MEASURE") == "" {
		t.Skip("a measurement: MTLSPLAY_MEASURE=1 go test ./server/serve -run TestMeasureUnderDecideLoad -v")
	}
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	body := explainHeavy(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: hangGuard}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Post("http://"+ts.s.HTTPAddr()+"/api/decide", "application/json", bytes.NewReader(body))
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
				if resp.StatusCode == http.StatusServiceUnavailable {
					time.Sleep(time.Second) // as Retry-After asks
				}
			}
		}()
	}
	echo := httpClient(clientTLS(t, goodCert[0], goodCert[1]))
	var health, mtls []time.Duration
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		start := time.Now()
		if resp, err := http.Get("http://" + ts.s.HTTPAddr() + "/healthz"); err == nil {
			resp.Body.Close()
			health = append(health, time.Since(start))
		}
		start = time.Now()
		if status, _, _ := getEcho(t, echo, "https://"+ts.s.MTLSAddr()+"/c/partner-a/", nil); status == 200 {
			mtls = append(mtls, time.Since(start))
		}
	}
	close(stop)
	wg.Wait()
	for name, ds := range map[string][]time.Duration{"/healthz": health, "mTLS echo (keep-alive)": mtls} {
		slices.Sort(ds)
		if len(ds) == 0 {
			t.Errorf("%s: no answer", name)
			continue
		}
		t.Logf("%s: n=%d p50 %v p90 %v max %v", name, len(ds), ds[len(ds)/2].Round(time.Millisecond), ds[len(ds)*9/10].Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
	t.Logf("/api/decide answers by status: %v", codes)
}
