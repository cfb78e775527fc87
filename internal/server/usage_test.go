package server_test

import (
	"context"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// usageWriteCountingStore counts the writes of usage counts.
type usageWriteCountingStore struct {
	store.Store
	writes atomic.Int64
}

func (s *usageWriteCountingStore) RecordUsage(ctx context.Context, counts []store.UsageCount) error {
	s.writes.Add(1)
	return s.Store.RecordUsage(ctx, counts)
}

func usageOf(t *testing.T, c *client, id string) api.TokenUsage {
	t.Helper()
	var u api.TokenUsage
	r := c.must(http.StatusOK, "GET", api.PathTokens+"/"+id+"/usage", nil)
	requireFields(t, r.Obj, "tokenId", "days", "total")
	r.into(t, &u)
	if len(u.Days) != api.UsageDays {
		t.Fatalf("%d days, want %d: %s", len(u.Days), api.UsageDays, r.Body)
	}
	return u
}

// counts returns the non-zero days of u as date -> count.
func counts(u api.TokenUsage) map[string]int64 {
	out := map[string]int64{}
	for _, d := range u.Days {
		if d.Count > 0 {
			out[d.Date] = d.Count
		}
	}
	return out
}

func TestTokenUsagePerDay(t *testing.T) {
	cs := &usageWriteCountingStore{}
	ts := testserver.New(t, testserver.WithStoreWrapper(func(st store.Store) store.Store { cs.Store = st; return cs }))
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)
	tok := c.createToken(api.TokenCreate{Name: "used", Role: "reader"})
	day1 := ts.Clock.Now().UTC().Format(api.UsageDateFormat)

	for range 3 {
		c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	}
	rs.introspectForm(tok.Token) // presented to a relying service: a use too
	if n := cs.writes.Load(); n != 0 {
		t.Fatalf("%d usage writes during requests; they are batched", n)
	}
	u := usageOf(t, c, tok.ID)
	if got := counts(u); len(got) != 1 || got[day1] != 4 || u.Total != 4 || u.Days[api.UsageDays-1].Date != day1 || u.LastUsed == 0 {
		t.Fatalf("usage on the first day: %+v", u)
	}

	ts.Clock.Advance(24 * time.Hour)
	day2 := ts.Clock.Now().UTC().Format(api.UsageDateFormat)
	for range 2 {
		c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	}
	u = usageOf(t, c, tok.ID)
	if got := counts(u); len(got) != 2 || got[day1] != 4 || got[day2] != 2 || u.Total != 6 {
		t.Fatalf("usage over two days: %+v", counts(u))
	}

	// Thirty days later the first day has left the window.
	ts.Clock.Advance(29 * 24 * time.Hour)
	u = usageOf(t, c, tok.ID)
	if got := counts(u); len(got) != 1 || got[day2] != 2 {
		t.Fatalf("usage 30 days on: %+v", got)
	}

	// Another member's token is not theirs to read; an unknown one is 404.
	_, reader := memberWithToken(t, c, "r@example.com", "reader", "reader")
	c.with(reader.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"/"+tok.ID+"/usage", nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/nope/usage", nil)
}

// Counts collected in memory are written when the server closes.
func TestTokenUsageSurvivesClose(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "used", Role: "reader"})
	for range 5 {
		c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	}
	if err := ts.Backend.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ts.Store.TokenUsage(context.Background(), tok.ID, time.Time{})
	if err != nil || len(got) != 1 || got[0].Count != 5 {
		t.Fatalf("stored usage after Close: %+v %v", got, err)
	}
	stored, err := ts.Store.GetToken(context.Background(), ts.OrgID, tok.ID)
	if err != nil || stored.LastUsedAt == nil {
		t.Fatalf("lastUsed after Close: %+v %v", stored.LastUsedAt, err)
	}
}

func TestListTokensUnusedFor(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	used := c.createToken(api.TokenCreate{Name: "used", Role: "reader"})
	idle := c.createToken(api.TokenCreate{Name: "idle", Role: "reader"})
	c.with(used.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	ids := func(path string) []string {
		t.Helper()
		var l api.List[api.Token]
		c.must(http.StatusOK, "GET", path, nil).into(t, &l)
		var out []string
		for _, tok := range l.Items {
			out = append(out, tok.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(api.PathTokens + "?unusedFor=30d"); len(got) != 0 {
		t.Fatalf("fresh tokens listed as unused: %v", got)
	}
	ts.Clock.Advance(31 * 24 * time.Hour)
	// Used a moment ago, not yet flushed: still not listed.
	c.with(used.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	if got, want := ids(api.PathTokens+"?unusedFor=30d"), []string{idle.ID}; !slices.Equal(got, want) {
		t.Fatalf("unused for 30 days: %v, want %v", got, want)
	}
	if got := ids(api.PathTokens + "?unusedFor=32d"); len(got) != 0 {
		t.Fatalf("unused for 32 days: %v", got)
	}

	for _, v := range []string{"30", "0d", "3651d", "1w", "-1d", "30D", "99999d"} {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "GET", api.PathTokens+"?unusedFor="+v, nil)
		if p.Field != "unusedFor" {
			t.Errorf("unusedFor=%s: field %q", v, p.Field)
		}
	}
}
