// Package interview runs a mock interview: one timed session that mixes the parts of a
// technical screen, in order, and ends in a scorecard.
//
// The usual call order is: NewPlan (the sections, their questions or kata, their share of
// the time), then Session.Run (asks the questions through a quiz.Prompter and runs the kata
// section through a KataRunner), then the Scorecard's WriteText or WriteJSON, and Record for
// the progress log. The package knows nothing of flags, prompt libraries or the kata
// engine: the caller supplies the prompter, the kata runner and the keys.
//
// # Sections
//
//  1. screening: single, multi and truefalse questions without code;
//  2. code reading: questions with a code snippet;
//  3. design: one open question, self-graded on its rubric;
//  4. kata: one kata of the level, re-checked on every save of the user's file, with
//     commands to check now, take a hint or give up.
//
// The questions before the kata are split by Split: one design question from 3 questions
// on, a third of the rest (rounded down, at least one from 2 on) to code reading, the rest
// to screening. Shapes gives each level's default number of questions and time budget
// (junior 8 questions in 30 minutes, mid 10 in 40, senior 12 in 45).
//
// # Time
//
// The kata section gets KataTimeShare (half) of the budget; the question sections share
// the other half in proportion to a weight per question: 1 for screening, 2 for code
// reading, 4 for design. A question section ends when its share is used up (the question
// being answered is finished first; the ones not reached score 0). The kata section runs
// until the whole budget is used, so time saved on questions goes to the kata and time
// lost on them is taken from it. The time left is shown before each question, at each
// check, and at DefaultReminders (5 minutes and 1 minute before the end).
//
// # Scoring
//
// A question section scores like the quiz: 1 for a right single, truefalse or (exactly
// right) multi answer, the share of key points covered for a design answer, 0 for a
// question not answered. The kata section scores 1 when it passes, else half the best share
// of reference tests passed in one check; each hint taken costs HintCost (0.1), down to 0.
//
// The overall score is the mean of the sections' percentages weighted by Weights:
// screening 25, code reading 25, design 15, kata 35. A section the interview does not have
// (too few questions) leaves its share to the others in proportion.
//
// # Verdict
//
// For the interview's level:
//   - ready: an overall score of at least ReadyPercent (75%) and the kata passed;
//   - almost: an overall score of at least AlmostPercent (55%);
//   - not yet: below.
//
// # Weakest topics and next steps
//
// The weakest topics are the topics tried in the interview below 100%, lowest first; each
// answer counts once and the kata, once reached, assess.KataWeight times for each of its
// topics; the scorecard names the WeakTopics (3) weakest. The next steps are a quiz at the
// level on each of the QuizSteps (2) weakest topics that had questions, the kata (watch it
// when not passed, read the reference solution when passed), and the next level's
// interview when ready, else procdojo next.
package interview
