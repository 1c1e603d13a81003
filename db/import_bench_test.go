package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/csvio"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

// benchImportFile returns an import file of n rows for an organization
// whose risks RSK-00001…RSK-(n/2) exist at version 1: the first half
// updates them (with their version), the second half creates risks; every
// row is assigned to one of emails.
func benchImportFile(n int, emails []string) string {
	var b strings.Builder
	b.WriteString("identifier,title,description,category,department,status,probability,impact,residual_probability,residual_impact,assignee_email,due_date,tags,version\r\n")
	for i := range n {
		ident, version := "", ""
		if i < n/2 {
			ident, version = risk.FormatIdentifier(int64(i+1)), "1"
		}
		fmt.Fprintf(&b, "%s,Imported risk %d,Described in the file,technology,it,open,%d,High,2,3,%s,2027-0%d-1%d,imported;batch,%s\r\n",
			ident, i, 1+i%10, emails[i%len(emails)], 1+i%9, i%10, version)
	}
	return b.String()
}

// BenchmarkImport10000Rows previews and commits a 10,000-row file (5,000
// updates with their version, 5,000 creates, five assignees) the way the
// web handlers do: read, plan; read, commit. It reports rows per second
// and allocations; it asserts no time.
func BenchmarkImport10000Rows(b *testing.B) {
	const rows = 10_000
	f := newFixture(b)
	im := &risk.Importer{Risks: f.Risks, Members: f.Accounts}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		name := fmt.Sprintf("Bench %d", i)
		tn := f.tenant(b, name)
		var emails []string
		for j := range 5 {
			email := fmt.Sprintf("member%d.%d@bench.example", j, i)
			if _, _, err := f.Accounts.CreateUser(ctx, account.NewUserInput{Organization: name, Name: fmt.Sprintf("Member %d", j),
				Email: email, Password: "long enough password", Role: account.RoleEditor}); err != nil {
				b.Fatal(err)
			}
			emails = append(emails, email)
		}
		reg, err := f.Risks.Registers.DefaultRegister(ctx, tn.OrgID)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.BulkInsertRisks(ctx, f.DB, reg, tn.Actor.MemberID, tn.Actor.Name, rows/2); err != nil {
			b.Fatal(err)
		}
		file := benchImportFile(rows, emails)
		b.StartTimer()

		read, err := csvio.Read(strings.NewReader(file))
		if err != nil {
			b.Fatal(err)
		}
		plan, err := im.PlanImport(ctx, tn.OrgID, read)
		if err != nil || plan.Invalid > 0 {
			b.Fatalf("plan: %v, %d invalid: %v", err, plan.Invalid, rowErrors(plan))
		}
		read, err = csvio.Read(strings.NewReader(file))
		if err != nil {
			b.Fatal(err)
		}
		plan, err = im.Commit(ctx, tn.OrgID, tn.Actor, read)
		if err != nil || plan.Created != rows/2 || plan.Updated != rows/2 {
			b.Fatalf("commit: %v, %d created, %d updated", err, plan.Created, plan.Updated)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
