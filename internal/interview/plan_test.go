package interview

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, screening, code, design int }{
		{0, 0, 0, 0}, {1, 1, 0, 0}, {2, 1, 1, 0}, {3, 1, 1, 1}, {4, 2, 1, 1},
		{8, 5, 2, 1}, {10, 6, 3, 1}, {12, 8, 3, 1},
	} {
		s, c, d := Split(tc.n)
		if s != tc.screening || c != tc.code || d != tc.design || s+c+d != tc.n {
			t.Errorf("Split(%d) = %d, %d, %d; want %d, %d, %d", tc.n, s, c, d, tc.screening, tc.code, tc.design)
		}
	}
}

// sectionShape is a plan's sections as name: count (the kata: its id).
func sectionShape(p *Plan) []string {
	var out []string
	for _, s := range p.Sections {
		if s.Kata != nil {
			out = append(out, s.Name+":"+s.Kata.ID)
			continue
		}
		out = append(out, s.Name+":"+string(rune('0'+len(s.Items))))
	}
	return out
}

func TestNewPlan(t *testing.T) {
	t.Parallel()
	qs := testBank(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"four questions", Config{Level: "junior", Questions: 4}, []string{"screening:2", "code:1", "design:1", "kata:run-capture"}},
		{"the default, more than the bank holds", Config{Level: "junior", Questions: -1}, []string{"screening:3", "code:2", "design:1", "kata:run-capture"}},
		{"the kata alone", Config{Level: "junior", Questions: 0}, []string{"kata:run-capture"}},
		{"node: node and general questions", Config{Level: "junior", Lang: "node", Questions: 6}, []string{"screening:2", "code:1", "design:1", "kata:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := testKatas
			if tc.cfg.Lang == "node" {
				ks = []KataInfo{{ID: "", Level: "junior", Lang: "node"}}
			}
			p, err := NewPlan(tc.cfg, qs, ks)
			if err != nil {
				t.Fatal(err)
			}
			if got := sectionShape(p); !slices.Equal(got, tc.want) {
				t.Errorf("NewPlan(%+v) sections = %q; want %q", tc.cfg, got, tc.want)
			}
			var sum time.Duration
			for _, s := range p.Sections {
				sum += s.Budget
				for _, it := range s.Items {
					if it.Q.Level != "junior" || tc.cfg.Lang != "" && it.Q.Lang != tc.cfg.Lang && it.Q.Lang != "general" {
						t.Errorf("section %s asks %s (%s, %s)", s.Name, it.Q.ID, it.Q.Level, it.Q.Lang)
					}
					if got := sectionOf(it.Q); got != s.Name {
						t.Errorf("section %s asks %s, a %s question", s.Name, it.Q.ID, got)
					}
				}
			}
			if sum != Shapes["junior"].Budget || p.Budget != sum {
				t.Errorf("budgets add up to %s (plan %s); want %s", sum, p.Budget, Shapes["junior"].Budget)
			}
		})
	}
}

// TestNewPlanBudgets: the kata gets half of the time, the questions share the rest by
// weight (1 screening, 2 code, 4 design), and the same seed gives the same questions.
func TestNewPlanBudgets(t *testing.T) {
	t.Parallel()
	qs := testBank(t)
	cfg := Config{Level: "junior", Questions: 4, Budget: 16 * time.Minute, Seed: 7}
	p, err := NewPlan(cfg, qs, testKatas)
	if err != nil {
		t.Fatal(err)
	}
	// 8 minutes over weights 2*1 + 1*2 + 1*4 = 8: 2, 2 and 4 minutes.
	want := []time.Duration{2 * time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i, s := range p.Sections {
		if s.Budget != want[i] {
			t.Errorf("section %s budget = %s; want %s", s.Name, s.Budget, want[i])
		}
	}
	again, _ := NewPlan(cfg, qs, testKatas)
	for i := range p.Sections {
		for j := range p.Sections[i].Items {
			if p.Sections[i].Items[j].Q.ID != again.Sections[i].Items[j].Q.ID {
				t.Errorf("the same seed planned different questions")
			}
		}
	}
}

func TestNewPlanErrors(t *testing.T) {
	t.Parallel()
	qs := testBank(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		ks   []KataInfo
		want error
	}{
		{"no node kata", Config{Level: "junior", Lang: "node", Questions: 2}, testKatas, ErrNoKata},
		{"no kata of the level", Config{Level: "senior", Questions: 0}, testKatas, ErrNoKata},
		{"no question of the level", Config{Level: "mid", Questions: 2}, testKatas, ErrNoQuestions},
	} {
		if _, err := NewPlan(tc.cfg, qs, tc.ks); !errors.Is(err, tc.want) {
			t.Errorf("%s: NewPlan(%+v) = %v; want %v", tc.name, tc.cfg, err, tc.want)
		}
	}
	for _, cfg := range []Config{{Level: "expert"}, {Level: "junior", Lang: "rust"}} {
		if _, err := NewPlan(cfg, qs, testKatas); err == nil {
			t.Errorf("NewPlan(%+v) = nil error; want one", cfg)
		}
	}
}

// TestPickKataPrefersNotPassed: a passed kata is drawn only when every kata of the level
// is passed.
func TestPickKataPrefersNotPassed(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		k, err := pickKata(Config{Level: "junior", Seed: seed}, testKatas)
		if err != nil || k.ID != "run-capture" {
			t.Fatalf("pickKata(seed %d) = %v, %v; want run-capture, the one not passed", seed, k, err)
		}
	}
	all := []KataInfo{{ID: "a", Level: "junior", Passed: true}, {ID: "b", Level: "junior", Passed: true}}
	seen := map[string]bool{}
	for seed := range uint64(20) {
		k, err := pickKata(Config{Level: "junior", Seed: seed}, all)
		if err != nil {
			t.Fatal(err)
		}
		seen[k.ID] = true
	}
	if len(seen) != 2 {
		t.Errorf("every kata passed: drew %v over 20 seeds; want both", seen)
	}
}
