// Command mtlsplay inspects client certificates, evaluates certificate validation
// rules, verifies chains against truststore bundles and (with serve) runs the
// playground and an mTLS echo endpoint. Everything is in package cli.
package main

import (
	"os"

	"github.com/mtlsplay/mtlsplay/server/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
