// Package span says where each part of a rule is in its source: the code point
// range of every node of a CEL AST (cel-go records only one token per node), line
// and column of an offset, and the source line with a caret under a column.
//
// Compile errors, the explanation and the lints all point into the rule the
// person wrote; they share this package so that they point at the same text.
package span
