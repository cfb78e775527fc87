package storetest

import (
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func day(n int) time.Time { return time.Date(2025, 3, 1+n, 0, 0, 0, 0, time.UTC) }

func testUsage(t *testing.T, f *fixture) {
	a := f.token(t, f.owner.ID, nil)
	b := f.token(t, f.owner.ID, nil)
	gone := f.token(t, f.owner.ID, nil)
	mustOK(t, "DeleteToken", f.st.DeleteToken(f.ctx, f.org.ID, gone.ID))

	mustOK(t, "RecordUsage empty", f.st.RecordUsage(f.ctx, nil))
	mustOK(t, "RecordUsage", f.st.RecordUsage(f.ctx, []store.UsageCount{
		{TokenID: a.ID, Day: day(0), Count: 3},
		{TokenID: a.ID, Day: day(2), Count: 1},
		{TokenID: b.ID, Day: day(1), Count: 7},
		{TokenID: gone.ID, Day: day(1), Count: 5},
		{TokenID: newID(), Day: day(1), Count: 5},
	}))
	// Counts add up across batches.
	mustOK(t, "RecordUsage again", f.st.RecordUsage(f.ctx, []store.UsageCount{{TokenID: a.ID, Day: day(2), Count: 4}}))

	usage := func(id string, since time.Time) []store.UsageCount {
		t.Helper()
		got, err := f.st.TokenUsage(f.ctx, id, since)
		mustOK(t, "TokenUsage", err)
		return got
	}
	equal(t, "usage of a", usage(a.ID, day(0)), []store.UsageCount{{TokenID: a.ID, Day: day(0), Count: 3}, {TokenID: a.ID, Day: day(2), Count: 5}})
	equal(t, "usage of a since day 1", usage(a.ID, day(1)), []store.UsageCount{{TokenID: a.ID, Day: day(2), Count: 5}})
	equal(t, "usage of b", usage(b.ID, day(0)), []store.UsageCount{{TokenID: b.ID, Day: day(1), Count: 7}})
	equal(t, "usage of a deleted token", usage(gone.ID, day(0)), []store.UsageCount(nil))

	mustOK(t, "PurgeUsage", f.st.PurgeUsage(f.ctx, day(2)))
	equal(t, "usage of a after the purge", usage(a.ID, day(0)), []store.UsageCount{{TokenID: a.ID, Day: day(2), Count: 5}})
	equal(t, "usage of b after the purge", usage(b.ID, day(0)), []store.UsageCount(nil))

	// A token's counts go with it.
	mustOK(t, "DeleteToken", f.st.DeleteToken(f.ctx, f.org.ID, a.ID))
	equal(t, "usage of a after its deletion", usage(a.ID, day(0)), []store.UsageCount(nil))
}

func testListUnusedTokens(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	cutoff := base.Add(time.Hour)
	old := f.token(t, m.ID, func(tok *store.Token) { tok.CreatedAt = base.Add(-time.Hour) })
	usedLongAgo := f.token(t, m.ID, func(tok *store.Token) { tok.CreatedAt = base.Add(-2 * time.Hour) })
	usedRecently := f.token(t, m.ID, func(tok *store.Token) { tok.CreatedAt = base.Add(-3 * time.Hour) })
	// Created after the cutoff and never used: not stale yet.
	f.token(t, m.ID, func(tok *store.Token) {
		tok.CreatedAt, tok.UpdatedAt = cutoff.Add(time.Second), cutoff.Add(time.Second)
	})
	mustOK(t, "RecordLastUsed", f.st.RecordLastUsed(f.ctx, map[string]time.Time{usedLongAgo.ID: base, usedRecently.ID: cutoff}))
	usedLongAgo.LastUsedAt, usedRecently.LastUsedAt = ptr(base), ptr(cutoff)

	items, total, err := f.st.ListTokens(f.ctx, store.TokenFilter{OrgID: f.org.ID, MemberID: m.ID, UnusedSince: cutoff})
	mustOK(t, "ListTokens unused", err)
	// Ordered by creation: usedLongAgo was created first.
	equal(t, "unused tokens", items, []store.Token{usedLongAgo, old})
	equal(t, "unused total", total, 2)
	items, total, err = f.st.ListTokens(f.ctx, store.TokenFilter{OrgID: f.org.ID, MemberID: m.ID, UnusedSince: cutoff, Limit: 1, Offset: 1})
	mustOK(t, "ListTokens unused page", err)
	equal(t, "unused page", items, []store.Token{old})
	equal(t, "unused page total", total, 2)
}
