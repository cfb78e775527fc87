package storetest

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func wantQuota(t *testing.T, what string, err error, scope string, limit int) {
	t.Helper()
	var qe *store.QuotaError
	if !errors.As(err, &qe) || qe.Scope != scope || qe.Limit != limit {
		t.Fatalf("%s: got %v, want *store.QuotaError{%s, %d}", what, err, scope, limit)
	}
}

func testQuota(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	other := f.member(t, "writer")
	q := store.Quota{PerMember: 3, PerOrg: 6}
	create := func(memberID string, edit func(*store.Token)) error {
		return f.st.CreateToken(f.ctx, f.newToken(memberID, edit), q)
	}
	for range 3 {
		mustOK(t, "CreateToken under quota", create(m.ID, nil))
	}
	wantQuota(t, "personal token over the member quota", create(m.ID, nil), "member", 3)
	wantQuota(t, "service token over the member quota", create(m.ID, func(tok *store.Token) { tok.Service = true }), "member", 3)

	// The bootstrap token and m's three leave room for two more.
	mustOK(t, "CreateToken for another member", create(other.ID, nil))
	mustOK(t, "CreateToken for another member", create(other.ID, nil))
	wantQuota(t, "token over the organisation quota", create(other.ID, nil), "organization", 6)
	if n := f.tokenCount(t, ""); n != 6 {
		t.Fatalf("%d tokens, want 6", n)
	}

	// Zero means unlimited.
	mustOK(t, "CreateToken without quota", f.st.CreateToken(f.ctx, f.newToken(m.ID, nil), store.Quota{}))
	mustOK(t, "CreateToken with only an org quota", f.st.CreateToken(f.ctx, f.newToken(m.ID, nil), store.Quota{PerOrg: 100}))
	mustOK(t, "CreateToken with only a member quota", f.st.CreateToken(f.ctx, f.newToken(other.ID, nil), store.Quota{PerMember: 100}))

	// Deleting makes room again.
	items, _, err := f.st.ListTokens(f.ctx, store.TokenFilter{OrgID: f.org.ID, MemberID: m.ID})
	mustOK(t, "ListTokens", err)
	for _, tok := range items[:4] {
		mustOK(t, "DeleteToken", f.st.DeleteToken(f.ctx, f.org.ID, tok.ID))
	}
	mustOK(t, "CreateToken after deletes", create(m.ID, nil))
}

// race starts n CreateToken calls at once and returns their errors.
func race(f *fixture, n int, q store.Quota, memberFor func(i int) string) []error {
	tokens := make([]store.Token, n)
	for i := range n {
		tokens[i] = f.newToken(memberFor(i), nil)
	}
	errs := make([]error, n)
	// The racers spin rather than block until the start, so that every
	// processor is running one when it comes: a blocked goroutine wakes
	// too late to overlap with the first create.
	var ready, wg sync.WaitGroup
	var start atomic.Bool
	ready.Add(n)
	for i := range n {
		wg.Go(func() {
			ready.Done()
			for !start.Load() {
				runtime.Gosched()
			}
			errs[i] = f.st.CreateToken(f.ctx, tokens[i], q)
		})
	}
	ready.Wait()
	start.Store(true)
	wg.Wait()
	return errs
}

func checkOneWinner(t *testing.T, round int, errs []error, scope string, limit int) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		wantQuota(t, fmt.Sprintf("round %d: racing CreateToken %d", round, i), err, scope, limit)
	}
	if wins != 1 {
		t.Fatalf("round %d: %d racing creates succeeded, want exactly 1", round, wins)
	}
}

// raceRounds repeats each race: the first round also warms the engine's
// connection pools, so the later ones overlap more.
const raceRounds = 8

func testQuotaRaceMember(t *testing.T, f *fixture) {
	const limit = 5
	for round := range raceRounds {
		m := f.member(t, "writer")
		for range limit - 1 {
			f.token(t, m.ID, nil)
		}
		errs := race(f, 50, store.Quota{PerMember: limit, PerOrg: 1000}, func(int) string { return m.ID })
		checkOneWinner(t, round, errs, "member", limit)
		if n := f.tokenCount(t, m.ID); n != limit {
			t.Fatalf("round %d: member holds %d tokens, want %d", round, n, limit)
		}
	}
}

func testQuotaRaceOrganization(t *testing.T, f *fixture) {
	const racers = 50
	members := make([]store.Member, racers)
	for i := range members {
		members[i] = f.member(t, "writer")
	}
	// The bootstrap token plus these leave room for exactly one more.
	limit := 10
	for i := range limit - 2 {
		f.token(t, members[i].ID, nil)
	}
	for round := range raceRounds {
		errs := race(f, racers, store.Quota{PerMember: 20, PerOrg: limit}, func(i int) string { return members[i].ID })
		checkOneWinner(t, round, errs, "organization", limit)
		if n := f.tokenCount(t, ""); n != limit {
			t.Fatalf("round %d: organisation holds %d tokens, want %d", round, n, limit)
		}
		limit++
	}
}
