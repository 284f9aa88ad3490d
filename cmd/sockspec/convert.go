package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sockspec/sockspec/asyncapi"
)

func init() { subcommands = append(subcommands, newConvertCmd) }

func newConvertCmd() *cobra.Command {
	var to, output, format string
	cmd := &cobra.Command{
		Use:   "convert FILE --to 3.0",
		Short: "Convert an AsyncAPI 2.x document to 3.0",
		Long: `convert rewrites a valid AsyncAPI 2.x document as AsyncAPI 3.0.0: publish becomes an
operation with action receive (the client emits), subscribe one with action send (the client
listens), x-ack becomes the operation's reply, server urls become host and pathname, and
extensions are kept. The result goes to stdout, or to the file named by -o.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to != "3.0" && to != "3.0.0" {
				return &exitError{exitUsage, fmt.Errorf("--to must be 3.0, not %q", to)}
			}
			if format != "yaml" && format != "json" {
				return &exitError{exitUsage, fmt.Errorf("--format must be yaml or json, not %q", format)}
			}
			doc, err := asyncapi.Load(cmd.Context(), args[0], asyncapi.Config{})
			var inv *asyncapi.InvalidError
			if errors.As(err, &inv) {
				for _, f := range inv.Findings {
					if f.Severity == asyncapi.SeverityError {
						fmt.Fprintln(cmd.ErrOrStderr(), f.String())
					}
				}
				return &exitError{exitInvalid, fmt.Errorf("%s is not valid; fix it before converting", args[0])}
			}
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			out, err := asyncapi.Convert(doc, asyncapi.ConvertOptions{To: to, Format: format})
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			if output == "" || output == "-" {
				_, err = cmd.OutOrStdout().Write(out)
			} else {
				err = os.WriteFile(output, out, 0o644)
			}
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "3.0", "target AsyncAPI version (3.0)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	cmd.Flags().StringVar(&format, "format", "yaml", "output format: yaml or json")
	return cmd
}
