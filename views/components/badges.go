package components

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"github.com/riskreg/riskreg/app/risk"
)

// The badges are written by hand rather than in templ: a register page
// shows six per risk (table and phone cards), and templ builds two maps for
// every computed class attribute and a fmt.Sprint for every expression —
// together half of a page's allocations (BenchmarkResults in views/risks).

const notAssessedBadge = `<span class="badge bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300" title="Not assessed" data-testid="level">—</span>`

// LevelBadge shows a risk level as a coloured pill with its name (never
// colour alone); unassessed shows a neutral dash.
func LevelBadge(lv risk.Level, ok bool) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if !ok {
			_, err := io.WriteString(w, notAssessedBadge)
			return err
		}
		return writeStrings(w, `<span class="badge `, templ.EscapeString(LevelClass(lv.Color)), `" data-testid="level">`,
			templ.EscapeString(lv.Name), `</span>`)
	})
}

// StatusBadge shows a status.
func StatusBadge(status string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		return writeStrings(w, `<span class="badge `, StatusClass(status), `">`,
			templ.EscapeString(risk.Statuses.Label(status)), `</span>`)
	})
}

func writeStrings(w io.Writer, parts ...string) error {
	for _, p := range parts {
		if _, err := io.WriteString(w, p); err != nil {
			return err
		}
	}
	return nil
}
