package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/idempotency"
	"github.com/riskreg/riskreg/db"
)

func TestIdempotencyReplayAndPurge(t *testing.T) {
	f := newFixture(t)
	a := f.tenant(t, "Alpha")
	ctx := context.Background()
	idem := &idempotency.Service{Store: &db.IdempotencyStore{DB: f.DB}, Tx: db.Tx{DB: f.DB}}
	runs := 0
	fn := func(context.Context) (int, []byte, error) { runs++; return 201, []byte(`{"n":1}`), nil }

	if _, replayed, err := idem.Do(ctx, a.OrgID, "k1", "h1", fn); err != nil || replayed {
		t.Fatalf("first: replayed=%v err=%v", replayed, err)
	}
	resp, replayed, err := idem.Do(ctx, a.OrgID, "k1", "h1", fn)
	if err != nil || !replayed || resp.Status != 201 || string(resp.Body) != `{"n":1}` || runs != 1 {
		t.Fatalf("replay: %+v replayed=%v err=%v runs=%d", resp, replayed, err, runs)
	}
	if _, _, err := idem.Do(ctx, a.OrgID, "k1", "other body", fn); err == nil {
		t.Fatal("the same key with another body was accepted")
	}
	// Purge keeps what is younger than the retention at the given instant.
	if n, err := idem.Purge(ctx, time.Now().Add(idempotency.Retention-time.Hour)); err != nil || n != 0 {
		t.Fatalf("purge of recent keys removed %d (%v)", n, err)
	}
	if n, err := idem.Purge(ctx, time.Now().Add(idempotency.Retention+time.Hour)); err != nil || n != 1 {
		t.Fatalf("purge removed %d (%v), want 1", n, err)
	}
	if _, replayed, _ := idem.Do(ctx, a.OrgID, "k1", "h1", fn); replayed || runs != 2 {
		t.Fatalf("after purge the key must run again: replayed=%v runs=%d", replayed, runs)
	}
}
