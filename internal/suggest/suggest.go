// Package suggest finds the closest name to a mistyped one, for "did you mean" messages.
package suggest

import "strings"

// Closest returns the candidate nearest to name by edit distance, or "" when none is close
// enough to be a likely typo. Case is ignored.
func Closest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	lname := strings.ToLower(name)
	// A name that starts a candidate ("timeout" for "timeout-tree") is the likeliest intent.
	if len(name) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), lname) && (best == "" || len(c) < len(best)) {
				best = c
			}
		}
		if best != "" {
			return best
		}
	}
	for _, c := range candidates {
		d := Distance(lname, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	switch {
	case best == "":
		return ""
	case bestD <= 2 && bestD < len(name):
		return best
	case bestD <= len(name)/3:
		return best
	}
	return ""
}

// Distance is the Levenshtein distance between a and b, counted in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
