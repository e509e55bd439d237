// Package jsonmatch compares JSON documents by subset: an expected
// document matches an actual one when everything it says is true of the
// actual one. It backs the JSON expectations of `.ci` files and of
// `ze-test peer` scripts.
//
// Rules:
//   - objects: every member of expected must be in actual and match;
//     actual may have more members; member order never matters;
//   - arrays: each expected element must match an actual element, in
//     order, skipping actual elements that do not match (a subsequence);
//     prefix the expected array with the string "=" to require the same
//     length too: ["=", 1, 2];
//   - numbers compare by value (1 == 1.0), strings and booleans exactly;
//   - the string "*" matches any value that is present; "!" matches a
//     member that is absent (for negative expectations).
package jsonmatch
