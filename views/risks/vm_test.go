package risks

import (
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

// TestRangeSaysAboutForEstimatedTotals: an estimated total (a filtered
// list of more than 10,000 risks) reads "of about", an exact one does not.
func TestRangeSaysAboutForEstimatedTotals(t *testing.T) {
	rs := make([]*risk.Risk, 50)
	q := risk.ListQuery{Page: 3, PerPage: 50}
	exact := RegisterVM{Query: q, Page: risk.Page{Risks: rs, Total: 213}}
	if got := exact.Range(); got != "101–150 of 213 risks" {
		t.Errorf("exact: %q", got)
	}
	est := RegisterVM{Query: q, Page: risk.Page{Risks: rs, Total: 24312, Estimated: true}}
	if got := est.Range(); got != "101–150 of about 24312 risks" {
		t.Errorf("estimated: %q", got)
	}
}
