package web_test

import (
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/risk"
)

// heatmapRisk is the ground truth of one created risk.
type heatmapRisk struct {
	id  string
	in  risk.Input
	arc bool
}

// seedHeatmapRisks creates n risks with random values in o.
func seedHeatmapRisks(e *env, o *org, rng *rand.Rand, n int, title string) []heatmapRisk {
	statuses := []string{risk.StatusOpen, risk.StatusPending, risk.StatusClosed, risk.StatusArchived}
	cats := []string{"technology", "people", "vendor_management"}
	depts := []string{"it", "hr", "admin"}
	score := func() int {
		if rng.Intn(8) == 0 {
			return 0
		}
		return 1 + rng.Intn(10)
	}
	out := make([]heatmapRisk, 0, n)
	for i := range n {
		in := risk.Input{Title: fmt.Sprintf("%s %d", title, i), Category: cats[rng.Intn(len(cats))],
			Department: depts[rng.Intn(len(depts))], Status: statuses[rng.Intn(len(statuses))],
			Probability: score(), Impact: score(), ResidualProbability: score(), ResidualImpact: score()}
		if i%2 == 0 {
			in.Title = "Alpha " + in.Title
		}
		r := e.createRisk(o, in)
		out = append(out, heatmapRisk{id: r.Identifier(), in: in, arc: in.Status == risk.StatusArchived})
	}
	return out
}

// matches is the register's filter semantics, written independently.
func (h heatmapRisk) matches(v url.Values, m *risk.Matrix) bool {
	in := h.in
	if s := v.Get("status"); s != "" && in.Status != s || s == "" && in.Status == risk.StatusArchived {
		return false
	}
	if c := v.Get("category"); c != "" && in.Category != c {
		return false
	}
	if d := v.Get("department"); d != "" && in.Department != d {
		return false
	}
	if q := v.Get("q"); q != "" && !strings.Contains(strings.ToLower(in.Title), strings.ToLower(q)) {
		return false
	}
	if l := v.Get("level"); l != "" {
		lv, ok := m.LevelOf(in.Probability, in.Impact)
		if !ok || strconv.Itoa(lv.Index) != l {
			return false
		}
	}
	return true
}

// cellOf returns h's cell on m, inherent or residual.
func (h heatmapRisk) cellOf(m *risk.Matrix, residual bool) (string, bool) {
	p, i := h.in.Probability, h.in.Impact
	if residual {
		p, i = h.in.ResidualProbability, h.in.ResidualImpact
	}
	l, ii := m.LikelihoodIndex(p), m.ImpactIndex(i)
	if l < 0 || ii < 0 {
		return "", false
	}
	return fmt.Sprintf("%d-%d", l, ii), true
}

func randomHeatmapFilters(rng *rand.Rand) url.Values {
	v := url.Values{}
	pick := func(key string, opts ...string) {
		if o := opts[rng.Intn(len(opts))]; o != "" {
			v.Set(key, o)
		}
	}
	pick("status", "", "", risk.StatusOpen, risk.StatusPending, risk.StatusClosed, risk.StatusArchived)
	pick("category", "", "", "technology", "people", "vendor_management")
	pick("department", "", "", "it", "hr", "admin")
	pick("q", "", "", "", "Alpha")
	pick("level", "", "", "", "", "0", "1", "2", "3")
	pick("kind", "", "residual")
	return v
}

func cellCounts(t *testing.T, doc *goquery.Document) map[string]int {
	t.Helper()
	out := map[string]int{}
	doc.Find(`[data-testid="heatmap-cell"]`).Each(func(_ int, s *goquery.Selection) {
		n, err := strconv.Atoi(s.AttrOr("data-count", ""))
		if err != nil {
			t.Fatalf("cell without a count: %v", err)
		}
		if !strings.HasSuffix(s.AttrOr("aria-label", ""), fmt.Sprintf(": %d risks", n)) && !strings.HasSuffix(s.AttrOr("aria-label", ""), ": 1 risk") {
			t.Errorf("cell label %q does not state its count %d", s.AttrOr("aria-label", ""), n)
		}
		out[s.AttrOr("data-cell", "")] = n
	})
	return out
}

func registerRows(t *testing.T, c *client, href string) []string {
	t.Helper()
	res := c.get(href + "&per_page=200")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", href, res.StatusCode)
	}
	var ids []string
	res.Doc(t).Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-id", "")) })
	slices.Sort(ids)
	return ids
}

