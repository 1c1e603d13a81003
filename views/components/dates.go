package components

import "time"

// The one way pages show dates and times: "15 Nov 2026" and
// "15 Nov 2026 14:05 UTC". Machine-readable values (datetime attributes,
// form inputs, CSV, the API) stay ISO 8601.
const (
	dateLayout      = "2 Jan 2006"
	shortDateLayout = "2 Jan"
	dateTimeLayout  = "2 Jan 2006 15:04 UTC"
)

// Date formats a calendar date, e.g. "15 Nov 2026".
func Date(t time.Time) string { return t.Format(dateLayout) }

// DateTime formats an instant in UTC, e.g. "15 Nov 2026 14:05 UTC".
func DateTime(t time.Time) string { return t.UTC().Format(dateTimeLayout) }

// ShortDate formats a date compactly for table cells: "15 Nov" in the
// year of today, "15 Nov 2025" otherwise.
func ShortDate(t, today time.Time) string {
	if t.Year() == today.Year() {
		return t.Format(shortDateLayout)
	}
	return t.Format(dateLayout)
}

// DateText formats a stored ISO date ("2026-11-15", as history values
// keep them) as Date does; any other text is returned as it is.
func DateText(v string) string {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return v
	}
	return Date(t)
}
