package assess

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSince parses a --since value relative to now: a duration back from now ("30d",
// "2w", "12h", "90m", or any time.ParseDuration value) or a date ("2026-11-01", midnight in
// now's location) or an RFC 3339 time.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); len(s) > 1 && (unit == "d" || unit == "w") {
		k, err := strconv.Atoi(n)
		if err == nil && k >= 0 {
			days := k
			if unit == "w" {
				days = 7 * k
			}
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("assess: --since %q is neither a duration such as 30d, 2w or 12h nor a date such as %s", s, now.AddDate(0, 0, -30).Format(time.DateOnly))
}