func TestHeatmapCountsMatchRegisterForRandomFilters(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Other", "owner@other.example")
	rng := rand.New(rand.NewSource(4))
	truth := seedHeatmapRisks(e, a, rng, 80, "Acme risk")
	// The other organization piles risks into every cell's neighbourhood;
	// none may ever be counted for Acme.
	seedHeatmapRisks(e, b, rng, 40, "Other org risk")
	m := risk.DefaultMatrix()

	for iter := range 20 {
		v := randomHeatmapFilters(rng)
		residual := v.Get("kind") == "residual"
		want := map[string][]string{}
		unassessed, total := 0, 0
		for _, h := range truth {
			if !h.matches(v, &m) {
				continue
			}
			total++
			if cell, ok := h.cellOf(&m, residual); ok {
				want[cell] = append(want[cell], h.id)
			} else {
				unassessed++
			}
		}
		res := a.Owner.get("/heatmap?" + v.Encode())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("iter %d: GET /heatmap?%s: %d", iter, v.Encode(), res.StatusCode)
		}
		doc := res.Doc(t)
		got := cellCounts(t, doc)
		if len(got) != 25 {
			t.Fatalf("iter %d: %d cells, want 25", iter, len(got))
		}
		for cell, n := range got {
			if n != len(want[cell]) {
				t.Errorf("iter %d (%s): cell %s = %d, want %d", iter, v.Encode(), cell, n, len(want[cell]))
			}
		}
		if u := doc.Find(`[data-testid="heatmap-unassessed"]`).Text(); u != strconv.Itoa(unassessed) {
			t.Errorf("iter %d: unassessed = %s, want %d", iter, u, unassessed)
		}
		if tt := doc.Find(`[data-testid="heatmap-total"]`).Text(); tt != strconv.Itoa(total) {
			t.Errorf("iter %d: total = %s, want %d", iter, tt, total)
		}

		// Drill down into a cell (a non-empty one when there is one).
		cell := fmt.Sprintf("%d-%d", rng.Intn(5), rng.Intn(5))
		for c := range want {
			cell = c
			break
		}
		dv := url.Values{}
		for k, vals := range v {
			dv[k] = vals
		}
		dv.Set("cell", cell)
		drill := a.Owner.get("/heatmap?"+dv.Encode(), "HX-Request", "true", "HX-Target", "heatmap-view")
		if strings.Contains(drill.Body, "<html") {
			t.Fatalf("htmx drill-down returned a whole page")
		}
		ddoc := drill.Doc(t)
		var ids []string
		ddoc.Find(`[data-testid="cell-risk"]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("data-id", ""))
			if strings.Contains(s.Text(), "Other org") {
				t.Errorf("another organization's risk in the drill-down: %s", s.Text())
			}
		})
		slices.Sort(ids)
		exp := slices.Clone(want[cell])
		slices.Sort(exp)
		if !slices.Equal(ids, exp) {
			t.Errorf("iter %d: drill-down of %s lists %v, want %v", iter, cell, ids, exp)
		}
		if sel := ddoc.Find(`[data-testid="heatmap-cell"][aria-current="true"]`).AttrOr("data-cell", ""); sel != cell {
			t.Errorf("selected cell = %q, want %s", sel, cell)
		}
		href, ok := ddoc.Find(`[data-testid="cell-register-link"]`).Attr("href")
		if !ok {
			t.Fatalf("iter %d: no register link for the cell", iter)
		}
		if rows := registerRows(t, a.Owner, href); !slices.Equal(rows, exp) {
			t.Errorf("iter %d: register %s lists %v, want %v", iter, href, rows, exp)
		}
	}
}

func TestHeatmapMovementLinksToExactRisks(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	rng := rand.New(rand.NewSource(7))
	truth := seedHeatmapRisks(e, a, rng, 40, "Acme risk")
	m := risk.DefaultMatrix()
	want := 0
	for _, h := range truth {
		_, ok1 := h.cellOf(&m, false)
		_, ok2 := h.cellOf(&m, true)
		if ok1 && ok2 && !h.arc {
			want++
		}
	}
	doc := a.Owner.get("/heatmap?view=movement").Doc(t)
	sum := 0
	doc.Find(`[data-testid="move-count"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(s.Text())
		sum += n
		if rows := registerRows(t, a.Owner, s.AttrOr("href", "")); len(rows) != n {
			t.Errorf("movement %s: register lists %d, heat map says %d", s.AttrOr("href", ""), len(rows), n)
		}
	})
	if sum != want {
		t.Errorf("movements add up to %d, want %d", sum, want)
	}
}

func TestHeatmapRejectsBadParameters(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	for _, q := range []string{"kind=both", "cell=9-9", "prob=3-1", "status=bogus"} {
		if res := a.Owner.get("/heatmap?" + q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, res.StatusCode)
		}
	}
	if res := a.Owner.get("/heatmap?register=00000000-0000-0000-0000-000000000000"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown register: status %d, want 404", res.StatusCode)
	}
}

