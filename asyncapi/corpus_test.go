package asyncapi_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockspec/sockspec/asyncapi"
)

const corpus = "../testdata/asyncapi"

func load(t *testing.T, path string) *asyncapi.Document {
	t.Helper()
	doc, err := asyncapi.Load(context.Background(), path, asyncapi.Config{})
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return doc
}

func TestValidCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus, "valid", "*.*"))
	if len(files) < 5 {
		t.Fatalf("only %d valid documents", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc := load(t, f)
			if len(doc.Namespaces) == 0 && !strings.Contains(f, "schema-default") {
				t.Errorf("no namespace in %s", f)
			}
		})
	}
}

// Each broken document and the exact finding (code, position, message) it must produce.
var invalidCorpus = []struct {
	file      string
	code      string
	line, col int
	message   string
}{
	{"asynction-readme-2.3.yaml", "message-ref-string", 26, 13, "oneOf item 0 is the string \"#/components/messages/Metrics\", not a message; sockspec does not guess that it is a reference"},
	{"bad-action-3.0.yaml", "structure", 15, 13, "\"action\": value must be one of 'send', 'receive'"},
	{"binding-query-nested-3.0.yaml", "binding-not-primitive", 15, 13, "ws binding query parameter \"filter\" must be a string, number, integer or boolean schema"},
	{"binding-query-not-object-2.6.yaml", "binding-not-object", 12, 9, "the ws binding query must be a schema of type object (one property per query)"},
	{"channel-query-2.6.yaml", "channel-address-query", 6, 3, "channel address \"/chat?room=1\" contains a query (?) or fragment (#)"},
	{"dangling-external-ref-2.6.yaml", "dangling-ref", 11, 17, "$ref \"missing/schemas.yaml#/User\": cannot read " + filepath.Join(corpus, "invalid", "missing", "schemas.yaml") + ": no such file or directory"},
	{"dangling-ref-2.6.yaml", "dangling-ref", 9, 15, "$ref \"#/components/messages/Nope\" points to nothing: this document has no value at #/components/messages/Nope"},
	{"draft07-tuple-format-2.6.yaml", "invalid-schema", 16, 28, "payload of event \"move\" is not a valid JSON Schema: \"additionalItems\" must be a boolean or object, not a number"},
	{"duplicate-event-2.6.yaml", "duplicate-event", 16, 5, "namespace / has two clientToServer events named \"typing\" (the other is at line 14)"},
	{"duplicate-tag-2.6.yaml", "duplicate-tag", 8, 11, "tag \"chat\" is listed twice (also at index 0)"},
	{"duplicate-key.yaml", "duplicate-key", 5, 3, "key \"title\" appears twice in the same object"},
	{"duplicate-message-id-2.6.yaml", "duplicate-message-id", 13, 20, "messageId \"hello\" is already used at line 9"},
	{"duplicate-message-id-2.6.yaml", "duplicate-message-id", 9, 20, "messageId \"hello\" is used again at line 13"},
	{"duplicate-operation-id-2.6.yaml", "duplicate-operation-id", 13, 20, "operationId \"chat\" is already used at line 8"},
	{"invalid-example-3.0.yaml", "message-example", 18, 25, "example 0 of event \"user joined\" does not match its payload schema: \"numUsers\" must be an integer, not a string"},
	{"invalid-x-ack-2.6.yaml", "invalid-ack", 12, 16, "x-ack must be an object: {args: schema} or a schema"},
	{"kraken-2.0.yaml", "message-example", 122, 20, "example 0 of event \"unsubscribe\" does not match its payload schema: \"event\": value must be 'subscribe'"},
	{"kraken-2.0.yaml", "message-example", 144, 19, "example 0 of event \"subscriptionStatus\" does not match its payload schema: \"pair\" must be an array, not a string"},
	{"missing-asyncapi.yaml", "missing-version", 1, 1, "the document has no \"asyncapi\" field, so it is not an AsyncAPI document"},
	{"missing-info-3.0.yaml", "structure", 1, 1, "the document is missing required field \"info\""},
	{"nan-number-2.6.yaml", "invalid-number", 12, 20, ".nan is not a JSON number"},
	{"not-an-object.yaml", "not-an-object", 1, 1, "an AsyncAPI document must be an object (a YAML mapping or a JSON object)"},
	{"operation-channel-ref-3.0.yaml", "operation-channel-ref", 15, 13, "operation \"sayHello\" must reference a channel under the root channels object (got \"#/components/channels/chat\")"},
	{"operation-message-not-in-channel-3.0.yaml", "operation-message-not-in-channel", 22, 9, "operation \"sayHello\" lists message \"#/channels/admin/messages/metric\", which is not a message of its channel \"chat\""},
	{"ref-cycle-2.6.yaml", "ref-limit", 9, 15, "too many $ref to follow (cycle or limit)"},
	{"reply-channel-mismatch-3.0.yaml", "reply-channel-mismatch", 25, 7, "the reply of operation \"addUser\" is on channel address \"/admin\" but the operation is on \"/\"; a Socket.IO ack always travels back in the operation's namespace"},
	{"scopes-on-apikey-2.6.yaml", "scopes-not-allowed", 10, 9, "scopes are listed for scheme \"key\" of type \"httpApiKey\"; only oauth2 and openIdConnect schemes take scopes"},
	{"server-variable-undefined-2.6.yaml", "server-variable-undefined", 7, 10, "server url uses variable {region}, which is not defined in its variables"},
	{"syntax-error.yaml", "syntax", 5, 2, "cannot parse the document: did not find expected key"},
	{"undefined-security-scheme-2.6.yaml", "undefined-security-scheme", 10, 9, "security requirement names scheme \"token\", which components.securitySchemes does not define"},
	{"unknown-dialect-3.0.yaml", "unsupported-dialect", 12, 20, "payload of event \"hello\": unsupported $schema \"https://example.com/my-dialect\""},
	{"unknown-field-2.6.yaml", "structure", 3, 10, "unknown field \"titel\" in \"info\""},
	{"unknown-version.yaml", "unsupported-version", 1, 11, "AsyncAPI version \"1.2.0\" is not supported: sockspec reads 2.0.0 to 2.6.0 and 3.0.0 to 3.1.0"},
	{"unparseable-schema-2.6.yaml", "invalid-schema", 11, 17, "payload of event \"hello\" is not a valid JSON Schema: \"type\": value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'"},
	{"unsupported-schema-format-2.6.yaml", "unsupported-schema-format", 10, 23, "unsupported schemaFormat \"application/vnd.apache.avro;version=1.9.0\": sockspec reads AsyncAPI and JSON Schema payloads only (not Avro, Protobuf, RAML, OpenAPI...)"},
}

