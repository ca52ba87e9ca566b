// Package explain says why a rule has its value: the value of every
// sub-expression with its source range, per element inside exists/all/filter/map,
// and which list elements and substrings decided the result (Result), for the
// playground's verdict pane, the CLI's --json and the echo endpoint.
//
// It knows CEL, not mtlsplay's variables: package rule compiles a rule, plans its
// Explainer once (New) and runs it with the rule's variables (rule.Program.Explain),
// so the explanation never changes the verdict, which comes from the rule's own
// fast evaluation.
package explain
