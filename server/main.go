// Command mtlsplay inspects client certificates, evaluates certificate validation
// rules, verifies chains against truststore bundles and (with serve) runs the
// playground and an mTLS echo endpoint.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
