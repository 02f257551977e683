package fsrs

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// All expected numbers below were computed independently of this package,
// with python3's math module and cross-checked with bc -l, from the FSRS-5
// formulas and the default weights
//
//	w0..w3  = 0.40255, 1.18385, 3.173, 15.69105
//	w4..w7  = 7.1949, 0.5345, 1.4604, 0.0046
//	w8..w10 = 1.54575, 0.1192, 1.01925
//	w11..14 = 1.9395, 0.11, 0.29605, 2.2698
//	w15..18 = 0.2315, 2.9898, 0.51655, 0.6621
//
// Constants used repeatedly:
//
//	FACTOR = 19/81; at r = 0.9, r^(1/DECAY) - 1 = 1/0.81 - 1 = 19/81,
//	  so the interval at retention 0.9 is exactly S days.
//	D0(4) = 7.1949 - e^(0.5345*3) + 1 = 8.1949 - 4.970398 = 3.224502
//	  (the mean-reversion target).
//	e^w8 = e^1.54575 = 4.691489;  10^-w9 = 10^-0.1192 = 0.759976
//	At t = S = 10 days, R = (1 + 19/81)^-0.5 = 0.9, so
//	  e^(w10*(1-R)) - 1 = e^0.101925 - 1 = 0.107300.
const tol = 1e-4

var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// at returns t0 plus d days (d may be fractional).
func at(d float64) time.Time { return t0.Add(time.Duration(d * float64(day))) }

