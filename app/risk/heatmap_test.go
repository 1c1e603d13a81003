package risk_test

import (
	"fmt"
	"slices"
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

// TestFoldMovementMostSevereFirst: movements are ordered by the inherent
// level, highest first, then the inherent cell, then the residual end, not
// by the order the database returned them.
func TestFoldMovementMostSevereFirst(t *testing.T) {
	m := risk.DefaultMatrix()
	mv := risk.FoldMovement(&m, []risk.MoveValueCount{
		{Probability: 1, Impact: 1, ResidualProbability: 1, ResidualImpact: 1, Count: 1},   // Low → Low
		{Probability: 5, Impact: 5, ResidualProbability: 1, ResidualImpact: 5, Count: 1},   // Medium → Low (cell 2-2 → 0-2)
		{Probability: 10, Impact: 9, ResidualProbability: 3, ResidualImpact: 9, Count: 1},  // Critical → High (cell 4-4 → 1-4)
		{Probability: 10, Impact: 9, ResidualProbability: 9, ResidualImpact: 9, Count: 1},  // Critical → Critical (4-4 → 4-4)
		{Probability: 7, Impact: 10, ResidualProbability: 3, ResidualImpact: 3, Count: 1},  // Critical → Low (3-4 → 1-1)
		{Probability: 10, Impact: 7, ResidualProbability: 10, ResidualImpact: 1, Count: 1}, // Critical → Medium (4-3 → 4-0)
	})
	var got []string
	for _, c := range mv {
		got = append(got, fmt.Sprintf("%d-%d>%d-%d", c.From[0], c.From[1], c.To[0], c.To[1]))
	}
	want := []string{"4-4>4-4", "4-4>1-4", "4-3>4-0", "3-4>1-1", "2-2>0-2", "0-0>0-0"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	for i := 1; i < len(mv); i++ {
		if m.Grid[mv[i].From[0]][mv[i].From[1]] > m.Grid[mv[i-1].From[0]][mv[i-1].From[1]] {
			t.Errorf("movement %d starts at a higher level than the one before it", i)
		}
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
