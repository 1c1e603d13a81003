package risks

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

// BenchmarkResults renders a register page's results — fifty risks in the
// default columns, as a writer sees them (the bulk checkboxes), table and
// phone cards — which is most of the register's Go time per request.
func BenchmarkResults(b *testing.B) {
	reg := &risk.Register{ID: "reg_1", Name: "Enterprise", IsDefault: true, Matrix: risk.DefaultMatrix()}
	due := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs := make([]*risk.Risk, 50)
	for i := range rs {
		rs[i] = &risk.Risk{ID: fmt.Sprintf("rsk_%d", i), RegisterID: reg.ID, Number: int64(i + 1), Title: fmt.Sprintf("Vendor outage %d", i),
			Category: "technology", Department: "it", Status: "open", Probability: 1 + i%10, Impact: 1 + (i*3)%10,
			ResidualProbability: 1 + i%5, ResidualImpact: 1 + i%7, DueDate: &due, Version: 3}
		rs[i].InherentLevel = reg.Matrix.LevelIndexOf(rs[i].Probability, rs[i].Impact)
		rs[i].ResidualLevel = reg.Matrix.LevelIndexOf(rs[i].ResidualProbability, rs[i].ResidualImpact)
	}
	vm := RegisterVM{Query: risk.ListQuery{Sort: risk.DefaultSort, Desc: true, Page: 1, PerPage: 50},
		Page: risk.Page{Risks: rs, Total: 100000}, Register: reg, Registers: map[string]*risk.Register{reg.ID: reg},
		CanWrite: true, Today: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Columns: risk.DefaultColumns,
		Bulk: BulkVM{Enabled: true, CSRF: "token", Registers: []*risk.Register{reg}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := Results(&vm).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
