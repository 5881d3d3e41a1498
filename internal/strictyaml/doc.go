// Package strictyaml is the one strict YAML decoder of p53evo: scenario
// files, --set values and sweep files are all read through it, so that they
// refuse the same mistakes with the same words.
//
// A Decoder walks goccy/go-yaml's syntax tree into Go values by reflection
// (struct fields by their yaml tag). It refuses unknown keys (listing the
// allowed ones, with a did-you-mean), wrong types and missing values, and
// goes on after a problem so that every problem is reported at once, each as
// an *Error with file:line:col, the field path and what is allowed. Types
// that are not written as their Go kind (a word or a mapping, a number or
// "off") are decoded by type hooks given in a Config. Anchors, aliases and
// merge keys (<<) are expanded; keys written twice in one mapping, nesting
// of [ and { deeper than MaxFlowDepth, files above MaxFileSize and documents
// that expand to more than MaxNodes nodes are refused.
//
// goccy/go-yaml's own strict mode is not used: it stops at the first
// problem and truncates 1.5 to 1 for a whole-number field.
//
// A Locator keeps where each decoded path is written, so that problems
// found later, by checks on the decoded values, are reported at the field.
package strictyaml
