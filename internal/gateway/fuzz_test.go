package gateway_test

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

func pemBlocks(b []byte) [][]byte {
	var out [][]byte
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return out
		}
		if block.Type == "CERTIFICATE" {
			out = append(out, block.Bytes)
		}
	}
}

// FuzzView: the profiles read names, serials, times and SANs from the DER
// themselves; no certificate certinfo accepts may make them panic.
func FuzzView(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/pki/*.pem")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, der := range pemBlocks(b) {
			f.Add(der)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := certinfo.Parse(der)
		if err != nil {
			return
		}
		for _, p := range gateway.Profiles() {
			p.View(c)
		}
	})
}
