package progress

// TypeInterview is the record of one mock interview (`procdojo interview`), written once at
// its end, after the records of its answers and kata checks.
const TypeInterview = "interview"

// Interview is what the log keeps of a mock interview, besides its level and duration
// (Record.Level and Record.ElapsedMS).
type Interview struct {
	Lang     string  `json:"lang,omitempty"` // node or go; "" when questions of every language were asked
	Seed     uint64  `json:"seed"`
	BudgetMS int64   `json:"budget_ms"` // the time allowed
	Percent  float64 `json:"percent"`   // the overall score, 0 to 100
	Verdict  string  `json:"verdict"`   // ready, almost or not yet
	// Ended says how it ended: "finished" (every section done), "stopped" (the user ended
	// it early, or input ended) or "interrupted" (Ctrl-C).
	Ended    string             `json:"ended"`
	Sections []InterviewSection `json:"sections"`
}

// InterviewSection is one section of a mock interview.
type InterviewSection struct {
	Name      string  `json:"name"` // screening, code, design or kata
	Score     float64 `json:"score"`
	Max       float64 `json:"max"`
	Percent   float64 `json:"percent"`
	ElapsedMS int64   `json:"elapsed_ms"`
	Kata      string  `json:"kata,omitempty"`    // the kata section's kata
	Outcome   string  `json:"outcome,omitempty"` // the kata section's outcome: passed, gave up, time up, stopped, interrupted
}
