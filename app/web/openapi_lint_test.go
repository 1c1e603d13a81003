package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestOpenAPILint lints the OpenAPI document with Redocly CLI (the
// recommended ruleset) and Spectral (spectral:oas), both pinned in
// package-lock.json and installed by `make deps-node`. The rules each
// config turns off are justified in app/web/openapi/redocly.yaml and
// spectral.yaml; any other error or warning fails. Without the linters
// the test skips locally and fails under CI=true.
func TestOpenAPILint(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := func(name string) string { return filepath.Join(root, "node_modules", ".bin", name) }
	for _, name := range []string{"redocly", "spectral"} {
		_, statErr := os.Stat(bin(name))
		_, nodeErr := exec.LookPath("node")
		if statErr == nil && nodeErr == nil {
			continue
		}
		msg := fmt.Sprintf("the OpenAPI linter %s is not installed (node_modules/.bin/%s, node on PATH): run `make deps-node`", name, name)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	doc := filepath.Join(root, "app", "web", "openapi", "openapi.json")
	run := func(name string, args ...string) ([]byte, error) {
		cmd := exec.Command(bin(name), args...)
		cmd.Dir = root
		// No usage reports or update checks from a test run.
		cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "SCARF_ANALYTICS=false")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil && len(out) == 0 {
			return nil, fmt.Errorf("%s: %v\n%s", name, err, stderr.String())
		}
		return out, nil
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // Redocly: its JSON report counts errors and warnings
		defer wg.Done()
		out, err := run("redocly", "lint", "--config", filepath.Join(root, "app/web/openapi/redocly.yaml"), "--format=json", doc)
		if err != nil {
			t.Error(err)
			return
		}
		var rep struct {
			Totals   struct{ Errors, Warnings int }
			Problems []struct {
				RuleID   string `json:"ruleId"`
				Severity string
				Message  string
				Location []struct {
					Pointer string
				}
			}
		}
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Errorf("redocly: unreadable report: %v\n%s", err, out)
			return
		}
		for _, p := range rep.Problems {
			where := ""
			if len(p.Location) > 0 {
				where = p.Location[0].Pointer
			}
			t.Errorf("redocly %s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
		}
		if rep.Totals.Errors+rep.Totals.Warnings != len(rep.Problems) {
			t.Errorf("redocly: totals %+v, problems %d", rep.Totals, len(rep.Problems))
		}
	}()
	go func() { // Spectral: a JSON array of results, severity 0 error … 3 hint
		defer wg.Done()
		out, err := run("spectral", "lint", "--ruleset", filepath.Join(root, "app/web/openapi/spectral.yaml"), "--format", "json", doc)
		if err != nil {
			t.Error(err)
			return
		}
		// Spectral follows the JSON with a "No results…" line when all is well.
		if !strings.HasPrefix(strings.TrimSpace(string(out)), "[") {
			t.Errorf("spectral: no JSON report: %s", out)
			return
		}
		var results []struct {
			Code     string
			Message  string
			Severity int
			Path     []any
		}
		if err := json.NewDecoder(bytes.NewReader(out)).Decode(&results); err != nil {
			t.Errorf("spectral: unreadable report: %v\n%s", err, out)
			return
		}
		for _, r := range results {
			if r.Severity <= 1 { // errors and warnings; info and hints are advice
				t.Errorf("spectral severity %d %s at %v: %s", r.Severity, r.Code, r.Path, r.Message)
			}
		}
	}()
	wg.Wait()
}
