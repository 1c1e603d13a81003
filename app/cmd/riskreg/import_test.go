package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/db/dbtest"
)

func TestImportCommand(t *testing.T) {
	bdb, name := dbtest.NewDB(t)
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	ctx := context.Background()
	if _, err := runCLI(t, "user", "create", "--email", "zoe@acme.example", "--name", "Zoe", "--password", "long enough password", "--org", "Acme Corp"); err != nil {
		t.Fatal(err)
	}
	count := func(table string) int {
		var n int
		if err := bdb.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "title,description,category,probability,impact,assignee_email\nServer outage,Disk fails,technology,High,3,zoe@acme.example\nStaff turnover,People leave,people,,,\n")
	bad := write("bad.csv", "title,description,category\nOk,D,technology\nBad,D,weather\n")

	out, err := runCLI(t, "import", "--org", "acme-corp", "--dry-run", good)
	if err != nil || !strings.Contains(out, "row 2: created new \"Server outage\"") || !strings.Contains(out, "2 created, 0 updated") || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if n := count("risks"); n != 0 {
		t.Fatalf("dry run wrote %d risks", n)
	}

	out, err = runCLI(t, "import", "--org", "acme-corp", bad)
	if err == nil || !strings.Contains(out, "row 3: error") || !strings.Contains(out, "category: Category must be one of Customer,") || err.Error() != "1 row has errors; nothing was imported" {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "import", "--org", "acme-corp", "--dry-run", bad); err == nil {
		t.Error("dry run of a bad file succeeded")
	}
	if n := count("risks"); n != 0 {
		t.Fatalf("bad file wrote %d risks", n)
	}

	out, err = runCLI(t, "import", "--org", "acme-corp", good)
	if err != nil || !strings.Contains(out, "2 created") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if n, ev := count("risks"), count("events WHERE entity_type = 'risk'"); n != 2 || ev != 2 {
		t.Errorf("%d risks, %d events; want 2, 2", n, ev)
	}
	var p int
	if err := bdb.QueryRowContext(ctx, "SELECT probability FROM risks WHERE title = 'Server outage'").Scan(&p); err != nil || p != 8 {
		t.Errorf("probability %d (%v), want 8 (High)", p, err)
	}

	// An update lists its changes in labels.
	update := write("update.csv", "identifier,title,description,category\nRSK-00001,Server outage,Disk fails,Operations\n")
	if out, err := runCLI(t, "import", "--org", "acme-corp", "--dry-run", update); err != nil || !strings.Contains(out, "  Category: Technology → Operations\n") {
		t.Errorf("update dry run: %v\n%s", err, out)
	}

	if _, err := runCLI(t, "import", "--org", "acme-corp", write("enc.csv", "\xff\xfet\x00")); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("UTF-16 file: %v", err)
	}
	if _, err := runCLI(t, "import", good); err == nil || !strings.Contains(err.Error(), "--org") {
		t.Errorf("missing --org: %v", err)
	}
	if help, _ := runCLI(t, "help"); !strings.Contains(help, "riskreg import --org") {
		t.Errorf("usage does not list import:\n%s", help)
	}
}
