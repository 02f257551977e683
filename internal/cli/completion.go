package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
)

func init() { commands = append(commands, newCompletionCommand) }

// bashCompletion asks procdojo itself for the words that may follow, through urfave/cli's
// hidden --generate-bash-completion flag.
const bashCompletion = `# procdojo completion for bash; load it with: source <(procdojo completion bash)
_procdojo_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=$("${COMP_WORDS[0]}" "${COMP_WORDS[@]:1:$((COMP_CWORD-1))}" --generate-bash-completion 2>/dev/null)
  COMPREPLY=($(compgen -W "${words}" -- "${cur}"))
}
complete -o default -F _procdojo_complete procdojo
`

const zshCompletion = `# procdojo completion for zsh; load it with: source <(procdojo completion zsh)
autoload -U +X bashcompinit && bashcompinit
` + bashCompletion

func newCompletionCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Description: `Examples:
  source <(procdojo completion bash)        # in ~/.bashrc
  source <(procdojo completion zsh)         # in ~/.zshrc
  procdojo completion fish > ~/.config/fish/completions/procdojo.fish`,
		Action: func(c *ucli.Context) error {
			switch shell := c.Args().First(); shell {
			case "bash":
				fmt.Fprint(ios.Out, bashCompletion)
			case "zsh":
				fmt.Fprint(ios.Out, zshCompletion)
			case "fish":
				script, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				fmt.Fprint(ios.Out, script)
			case "":
				return usageErr("completion needs a shell: bash, zsh or fish")
			default:
				return usageErr("no completion for shell %q; use bash, zsh or fish", shell)
			}
			return nil
		},
	}
}