func fmtCard(c Card) string {
	return fmt.Sprintf("{S:%.6f D:%.6f Reps:%d Lapses:%d Due:+%.4gd Last:+%.4gd}",
		c.Stability, c.Difficulty, c.Reps, c.Lapses,
		c.Due.Sub(t0).Hours()/24, c.LastReview.Sub(t0).Hours()/24)
}

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func TestReview(t *testing.T) {
	// reviewed is a card last reviewed at t0 with S = 10, D = 5.
	reviewed := Card{Due: at(10), Stability: 10, Difficulty: 5, Reps: 3, LastReview: t0}

	heavyW4 := defaultWeightsCopy()
	heavyW4[4] = 12 // D0(Again) = 12 - e^0 + 1 = 12 -> clamped to 10
	zeroW4 := defaultWeightsCopy()
	zeroW4[4] = 0 // D0(Easy) = 0 - 4.970398 + 1 = -3.970398 -> clamped to 1

	tests := []struct {
		name  string
		sched Scheduler
		card  Card
		r     Rating
		now   time.Time
		// want: stability, difficulty, interval in days, reps, lapses
		wantS, wantD float64
		wantDays     int
		wantReps     int
		wantLapses   int
	}{
		// Initial state of a new card: S0 = w[G-1], D0 = w4 - e^(w5*(G-1)) + 1.
		// The interval at retention 0.9 is round(S0), at least 1.
		{
			// D0 = 7.1949 - e^0 + 1 = 7.1949; I = round(0.40255) = 0 -> clamped to 1
			name: "new Again", sched: Default(), card: Card{}, r: Again, now: t0,
			wantS: 0.40255, wantD: 7.1949, wantDays: 1, wantReps: 1,
		},
		{
			// D0 = 8.1949 - e^0.5345 = 8.1949 - 1.706595 = 6.488305; I = round(1.18385) = 1
			name: "new Hard", sched: Default(), card: Card{}, r: Hard, now: t0,
			wantS: 1.18385, wantD: 6.488305, wantDays: 1, wantReps: 1,
		},
		{
			// D0 = 8.1949 - e^1.069 = 8.1949 - 2.912466 = 5.282434
			// I = 3.173/(19/81) * (0.9^-2 - 1) = 3.173 -> 3 days
			name: "new Good", sched: Default(), card: Card{}, r: Good, now: t0,
			wantS: 3.173, wantD: 5.282434, wantDays: 3, wantReps: 1,
		},
		{
			// D0 = 8.1949 - e^1.6035 = 8.1949 - 4.970398 = 3.224502; I = round(15.69105) = 16
			name: "new Easy", sched: Default(), card: Card{}, r: Easy, now: t0,
			wantS: 15.69105, wantD: 3.224502, wantDays: 16, wantReps: 1,
		},
		{
			// The zero Scheduler uses the defaults: same as "new Good".
			name: "zero Scheduler new Good", sched: Scheduler{}, card: Card{}, r: Good, now: t0,
			wantS: 3.173, wantD: 5.282434, wantDays: 3, wantReps: 1,
		},
		{
			// Retention 0.8: I = 3.173 * 81/19 * (0.8^-2 - 1) = 3.173 * 81/19 * 0.5625
			//   = 7.608938 -> 8 days
			name: "new Good retention 0.8", sched: Scheduler{DesiredRetention: 0.8}, card: Card{}, r: Good, now: t0,
			wantS: 3.173, wantD: 5.282434, wantDays: 8, wantReps: 1,
		},
		{
			// Interval clamped to MaximumInterval: round(15.69105) = 16 -> 10
			name: "new Easy capped by MaximumInterval", sched: Scheduler{MaximumInterval: 10}, card: Card{}, r: Easy, now: t0,
			wantS: 15.69105, wantD: 3.224502, wantDays: 10, wantReps: 1,
		},
		{
			// D0 clamped above: w4 = 12 gives 12 - 1 + 1 = 12 -> 10
			name: "initial difficulty clamped to 10", sched: Scheduler{Weights: heavyW4}, card: Card{}, r: Again, now: t0,
			wantS: 0.40255, wantD: 10, wantDays: 1, wantReps: 1,
		},
		{
			// D0 clamped below: w4 = 0 gives 0 - 4.970398 + 1 = -3.970398 -> 1
			name: "initial difficulty clamped to 1", sched: Scheduler{Weights: zeroW4}, card: Card{}, r: Easy, now: t0,
			wantS: 15.69105, wantD: 1, wantDays: 16, wantReps: 1,
		},

		// Recall after t = 10 days with S = 10, D = 5, so R = 0.9:
		//   growth = e^w8 * (11-5) * 10^-w9 * (e^(w10*0.1) - 1)
		//          = 4.691489 * 6 * 0.759976 * 0.107300 = 2.295426
		{
			// S' = 10 * (1 + 2.295426) = 32.954264 -> I = 33
			// D' (mean reversion only, delta = -w6*(3-3) = 0):
			//   0.0046*3.224502 + 0.9954*5 = 4.991833
			name: "recall Good after 10 days", sched: Default(), card: reviewed, r: Good, now: at(10),
			wantS: 32.954264, wantD: 4.991833, wantDays: 33, wantReps: 4,
		},
		{
			// S' = 10 * (1 + 2.295426*w15) = 10 * (1 + 2.295426*0.2315) = 15.313912 -> I = 15
			// delta = -1.4604*(2-3) = 1.4604, damped by (10-5)/9: 5 + 0.811333 = 5.811333
			// D' = 0.0046*3.224502 + 0.9954*5.811333 = 5.799434
			name: "recall Hard after 10 days", sched: Default(), card: reviewed, r: Hard, now: at(10),
			wantS: 15.313912, wantD: 5.799434, wantDays: 15, wantReps: 4,
		},
		{
			// S' = 10 * (1 + 2.295426*w16) = 10 * (1 + 2.295426*2.9898) = 78.628658 -> I = 79
			// damped: 5 - 1.4604*5/9 = 4.188667
			// D' = 0.0046*3.224502 + 0.9954*4.188667 = 4.184232
			name: "recall Easy after 10 days", sched: Default(), card: reviewed, r: Easy, now: at(10),
			wantS: 78.628658, wantD: 4.184232, wantDays: 79, wantReps: 4,
		},
		{
			// Whole days only: 10.9 days counts as 10, so same as "recall Good after 10 days".
			name: "recall Good after 10.9 days counts 10", sched: Default(), card: reviewed, r: Good, now: at(10.9),
			wantS: 32.954264, wantD: 4.991833, wantDays: 33, wantReps: 4,
		},

		// Forgetting after t = 20 days with S = 10, D = 5:
		//   R = (1 + 19/81*20/10)^-0.5 = 1.469136^-0.5 = 0.825029
		{
			// S'f = w11 * 5^-w12 * ((10+1)^w13 - 1) * e^(w14*(1-R))
			//     = 1.9395 * 0.837748 * 1.033782 * e^(2.2698*0.174971)
			//     = 1.9395 * 0.837748 * 1.033782 * 1.487579 = 2.498687
			// min(2.498687, 10) = 2.498687 -> I = 2
			// delta = -1.4604*(1-3) = 2.9208, damped by (10-5)/9: 5 + 1.622667 = 6.622667
			// D' = 0.0046*3.224502 + 0.9954*6.622667 = 6.607035
			name: "forget after 20 days", sched: Default(), card: reviewed, r: Again, now: at(20),
			wantS: 2.498687, wantD: 6.607035, wantDays: 2, wantReps: 4, wantLapses: 1,
		},
		{
			// S = 0.1, D = 5, t = 1: R = (1 + 19/81*10)^-0.5 = 0.546711
			// S'f = 1.9395 * 0.837748 * (1.1^0.29605 - 1) * e^(2.2698*0.453289) = 0.130102
			// min(0.130102, 0.1) = 0.1 -> I = round(0.1) = 0 -> clamped to 1; D' as above.
			name: "forget capped at old stability", sched: Default(),
			card: Card{Stability: 0.1, Difficulty: 5, Reps: 1, LastReview: t0}, r: Again, now: at(1),
			wantS: 0.1, wantD: 6.607035, wantDays: 1, wantReps: 2, wantLapses: 1,
		},

		// Difficulty clamping and damping on updates.
		{
			// D = 1, Easy: damped 1 - 1.4604*(10-1)/9 = -0.4604
			// D' = 0.0046*3.224502 + 0.9954*(-0.4604) = -0.443449 -> clamped to 1
			// S' = 10 * (1 + 4.691489*10*0.759976*0.107300*2.9898) = 124.381097 -> I = 124
			name: "difficulty update clamped to 1", sched: Default(),
			card: Card{Stability: 10, Difficulty: 1, Reps: 5, LastReview: t0}, r: Easy, now: at(10),
			wantS: 124.381097, wantD: 1, wantDays: 124, wantReps: 6,
		},
		{
			// D = 10, Again: damping (10-10)/9 = 0 keeps 10, then
			// D' = 0.0046*3.224502 + 0.9954*10 = 9.968833 (stays below 10)
			// S'f = 1.9395 * 10^-0.11 * 1.033782 * 1.487579
			//     = 1.9395 * 0.776247 * 1.033782 * 1.487579 = 2.315254 -> I = 2
			name: "difficulty at 10 damped on Again", sched: Default(),
			card: Card{Stability: 10, Difficulty: 10, Reps: 5, Lapses: 2, LastReview: t0}, r: Again, now: at(20),
			wantS: 2.315254, wantD: 9.968833, wantDays: 2, wantReps: 6, wantLapses: 3,
		},

		// Same-day (short-term) reviews: S' = S * e^(w17*(G-3+w18)).
		{
			// S' = 3.173 * e^(0.51655*0.6621) = 3.173 * 1.407771 = 4.466858 -> I = 4
			// D' = 4.991833 (mean reversion from D = 5, as for recall Good)
			name: "same-day Good", sched: Default(),
			card: Card{Stability: 3.173, Difficulty: 5, Reps: 1, LastReview: t0}, r: Good, now: at(0.25),
			wantS: 4.466858, wantD: 4.991833, wantDays: 4, wantReps: 2,
		},
		{
			// S' = 3.173 * e^(0.51655*(-2+0.6621)) = 1.589764 -> I = 2
			// D' = 6.607035 (as for the Again after 20 days); a same-day Again is not a lapse.
			name: "same-day Again", sched: Default(),
			card: Card{Stability: 3.173, Difficulty: 5, Reps: 1, LastReview: t0}, r: Again, now: at(0.99),
			wantS: 1.589764, wantD: 6.607035, wantDays: 2, wantReps: 2,
		},
		{
			// S' = 3.173 * e^(0.51655*(1+0.6621)) = 7.487502 -> I = 7
			// D' = 4.184232 (as for recall Easy from D = 5)
			name: "same-day Easy", sched: Default(),
			card: Card{Stability: 3.173, Difficulty: 5, Reps: 1, LastReview: t0}, r: Easy, now: at(0.5),
			wantS: 7.487502, wantD: 4.184232, wantDays: 7, wantReps: 2,
		},
		{
			// A clock that runs backwards counts as zero elapsed days: same as "same-day Good".
			name: "review before LastReview is same-day", sched: Default(),
			card: Card{Stability: 3.173, Difficulty: 5, Reps: 1, LastReview: t0}, r: Good, now: at(-2),
			wantS: 4.466858, wantD: 4.991833, wantDays: 4, wantReps: 2,
		},

		// Ratings out of range are clamped to Again..Easy.
		{
			name: "Rating(0) counts as Again", sched: Default(), card: Card{}, r: 0, now: t0,
			wantS: 0.40255, wantD: 7.1949, wantDays: 1, wantReps: 1,
		},
		{
			name: "Rating(9) counts as Easy", sched: Default(), card: Card{}, r: 9, now: t0,
			wantS: 15.69105, wantD: 3.224502, wantDays: 16, wantReps: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.sched.Review(tt.card, tt.r, tt.now)
			want := Card{
				Due:        tt.now.Add(time.Duration(tt.wantDays) * 24 * time.Hour),
				Stability:  tt.wantS,
				Difficulty: tt.wantD,
				Reps:       tt.wantReps,
				Lapses:     tt.wantLapses,
				LastReview: tt.now,
			}
			if !near(got.Stability, want.Stability) || !near(got.Difficulty, want.Difficulty) ||
				!got.Due.Equal(want.Due) || !got.LastReview.Equal(want.LastReview) ||
				got.Reps != want.Reps || got.Lapses != want.Lapses {
				t.Errorf("Review(%s, %v, +%.4gd) = %s; want %s",
					fmtCard(tt.card), tt.r, tt.now.Sub(t0).Hours()/24, fmtCard(got), fmtCard(want))
			}
		})
	}
}

