package certinfo

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// These tests cross-check the parser against OpenSSL on certificates OpenSSL
// itself made, so the formats are not only consistent with our own builders.

func requireOpenSSL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed; skipping the cross-check against OpenSSL")
	}
}

func runOpenSSL(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// opensslCert makes a self-signed certificate with `openssl req -x509` and the
// extra arguments, and returns its DER and the directory holding it as c.der.
func opensslCert(t *testing.T, args ...string) ([]byte, string) {
	t.Helper()
	dir := t.TempDir()
	base := []string{"req", "-x509", "-newkey", "ed25519", "-keyout", "k.pem", "-nodes", "-days", "30",
		"-outform", "DER", "-out", "c.der"}
	runOpenSSL(t, dir, append(base, args...)...)
	der, err := os.ReadFile(filepath.Join(dir, "c.der"))
	if err != nil {
		t.Fatal(err)
	}
	return der, dir
}

// x509Field runs `openssl x509 -noout` with args on c.der and returns the value
// after the first "=" of its output line (e.g. "subject=…").
func x509Field(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out := runOpenSSL(t, dir, append([]string{"x509", "-inform", "DER", "-in", "c.der", "-noout"}, args...)...)
	out = strings.TrimRight(out, "\n")
	_, v, _ := strings.Cut(out, "=")
	return v
}

func TestOpenSSLSubjects(t *testing.T) {
	requireOpenSSL(t)
	tests := []struct {
		name      string
		subj      string
		multi     bool
		dn, slash string
		// sameRFC2253: OpenSSL's RFC2253 output without byte escaping equals our DN
		// (false where OpenSSL differs on purpose: multi-valued member order, "street").
		sameRFC2253 bool
	}{
		{"design example", "/C=US/O=Acme, Inc./OU=a+CN=b", true,
			`CN=b+OU=a,O=Acme\, Inc.,C=US`, "/C=US/O=Acme, Inc./CN=b+OU=a", false},
		{"simple", "/C=US/O=Org/CN=RootCA", false, "CN=RootCA,O=Org,C=US", "/C=US/O=Org/CN=RootCA", true},
		{"specials", `/CN=a,b;c<d>e"f=g#h`, false, `CN=a\,b\;c\<d\>e\"f=g#h`, `/CN=a,b;c<d>e"f=g#h`, true},
		{"leading hash and spaces", "/CN=#x /O= y ", false, `O=\ y\ ,CN=\#x\ `, `/CN=\#x /O= y `, true},
		{"UTF-8", "/O=Jürgen/CN=日本語", false, "CN=日本語,O=Jürgen", "/O=Jürgen/CN=日本語", true},
		{"DC, UID, emailAddress", "/DC=com/DC=example/UID=jdoe/emailAddress=j@example.com/CN=J", false,
			"CN=J,emailAddress=j@example.com,UID=jdoe,DC=example,DC=com",
			"/DC=com/DC=example/UID=jdoe/emailAddress=j@example.com/CN=J", true},
		{"repeated OU", "/O=O/OU=a/OU=b/CN=c", false, "CN=c,OU=b,OU=a,O=O", "/O=O/OU=a/OU=b/CN=c", true},
		{"short names", "/SN=Doe/GN=Jane/title=Dr/serialNumber=42/postalCode=1/initials=J/pseudonym=p" +
			"/organizationIdentifier=X/businessCategory=B/jurisdictionC=DE/jurisdictionST=BY/jurisdictionL=M" +
			"/description=d/name=n/role=r/generationQualifier=g/dnQualifier=q", false,
			"dnQualifier=q,generationQualifier=g,role=r,name=n,description=d,jurisdictionL=M,jurisdictionST=BY," +
				"jurisdictionC=DE,businessCategory=B,organizationIdentifier=X,pseudonym=p,initials=J,postalCode=1," +
				"serialNumber=42,title=Dr,GN=Jane,SN=Doe",
			"/SN=Doe/GN=Jane/title=Dr/serialNumber=42/postalCode=1/initials=J/pseudonym=p/organizationIdentifier=X" +
				"/businessCategory=B/jurisdictionC=DE/jurisdictionST=BY/jurisdictionL=M/description=d/name=n/role=r" +
				"/generationQualifier=g/dnQualifier=q", true},
		{"street is STREET (RFC 4514), not OpenSSL's street", "/street=Main St 1/CN=x", false,
			"CN=x,STREET=Main St 1", "/STREET=Main St 1/CN=x", false},
		{"escaped slash and plus", `/CN=a\/b\+c`, true, `CN=a/b\+c`, `/CN=a\/b\+c`, true},
		{"three members", "/O=o/CN=x+UID=u+emailAddress=e@x.example", true,
			"CN=x+UID=u+emailAddress=e@x.example,O=o", "/O=o/CN=x+UID=u+emailAddress=e@x.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"-utf8", "-subj", tt.subj}
			if tt.multi {
				args = append(args, "-multivalue-rdn")
			}
			der, dir := opensslCert(t, args...)
			c := mustParse(t, der)
			if c.Subject.DN != tt.dn || c.Issuer.DN != tt.dn {
				t.Errorf("subject %q: DN = %q (issuer %q), want %q", tt.subj, c.Subject.DN, c.Issuer.DN, tt.dn)
			}
			if c.Subject.Slash != tt.slash {
				t.Errorf("subject %q: Slash = %q, want %q", tt.subj, c.Subject.Slash, tt.slash)
			}
			if tt.sameRFC2253 {
				if o := x509Field(t, dir, "-subject", "-nameopt", "RFC2253,-esc_msb"); o != c.Subject.DN {
					t.Errorf("subject %q: DN = %q, OpenSSL RFC2253 says %q", tt.subj, c.Subject.DN, o)
				}
			}
			// OpenSSL's compat form equals ours for ASCII text without "\", a leading "#" or controls
			// (it writes bytes above 0x7F as \xHH; we keep UTF-8).
			ascii := strings.IndexFunc(tt.subj, func(r rune) bool { return r >= 0x80 }) < 0 && !strings.Contains(tt.subj, "=#")
			if o := x509Field(t, dir, "-subject", "-nameopt", "compat"); tt.sameRFC2253 && ascii && o != c.Subject.Slash {
				t.Errorf("subject %q: Slash = %q, OpenSSL compat says %q", tt.subj, c.Subject.Slash, o)
			}
			if len(c.Problems) != 0 || !c.SelfIssued {
				t.Errorf("Problems = %q, SelfIssued = %v", c.Problems, c.SelfIssued)
			}
		})
	}
}

