package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const corpus = "../../testdata/asyncapi"

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateExitCodes(t *testing.T) {
	valid := filepath.Join(corpus, "valid", "chat-2.2.yaml")
	invalid := filepath.Join(corpus, "invalid", "dangling-ref-2.6.yaml")
	code, out, _ := runCLI(t, "validate", valid)
	if code != 0 || !strings.Contains(out, "valid AsyncAPI 2.2.0 document") {
		t.Errorf("valid: code %d out %q", code, out)
	}
	code, out, _ = runCLI(t, "validate", valid, invalid)
	want := invalid + `:9:15: error: $ref "#/components/messages/Nope" points to nothing: this document has no value at #/components/messages/Nope (#/channels/~1/publish/message/$ref)`
	if code != 1 || !strings.Contains(out, want) {
		t.Errorf("invalid: code %d out %q\nwant line %q", code, out, want)
	}
	if code, _, errOut := runCLI(t, "validate"); code != 2 || errOut == "" {
		t.Errorf("no args: code %d", code)
	}
	if code, _, _ := runCLI(t, "validate", "--format", "xml", valid); code != 2 {
		t.Errorf("bad format: code %d", code)
	}
	if code, _, _ := runCLI(t, "validate", "--nope", valid); code != 2 {
		t.Errorf("unknown flag: code %d", code)
	}
	if code, _, _ := runCLI(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: code %d", code)
	}
	if code, out, _ := runCLI(t, "validate", filepath.Join(t.TempDir(), "missing.yaml")); code != 1 || !strings.Contains(out, "no such file") {
		t.Errorf("missing file: code %d out %q", code, out)
	}
}

func TestValidateJSON(t *testing.T) {
	invalid := filepath.Join(corpus, "invalid", "duplicate-key.yaml")
	code, out, _ := runCLI(t, "validate", "--format", "json", invalid, filepath.Join(corpus, "valid", "chat-3.0.yaml"))
	if code != 1 {
		t.Fatalf("code %d", code)
	}
	var res []struct {
		File     string `json:"file"`
		Valid    bool   `json:"valid"`
		Version  string `json:"asyncapi"`
		Findings []struct {
			Severity string `json:"severity"`
			Code     string `json:"code"`
			Pointer  string `json:"pointer"`
			Position struct{ Line, Column int }
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res) != 2 || res[0].Valid || !res[1].Valid || res[1].Version != "3.0.0" {
		t.Fatalf("results: %+v", res)
	}
	f := res[0].Findings[0]
	if f.Code != "duplicate-key" || f.Severity != "error" || f.Pointer != "/info/title" || f.Position.Line != 5 || f.Position.Column != 3 {
		t.Errorf("finding: %+v", f)
	}
}

func TestConvert(t *testing.T) {
	dir := t.TempDir()
	outFile := filepath.Join(dir, "chat-3.0.yaml")
	code, _, errOut := runCLI(t, "convert", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--to", "3.0", "-o", outFile)
	if code != 0 {
		t.Fatalf("convert: %d %s", code, errOut)
	}
	if code, out, _ := runCLI(t, "validate", outFile); code != 0 {
		t.Errorf("converted file invalid: %s", out)
	}
	code, out, _ := runCLI(t, "convert", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--format", "json")
	if code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"asyncapi": "3.0.0"`) {
		t.Errorf("json convert: %d %.200s", code, out)
	}
	if code, _, _ := runCLI(t, "convert", filepath.Join(corpus, "valid", "chat-2.2.yaml"), "--to", "2.6"); code != 2 {
		t.Errorf("--to 2.6: code %d", code)
	}
	if code, _, _ := runCLI(t, "convert", filepath.Join(corpus, "invalid", "dangling-ref-2.6.yaml")); code != 1 {
		t.Errorf("invalid input: code %d", code)
	}
	if code, _, _ := runCLI(t, "convert", filepath.Join(corpus, "valid", "chat-3.0.yaml")); code != 1 {
		t.Errorf("3.0 input: code %d", code)
	}
	if code, _, _ := runCLI(t, "convert"); code != 2 {
		t.Errorf("no args: code %d", code)
	}
}

// TestBinary builds the real binary once and runs it as a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sockspec")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	cmd := exec.Command(bin, "validate", filepath.Join(corpus, "invalid", "asynction-readme-2.3.yaml"))
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v", err)
	}
	if !strings.Contains(string(out), "asynction-readme-2.3.yaml:26:13: error: oneOf item 0 is the string") {
		t.Errorf("output: %s", out)
	}
	out, err = exec.Command(bin, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "validate") || !strings.Contains(string(out), "convert") {
		t.Errorf("help: %v %s", err, out)
	}
}
