package certinfo

const upperHexDigits = "0123456789ABCDEF"

// upperHex is hex.EncodeToString in uppercase, in one allocation: fingerprints,
// key ids and serials are shown the way openssl prints them.
func upperHex(b []byte) string {
	var stack [128]byte
	buf := stack[:0]
	if 2*len(b) > len(stack) {
		buf = make([]byte, 0, 2*len(b))
	}
	return string(appendUpperHex(buf, b))
}

// appendUpperHex appends the uppercase hex of b, two digits per byte.
func appendUpperHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, upperHexDigits[c>>4], upperHexDigits[c&0x0f])
	}
	return dst
}

// hashHex is "#" and upperHex, the form of undecodable DN values and SAN entries.
func hashHex(b []byte) string {
	return string(appendHashHex(make([]byte, 0, 1+2*len(b)), b))
}
