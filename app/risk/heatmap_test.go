package risk_test

import (
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

func TestFoldHeatmapAndMovement(t *testing.T) {
	m := risk.DefaultMatrix() // bands 1-2, 3-4, 5-6, 7-8, 9-10
	h := risk.FoldHeatmap(&m, []risk.ValueCount{
		{Probability: 9, Impact: 1, Count: 2}, {Probability: 10, Impact: 2, Count: 3}, // same cell
		{Probability: 0, Impact: 5, Count: 4}, {Probability: 5, Impact: 0, Count: 1}, // unassessed
		{Probability: 5, Impact: 6, Count: 7},
	})
	if h.Counts[4][0] != 5 || h.Counts[2][2] != 7 || h.Unassessed != 5 || h.Total != 17 {
		t.Errorf("heat map %+v", h)
	}
	sum := 0
	for _, row := range h.Counts {
		for _, n := range row {
			sum += n
		}
	}
	if sum+h.Unassessed != h.Total {
		t.Errorf("cells %d + unassessed %d != total %d", sum, h.Unassessed, h.Total)
	}
	mv := risk.FoldMovement(&m, []risk.MoveValueCount{
		{Probability: 9, Impact: 9, ResidualProbability: 3, ResidualImpact: 9, Count: 2},
		{Probability: 10, Impact: 10, ResidualProbability: 4, ResidualImpact: 10, Count: 1},
		{Probability: 10, Impact: 10, ResidualProbability: 0, ResidualImpact: 0, Count: 6},
	})
	if len(mv) != 1 || mv[0].From != [2]int{4, 4} || mv[0].To != [2]int{1, 4} || mv[0].Count != 3 {
		t.Errorf("movement %+v", mv)
	}
}

func TestCellQueryUsesTheBands(t *testing.T) {
	m := risk.DefaultMatrix()
	q := risk.CellQuery(risk.ListQuery{Page: 3}, &m, false, 3, 0)
	if *q.Probability != (risk.Range{Lo: 7, Hi: 8}) || *q.Impact != (risk.Range{Lo: 1, Hi: 2}) || q.ResidualProbability != nil || q.Page != 1 {
		t.Errorf("inherent cell query %+v", q)
	}
	q = risk.CellQuery(risk.ListQuery{}, &m, true, 4, 2)
	if *q.ResidualProbability != (risk.Range{Lo: 9, Hi: 10}) || *q.ResidualImpact != (risk.Range{Lo: 5, Hi: 6}) || q.Probability != nil {
		t.Errorf("residual cell query %+v", q)
	}
	if got := risk.CellLabel(&m, 3, 4, 4); got != "High likelihood × Very High impact: 4 risks" {
		t.Errorf("label %q", got)
	}
	if got := risk.CellLabel(&m, 0, 0, 1); got != "Very Low likelihood × Very Low impact: 1 risk" {
		t.Errorf("label %q", got)
	}
}
