package assess

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxSince is how far back --since may reach.
const MaxSince = 100 * 365 * 24 * time.Hour

// ParseSince parses a --since value relative to now: a duration back from now ("30d",
// "2w", "12h", "90m", or any time.ParseDuration value) or a date ("2026-11-01", midnight in
// now's location) or an RFC 3339 time. It refuses a value that reaches back more than
// MaxSince (about 100 years).
func ParseSince(s string, now time.Time) (time.Time, error) {
	t, err := parseSince(strings.TrimSpace(s), now)
	if err != nil {
		return time.Time{}, err
	}
	if t.Before(now.Add(-MaxSince)) {
		return time.Time{}, fmt.Errorf("assess: --since %q reaches back more than 100 years; give a later date, or leave --since out to count the whole history", s)
	}
	return t, nil
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); len(s) > 1 && (unit == "d" || unit == "w") {
		k, err := strconv.Atoi(n)
		perDay := map[string]int{"d": 1, "w": 7}[unit]
		maxDays := int(MaxSince / (24 * time.Hour))
		switch {
		case err == nil && k >= 0 && k <= maxDays/perDay:
			return now.AddDate(0, 0, -k*perDay), nil
		case err == nil || k > 0: // a number too large to count back
			return time.Time{}, fmt.Errorf("assess: --since %q reaches back more than 100 years; give a later date, or leave --since out to count the whole history", s)
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("assess: --since %q is neither a duration such as 30d, 2w or 12h nor a date such as %s", s, now.AddDate(0, 0, -30).Format(time.DateOnly))
}
