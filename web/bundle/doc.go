// Package bundle builds the playground's front-end assets: the TypeScript and CSS
// bundled and minified by esbuild's Go API (no global npm tool), the engine compiled
// to WebAssembly by the Go toolchain, and the .wasm precompressed with gzip and
// brotli. It also turns the test PKI (testdata/pki) into the page's samples.
//
// The output directory is what package site embeds (web/site/dist) or what a test
// passes to site.ExportFrom. Run it with `go run ./web/build`.
package bundle
