package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitInvalid = 1 // a document is invalid (or a command's work failed)
	exitUsage   = 2 // bad flags or arguments
)

// exitError carries an exit code out of a command's RunE.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// subcommands lists the constructors of sockspec's subcommands; each lives in
// its own file (validate.go, convert.go, ...) and appends itself in init.
var subcommands []func() *cobra.Command

// newRoot builds the root command with every registered subcommand.
func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "sockspec",
		Short:         "sockspec: AsyncAPI contracts for Socket.IO servers",
		Long:          "sockspec reads AsyncAPI 2.x and 3.x documents that describe Socket.IO APIs: it validates them, converts them, and holds servers to them.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{exitUsage, err}
	})
	for _, mk := range subcommands {
		root.AddCommand(mk())
	}
	return root
}

// run executes sockspec with args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, "sockspec:", ee.err)
		}
		return ee.code
	}
	// cobra's own argument and unknown-command errors are usage errors
	fmt.Fprintln(stderr, "sockspec:", err)
	return exitUsage
}

// usageArgs wraps a cobra.PositionalArgs so its failures exit with code 2.
func usageArgs(pa cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := pa(cmd, args); err != nil {
			return &exitError{exitUsage, err}
		}
		return nil
	}
}
