package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

const racers = 30

// race sends the bodies concurrently, all released at once, and returns
// the responses in order.
func race(c *client, bodies []api.TokenCreate) []resp {
	out := make([]resp, len(bodies))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = c.do("POST", api.PathTokens, b)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// exactlyOneWins checks one 201 and quota_exceeded with limit for the rest.
func exactlyOneWins(t *testing.T, results []resp, limit int) {
	t.Helper()
	wins := 0
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			wins++
		case http.StatusConflict:
			var p api.Problem
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatalf("409 body: %v: %s", err, r.Body)
			}
			if p.Code != api.CodeQuotaExceeded || p.Limit != limit || r.Header.Get("Content-Type") != api.ProblemContentType {
				t.Errorf("409 %s, want %s with limit %d", r.Body, api.CodeQuotaExceeded, limit)
			}
		default:
			t.Errorf("status %d: %s", r.Status, r.Body)
		}
	}
	if wins != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", wins)
	}
}

func countTokens(t *testing.T, c *client, memberID string) int {
	t.Helper()
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true&limit=1000", nil).into(t, &list)
	if memberID == "" {
		return list.TotalCount
	}
	n := 0
	for _, tok := range list.Items {
		if tok.MemberID == memberID {
			n++
		}
	}
	return n
}

// TestQuotaRacePerMember: a member at quota minus one creates tokens from
// many goroutines at once with their own token; exactly one create wins.
func TestQuotaRacePerMember(t *testing.T) {
	const limit = 5
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: limit, PerOrg: 1000}
	}))
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "racer@example.com", "writer", "writer")
	for i := 1; i < limit-1; i++ {
		c.createToken(api.TokenCreate{Name: fmt.Sprint("pre-", i), Role: "reader", MemberID: m.ID})
	}
	if n := countTokens(t, c, m.ID); n != limit-1 {
		t.Fatalf("member holds %d tokens before the race, want %d", n, limit-1)
	}
	bodies := make([]api.TokenCreate, racers)
	for i := range bodies {
		bodies[i] = api.TokenCreate{Name: fmt.Sprint("race-", i), Role: "reader"}
	}
	exactlyOneWins(t, race(c.with(tok.Token), bodies), limit)
	if n := countTokens(t, c, m.ID); n != limit {
		t.Fatalf("member holds %d tokens after the race, want %d", n, limit)
	}
}

// TestQuotaRacePerOrganization: the organisation is at its limit minus one
// and thirty different members each try to create one token at once.
func TestQuotaRacePerOrganization(t *testing.T) {
	const limit = 8
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 20, PerOrg: limit}
	}))
	c := newClient(t, ts, ts.OwnerToken)
	for i := countTokens(t, c, ""); i < limit-1; i++ {
		c.createToken(api.TokenCreate{Name: fmt.Sprint("pre-", i), Role: "reader"})
	}
	bodies := make([]api.TokenCreate, racers)
	for i := range bodies {
		var m api.Member
		c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: fmt.Sprintf("m%d@example.com", i), Role: "reader"}).into(t, &m)
		bodies[i] = api.TokenCreate{Name: fmt.Sprint("race-", i), Role: "reader", MemberID: m.ID}
	}
	exactlyOneWins(t, race(c, bodies), limit)
	if n := countTokens(t, c, ""); n != limit {
		t.Fatalf("organisation holds %d tokens after the race, want %d", n, limit)
	}
	// The quota holds for dry runs too, which the provider makes during plan.
	p := c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "late", Role: "reader"})
	if p.Limit != limit {
		t.Fatalf("dry-run limit %d", p.Limit)
	}
}
