// Package cli wires procdojo's commands to urfave/cli. Each command has an options struct, a
// thin Action that fills it from flags, and a runX function that does the work; the domain
// packages (quiz, katas, progress) know nothing of flags or prompts.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/internal/suggest"
	"github.com/procdojo/procdojo/internal/termsafe"
)

// Version is the program's version, set at build time with
// -ldflags "-X github.com/procdojo/procdojo/internal/cli.Version=v1.2.3".
var Version = "dev"

// Exit statuses, documented in the README's table.
const (
	ExitOK          = 0
	ExitFailure     = 1   // lint problems, a failing kata, a progress log that cannot be used, standard output that cannot be written
	ExitUsage       = 2   // bad flags, bad input, bad banks
	ExitInterrupted = 130 // Ctrl-C (SIGINT): 128 + 2, as shells report it
	ExitTerminated  = 143 // SIGTERM: 128 + 15
)

// signalled is the cause of the run's context when a signal ended it.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return s.sig.String() + " signal received" }

// Main runs procdojo with args (args[0] is the program name) and returns the exit status.
// It is the one place where errors become exit statuses.
//
// SIGINT and SIGTERM cancel the context every command runs under; the commands stop at
// once, and the status is then 130 or 143 whatever the command returned. A second signal
// is not caught: it ends the process at once, for the case of a command slow to stop.
func Main(ios *iostreams.IOStreams, args []string) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(signalled{s})
			signal.Stop(sigs)
		case <-done:
		}
	}()
	app := NewApp(ios)
	err := app.RunContext(ctx, args)
	close(done)
	signal.Stop(sigs)
	return exitStatusCause(ios, err, context.Cause(ctx))
}

// exitStatus prints err (if any) and maps it to an exit status, for a run no signal ended.
func exitStatus(ios *iostreams.IOStreams, err error) int { return exitStatusCause(ios, err, nil) }

// exitStatusCause prints err (if any) and maps it to an exit status; cause is the cause of
// the run's context, a signalled when a signal ended it. Messages are escaped, since they
// may quote file names and bank text.
func exitStatusCause(ios *iostreams.IOStreams, err, cause error) int {
	say := func(e error) { fmt.Fprintf(ios.ErrOut, "procdojo: %s\n", termsafe.Escape(e.Error())) }
	var sig signalled
	if errors.As(cause, &sig) {
		var ee *ExitError
		switch {
		case err == nil, errors.Is(err, context.Canceled):
		case errors.As(err, &ee) && (ee.Code == ExitInterrupted || ee.Silent || ee.Err == nil):
		default:
			say(err)
		}
		if sig.sig == syscall.SIGTERM {
			fmt.Fprintln(ios.ErrOut, "procdojo: terminated")
			return ExitTerminated
		}
		fmt.Fprintln(ios.ErrOut, "procdojo: interrupted")
		return ExitInterrupted
	}
	var (
		ee *ExitError
		pe *progress.Error
	)
	if werr := ios.WriteError(); werr != nil && (err == nil || errors.Is(err, werr) || !errors.As(err, &ee)) {
		fmt.Fprintf(ios.ErrOut, "procdojo: cannot write the output: %v\n", werr)
		return ExitFailure
	}
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		if ee.Err != nil && !ee.Silent {
			say(ee.Err)
		}
		return ee.Code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(ios.ErrOut, "procdojo: interrupted")
		return ExitInterrupted
	case errors.As(err, &pe):
		say(err)
		return ExitFailure
	}
	// Errors from urfave/cli itself are flag and argument problems.
	say(err)
	return ExitUsage
}

// ExitError carries the exit status a command wants. Silent means the command already told
// the user everything (for example, a lint report).
type ExitError struct {
	Code   int
	Err    error
	Silent bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr marks err as a usage or bad-input error (exit 2).
func usageErr(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// failed is exit status 1 after the command has reported what went wrong.
func failed() error { return &ExitError{Code: ExitFailure, Silent: true} }

// interrupted is exit status 130 after Ctrl-C.
func interrupted() error {
	return &ExitError{Code: ExitInterrupted, Err: errors.New("interrupted")}
}

// NewApp builds the command tree over ios.
func NewApp(ios *iostreams.IOStreams) *ucli.App {
	app := &ucli.App{
		Name:      "procdojo",
		Usage:     "interview practice on child processes (Node.js child_process and Go os/exec)",
		Version:   Version,
		Reader:    ios.In,
		Writer:    ios.Out,
		ErrWriter: ios.ErrOut,
		Flags: []ucli.Flag{
			&ucli.StringFlag{
				Name:    "data-dir",
				Usage:   "where progress is kept (default $PROCDOJO_HOME, else $XDG_STATE_HOME/procdojo, else ~/.local/state/procdojo)",
				EnvVars: nil,
			},
		},
		EnableBashCompletion:   true,
		UseShortOptionHandling: false,
		HideHelpCommand:        false,
		ExitErrHandler:         func(*ucli.Context, error) {}, // Main maps errors to statuses
		OnUsageError: func(c *ucli.Context, err error, _ bool) error {
			return usageErr("%v (see %s --help)", err, c.Command.HelpName)
		},
		CommandNotFound: func(c *ucli.Context, name string) {
			// Handled by Before via unknownCommand; kept for subcommand groups.
		},
	}
	for _, register := range commands {
		app.Commands = append(app.Commands, register(ios))
	}
	sort.Slice(app.Commands, func(i, j int) bool { return app.Commands[i].Name < app.Commands[j].Name })
	if defaultAction != nil {
		app.Action = defaultAction(ios)
	}
	app.Before = func(c *ucli.Context) error { return checkCommand(c, app.Commands) }
	return app
}

// commands holds a constructor per top-level command; each command's file adds its own from
// an init function, so adding a command touches only its file.
var commands []func(*iostreams.IOStreams) *ucli.Command

// defaultAction, when set (by next.go), builds what procdojo does when run with no command.
var defaultAction func(*iostreams.IOStreams) ucli.ActionFunc

// checkCommand turns a mistyped command into a usage error with a suggestion.
func checkCommand(c *ucli.Context, cmds []*ucli.Command) error {
	name := c.Args().First()
	if name == "" || c.NArg() == 0 {
		return nil
	}
	return checkName(name, cmds, "procdojo")
}

func checkName(name string, cmds []*ucli.Command, parent string) error {
	var names []string
	for _, cmd := range cmds {
		if cmd.HasName(name) {
			return nil
		}
		names = append(names, cmd.Names()...)
	}
	if name == "help" || name == "h" {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", name, parent)
	if s := suggest.Closest(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return usageErr("%s (see %s --help)", msg, parent)
}

// openLog returns the progress log chosen by --data-dir and the environment.
func openLog(c *ucli.Context) (*progress.Log, error) {
	dir, err := progress.ResolveDir(c.String("data-dir"))
	if err != nil {
		return nil, err
	}
	return progress.Open(dir), nil
}