func TestInvalidCorpus(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range invalidCorpus {
		covered[tc.file] = true
		t.Run(tc.file+"/"+tc.code, func(t *testing.T) {
			path := filepath.Join(corpus, "invalid", tc.file)
			_, err := asyncapi.Load(context.Background(), path, asyncapi.Config{})
			var inv *asyncapi.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Load: got %v, want *InvalidError", err)
			}
			for _, f := range inv.Findings {
				if f.Code == tc.code && f.Line == tc.line && f.Column == tc.col && f.Message == tc.message {
					if f.Severity != asyncapi.SeverityError || f.File != path {
						t.Errorf("finding %v: want severity error in %s", f, path)
					}
					return
				}
			}
			for _, f := range inv.Findings {
				t.Logf("have %s %d:%d %q", f.Code, f.Line, f.Column, f.Message)
			}
			t.Errorf("missing finding %s at %d:%d: %q", tc.code, tc.line, tc.col, tc.message)
		})
	}
	files, _ := filepath.Glob(filepath.Join(corpus, "invalid", "*.yaml"))
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no expected finding in invalidCorpus", f)
		}
	}
	if len(covered) < 25 {
		t.Errorf("only %d broken documents", len(covered))
	}
}

func TestInvalidErrorMessage(t *testing.T) {
	_, err := asyncapi.Load(context.Background(), filepath.Join(corpus, "invalid", "dangling-ref-2.6.yaml"), asyncapi.Config{})
	if err == nil || !strings.Contains(err.Error(), "dangling-ref-2.6.yaml:9:15: error: $ref") {
		t.Fatalf("error text: %v", err)
	}
}

func TestReadError(t *testing.T) {
	_, err := asyncapi.Load(context.Background(), filepath.Join(t.TempDir(), "none.yaml"), asyncapi.Config{})
	var inv *asyncapi.InvalidError
	if err == nil || errors.As(err, &inv) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want a not-exist error", err)
	}
}