func TestHeatmapAPIMatchesTheRegister(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Other", "owner@other.example")
	rng := rand.New(rand.NewSource(11))
	truth := seedHeatmapRisks(e, a, rng, 50, "Acme risk")
	seedHeatmapRisks(e, b, rng, 30, "Other org risk")
	api := e.apiKey(a, "risks:read")
	m := risk.DefaultMatrix()
	for iter := range 10 {
		v := randomHeatmapFilters(rng)
		residual := v.Get("kind") == "residual"
		want := map[string]int{}
		total := 0
		for _, h := range truth {
			if h.matches(v, &m) {
				total++
				if cell, ok := h.cellOf(&m, residual); ok {
					want[cell]++
				}
			}
		}
		if q := v.Get("q"); q != "" {
			v.Del("q")
			v.Set("search", q)
		}
		res := api.get("/api/v1/heatmap?" + v.Encode())
		if res.Status != http.StatusOK {
			t.Fatalf("iter %d: %d %s", iter, res.Status, res.Body)
		}
		d := res.dataMap()
		if d["total"] != float64(total) {
			t.Errorf("iter %d (%s): total %v, want %d", iter, v.Encode(), d["total"], total)
		}
		cells, _ := d["cells"].([]any)
		if len(cells) != 25 {
			t.Fatalf("iter %d: %d cells", iter, len(cells))
		}
		for _, c := range cells {
			cm := c.(map[string]any)
			key := fmt.Sprintf("%v-%v", cm["likelihood"], cm["impact"])
			if cm["count"] != float64(want[key]) {
				t.Errorf("iter %d (%s): cell %s = %v, want %d", iter, v.Encode(), key, cm["count"], want[key])
			}
		}
	}
	if res := api.get("/api/v1/heatmap?kind=sideways"); res.Status != http.StatusBadRequest {
		t.Errorf("bad kind: %d", res.Status)
	}
	if res := api.get("/api/v1/heatmap?registerId=nope"); res.Status != http.StatusNotFound {
		t.Errorf("unknown register: %d", res.Status)
	}
}

// registerTotal returns the number of risks a register URL lists.
func registerTotal(t *testing.T, c *client, href string) int {
	t.Helper()
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	res := c.get(href + sep + "per_page=200")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", href, res.StatusCode)
	}
	return res.Doc(t).Find(`[data-testid="risk-row"]`).Length()
}

func TestDashboardNumbersMatchTheirRegisterPages(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Other", "owner@other.example")
	rng := rand.New(rand.NewSource(21))
	truth := seedHeatmapRisks(e, a, rng, 60, "Acme risk")
	past := time.Now().AddDate(0, 0, -3)
	e.createRisk(a, risk.Input{Title: "Late one", Probability: 9, Impact: 9, ResidualProbability: 9, ResidualImpact: 9, DueDate: &past})
	e.createRisk(b, risk.Input{Title: "Other org late", Probability: 9, Impact: 9, ResidualProbability: 9, ResidualImpact: 9, DueDate: &past})
	seedHeatmapRisks(e, b, rng, 20, "Other org risk")

	res := a.Owner.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", res.StatusCode)
	}
	if strings.Contains(res.Body, "Other org") {
		t.Errorf("the dashboard shows another organization's data")
	}
	doc := res.Doc(t)
	checked := 0
	doc.Find(`a[data-testid="number"], [data-testid^="card-"]`).Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		n, err := strconv.Atoi(strings.TrimSpace(s.Find(`[data-testid="number"]`).AddSelection(s.Filter(`[data-testid="number"]`)).First().Text()))
		if err != nil || href == "" {
			t.Fatalf("a dashboard number without a count or link: %q", s.Text())
		}
		if got := registerTotal(t, a.Owner, href); got != n {
			t.Errorf("dashboard shows %d, its register page %s lists %d", n, href, got)
		}
		checked++
	})
	if checked < 3+2*4 {
		t.Errorf("only %d numbers checked", checked)
	}
	notArchived := 0
	for _, h := range truth {
		if !h.arc {
			notArchived++
		}
	}
	if got := doc.Find(`[data-testid="card-total"] [data-testid="number"]`).Text(); got != strconv.Itoa(notArchived+1) {
		t.Errorf("total %s, want %d", got, notArchived+1)
	}
	if got := doc.Find(`[data-testid="card-overdue"] [data-testid="number"]`).Text(); got != "1" {
		t.Errorf("overdue %s, want 1", got)
	}
	if n := doc.Find(`[data-testid="top-risks"] li`).Length(); n != 10 {
		t.Errorf("%d top risks, want 10", n)
	}
	// The top ten (read without a total) are the first ten of their "All"
	// register page, in its order: highest residual first.
	top := doc.Find(`[data-testid="top-risks"] li span.font-mono`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	all := doc.Find(`[data-testid="top-risks"]`).Parent().Find(`a:contains("All")`).AttrOr("href", "")
	listed := a.Owner.get(all).Doc(t).Find(`[data-testid="risk-row"]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-id", "") })
	if all == "" || len(listed) < 10 || !slices.Equal(top, listed[:10]) {
		t.Errorf("top risks %q, but their register page %q lists %q", top, all, listed)
	}
	if n := doc.Find(`[data-testid="activity"] li`).Length(); n == 0 {
		t.Errorf("no recent activity")
	}
	if n := doc.Find(`[data-testid="heatmap-cell"]`).Length(); n != 25 {
		t.Errorf("small heat map has %d cells", n)
	}
}
