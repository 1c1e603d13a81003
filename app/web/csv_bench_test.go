package web_test

import (
	"bufio"
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
)

// BenchmarkExport100k exports 100,000 risks through the API over a real
// loopback connection and reports the rows per second and the peak heap
// above the baseline before the request (sampled every 5 ms).
func BenchmarkExport100k(b *testing.B) {
	const n = 100_000
	e := newEnv(b)
	bdb, srv, base := e.DB, e.Server, e.URL

	ctx := context.Background()
	_, org, err := srv.Accounts.CreateUser(ctx, account.NewUserInput{Organization: "Bench Org", Name: "Bench", Email: "bench@bench.test", Password: testPassword, Role: account.RoleOwner})
	if err != nil {
		b.Fatal(err)
	}
	reg, err := srv.Risks.Registers.DefaultRegister(ctx, org.ID)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bdb.ExecContext(ctx, `INSERT INTO risks (organization_id, id, register_id, number, title, description, category,
		probability, impact, residual_probability, residual_impact, inherent_level, residual_level, tags)
		SELECT ?, 'rsk_bench_' || g, ?, g, 'Risk number ' || g || ' about servers', 'A description of risk ' || g || ', with a comma and "quotes".',
		'technology', 1 + g % 10, 1 + (g * 7) % 10, 1 + g % 5, 1 + g % 3, g % 4, g % 3, ARRAY['bench', 'tag' || (g % 10)]
		FROM generate_series(1, ?) AS g`, org.ID, reg.ID, n); err != nil {
		b.Fatal(err)
	}
	members, err := srv.Accounts.Members(ctx, org.ID)
	if err != nil || len(members) == 0 {
		b.Fatal(err)
	}
	_, secret, err := srv.APIKeys.Create(ctx, org.ID, audit.Actor{MemberID: members[0].ID, Name: "bench"}, apikey.CreateInput{Name: "bench", Scopes: []string{apikey.ScopeRead}})
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	for range b.N {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		baseline := ms.HeapAlloc
		var peak atomic.Uint64
		done := make(chan struct{})
		go func() {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					if m.HeapAlloc > peak.Load() {
						peak.Store(m.HeapAlloc)
					}
				}
			}
		}()
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/risks/export.csv?sort=identifier", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		ttfb := time.Since(start)
		sc := bufio.NewScanner(res.Body)
		lines, size := 0, 0
		for sc.Scan() {
			lines++
			size += len(sc.Bytes()) + 2
		}
		res.Body.Close()
		elapsed := time.Since(start)
		close(done)
		if lines != n+1 {
			b.Fatalf("exported %d lines, want %d (status %d)", lines, n+1, res.StatusCode)
		}
		p := peak.Load()
		if p < baseline {
			p = baseline
		}
		b.ReportMetric(float64(elapsed.Milliseconds()), "ms/export")
		b.ReportMetric(float64(ttfb.Milliseconds()), "ms-ttfb")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(float64(size)/1e6, "MB-csv")
		b.ReportMetric(float64(p-baseline)/(1<<20), "MiB-peak-heap")
	}
}
