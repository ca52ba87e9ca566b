package gateway

import (
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDotnetDecode: the expectations are dotnet/runtime's own
// (src/libraries/System.Security.Cryptography/tests/X509Certificates/
// X500DistinguishedNameTests.cs), not computed by dotnetDecode.
func TestDotnetDecode(t *testing.T) {
	tests := []struct {
		name, der string
		reverse   bool
		want      string
	}{
		{"PrintInvalidEncoding", "3017311530130603550403130C436F6D6D6F6E204E616D65", false, ""},
		{"PrintMultiComponentRdn", "30223120300C060355040313054A616D65733010060355040A13094D6963726F736F6674", false, "CN=James + O=Microsoft"},
		{"PrintMultiComponentRdn reversed", "30223120300C060355040313054A616D65733010060355040A13094D6963726F736F6674", true, "CN=James + O=Microsoft"},
		{"PrintUnknownOidRdn", "30183116301406052901020203130B496E76616C6964204F6964", false, "OID.1.1.1.2.2.3=Invalid Oid"},
		{"NameWithNumericString", "30283117301506052901020203120C313233203635342037383930310D300B0603550403130454657374", false, "OID.1.1.1.2.2.3=123 654 7890, CN=Test"},
		{"OrganizationUnitMultiValueWithIncorrectlySortedDerSet", "301C311A300B060355040B13047A7A7A7A300B060355040B130461616161", false, "OU=zzzz + OU=aaaa"},
		{"space before", "3017311530130603550403130C20436F6D6D6F6E204E616D65", false, "CN=\" Common Name\""},
		{"tab before", "30233121301F06035504031E1800090043006F006D006D006F006E0020004E0061006D0065", false, "CN=\"\tCommon Name\""},
		{"em quad before is not quoted", "30233121301F06035504031E1820020043006F006D006D006F006E0020004E0061006D0065", false, "CN=\u2002Common Name"},
		{"space after", "3017311530130603550403130C436F6D6D6F6E204E616D6520", false, "CN=\"Common Name \""},
		{"empty", "300B3109300706035504031300", false, "CN=\"\""},
		{"comma", "3016311430120603550403130B436F6D6D6F6E2C4E616D65", false, "CN=\"Common,Name\""},
		{"plus", "3016311430120603550403130B436F6D6D6F6E2B4E616D65", false, "CN=\"Common+Name\""},
		{"carriage return is not quoted", "3021311F301D06035504031E160043006F006D006D006F006E000D004E0061006D0065", false, "CN=Common\rName"},
		{"semicolon", "3021311F301D06035504031E160043006F006D006D006F006E003B004E0061006D0065", false, "CN=\"Common;Name\""},
		{"interior quote", "3021311F301D06035504031E160043006F006D006D006F006E0022004E0061006D0065", false, "CN=\"Common\"\"Name\""},
		{"T61 valid UTF-8", "300D310B300906035504061402C2A2", true, "C=\u00a2"},
		{"T61 Latin-1", "300E310C300A06035504071403C2A2F8", true, "L=\u00c2\u00a2\u00f8"},
		{"T61 GrapeCity", "308186310b3009060355040613024a50310f300d060355040813064d6979616769311830160603550407130f53656e64616920497a756d692d6b7531173015060355040a140e47726170654369747920696e632e311a3018060355040b1411546f6f6c7320446576656c6f706d656e74311730150603550403140e47726170654369747920696e632e",
			true, "CN=GrapeCity inc., OU=Tools Development, O=GrapeCity inc., L=Sendai Izumi-ku, S=Miyagi, C=JP"},
		{"T61 Mono, E= for emailAddress", "3081B5310B300906035504061302444B312D302B060355040A14244865646562792773204DF862656C68616E64656C202F2F204356523A3133343731393637312F302D060355040314264865646562792773204DF862656C68616E64656C202D2053616C6773616664656C696E67656E311E301C06092A864886F70D010901160F76686D407573652E746573742E646B312630240603550405131D4356523A31333437313936372D5549443A313231323132313231323132",
			true, "SERIALNUMBER=CVR:13471967-UID:121212121212, E=vhm@use.test.dk, CN=Hedeby's M\u00f8belhandel - Salgsafdelingen, O=Hedeby's M\u00f8belhandel // CVR:13471967, C=DK"},
	}
	for _, tt := range tests {
		der, err := hex.DecodeString(tt.der)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := dotnetDecode(der, tt.reverse)
		if got != tt.want {
			t.Errorf("%s: dotnetDecode = %q, want %q", tt.name, got, tt.want)
		}
	}
	const microsoftDotComSubject = "3082010F31133011060B2B0601040182373C02010313025553311B3019060B2B" +
		"0601040182373C0201020C0A57617368696E67746F6E311D301B060355040F13" +
		"1450726976617465204F7267616E697A6174696F6E3112301006035504051309" +
		"363030343133343835310B3009060355040613025553310E300C06035504110C" +
		"0539383035323113301106035504080C0A57617368696E67746F6E3110300E06" +
		"035504070C075265646D6F6E643118301606035504090C0F31204D6963726F73" +
		"6F667420576179311E301C060355040A0C154D6963726F736F667420436F7270" +
		"6F726174696F6E310E300C060355040B0C054D53434F4D311A30180603550403" +
		"0C117777772E6D6963726F736F66742E636F6D"
	der, _ := hex.DecodeString(microsoftDotComSubject)
	got, _ := dotnetDecode(der, true)
	const prefix = "CN=www.microsoft.com, OU=MSCOM, O=Microsoft Corporation, STREET=1 Microsoft Way, " +
		"L=Redmond, S=Washington, PostalCode=98052, C=US, SERIALNUMBER=600413485, "
	if !strings.HasPrefix(got, prefix) {
		t.Errorf("PrintComplexReversed: %q does not start with %q", got, prefix)
	}
}

// TestDotnetNonString: Format_ComponentWithNonStringContent's cases, the names
// encoded here as that test's AsnWriter encodes them.
func TestDotnetNonString(t *testing.T) {
	rdn := func(oidHex, valueHex string) string {
		atv := "06" + lenHex(oidHex) + oidHex + valueHex
		seq := "30" + lenHex(atv) + atv
		return "31" + lenHex(seq) + seq
	}
	name := func(rdns ...string) []byte {
		s := strings.Join(rdns, "")
		b, _ := hex.DecodeString("30" + lenHex(s) + s)
		return b
	}
	const cn, st, oid00 = "550403", "550408", "00"
	for _, tt := range []struct {
		der  []byte
		want string
	}{
		{name(rdn(cn, "3000")), "CN=#3000"},
		{name(rdn(cn, "04023000")), "CN=#3000"},
		{name(rdn(cn, "040404023000")), "CN=#04023000"},
		{name(rdn(cn, "0303003000")), "CN=#0303003000"},
		{name(rdn(st, "0101FF")), "S=#0101FF"},
		{name(rdn(cn, "0C02504A"), rdn(st, "3000"), rdn(oid00, "0C024141")), "CN=PJ, S=#3000, OID.0.0=AA"},
		{name(rdn(cn, "0C03233030"), rdn(st, "3000")), "CN=\"#00\", S=#3000"},
	} {
		if got, _ := dotnetDecode(tt.der, false); got != tt.want {
			t.Errorf("dotnetDecode(%X) = %q, want %q", tt.der, got, tt.want)
		}
	}
}

func lenHex(h string) string {
	return hex.EncodeToString([]byte{byte(len(h) / 2)})
}

// TestX509PrintSerial: the two serials AWS publishes for API Gateway's
// clientCert ("1"; "a1:a1:…" for 16 bytes of 0xa1), and X509_print's edges.
func TestX509PrintSerial(t *testing.T) {
	a1 := append([]byte{0x00}, []byte(strings.Repeat("\xa1", 16))...)
	for _, tt := range []struct {
		content []byte
		want    string
	}{
		{[]byte{0x01}, "1"},
		{a1, strings.TrimSuffix(strings.Repeat("a1:", 16), ":")},
		{[]byte{0x00}, "0"},
		{[]byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "9223372036854775807"},
		{[]byte{0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}, "80:00:00:00:00:00:00:00"}, // past LONG_MAX
		{[]byte{0xff}, "01"}, // -1: ASN1_INTEGER_get's error value, so hex
		{[]byte{0xfe}, "-2"},
	} {
		if got := string(x509PrintSerial(tt.content)); got != tt.want {
			t.Errorf("x509PrintSerial(%X) = %s, want %s", tt.content, got, tt.want)
		}
	}
}

// FuzzDotnetDecode: the .NET name decoder reads any bytes, not only names
// certinfo accepted, without panicking, and a name it prints is UTF-8.
func FuzzDotnetDecode(f *testing.F) {
	for _, h := range []string{
		"30223120300C060355040313054A616D65733010060355040A13094D6963726F736F6674",
		"300E310C300A06035504071403C2A2F8",
		"3021311F301D06035504031E160043006F006D006D006F006E0022004E0061006D0065",
		"301C311A300B060355040B13047A7A7A7A300B060355040B130461616161",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		if s, ok := dotnetDecode(der, true); ok && !utf8.ValidString(s) {
			t.Errorf("dotnetDecode(%X) = %q: not UTF-8", der, s)
		}
	})
}