func TestOpenSSLSAN(t *testing.T) {
	requireOpenSSL(t)
	der, _ := opensslCert(t, "-subj", "/CN=san", "-addext", "subjectAltName="+
		"DNS:a.example,IP:::ffff:192.0.2.1,IP:2001:0DB8:0:0:0:0:0:1,IP:192.0.2.7,URI:spiffe://example.org/ns/x,"+
		"email:a@b.example,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:user@corp.example,RID:1.2.3.4,"+
		"otherName:1.2.3.4;IA5STRING:v,otherName:1.2.3.5;INTEGER:7")
	c := mustParse(t, der)
	want := []string{"DNS:a.example", "IP:::ffff:192.0.2.1", "IP:2001:db8::1", "IP:192.0.2.7",
		"URI:spiffe://example.org/ns/x", "Email:a@b.example", "UPN:user@corp.example", "RID:1.2.3.4",
		"OtherName:1.2.3.4:v", "OtherName:1.2.3.5:#020107"}
	if !reflect.DeepEqual(c.SANEntries, want) {
		t.Errorf("SANEntries = %q\nwant %q", c.SANEntries, want)
	}
	if c.SPIFFEID != "spiffe://example.org/ns/x" {
		t.Errorf("SPIFFEID = %q", c.SPIFFEID)
	}
	if len(c.Problems) != 0 || c.X509() == nil {
		t.Errorf("Problems = %q", c.Problems)
	}
	// crypto/x509 turns the IPv4-mapped address into IPv4; we do not.
	if got := c.X509().IPAddresses[0].String(); got != "192.0.2.1" {
		t.Logf("crypto/x509 shows the mapped address as %s", got)
	}
}

