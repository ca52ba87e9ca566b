// Command build writes the playground's front-end assets (see package bundle):
//
//	npm ci && go run ./web/build            # into web/site/dist, which the binary embeds
//	go run ./web/build -brotli=false -o DIR  # quicker: no brotli (-q 11 takes tens of seconds)
//
// Run it from the repository root.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/mtlsplay/mtlsplay/web/bundle"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "web/site/dist", "output directory")
	root := fs.String("root", ".", "repository root")
	wasm := fs.Bool("wasm", true, "compile the engines to WebAssembly")
	br := fs.Bool("brotli", true, "write engine.wasm.br and inspector.wasm.br (brotli -q 11)")
	raw := fs.Bool("raw", false, "keep the uncompressed engine.wasm and inspector.wasm")
	quiet := fs.Bool("q", false, "no progress output")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var log io.Writer = stdout
	if *quiet {
		log = nil
	}
	m, err := bundle.Build(ctx, bundle.Options{Root: *root, Out: *out, WASM: *wasm, Brotli: *br, Raw: *raw, Log: log})
	if err != nil {
		fmt.Fprintln(stderr, "build:", err)
		return 1
	}
	if m.Inspector != nil && !*quiet {
		fmt.Fprintf(stdout, "build: inspector raw %d B, gzip %d B, brotli %d B\n", m.Inspector.Raw, m.Inspector.Gzip, m.Inspector.Brotli)
	}
	if m.WASM != nil && !*quiet {
		fmt.Fprintf(stdout, "build: rule engine raw %d B, gzip %d B, brotli %d B\n", m.WASM.Raw, m.WASM.Gzip, m.WASM.Brotli)
	}
	if m.WASM != nil && m.Inspector != nil && !*quiet {
		fmt.Fprintf(stdout, "build: both engines raw %d B, gzip %d B, brotli %d B\n", m.WASM.Raw+m.Inspector.Raw, m.WASM.Gzip+m.Inspector.Gzip, m.WASM.Brotli+m.Inspector.Brotli)
	}
	return 0
}
