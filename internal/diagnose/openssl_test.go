package diagnose

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki/opensslpki"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// TestFindingsOpenSSLMistakes has, for each of the usual mistakes with a chain
// (wrong bundle, leaf pasted after its issuer, leaf without its intermediate), a
// chain made by OpenSSL that triggers its finding and one that does not, and checks
// that the other findings stay quiet where they used to give wrong advice.
func TestFindingsOpenSSLMistakes(t *testing.T) {
	p := opensslpki.New(t)
	at := p.At()
	load := func(path string) []*trust.Bundle {
		b, err := trust.ParseBundle(filepath.Base(path), opensslpki.Read(t, path), at)
		if err != nil {
			t.Fatalf("ParseBundle(%s): %v", path, err)
		}
		return []*trust.Bundle{b}
	}
	tests := []struct {
		name, chain, bundle string
		id                  string
		want                bool
		cert                int
		contains            []string
		absent              []string // ids that must not be found
	}{
		{"wrong bundle", p.Chain, p.Other, WrongBundle, true, 1,
			[]string{"the chain ends at certificate 2 (" + opensslpki.IntermediateDN + "), issued by " + opensslpki.RootDN, "bundle other.pem (it holds " + opensslpki.OtherDN},
			[]string{MissingIntermediate}},
		{"wrong bundle, root sent", p.FullChain, p.Other, WrongBundle, true, 2,
			[]string{"the chain ends at the root certificate 3 (" + opensslpki.RootDN + "), which is not in bundle other.pem (it holds " + opensslpki.OtherDN},
			[]string{MissingIntermediate}},
		{"right bundle", p.Chain, p.Root, WrongBundle, false, 0, nil, nil},
		{"right bundle, root sent", p.FullChain, p.Root, WrongBundle, false, 0, nil, nil},
		{"leaf only is a missing intermediate", p.Leaf, p.Root, MissingIntermediate, true, 0,
			[]string{"was issued by " + opensslpki.IntermediateDN, "bundle root.pem (it holds " + opensslpki.RootDN + ")"},
			[]string{WrongBundle}},
		{"leaf only, wrong bundle, is a missing intermediate too", p.Leaf, p.Other, MissingIntermediate, true, 0,
			[]string{"bundle other.pem (it holds " + opensslpki.OtherDN + ")"}, []string{WrongBundle}},
		{"reversed", p.Reversed, p.Root, LeafNotFirst, true, 1,
			[]string{"the leaf is certificate 2 (" + opensslpki.LeafDN + "), but certificate 1 (" + opensslpki.IntermediateDN + "), a CA, comes first"},
			[]string{ChainUnrelatedCertificate, CAAsClientCert, ChainOutOfOrder, MissingIntermediate, WrongBundle}},
		{"reversed, no bundle", p.Reversed, "", LeafNotFirst, true, 1, []string{"the leaf is certificate 2"}, []string{ChainUnrelatedCertificate, CAAsClientCert}},
		{"in order", p.Chain, p.Root, LeafNotFirst, false, 0, nil, nil},
		{"a CA alone", p.Intermediate, p.Root, LeafNotFirst, false, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := parseChain(tt.chain, opensslpki.Read(t, tt.chain))
			if err != nil {
				t.Fatal(err)
			}
			var bundles []*trust.Bundle
			if tt.bundle != "" {
				bundles = load(tt.bundle)
			}
			fs := Findings(certs, bundles, at)
			call := "Findings(" + filepath.Base(tt.chain) + ", " + filepath.Base(tt.bundle) + ")"
			f := find(fs, tt.id)
			switch {
			case !tt.want && f != nil:
				t.Errorf("%s has %s: %s; want none", call, tt.id, f.Message)
			case tt.want && f == nil:
				t.Errorf("%s has no %s; got %+v", call, tt.id, fs)
			case tt.want:
				if f.Cert != tt.cert || f.Severity != Error || f.Fix == "" {
					t.Errorf("%s %s = cert %d, %s, fix %q; want cert %d, error, a fix", call, tt.id, f.Cert, f.Severity, f.Fix, tt.cert)
				}
				for _, s := range tt.contains {
					if !strings.Contains(f.Message, s) {
						t.Errorf("%s %s message %q does not say %q", call, tt.id, f.Message, s)
					}
				}
			}
			for _, id := range tt.absent {
				if g := find(fs, id); g != nil {
					t.Errorf("%s has %s: %s; want none", call, id, g.Message)
				}
			}
		})
	}
}

// TestLeafIndex: only a CA sent first with a leaf after it that the chain issued
// moves the leaf; anything else keeps the first certificate.
func TestLeafIndex(t *testing.T) {
	p := opensslpki.New(t)
	for _, tt := range []struct {
		name, file string
		want       int
	}{
		{"in order", p.Chain, 0},
		{"reversed", p.Reversed, 1},
		{"full chain", p.FullChain, 0},
		{"a CA alone", p.Intermediate, 0},
		{"leaf alone", p.Leaf, 0},
	} {
		certs, err := parseChain(tt.file, opensslpki.Read(t, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := LeafIndex(certs); got != tt.want {
			t.Errorf("LeafIndex(%s) = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestIDsDocumented: every finding id has a row in the findings tables of
// docs/design.md and docs/troubleshooting.md (whose row gives the page's #<id> link
// its anchor).
func TestIDsDocumented(t *testing.T) {
	for _, doc := range []string{"../../docs/design.md", "../../docs/troubleshooting.md"} {
		text := string(opensslpki.Read(t, doc))
		for _, id := range IDs {
			if !strings.Contains(text, "\n| `"+id+"` |") {
				t.Errorf("%s has no table row for finding %s", doc, id)
			}
		}
	}
}
