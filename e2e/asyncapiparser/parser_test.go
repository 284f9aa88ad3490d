package asyncapiparser_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockspec/sockspec/asyncapi"
	"github.com/sockspec/sockspec/internal/testenv"
)

const corpus = "../../testdata/asyncapi"

// disagreements lists the corpus documents the official parser (3.6.0)
// accepts and sockspec rejects, each with the reason sockspec is right. The
// test fails if an entry stops disagreeing, so the list stays true.
var disagreements = map[string]string{
	"binding-query-nested-3.0.yaml":      "sockspec rule: a Socket.IO handshake query carries text values; the parser does not look inside ws binding schemas",
	"binding-query-not-object-2.6.yaml":  "sockspec rule: the ws binding query must be an object schema (one property per parameter); the parser accepts any schema",
	"duplicate-event-2.6.yaml":           "sockspec rule: Socket.IO dispatches by event name, so two messages of one namespace and direction cannot share a name; AsyncAPI itself allows it",
	"invalid-example-3.0.yaml":           "AsyncAPI 3.0 Message Example Object: the payload MUST validate against the message payload; parser 3.6 checks examples for 2.x only (asyncapi2-message-examples has no 3.x counterpart)",
	"invalid-x-ack-2.6.yaml":             "x-ack is an extension (Asynction/sio-asyncapi) that the parser does not interpret; sockspec requires it to be a schema",
	"nan-number-2.6.yaml":                "YAML .nan has no JSON representation; the parser (js-yaml) accepts NaN inside the document",
	"reply-channel-mismatch-3.0.yaml":    "sockspec rule: a Socket.IO ack travels back in the namespace of its event, so a reply on another channel address cannot be served",
	"scopes-on-apikey-2.6.yaml":          "AsyncAPI 2.6 Security Requirement Object: for schemes other than oauth2 and openIdConnect the scope list MUST be empty; the parser does not check it",
	"server-variable-undefined-2.6.yaml": "the parser's own asyncapi2-server-variables rule (\"Server variables must be defined\") does not fire for this url in 3.6.0",
	"unknown-dialect-3.0.yaml":           "a schema whose $schema names an unknown dialect cannot be compiled; the parser ignores $schema",
}

// parserNeverReturns lists documents on which @asyncapi/parser 3.6.0 loops
// forever (it is not run on them); sockspec reports each as invalid.
var parserNeverReturns = map[string]string{
	"ref-cycle-2.6.yaml": "a $ref cycle between two messages (A -> B -> A) makes the parser's resolver spin",
}

type parserResult struct {
	File   string `json:"file"`
	Valid  bool   `json:"valid"`
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Path    string `json:"path"`
		Line    int    `json:"line"`
		Col     int    `json:"col"`
	} `json:"errors"`
}

func TestAgreesWithOfficialParser(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "node is not installed (scripts/test.sh installs it)")
	}
	if _, err := os.Stat("../node_modules/@asyncapi/parser/package.json"); err != nil {
		testenv.Missing(t, "e2e/node_modules lacks @asyncapi/parser (run npm ci in e2e/)")
	}
	ctx := context.Background()
	var files []string
	for _, pat := range []string{"valid/*.yaml", "valid/*.json", "invalid/*.yaml"} {
		m, _ := filepath.Glob(filepath.Join(corpus, pat))
		for _, f := range m {
			if _, skip := parserNeverReturns[filepath.Base(f)]; !skip {
				files = append(files, f)
			}
		}
	}
	// every convert output (YAML and JSON) of every valid 2.x document; the
	// external/ folder is copied so relative references still resolve
	tmp := t.TempDir()
	copyDir(t, filepath.Join(corpus, "valid", "external"), filepath.Join(tmp, "external"))
	converted := 0
	valid, _ := filepath.Glob(filepath.Join(corpus, "valid", "*.yaml"))
	for _, f := range valid {
		doc, err := asyncapi.Load(ctx, f, asyncapi.Config{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.HasPrefix(doc.Version, "2.") {
			continue
		}
		for _, format := range []string{"yaml", "json"} {
			out, err := asyncapi.Convert(doc, asyncapi.ConvertOptions{To: "3.0", Format: format})
			if err != nil {
				t.Fatalf("convert %s: %v", f, err)
			}
			name := filepath.Join(tmp, strings.TrimSuffix(filepath.Base(f), ".yaml")+".converted."+format)
			if err := os.WriteFile(name, out, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
			converted++
		}
	}
	if converted < 4 {
		t.Fatalf("only %d converted documents", converted)
	}

	// one node process for every file: the parser takes seconds to start
	runCtx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(runCtx, node, append([]string{"parse.js"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node parse.js: %v\n%s", err, stderr.String())
	}
	results := map[string]parserResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r parserResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("parse.js output %q: %v", sc.Text(), err)
		}
		results[r.File] = r
	}
	if len(results) != len(files) {
		t.Fatalf("parser answered for %d of %d files", len(results), len(files))
	}
	for _, f := range files {
		base := filepath.Base(f)
		theirs := results[f]
		_, ourErr := asyncapi.Load(ctx, f, asyncapi.Config{})
		var inv *asyncapi.InvalidError
		if ourErr != nil && !errors.As(ourErr, &inv) {
			t.Errorf("%s: %v", base, ourErr)
			continue
		}
		ours := ourErr == nil
		reason, allowed := disagreements[base]
		switch {
		case ours == theirs.Valid && allowed:
			t.Errorf("%s: listed as a disagreement (%s) but both say valid=%t", base, reason, ours)
		case ours != theirs.Valid && !allowed:
			t.Errorf("%s: sockspec valid=%t, @asyncapi/parser valid=%t\n  ours: %v\n  theirs: %+v", base, ours, theirs.Valid, ourErr, theirs.Errors)
		case ours != theirs.Valid:
			t.Logf("%s: known disagreement: %s", base, reason)
		}
		if !ours && !theirs.Valid {
			// the floor: some line the parser flags is flagged by sockspec too
			lines := map[int]bool{}
			for _, fi := range inv.Findings {
				if fi.Severity == asyncapi.SeverityError {
					lines[fi.Line] = true
				}
			}
			shared := false
			for _, e := range theirs.Errors {
				shared = shared || lines[e.Line]
			}
			if !shared {
				t.Errorf("%s: no error line in common\n  ours: %v\n  theirs: %+v", base, ourErr, theirs.Errors)
			}
		}
	}
	for base := range parserNeverReturns {
		if _, err := asyncapi.Load(ctx, filepath.Join(corpus, "invalid", base), asyncapi.Config{}); err == nil {
			t.Errorf("%s: sockspec accepts it", base)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
