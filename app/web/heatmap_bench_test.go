package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/seed"
	"github.com/riskreg/riskreg/app/web"
	"github.com/riskreg/riskreg/app/wire"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// bench100k serves the demo organization with 100,000 generated risks
// (riskreg seed --risks 100000) on a real listener and returns a signed-in
// HTTP client and the base URL.
func bench100k(b *testing.B) (*http.Client, string) {
	b.Helper()
	bdb, name := dbtest.NewDB(b)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Load(func(k string) string {
		switch k {
		case "BASE_URL":
			return base
		case "SESSION_SECRET":
			return "bench-secret-bench-secret-bench-secret-0"
		case "DATA_DIR":
			return b.TempDir()
		}
		return ""
	})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := wire.Server(cfg, bdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	app := web.New(srv)
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })

	ctx := context.Background()
	s := &seed.Seeder{Accounts: srv.Accounts, Risks: srv.Risks}
	if _, err := s.Demo(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err = s.ManyRisks(ctx, 100_000, func(ctx context.Context, reg *risk.Register, id, name string, n int) error {
		return db.BulkInsertRisks(ctx, bdb, reg, id, name, n)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := dbtest.OwnerDB(b, name).ExecContext(ctx, "ANALYZE risks"); err != nil { // only the owner may
		b.Fatal(err)
	}
	b.Logf("seeded 100,000 risks in %s", time.Since(start).Round(time.Millisecond))

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	res, err := c.Get(base + "/login")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on /login")
	}
	res, err = c.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {seed.DemoEmail()}, "password": {seed.DemoPassword}})
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("login: %v %v", err, res)
	}
	res.Body.Close()
	return c, base
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
