package components

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/riskreg/riskreg/app/risk"
)

func renderString(t *testing.T, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The hand-written badges escape what a register's owner typed (a level's
// name and colour) as templ would.
func TestBadgesEscape(t *testing.T) {
	got := renderString(t, LevelBadge(risk.Level{Name: `<img src=x onerror=alert(1)>`, Color: `#ABC" onmouseover="x`}, true))
	want := `<span class="badge lvl-abc&#34; onmouseover=&#34;x" data-testid="level">&lt;img src=x onerror=alert(1)&gt;</span>`
	if got != want {
		t.Errorf("level badge:\n got %s\nwant %s", got, want)
	}
	if got := renderString(t, LevelBadge(risk.Level{}, false)); !strings.Contains(got, `title="Not assessed"`) || !strings.Contains(got, "—") {
		t.Errorf("unassessed badge: %s", got)
	}
	if got := renderString(t, StatusBadge(risk.StatusPending)); got != `<span class="badge `+StatusClass(risk.StatusPending)+`">Pending</span>` {
		t.Errorf("status badge: %s", got)
	}
}
