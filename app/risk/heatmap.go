package risk

import (
	"cmp"
	"fmt"
	"slices"
)

// ValueCount is the number of risks with one (probability, impact) pair.
type ValueCount struct {
	Probability int
	Impact      int
	Count       int
}

// Heatmap is the number of risks per cell of a matrix. Counts is indexed
// [likelihood][impact], lowest first, like Matrix.Grid.
type Heatmap struct {
	Counts     [][]int
	Unassessed int // risks with no probability or impact
	Total      int
}

// FoldHeatmap folds (probability, impact) counts into the cells of m;
// pairs outside the matrix count as unassessed.
func FoldHeatmap(m *Matrix, vc []ValueCount) Heatmap {
	h := Heatmap{Counts: make([][]int, len(m.Likelihood))}
	for l := range h.Counts {
		h.Counts[l] = make([]int, len(m.Impact))
	}
	for _, c := range vc {
		h.Total += c.Count
		li, ii := m.LikelihoodIndex(c.Probability), m.ImpactIndex(c.Impact)
		if li < 0 || ii < 0 {
			h.Unassessed += c.Count
			continue
		}
		h.Counts[li][ii] += c.Count
	}
	return h
}

// BandRange returns the 0-10 value range of level idx of a scale.
func BandRange(levels []ScaleLevel, idx int) Range {
	lo := 1
	if idx > 0 {
		lo = levels[idx-1].Upper + 1
	}
	return Range{Lo: lo, Hi: levels[idx].Upper}
}

// CellQuery returns q narrowed to the risks of cell (l, i) of m, on the
// inherent or the residual assessment.
func CellQuery(q ListQuery, m *Matrix, residual bool, l, i int) ListQuery {
	pr, ir := BandRange(m.Likelihood, l), BandRange(m.Impact, i)
	if residual {
		q.ResidualProbability, q.ResidualImpact = &pr, &ir
	} else {
		q.Probability, q.Impact = &pr, &ir
	}
	q.Page = 1
	return q
}

// MoveCount is the number of risks that moved from an inherent cell to a
// residual cell (indexes [likelihood, impact]).
type MoveCount struct {
	From, To [2]int
	Count    int
}

// MoveValueCount counts risks by inherent and residual values.
type MoveValueCount struct {
	Probability, Impact                 int
	ResidualProbability, ResidualImpact int
	Count                               int
}

// FoldMovement folds value counts into cell-to-cell movements of m,
// leaving out risks unassessed on either side. Movements come most severe
// first: by inherent level, highest first, then by the inherent cell
// (likelihood, then impact, highest first), then the same for the residual
// end; so a committee reads the worst starting points at the top.
func FoldMovement(m *Matrix, vc []MoveValueCount) []MoveCount {
	var out []MoveCount
	at := map[[4]int]int{}
	for _, c := range vc {
		k := [4]int{m.LikelihoodIndex(c.Probability), m.ImpactIndex(c.Impact),
			m.LikelihoodIndex(c.ResidualProbability), m.ImpactIndex(c.ResidualImpact)}
		if k[0] < 0 || k[1] < 0 || k[2] < 0 || k[3] < 0 {
			continue
		}
		if n, ok := at[k]; ok {
			out[n].Count += c.Count
			continue
		}
		at[k] = len(out)
		out = append(out, MoveCount{From: [2]int{k[0], k[1]}, To: [2]int{k[2], k[3]}, Count: c.Count})
	}
	level := func(c [2]int) int { return m.Grid[c[0]][c[1]] }
	slices.SortFunc(out, func(a, b MoveCount) int {
		return cmp.Or(
			cmp.Compare(level(b.From), level(a.From)),
			cmp.Compare(b.From[0], a.From[0]),
			cmp.Compare(b.From[1], a.From[1]),
			cmp.Compare(level(b.To), level(a.To)),
			cmp.Compare(b.To[0], a.To[0]),
			cmp.Compare(b.To[1], a.To[1]),
		)
	})
	return out
}

// CellLabel returns the accessible label of cell (l, i), e.g.
// "High likelihood × Major impact: 4 risks".
func CellLabel(m *Matrix, l, i, count int) string {
	noun := "risks"
	if count == 1 {
		noun = "risk"
	}
	return fmt.Sprintf("%s likelihood × %s impact: %d %s", m.Likelihood[l].Name, m.Impact[i].Name, count, noun)
}