func TestReviewSequence(t *testing.T) {
	// A new card rated Good at t0, then Good again when due (3 days later):
	//   1st: S = 3.173, D = 5.282434, due +3d
	//   2nd: t = 3, R = (1 + 19/81*3/3.173)^-0.5 = 0.904698
	//        growth = e^1.54575 * (11-5.282434) * 3.173^-0.1192 * (e^(1.01925*0.095302) - 1)
	//             = 4.691489 * 5.717566 * 0.871414 * 0.102011 = 2.384471
	//        S' = 3.173 * (1 + 2.384471) = 10.738926 -> I = 11
	//        D' = 0.0046*3.224502 + 0.9954*5.282434 = 5.272968
	s := Default()
	c := s.Review(Card{}, Good, t0)
	c = s.Review(c, Good, c.Due)
	want := Card{Due: at(14), Stability: 10.738926, Difficulty: 5.272968, Reps: 2, LastReview: at(3)}
	if !near(c.Stability, want.Stability) || !near(c.Difficulty, want.Difficulty) ||
		!c.Due.Equal(want.Due) || c.Reps != want.Reps || c.Lapses != 0 {
		t.Errorf("Review(Review(Card{}, Good, +0d), Good, +3d) = %s; want %s", fmtCard(c), fmtCard(want))
	}
}

