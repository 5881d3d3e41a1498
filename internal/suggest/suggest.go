// Package suggest finds the allowed name closest to a mistyped one, for
// error messages such as `unknown format "parket" (did you mean parquet?)`.
package suggest

import (
	"fmt"
	"strings"
)

// Closest returns the option nearest to s by edit distance (case ignored),
// or "" when none is within a third of s's length (and at most 3 edits).
func Closest[T ~string](s string, options []T) string {
	best, bd := "", min(3, max(1, len(s)/3))+1
	ls := strings.ToLower(s)
	for _, o := range options {
		lo := strings.ToLower(string(o))
		d := Distance(ls, lo)
		if strings.HasPrefix(lo, ls) && len(ls) >= 2 {
			d = min(d, 1) // a prefix: "analy" for "analyze"
		}
		if d < bd {
			best, bd = string(o), d
		}
	}
	return best
}

// Hint is " (did you mean X?)" for the option closest to s, or "".
func Hint[T ~string](s string, options []T) string {
	if c := Closest(s, options); c != "" && c != s {
		return fmt.Sprintf(" (did you mean %s?)", c)
	}
	return ""
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
