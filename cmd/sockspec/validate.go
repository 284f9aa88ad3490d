package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sockspec/sockspec/asyncapi"
)

func init() { subcommands = append(subcommands, newValidateCmd) }

type validateResult struct {
	File     string             `json:"file"`
	Valid    bool               `json:"valid"`
	Version  string             `json:"asyncapi,omitempty"`
	Error    string             `json:"error,omitempty"` // I/O error
	Findings []asyncapi.Finding `json:"findings"`
}

func newValidateCmd() *cobra.Command {
	var format string
	var warnings bool
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check AsyncAPI documents (structure, references, schemas, Socket.IO rules)",
		Long: `validate loads each AsyncAPI 2.x or 3.x document, resolves its references, compiles its
schemas and lints it. It prints one line per finding:

  file:line:col: severity: message (#/json/pointer)

Exit status: 0 when every document is valid, 1 when one is not, 2 on usage errors.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &exitError{exitUsage, fmt.Errorf("--format must be text or json, not %q", format)}
			}
			out := cmd.OutOrStdout()
			var results []validateResult
			allValid := true
			for _, file := range args {
				res := validateResult{File: file, Findings: []asyncapi.Finding{}}
				doc, err := asyncapi.Load(cmd.Context(), file, asyncapi.Config{})
				var inv *asyncapi.InvalidError
				switch {
				case err == nil:
					res.Valid = true
				case errors.As(err, &inv):
				default:
					res.Error = err.Error()
				}
				if doc != nil {
					res.Version = doc.Version
					for _, f := range doc.Findings {
						if f.Severity == asyncapi.SeverityError || warnings {
							res.Findings = append(res.Findings, f)
						}
					}
				}
				allValid = allValid && res.Valid
				results = append(results, res)
				if format == "text" {
					for _, f := range res.Findings {
						fmt.Fprintln(out, f.String())
					}
					if res.Error != "" {
						fmt.Fprintf(out, "%s: error: %s\n", file, res.Error)
					}
					if res.Valid {
						fmt.Fprintf(out, "%s: valid AsyncAPI %s document\n", file, res.Version)
					}
				}
			}
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(results); err != nil {
					return &exitError{exitInvalid, err}
				}
			}
			if !allValid {
				return &exitError{exitInvalid, nil}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVarP(&warnings, "warnings", "w", true, "also print warnings and infos")
	return cmd
}
