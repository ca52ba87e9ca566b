// Package suite runs rule test suites: cases of a presented chain, a client
// (its bundles and rule) and a time, each with the decision it must get. A case
// is decided by engine.DecideFor, the one composition of a decision, so a suite
// that passes here passes in the page and on the server. It reads a suite's
// cases (ReadCases) but no files: the caller resolves what cases name (the CLI
// and serve read files, the page has only PEM written in the suite).
package suite
