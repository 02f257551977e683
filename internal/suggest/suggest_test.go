package suggest

import "testing"

func TestClosest(t *testing.T) {
	t.Parallel()
	cands := []string{"quiz", "questions", "kata", "score", "review", "next", "run-capture", "timeout-tree"}
	tests := []struct{ name, want string }{
		{"quizz", "quiz"},
		{"qiuz", "quiz"},
		{"QUIZ", "quiz"},
		{"questoins", "questions"},
		{"katas", "kata"},
		{"run-captur", "run-capture"},
		{"timeout", "timeout-tree"},
		{"zzz", ""},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.name, cands); got != tt.want {
			t.Errorf("Closest(%q) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"quiz", "quizz", 1}, {"abc", "abc", 0},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
