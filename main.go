// Command procdojo is an interview-prep dojo for child processes: quizzes on Node.js
// child_process and Go os/exec, and katas solved in Go against tests that spawn real
// processes. Run "procdojo --help" for the commands.
package main

import (
	"os"

	"github.com/procdojo/procdojo/internal/cli"
	"github.com/procdojo/procdojo/internal/iostreams"
)

func main() {
	ios := iostreams.System()
	os.Exit(cli.Main(ios, os.Args))
}
