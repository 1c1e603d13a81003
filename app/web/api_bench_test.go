package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/seed"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// countHook counts the statements the app sends.
type countHook struct{ n atomic.Int64 }

func (h *countHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (h *countHook) AfterQuery(context.Context, *bun.QueryEvent)                        { h.n.Add(1) }

// BenchmarkAPIRiskDetail is make bench's single-risk API row in process:
// GET /api/v1/risks/RSK-00042 with a Bearer key over a real loopback
// connection, the demo organization plus 300 generated risks, RSK-00042
// with a treatment and three tasks. It reports the statements per request.
func BenchmarkAPIRiskDetail(b *testing.B) {
	bdb, dbName := dbtest.NewDB(b)
	hook := &countHook{}
	e := serveEnv(b, bdb.WithQueryHook(hook), dbName)

	ctx := context.Background()
	s := &seed.Seeder{Accounts: e.Server.Accounts, Risks: e.Server.Risks}
	if _, err := s.Demo(ctx); err != nil {
		b.Fatal(err)
	}
	err := s.ManyRisks(ctx, 300, func(ctx context.Context, reg *risk.Register, id, name string, n int) error {
		return db.BulkInsertRisks(ctx, e.DB, reg, id, name, n)
	})
	if err != nil {
		b.Fatal(err)
	}
	demo, err := e.Server.Accounts.FindOrganization(ctx, seed.DemoSlug)
	if err != nil {
		b.Fatal(err)
	}
	ms, err := e.Server.Accounts.Members(ctx, demo.ID)
	if err != nil || len(ms) < 2 {
		b.Fatal("demo members:", err)
	}
	actor := audit.Actor{MemberID: ms[0].ID, Name: ms[0].Name}
	r, err := e.Server.Risks.Get(ctx, demo.ID, "RSK-00042")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Server.Risks.SetTreatment(ctx, demo.ID, actor, r.ID, risk.TreatmentInput{Type: "mitigate", Description: "Quarterly reviews with the vendor."}); err != nil {
		b.Fatal(err)
	}
	for _, title := range []string{"Second supplier", "Exit plan", "Contract review"} {
		if _, err := e.Server.Risks.AddTask(ctx, demo.ID, actor, r.ID, risk.TaskInput{Title: title, AssigneeID: ms[1].ID}); err != nil {
			b.Fatal(err)
		}
	}
	_, key, err := e.Server.APIKeys.Create(ctx, demo.ID, actor, apikey.CreateInput{Name: "bench", Scopes: []string{apikey.ScopeRead}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := dbtest.OwnerDB(b, e.dbName).ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}

	c := &http.Client{}
	get := func() {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/risks/RSK-00042", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"identifier":"RSK-00042"`) {
			b.Fatalf("GET RSK-00042: %d %s", res.StatusCode, body)
		}
	}
	get() // the key's first use writes last_used_at; later ones within the minute do not
	b.ReportAllocs()
	hook.n.Store(0)
	cpu0 := processCPU()
	n := 0
	for b.Loop() {
		get()
		n++
	}
	// The process's CPU is the app's and the client's, not PostgreSQL's.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(hook.n.Load())/float64(n), "stmts/op")
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
