package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sockspec/sockspec/docs"
)

func init() { subcommands = append(subcommands, newDocsCmd) }

func newDocsCmd() *cobra.Command {
	var dir, title, react string
	var internal bool
	cmd := &cobra.Command{
		Use:   "docs FILE -o DIR",
		Short: "Write the documentation page of an AsyncAPI document as static files",
		Long: `docs writes the documentation page that a sockspec server (and sockspec mock)
serves at {base}/docs, as static files: DIR/index.html, DIR/asyncapi.json,
DIR/asyncapi.yaml and DIR/static/. The page needs no network; open index.html
or serve DIR with any file server. The document is validated first.

Exit status: 0 on success, 1 when the document is invalid or DIR cannot be
written, 2 on usage errors.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return &exitError{exitUsage, fmt.Errorf("-o DIR is required")}
			}
			doc, err := loadDocument(cmd.Context(), args[0], cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			raw, err := doc.Bundle() // every file of the document, self-contained
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			cfg := docs.Config{Title: title, ReactComponent: react, IncludeInternal: internal}
			if err := docs.WriteStatic(dir, raw, cfg); err != nil {
				return &exitError{exitInvalid, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", filepath.Join(dir, "index.html"))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&dir, "output", "o", "", "directory to write the page into (created if needed)")
	f.StringVar(&title, "title", "", "page title (default: the document's info.title)")
	f.StringVar(&react, "react", "", `also load the AsyncAPI React component: "cdn" or the URL of its standalone bundle`)
	f.BoolVar(&internal, "include-internal", false, "keep internal extensions (x-handler, x-handlers, x-...Func) in the page and files")
	return cmd
}