func TestOpenSSLDirName(t *testing.T) {
	requireOpenSSL(t)
	dir := t.TempDir()
	cfg := `[req]
distinguished_name = dn
prompt = no
x509_extensions = ext
utf8 = yes
[dn]
CN = dirname test
[ext]
subjectAltName = DNS:a.example,dirName:dir_sect
[dir_sect]
C = US
O = Org, Inc.
CN = Dir Name
`
	if err := os.WriteFile(filepath.Join(dir, "req.cnf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	runOpenSSL(t, dir, "req", "-x509", "-config", "req.cnf", "-newkey", "ed25519", "-keyout", "k.pem", "-nodes",
		"-days", "30", "-outform", "DER", "-out", "c.der")
	der, err := os.ReadFile(filepath.Join(dir, "c.der"))
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, der)
	want := []string{"DNS:a.example", `DirName:CN=Dir Name,O=Org\, Inc.,C=US`}
	if !reflect.DeepEqual(c.SANEntries, want) || !reflect.DeepEqual(c.SAN.DirName, []string{`CN=Dir Name,O=Org\, Inc.,C=US`}) {
		t.Errorf("SANEntries = %q, SAN.DirName = %q; want %q", c.SANEntries, c.SAN.DirName, want)
	}
}

// TestOpenSSLSerialsAndFingerprints: serial, fingerprints and validity as openssl
// x509 prints them.
func TestOpenSSLSerialsAndFingerprints(t *testing.T) {
	requireOpenSSL(t)
	for _, serial := range []string{"0", "1", "0x7F", "0x80", "0xFF00", "0x0123", "0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
		"0xDEADBEEFDEADBEEFDEADBEEFDEADBEEFDEADBEEF", "-5"} {
		t.Run(serial, func(t *testing.T) {
			der, dir := opensslCert(t, "-subj", "/CN=serial", "-set_serial", serial)
			c := mustParse(t, der)
			if o := x509Field(t, dir, "-serial"); c.Serial != o {
				t.Errorf("Serial = %q, openssl says %q", c.Serial, o)
			}
			if o := strings.ReplaceAll(x509Field(t, dir, "-fingerprint", "-sha256"), ":", ""); c.SHA256 != o {
				t.Errorf("SHA256 = %q, openssl says %q", c.SHA256, o)
			}
			if o := strings.ReplaceAll(x509Field(t, dir, "-fingerprint", "-sha1"), ":", ""); c.SHA1 != o {
				t.Errorf("SHA1 = %q, openssl says %q", c.SHA1, o)
			}
			const layout = "Jan _2 15:04:05 2006 MST"
			nb, err1 := time.Parse(layout, x509Field(t, dir, "-startdate"))
			na, err2 := time.Parse(layout, x509Field(t, dir, "-enddate"))
			if err1 != nil || err2 != nil || !nb.Equal(c.NotBefore) || !na.Equal(c.NotAfter) {
				t.Errorf("validity = %v – %v, openssl says %v – %v (%v, %v)", c.NotBefore, c.NotAfter, nb, na, err1, err2)
			}
		})
	}
}

func TestOpenSSLKeys(t *testing.T) {
	requireOpenSSL(t)
	tests := []struct {
		newkey []string
		pk     PublicKey
		sig    string
	}{
		{[]string{"-newkey", "rsa:2048"}, PublicKey{"RSA", 2048, ""}, "SHA256-RSA"},
		{[]string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha384"}, PublicKey{"ECDSA", 384, "P-384"}, "ECDSA-SHA384"},
		{[]string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"}, PublicKey{"ECDSA", 256, "P-256"}, "ECDSA-SHA256"},
		{[]string{"-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-sigopt", "rsa_padding_mode:pss", "-sha256"},
			PublicKey{"RSA-PSS", 2048, ""}, "SHA256-RSAPSS"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.newkey, " "), func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"req", "-x509", "-keyout", "k.pem", "-nodes", "-days", "1", "-subj", "/CN=k",
				"-outform", "DER", "-out", "c.der"}, tt.newkey...)
			runOpenSSL(t, dir, args...)
			der, err := os.ReadFile(filepath.Join(dir, "c.der"))
			if err != nil {
				t.Fatal(err)
			}
			c := mustParse(t, der)
			if c.PublicKey != tt.pk || c.SignatureAlgorithm != tt.sig {
				t.Errorf("PublicKey, SignatureAlgorithm = %+v, %q; want %+v, %q (problems %q)", c.PublicKey, c.SignatureAlgorithm, tt.pk, tt.sig, c.Problems)
			}
		})
	}
}
