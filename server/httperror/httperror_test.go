package httperror

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/engine"
)

// TestShapes: Write and Raw answer with the engine's error shape, escaped as JSON,
// whatever the message holds.
func TestShapes(t *testing.T) {
	const msg = "a \"quoted\" <message>\nwith a new line"
	rec := httptest.NewRecorder()
	Write(rec, http.StatusNotFound, CodeNotFound, msg)
	raw, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(Raw(http.StatusBadRequest, engine.CodeBadRequest, msg))), nil)
	if err != nil {
		t.Fatalf("Raw is not an HTTP response: %v", err)
	}
	if !raw.Close {
		t.Errorf("Raw does not close the connection: %v", raw.Header)
	}
	for _, tc := range []struct {
		name         string
		status, want int
		code         string
		header       http.Header
		body         *bytes.Buffer
	}{
		{"Write", rec.Code, http.StatusNotFound, CodeNotFound, rec.Header(), rec.Body},
		{"Raw", raw.StatusCode, http.StatusBadRequest, engine.CodeBadRequest, raw.Header, func() *bytes.Buffer { var b bytes.Buffer; _, _ = b.ReadFrom(raw.Body); return &b }()},
	} {
		var e engine.ErrorResponse
		if err := json.Unmarshal(tc.body.Bytes(), &e); err != nil || e.Error.Code != tc.code || e.Error.Message != msg {
			t.Errorf("%s: body %q (%v), want code %s and the message", tc.name, tc.body, err, tc.code)
		}
		if tc.status != tc.want || tc.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: status %d, Content-Type %q", tc.name, tc.status, tc.header.Get("Content-Type"))
		}
		if !bytes.HasSuffix(tc.body.Bytes(), []byte("}\n")) || bytes.Count(tc.body.Bytes(), []byte("\n")) != 1 {
			t.Errorf("%s: body is not one line of JSON: %q", tc.name, tc.body)
		}
	}
}
