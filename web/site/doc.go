// Package site renders the playground and the documentation pages (templ
// components) and serves or exports them with the front-end assets that
// web/build writes into dist/ and this package embeds.
//
//   - Export(dir) writes a static site that works from any plain file host
//     (python3 -m http.server): the page fetches engine.wasm.gz and decompresses it
//     in the browser while it compiles.
//   - Handler() serves the same pages for `mtlsplay serve`, with the engine
//     negotiated by Content-Encoding (brotli, else gzip).
//
// dist/ holds only a README in a fresh clone, so every package builds before the
// assets do; Built reports whether they are there.
package site
