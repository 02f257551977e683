// Package assess turns the progress log into a picture of where the user stands: the score
// report (per level, per topic, the weakest topics, the weekly trend), the review schedule
// (one FSRS card per question, replayed from the log's answers), and the one-screen status
// with the next step. Everything is derived from the log and the material (questions and
// katas); nothing is stored, so no second store can disagree with the log.
//
// The usual call order is: read the log (progress.Log.Read), load the questions and the
// katas, then Score, Cards or Next on them; render a Report with WriteText or WriteJSON. The
// package does no I/O beyond the writers it is given and knows nothing of flags or prompts.
//
// # Quiz accuracy
//
// A question's mastery is the weighted mean of its attempts' fractions (score/max, from 0
// to 1): the latest attempt weighs 1 and each older one half as much as the next newer one
// (1, 1/2, 1/4, ...), so the latest attempt always carries at least half of the weight. A
// level's accuracy is the mean mastery of the questions of that level the user has answered;
// a topic's quiz accuracy likewise. Quiz and review answers count alike.
//
// # Topic mastery
//
// A topic's mastery blends quiz and katas: each answered question of the topic counts once
// with its mastery, each attempted kata listing the topic counts KataWeight times with its
// kata score: 1 when passed, else half the best fraction of reference tests it passed. Katas
// never checked and questions never answered do not count: mastery says how well the user
// did on what they tried, and the seen and passed counts beside it say how much that is.
//
// # Verdicts
//
// A level is "ready" when its accuracy, the share of its questions seen and the share of its
// katas passed all reach ReadyBar, "almost" when they all reach AlmostBar, else "not yet".
// A level without questions skips the two quiz criteria, and a level without katas the kata
// one. Each verdict below "ready" lists what is missing for the next one up.
//
// # Window and trend
//
// Input.Since limits the score report to what the user did since then: answers and kata
// checks before it are left out alike. The trend is the plain accuracy (no weighting) of each
// week's answers, Monday to Sunday, for the last TrendWeeks weeks. The review schedule and
// the status of Next always use the whole history.
//
// # Review schedule
//
// Cards replays each question's answers, quiz and review alike, in time order through an
// fsrs.Scheduler. A review answer carries the rating it was given; any other is rated by
// RatingOf: right or wrong and the time taken against ExpectedTime (fsrs.RatingFromAnswer),
// or, for an open question, the share of rubric points covered (OpenRating).
package assess
