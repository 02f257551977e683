package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/internal/suggest"
	"github.com/procdojo/procdojo/katas"
)

func init() { commands = append(commands, newKataCommand) }

// workspaceFlag is on "kata" and on each subcommand that uses the workspace, so it may come
// before or after the subcommand's name.
func workspaceFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "workspace", Usage: "the workspace `DIR` (default $" + kata.EnvWorkspace + ", else found by walking up from the current folder)", TakesFile: true}
}

// wsLocator says where to look for the workspace: the --workspace flag, the environment
// variable, and the current folder (kata.FindWorkspace's order).
type wsLocator struct {
	Flag, Env, Cwd string
}

func locatorFrom(c *ucli.Context) wsLocator {
	cwd, _ := os.Getwd()
	return wsLocator{Flag: c.String("workspace"), Env: os.Getenv(kata.EnvWorkspace), Cwd: cwd}
}

func (l wsLocator) find() (*kata.Workspace, error) {
	ws, err := kata.FindWorkspace(l.Flag, l.Env, l.Cwd)
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: err}
	}
	return ws, nil
}

func newKataCommand(ios *iostreams.IOStreams) *ucli.Command {
	subs := []*ucli.Command{
		newKataListCommand(ios), newKataShowCommand(ios), newKataStartCommand(ios),
		newKataCheckCommand(ios), newKataHintCommand(ios), newKataSolutionCommand(ios),
		newKataResetCommand(ios), newKataVerifyCommand(ios), newKataInitCommand(ios),
	}
	for _, sub := range kataSubcommands {
		subs = append(subs, sub(ios))
	}
	return &ucli.Command{
		Name:  "kata",
		Usage: "solve katas: small Go APIs checked by tests that spawn real child processes",
		Description: `A kata is a small Go API that you implement in one file of your workspace;
"procdojo kata check" runs the kata's reference tests against it.

Get going:
  procdojo kata init ~/dojo && cd ~/dojo   # a workspace (in a procdojo checkout: solutions/)
  procdojo kata list
  procdojo kata start run-capture          # writes run-capture/runcapture.go
  procdojo kata check run-capture          # after editing it
  procdojo kata hint run-capture           # stuck? one hint more each time`,
		Flags:       []ucli.Flag{workspaceFlag()},
		Subcommands: subs,
		Before: func(c *ucli.Context) error {
			if !kata.Supported {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%w; the quiz works here, the katas do not", kata.ErrUnsupported)}
			}
			if c.NArg() > 0 {
				return checkName(c.Args().First(), subs, "procdojo kata")
			}
			return nil
		},
	}
}

// loadCatalog returns the built-in kata.
func loadCatalog() (*kata.Catalog, error) {
	c, err := katas.Catalog()
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("the built-in katas have problems (a bug; please report it):\n%w", err)}
	}
	return c, nil
}

// getKata returns the kata with id, or a usage error with a suggestion.
func getKata(c *kata.Catalog, id string) (*kata.Kata, error) {
	k, err := c.Get(id)
	if err == nil {
		return k, nil
	}
	msg := fmt.Sprintf("no kata %q", id)
	if s := suggest.Closest(id, c.IDs()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, usageErr("%s (procdojo kata list)", msg)
}

// oneID returns the single kata id a subcommand takes (see kataArgs).
// withKata is the Action of a subcommand that takes one kata id: it reads the id, loads the
// catalogue, then calls run.
func withKata(run func(c *ucli.Context, id string, cat *kata.Catalog) error) ucli.ActionFunc {
	return func(c *ucli.Context) error {
		id, err := oneID(c)
		if err != nil {
			return err
		}
		cat, err := loadCatalog()
		if err != nil {
			return err
		}
		return run(c, id, cat)
	}
}

func oneID(c *ucli.Context) (string, error) {
	args, err := kataArgs(c)
	if err != nil {
		return "", err
	}
	switch len(args) {
	case 1:
		return args[0], nil
	case 0:
		return "", usageErr("%s needs a kata id (procdojo kata list shows them)", c.Command.HelpName)
	default:
		return "", usageErr("%s takes one kata id, got %d arguments", c.Command.HelpName, len(args))
	}
}

// kataArgs returns the positional arguments of a kata subcommand after setting, on c, the
// flags that follow them: urfave/cli v2 stops parsing flags at the first argument, so
// "kata check ID -v" would otherwise leave "-v" as an argument. Call it before reading flags.
func kataArgs(c *ucli.Context) ([]string, error) {
	var pos []string
	args := c.Args().Slice()
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var f ucli.Flag
		for _, cf := range c.Command.Flags {
			if slices.Contains(cf.Names(), name) {
				f = cf
			}
		}
		if f == nil {
			return nil, usageErr("flag provided but not defined: %s (see %s --help)", a, c.Command.HelpName)
		}
		if _, isBool := f.(*ucli.BoolFlag); isBool && !hasValue {
			value = "true"
		} else if !hasValue {
			if i+1 == len(args) {
				return nil, usageErr("flag needs an argument: %s (see %s --help)", a, c.Command.HelpName)
			}
			i++
			value = args[i]
		}
		for _, n := range f.Names() {
			if err := c.Set(n, value); err != nil {
				return nil, usageErr("invalid value %q for flag %s: %v (see %s --help)", value, a, err, c.Command.HelpName)
			}
		}
	}
	return pos, nil
}

// kataStatus is what the progress log says of one kata.
type kataStatus struct {
	Checks int  // checks recorded
	Passed bool // at least one check passed
	Hints  int  // the highest hint revealed
}

// String is the status shown by "kata list": passed, attempted (checked, never passed) or new.
func (s kataStatus) String() string {
	switch {
	case s.Passed:
		return "passed"
	case s.Checks > 0:
		return "attempted"
	}
	return "new"
}

// readKataStatus reads the log (a nil log is empty) and returns each kata's status;
// damaged lines are reported on errOut.
func readKataStatus(log *progress.Log, errOut io.Writer) (map[string]kataStatus, error) {
	st := map[string]kataStatus{}
	if log == nil {
		return st, nil
	}
	recs, warns, err := log.Read()
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		fmt.Fprintf(errOut, "warning: %s\n", w)
	}
	for _, r := range recs {
		s := st[r.Kata]
		switch r.Type {
		case progress.TypeKataCheck:
			s.Checks++
			s.Passed = s.Passed || r.Verdict == string(kata.StatusPass)
		case progress.TypeHint:
			s.Hints = max(s.Hints, r.Hint)
		default:
			continue
		}
		st[r.Kata] = s
	}
	return st, nil
}

// needNode checks that a Node kata can be checked here: node is installed and recent
// enough. Without it the error is a usage error (exit 2) naming the version needed.
func needNode(k *kata.Kata) error {
	if k.Lang != kata.LangNode {
		return nil
	}
	if _, err := kata.FindNode(""); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}
