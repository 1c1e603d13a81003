package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/seed"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// bench100k serves the demo organization with 100,000 generated risks
// (riskreg seed --risks 100000) on a real listener and returns a signed-in
// HTTP client and the base URL.
func bench100k(b *testing.B) (*http.Client, string) {
	b.Helper()
	e := newEnv(b)

	ctx := context.Background()
	s := &seed.Seeder{Accounts: e.Server.Accounts, Risks: e.Server.Risks}
	if _, err := s.Demo(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err := s.ManyRisks(ctx, 100_000, func(ctx context.Context, reg *risk.Register, id, name string, n int) error {
		return db.BulkInsertRisks(ctx, e.DB, reg, id, name, n)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := dbtest.OwnerDB(b, e.dbName).ExecContext(ctx, "ANALYZE risks"); err != nil { // only the owner may
		b.Fatal(err)
	}
	b.Logf("seeded 100,000 risks in %s", time.Since(start).Round(time.Millisecond))

	c := e.login(seed.DemoEmail(), seed.DemoPassword).http
	c.Timeout = time.Minute
	return c, e.URL
}

func benchGet(b *testing.B, c *http.Client, url, want string) {
	b.Helper()
	for b.Loop() {
		res, err := c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			b.Fatalf("GET %s: %d", url, res.StatusCode)
		}
	}
}

// BenchmarkHeatmap100k renders /heatmap (and a drill-down) over 100,000 risks.
func BenchmarkHeatmap100k(b *testing.B) {
	c, base := bench100k(b)
	b.Run("matrix", func(b *testing.B) { benchGet(b, c, base+"/heatmap", `data-testid="heatmap"`) })
	b.Run("residual+filter", func(b *testing.B) {
		benchGet(b, c, base+"/heatmap?kind=residual&category=technology", `data-testid="heatmap"`)
	})
	b.Run("drilldown", func(b *testing.B) { benchGet(b, c, base+"/heatmap?cell=4-4", `data-testid="cell-risks"`) })
	b.Run("movement", func(b *testing.B) { benchGet(b, c, base+"/heatmap?view=movement", `data-testid="movement"`) })
}

// BenchmarkRegister100k renders /risks over 100,000 risks.
func BenchmarkRegister100k(b *testing.B) {
	c, base := bench100k(b)
	b.Run("page1", func(b *testing.B) { benchGet(b, c, base+"/risks", `data-testid="risk-table"`) })
	b.Run("sort-residual", func(b *testing.B) { benchGet(b, c, base+"/risks?sort=-residual", `data-testid="risk-table"`) })
	b.Run("search", func(b *testing.B) { benchGet(b, c, base+"/risks?q=ransomware", `data-testid="risk-table"`) })
	b.Run("cell", func(b *testing.B) { benchGet(b, c, base+"/risks?prob=9-10&impact=9-10", `data-testid="risk-table"`) })
}