func TestRetrievability(t *testing.T) {
	tests := []struct {
		name string
		card Card
		now  time.Time
		want float64
	}{
		// A new card has learnt nothing: 0.
		{"new card", Card{}, t0, 0},
		// t = 0: (1 + 0)^-0.5 = 1
		{"just reviewed", Card{Stability: 3.173, Difficulty: 5, LastReview: t0}, at(0.5), 1},
		// t = S: (1 + 19/81)^-0.5 = (100/81)^-0.5 = 0.9
		{"t = S = 10", Card{Stability: 10, Difficulty: 5, LastReview: t0}, at(10), 0.9},
		{"t = S = 3", Card{Stability: 3, Difficulty: 5, LastReview: t0}, at(3), 0.9},
		// t = 3, S = 3.173: (1 + 19/81*3/3.173)^-0.5 = 0.904698
		{"t = 3, S = 3.173", Card{Stability: 3.173, Difficulty: 5, LastReview: t0}, at(3.5), 0.904698},
		// t = 20, S = 10: (1 + 38/81)^-0.5 = 0.825029
		{"t = 2S", Card{Stability: 10, Difficulty: 5, LastReview: t0}, at(20), 0.825029},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []Scheduler{Default(), {}} {
				if got := s.Retrievability(tt.card, tt.now); !near(got, tt.want) {
					t.Errorf("Retrievability(%s, +%.4gd) = %.6f; want %.6f",
						fmtCard(tt.card), tt.now.Sub(t0).Hours()/24, got, tt.want)
				}
			}
		})
	}
}

