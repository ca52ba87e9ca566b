// Package suite runs rule test suites: cases of a presented chain, a client
// (its bundles and rule) and a time, each with the decision it must get. A case
// is decided by engine.DecideFor, the one composition of a decision, so a suite
// that passes here passes in the page and on the server. Reading suite files is
// server/config's (this package reads no files: the page runs suites too).
package suite
