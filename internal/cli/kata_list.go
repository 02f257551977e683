package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// kataListOptions is everything "kata list" needs.
type kataListOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Log     *progress.Log
	Level   string
	Lang    string // "" lists every language
	JSON    bool
}

func newKataListCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list the katas: id, level, language, topics, title and your status (new, attempted, passed)",
		ArgsUsage: " ",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "level", Usage: "only katas of this `LEVEL`: junior, mid or senior"},
			&ucli.StringFlag{Name: "lang", Usage: "only katas solved in this `LANG`: go or node"},
			&ucli.BoolFlag{Name: "json", Usage: "print the list as JSON"},
		},
		Action: func(c *ucli.Context) error {
			if args, err := kataArgs(c); err != nil || len(args) > 0 {
				return cmp.Or(err, usageErr("kata list takes no arguments; use --level"))
			}
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			log, err := openLog(c)
			if err != nil {
				return err
			}
			return runKataList(&kataListOptions{IO: ios, Catalog: cat, Log: log, Level: c.String("level"), Lang: c.String("lang"), JSON: c.Bool("json")})
		},
	}
}

func runKataList(opts *kataListOptions) error {
	if opts.Level != "" && !slices.Contains(kata.Levels, opts.Level) {
		return usageErr("no level %q; use one of %s", opts.Level, strings.Join(kata.Levels, ", "))
	}
	if opts.Lang != "" && !slices.Contains(kata.Langs, opts.Lang) {
		return usageErr("no language %q; use one of %s", opts.Lang, strings.Join(kata.Langs, ", "))
	}
	st, err := readKataStatus(opts.Log, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	type item struct {
		ID        string   `json:"id"`
		Title     string   `json:"title"`
		Level     string   `json:"level"`
		Lang      string   `json:"lang"`
		Topics    []string `json:"topics"`
		Scenarios []string `json:"scenarios"`
		Status    string   `json:"status"`
		Hints     int      `json:"hints"`
		HintsSeen int      `json:"hints_seen"`
		TimeLimit string   `json:"time_limit"`
	}
	var items []item
	for _, k := range opts.Catalog.All() {
		if opts.Level != "" && k.Level != opts.Level || opts.Lang != "" && k.Lang != opts.Lang {
			continue
		}
		s := st[k.ID]
		items = append(items, item{k.ID, k.Title, k.Level, k.Lang, k.Topics, k.Scenarios, s.String(), len(k.Hints), s.Hints, k.TimeLimit.String()})
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if items == nil {
			items = []item{}
		}
		return enc.Encode(items)
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLEVEL\tLANG\tTOPICS\tTITLE\tSTATUS")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Level, it.Lang, strings.Join(it.Topics, ","), clip(it.Title, 60), it.Status)
	}
	return tw.Flush()
}

// kataShowOptions is everything "kata show" needs.
type kataShowOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Log     *progress.Log
	WS      wsLocator
	ID      string
}

func newKataShowCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "show",
		Usage:     "show a kata: its statement and API, its hints, and your file",
		ArgsUsage: "ID",
		Flags:     []ucli.Flag{workspaceFlag()},
		Action: withKata(func(c *ucli.Context, id string, cat *kata.Catalog) error {
			log, err := openLog(c)
			if err != nil {
				return err
			}
			return runKataShow(&kataShowOptions{IO: ios, Catalog: cat, Log: log, WS: locatorFrom(c), ID: id})
		}),
	}
}

func runKataShow(opts *kataShowOptions) error {
	k, err := getKata(opts.Catalog, opts.ID)
	if err != nil {
		return err
	}
	st, err := readKataStatus(opts.Log, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "%s: %s\n", k.ID, k.Title)
	fmt.Fprintf(out, "level %s · language %s · topics %s · time limit %s · status %s\n", k.Level, langName(k.Lang), strings.Join(k.Topics, ", "), k.TimeLimit, st[k.ID])
	for _, key := range k.Scenarios {
		if s, ok := kata.ScenarioByKey(key); ok {
			fmt.Fprintf(out, "scenario: %s (%s)\n", s.Description, s.Group)
		}
	}
	for _, twin := range opts.Catalog.Twins(k) {
		fmt.Fprintf(out, "twin in %s: %s, %s (procdojo kata show %s)\n", langName(twin.Lang), twin.ID, twin.Title, twin.ID)
	}
	fmt.Fprintf(out, "\n%s\n\n", strings.TrimSpace(k.Statement))
	fmt.Fprintf(out, "Hints: %d, %d seen (procdojo kata hint %s shows one more)\n", len(k.Hints), st[k.ID].Hints, k.ID)
	ws, err := opts.WS.find()
	switch {
	case err != nil:
		fmt.Fprintf(out, "Your file: none yet; make a workspace with procdojo kata init DIR, then procdojo kata start %s\n", k.ID)
	case ws.Started(k):
		fmt.Fprintf(out, "Your file: %s (procdojo kata check %s)\n", ws.File(k), k.ID)
	default:
		fmt.Fprintf(out, "Your file: %s, once you run procdojo kata start %s\n", ws.File(k), k.ID)
	}
	return nil
}

// kataStartOptions is everything "kata start" needs.
type kataStartOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	WS      wsLocator
	ID      string
	Force   bool
}

func newKataStartCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "start",
		Usage:     "write a kata's starter into your workspace and show the statement",
		ArgsUsage: "ID",
		Flags: []ucli.Flag{
			workspaceFlag(),
			&ucli.BoolFlag{Name: "force", Usage: "overwrite your file (it is kept as <file>.bak)"},
		},
		Action: withKata(func(c *ucli.Context, id string, cat *kata.Catalog) error {
			return runKataStart(&kataStartOptions{IO: ios, Catalog: cat, WS: locatorFrom(c), ID: id, Force: c.Bool("force")})
		}),
	}
}

func runKataStart(opts *kataStartOptions) error {
	k, err := getKata(opts.Catalog, opts.ID)
	if err != nil {
		return err
	}
	ws, err := opts.WS.find()
	if err != nil {
		return err
	}
	if err := needNode(k); err != nil {
		return err
	}
	existed := ws.Started(k)
	p, err := ws.Start(k, opts.Force)
	if errors.Is(err, kata.ErrStarted) {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("you already started %s: %s holds your work; check it with procdojo kata check %s, or start over with --force (your file is kept as .bak) or procdojo kata reset %s", k.ID, p, k.ID, k.ID)}
	}
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "%s: %s\n\n%s\n\n", k.ID, k.Title, strings.TrimSpace(k.Statement))
	if existed {
		fmt.Fprintf(opts.IO.ErrOut, "Your old file is kept as %s.bak\n", p)
	}
	fmt.Fprintf(out, "Your file: %s\nEdit it, then run: procdojo kata check %s\n", p, k.ID)
	return nil
}

// langName is a kata language as people write it.
func langName(lang string) string {
	if lang == kata.LangNode {
		return "Node.js"
	}
	return "Go"
}
