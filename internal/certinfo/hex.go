package certinfo

import "strings"

const upperHexDigits = "0123456789ABCDEF"

// upperHex is hex.EncodeToString in uppercase, in one allocation: fingerprints,
// key ids and serials are shown the way openssl prints them.
func upperHex(b []byte) string {
	var stack [128]byte
	buf := stack[:0]
	if 2*len(b) > len(stack) {
		buf = make([]byte, 0, 2*len(b))
	}
	for _, c := range b {
		buf = append(buf, upperHexDigits[c>>4], upperHexDigits[c&0x0f])
	}
	return string(buf)
}

// hashHex is "#" and upperHex, the form of undecodable DN values and SAN entries.
func hashHex(b []byte) string {
	var sb strings.Builder
	sb.Grow(1 + 2*len(b))
	sb.WriteByte('#')
	for _, c := range b {
		sb.WriteByte(upperHexDigits[c>>4])
		sb.WriteByte(upperHexDigits[c&0x0f])
	}
	return sb.String()
}
