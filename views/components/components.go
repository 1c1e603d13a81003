// Package components holds small templ components shared by pages.
package components

import (
	"strings"

	"github.com/riskreg/riskreg/app/risk"
)

// LevelClass returns the class that colours a badge for a level colour;
// /levels.css defines one such class for every colour of every register.
func LevelClass(color string) string {
	return "lvl-" + strings.ToLower(strings.TrimPrefix(color, "#"))
}

// StatusClass maps a risk status to whole Tailwind class names.
func StatusClass(status string) string {
	switch status {
	case risk.StatusOpen:
		return "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100"
	case risk.StatusPending:
		return "bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100"
	case risk.StatusClosed:
		return "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100"
	default:
		return "bg-stone-200 text-stone-700 dark:bg-stone-700 dark:text-stone-200"
	}
}

// FieldError is the id of the error message of a form field, for
// aria-describedby.
func FieldError(field string) string { return "err-" + field }
