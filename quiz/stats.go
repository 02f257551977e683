package quiz

import (
	"fmt"
	"strings"
)

// StatsTable returns a Markdown table of question counts per level and lang (rows) and
// kind (columns), with totals and the number of code questions. questions/README.md holds
// its output, and a test keeps the two equal.
func StatsTable(qs []*Question) string {
	type key struct{ level, lang, kind string }
	n := map[key]int{}
	code := map[[2]string]int{}
	for _, q := range qs {
		n[key{q.Level, q.Lang, q.Kind}]++
		n[key{q.Level, q.Lang, ""}]++
		n[key{q.Level, "", q.Kind}]++
		n[key{q.Level, "", ""}]++
		n[key{"", "", q.Kind}]++
		n[key{"", "", ""}]++
		if q.Run != "" {
			code[[2]string{q.Level, q.Lang}]++
			code[[2]string{q.Level, ""}]++
			code[[2]string{"", ""}]++
		}
	}
	var b strings.Builder
	b.WriteString("| level | lang | " + strings.Join(Kinds, " | ") + " | total | code (run) |\n")
	b.WriteString("|---|---|" + strings.Repeat("---:|", len(Kinds)+2) + "\n")
	row := func(level, lang, levelCell, langCell string) {
		fmt.Fprintf(&b, "| %s | %s |", levelCell, langCell)
		for _, k := range Kinds {
			fmt.Fprintf(&b, " %d |", n[key{level, lang, k}])
		}
		fmt.Fprintf(&b, " %d | %d |\n", n[key{level, lang, ""}], code[[2]string{level, lang}])
	}
	for _, l := range Levels {
		for _, lang := range Langs {
			row(l, lang, l, lang)
		}
		row(l, "", "**"+l+"**", "**all**")
	}
	fmt.Fprintf(&b, "| **all** | **all** |")
	for _, k := range Kinds {
		fmt.Fprintf(&b, " %d |", n[key{"", "", k}])
	}
	fmt.Fprintf(&b, " %d | %d |\n", n[key{"", "", ""}], code[[2]string{"", ""}])
	return b.String()
}
