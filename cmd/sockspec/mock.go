package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sockspec/sockspec"
	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/mock"
)

func init() { subcommands = append(subcommands, newMockCmd) }

// shutdownGrace bounds the clean shutdown after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

func newMockCmd() *cobra.Command {
	var (
		host, server, logLevel, logFormat string
		port                              int
		interval                          time.Duration
		seed                              uint64
		noValidation, verbose             bool
	)
	cmd := &cobra.Command{
		Use:   "mock FILE",
		Short: "Serve a fake of the Socket.IO API an AsyncAPI document describes",
		Long: `mock serves a working fake of the Socket.IO API described by FILE, held to the
document like a real sockspec server: handshakes, auth payloads, security and
every incoming event are validated; events clients emit are answered with fake
acks generated from their ack schema; events clients listen to are emitted
with fake payloads, one per --interval in each namespace, in turn. Security
schemes accept any well-formed credential. The docs page is served at {base}/docs.

Schemas the generator cannot satisfy are reported at start-up with their
file:line:col. The run is reproducible with --seed (a random seed is chosen and
printed otherwise). SIGINT or SIGTERM stops it cleanly.

Exit status: 0 after a clean stop, 1 when the document or its schemas are
invalid or the address cannot be used, 2 on usage errors.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			logger, err := newLogger(errOut, logLevel, logFormat)
			if err != nil {
				return &exitError{exitUsage, err}
			}
			if port < 0 || port > 65535 {
				return &exitError{exitUsage, fmt.Errorf("--port must be 0 to 65535, not %d", port)}
			}
			if !cmd.Flags().Changed("seed") {
				seed = rand.Uint64() % 1_000_000
			}
			file := args[0]
			doc, err := loadDocument(cmd.Context(), file, errOut)
			if err != nil {
				return err
			}
			cfg := mock.Config{Server: server, Interval: interval, Seed: seed, Logger: logger}
			if noValidation {
				cfg.Validation = sockspec.Validation{SkipIncoming: true, SkipOutgoing: true, SkipAcks: true,
					SkipHandshake: true, SkipAuth: true, UnknownEvents: sockspec.DropUnknown}
			}
			if verbose {
				cfg.OnRecord = recordPrinter(out)
			}
			m, err := mock.New(doc, cfg)
			if err != nil {
				return &exitError{exitInvalid, err}
			}
			ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				_ = m.Close()
				return &exitError{exitInvalid, err}
			}
			base := "http://" + ln.Addr().String()
			fmt.Fprintf(out, "sockspec mock: %q %s from %s\n", doc.Info.Title, doc.Info.Version, file)
			fmt.Fprintf(out, "listening on %s (Socket.IO path %s)\n", base, m.Path())
			if p := m.DocsPath(); p != "" {
				fmt.Fprintf(out, "docs at %s%s\n", base, p)
			}
			every := "periodic emits off"
			if interval >= 0 {
				every = "an event every " + cmpDuration(interval) + " per namespace"
			}
			fmt.Fprintf(out, "seed %d (--seed %d replays this run), %s\n", seed, seed, every)

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			hs := &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug)}
			served := make(chan error, 1)
			go func() { served <- hs.Serve(ln) }()
			var serveErr error
			select {
			case <-ctx.Done():
			case serveErr = <-served:
			}
			stop()
			fmt.Fprintln(out, "shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			// the mock first: http.Server.Shutdown ignores hijacked WebSockets
			if err := m.Shutdown(sctx); err != nil && !errors.Is(err, sockspec.ErrServerClosed) {
				logger.LogAttrs(sctx, slog.LevelWarn, "mock shutdown", slog.String("err", err.Error()))
			}
			if err := hs.Shutdown(sctx); err != nil {
				logger.LogAttrs(sctx, slog.LevelWarn, "http shutdown", slog.String("err", err.Error()))
			}
			if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
				return &exitError{exitInvalid, serveErr}
			}
			fmt.Fprintln(out, "stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&host, "host", "127.0.0.1", "address to listen on")
	f.IntVar(&port, "port", 5000, "port to listen on (0 picks a free one)")
	f.StringVar(&server, "server", "", "name of the document's server to mock (path, security); default: the first")
	f.DurationVar(&interval, "interval", time.Second, "time between two periodic emits in a namespace (negative: none)")
	f.Uint64Var(&seed, "seed", 0, "seed of the fake data (default: a random seed, printed)")
	f.BoolVar(&noValidation, "no-validation", false, "do not validate incoming events, acks, handshakes and auth payloads")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "log format on stderr: text or json")
	f.BoolVar(&verbose, "verbose-events", false, "print a line per connection, event and ack on stdout")
	return cmd
}

func cmpDuration(d time.Duration) string {
	if d == 0 {
		return "1s"
	}
	return d.String()
}

// newLogger builds the stderr handler of --log-level and --log-format.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// loadDocument loads file, printing its error findings to w when it is
// invalid.
func loadDocument(ctx context.Context, file string, w io.Writer) (*asyncapi.Document, error) {
	doc, err := asyncapi.Load(ctx, file, asyncapi.Config{})
	if err == nil {
		return doc, nil
	}
	var inv *asyncapi.InvalidError
	if errors.As(err, &inv) {
		for _, f := range inv.Findings {
			if f.Severity == asyncapi.SeverityError {
				fmt.Fprintln(w, f.String())
			}
		}
		return nil, &exitError{exitInvalid, fmt.Errorf("%s is not a valid AsyncAPI document", file)}
	}
	return nil, &exitError{exitInvalid, err}
}

// recordPrinter prints one line per mock record:
//
//	15:04:05.000 / receive "add user" ["alice"] sid=Xy1
func recordPrinter(w io.Writer) func(mock.Record) {
	var mu sync.Mutex
	return func(r mock.Record) {
		var b strings.Builder
		b.WriteString(r.Time.Format("15:04:05.000"))
		b.WriteByte(' ')
		b.WriteString(r.Namespace)
		b.WriteByte(' ')
		b.WriteString(r.Kind.String())
		if r.Event != "" {
			b.WriteString(" " + strconv.Quote(r.Event))
		}
		switch {
		case r.Kind == mock.RecordDisconnect && len(r.Args) == 1:
			fmt.Fprintf(&b, " (%v)", r.Args[0])
		case r.Kind == mock.RecordConnect:
		case r.Err == nil:
			args := r.Args
			if args == nil {
				args = []any{}
			}
			if j, err := json.Marshal(args); err == nil {
				b.WriteByte(' ')
				b.Write(j)
			}
		}
		if r.Socket != "" {
			b.WriteString(" sid=" + string(r.Socket))
		}
		if r.Err != nil {
			b.WriteString(": " + r.Err.Error())
		}
		b.WriteByte('\n')
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(w, b.String())
	}
}
