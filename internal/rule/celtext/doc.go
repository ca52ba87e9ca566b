// Package celtext writes CEL values and types as a rule author reads them: values
// in CEL literal syntax (cut at MaxValue characters), type names, operators as
// written, and the fields of mtlsplay's Go structs under the names CEL gives them.
//
// Compile errors, the rule reference and the explanation all show values and types;
// they share this package so that the page spells them one way everywhere.
package celtext