func TestDefault(t *testing.T) {
	want := [19]float64{
		0.40255, 1.18385, 3.173, 15.69105, 7.1949, 0.5345, 1.4604, 0.0046, 1.54575,
		0.1192, 1.01925, 1.9395, 0.11, 0.29605, 2.2698, 0.2315, 2.9898, 0.51655, 0.6621,
	}
	got := Default()
	if got.Weights != want || got.DesiredRetention != 0.9 || got.MaximumInterval != 36500 {
		t.Errorf("Default() = %+v; want {Weights:%v DesiredRetention:0.9 MaximumInterval:36500}", got, want)
	}
}

func TestRatingFromAnswer(t *testing.T) {
	const exp = 10 * time.Second
	tests := []struct {
		name     string
		correct  bool
		elapsed  time.Duration
		expected time.Duration
		want     Rating
	}{
		{"wrong and fast", false, 1 * time.Second, exp, Again},
		{"wrong and slow", false, time.Minute, exp, Again},
		{"right, slower than 2x", true, 20*time.Second + 1, exp, Hard},
		{"right, exactly 2x", true, 20 * time.Second, exp, Good},
		{"right, on time", true, exp, exp, Good},
		{"right, just over half", true, 5*time.Second + 1, exp, Good},
		{"right, exactly half", true, 5 * time.Second, exp, Easy},
		{"right, instant", true, 0, exp, Easy},
		{"right, no expectation", true, time.Hour, 0, Good},
		{"wrong, no expectation", false, time.Hour, 0, Again},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RatingFromAnswer(tt.correct, tt.elapsed, tt.expected); got != tt.want {
				t.Errorf("RatingFromAnswer(%v, %v, %v) = %v; want %v",
					tt.correct, tt.elapsed, tt.expected, got, tt.want)
			}
		})
	}
}

func TestRatingString(t *testing.T) {
	tests := []struct {
		r    Rating
		want string
	}{
		{Again, "Again"}, {Hard, "Hard"}, {Good, "Good"}, {Easy, "Easy"},
		{0, "Rating(0)"}, {5, "Rating(5)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("Rating(%d).String() = %q; want %q", int(tt.r), got, tt.want)
			}
		})
	}
}

func defaultWeightsCopy() [19]float64 { return Default().Weights }
