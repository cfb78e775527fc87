package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func testTokenRoundTrip(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	r1 := f.customRole(t, "one")
	r2 := f.customRole(t, "two")
	w1 := f.workspace(t, m.ID)
	w2 := f.workspace(t, f.owner.ID, m.ID)

	inline := f.token(t, m.ID, func(tok *store.Token) {
		tok.Description = "inline grant, fixed expiry, in a grace period"
		tok.Role = ""
		tok.InlineRole = []api.Statement{
			{Effect: "allow", Actions: []string{"B_READ", "A_READ"}, Resources: []string{"workspace/" + w2.ID, "workspace/" + w1.ID}},
			{Effect: "deny", NotActions: []string{"A_READ"}, NotResources: []string{"org"}},
		}
		tok.AllWorkspaces, tok.WorkspaceIDs = false, []string{w2.ID, w1.ID}
		tok.DefaultAPIVersion = 20240415
		tok.ExpiresAt = ptr(base.Add(90 * 24 * time.Hour))
		tok.PrevDigest, tok.PrevExpiresAt = newDigest(), ptr(base.Add(time.Hour))
		tok.LastUsedAt = ptr(base.Add(time.Minute))
	})
	roles := f.token(t, m.ID, func(tok *store.Token) {
		tok.Role, tok.CustomRoleIDs = "", []string{r2.ID, r1.ID}
		tok.ExcludedWorkspaceIDs = []string{w1.ID}
	})
	service := f.token(t, m.ID, func(tok *store.Token) {
		tok.Service = true
		tok.Role, tok.Permissions = "", []string{"WORKSPACE_READ", "ACCESS_TOKEN_READ"}
	})
	access := f.token(t, m.ID, func(tok *store.Token) {
		tok.Role, tok.Access = "", map[string]string{"api": "read_write", "plan": "read_only", "user": "none"}
	})
	for _, want := range []store.Token{inline, roles, service, access} {
		equal(t, "token "+want.Description, f.getToken(t, want.ID), want)
		got := f.byDigest(t, want.Digest, base)
		equal(t, "token by digest", got, want)
		// What a caller does with a returned token does not reach the store.
		for _, xs := range [][]string{got.CustomRoleIDs, got.Permissions, got.WorkspaceIDs, got.ExcludedWorkspaceIDs} {
			if len(xs) > 0 {
				xs[0] = "changed"
			}
		}
		if len(got.InlineRole) > 0 {
			got.InlineRole[0].Actions[0] = "changed"
		}
		for k := range got.Access {
			got.Access[k] = "changed"
		}
		got.Digest[0] ^= 0xff
		equal(t, "token by digest after changing a returned copy", f.byDigest(t, want.Digest, base), want)
		equal(t, "token after changing a returned copy", f.getToken(t, want.ID), want)
	}

	_, err := f.st.GetToken(f.ctx, otherOrg, inline.ID)
	wantErr(t, "GetToken from another organisation", err, store.ErrNotFound)
	_, err = f.st.GetToken(f.ctx, f.org.ID, newID())
	wantErr(t, "GetToken unknown", err, store.ErrNotFound)

	bad := f.newToken(newID(), nil)
	wantErr(t, "CreateToken for an unknown member", f.st.CreateToken(f.ctx, bad, store.Quota{}), store.ErrNotFound)
	bad = f.newToken(m.ID, func(tok *store.Token) { tok.OrgID = otherOrg })
	wantErr(t, "CreateToken in another organisation", f.st.CreateToken(f.ctx, bad, store.Quota{}), store.ErrNotFound)
}

func testListTokens(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	a := f.token(t, m.ID, nil)
	at := f.now()
	// Same creation time: the id decides the order.
	c := f.token(t, m.ID, func(tok *store.Token) { tok.ID, tok.CreatedAt, tok.UpdatedAt = idWithPrefix("ffff"), at, at })
	b := f.token(t, m.ID, func(tok *store.Token) { tok.ID, tok.CreatedAt, tok.UpdatedAt = idWithPrefix("0000"), at, at })
	o := f.token(t, f.owner.ID, nil)

	cases := []struct {
		name   string
		filter store.TokenFilter
		want   []store.Token
		total  int
	}{
		{"org", store.TokenFilter{OrgID: f.org.ID}, []store.Token{f.tok, a, b, c, o}, 5},
		{"no filter", store.TokenFilter{}, []store.Token{f.tok, a, b, c, o}, 5},
		{"member", store.TokenFilter{OrgID: f.org.ID, MemberID: m.ID}, []store.Token{a, b, c}, 3},
		{"member without org", store.TokenFilter{MemberID: f.owner.ID}, []store.Token{f.tok, o}, 2},
		{"limit", store.TokenFilter{OrgID: f.org.ID, Limit: 2}, []store.Token{f.tok, a}, 5},
		{"page", store.TokenFilter{OrgID: f.org.ID, Limit: 2, Offset: 2}, []store.Token{b, c}, 5},
		{"offset only", store.TokenFilter{OrgID: f.org.ID, Offset: 3}, []store.Token{c, o}, 5},
		{"past the end", store.TokenFilter{OrgID: f.org.ID, Limit: 2, Offset: 10}, nil, 5},
		{"other org", store.TokenFilter{OrgID: otherOrg}, nil, 0},
		{"member in other org", store.TokenFilter{OrgID: otherOrg, MemberID: m.ID}, nil, 0},
		{"unknown member", store.TokenFilter{OrgID: f.org.ID, MemberID: newID()}, nil, 0},
	}
	for _, tc := range cases {
		items, total, err := f.st.ListTokens(f.ctx, tc.filter)
		mustOK(t, "ListTokens "+tc.name, err)
		equal(t, "ListTokens "+tc.name, items, tc.want)
		if total != tc.total {
			t.Fatalf("ListTokens %s: total %d, want %d", tc.name, total, tc.total)
		}
	}
}

func testUpdateToken(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	w := f.workspace(t, m.ID)
	orig := f.token(t, m.ID, func(tok *store.Token) {
		tok.ExpiresAt = ptr(base.Add(48 * time.Hour))
		tok.LastUsedAt = ptr(base.Add(time.Minute))
	})

	upd := orig
	upd.Name, upd.Description = "renamed", "now with permissions"
	upd.Role, upd.Permissions = "", []string{"B", "A"}
	upd.AllWorkspaces, upd.WorkspaceIDs = false, []string{w.ID}
	upd.Digest, upd.LastFour = newDigest(), "n3w4"
	upd.PrevDigest, upd.PrevExpiresAt = orig.Digest, ptr(base.Add(time.Hour))
	upd.UpdatedAt = f.now()
	f.byDigest(t, orig.Digest, base)
	// Fixed fields sent with other values are left alone.
	sent := upd
	sent.MemberID, sent.Service, sent.DefaultAPIVersion = f.owner.ID, true, 99
	sent.ExpiresAt, sent.CreatedAt, sent.LastUsedAt = nil, f.now(), nil
	mustOK(t, "UpdateToken", f.st.UpdateToken(f.ctx, sent))
	equal(t, "updated token", f.getToken(t, orig.ID), upd)
	equal(t, "updated token by its new digest", f.byDigest(t, upd.Digest, base), upd)
	equal(t, "updated token by its previous digest", f.byDigest(t, orig.Digest, base), upd)

	// Back to a role on all workspaces, the grace period over.
	upd2 := upd
	upd2.Role, upd2.Permissions = "admin", nil
	upd2.AllWorkspaces, upd2.WorkspaceIDs, upd2.ExcludedWorkspaceIDs = true, nil, []string{w.ID}
	upd2.PrevDigest, upd2.PrevExpiresAt = nil, nil
	upd2.UpdatedAt = f.now()
	mustOK(t, "UpdateToken", f.st.UpdateToken(f.ctx, upd2))
	equal(t, "token updated again", f.getToken(t, orig.ID), upd2)
	equal(t, "token updated again by digest", f.byDigest(t, upd2.Digest, base), upd2)
	_, err := f.st.GetTokenByDigest(f.ctx, orig.Digest, base)
	wantErr(t, "GetTokenByDigest with a dropped previous digest", err, store.ErrNotFound)

	missing := upd2
	missing.ID = newID()
	wantErr(t, "UpdateToken unknown", f.st.UpdateToken(f.ctx, missing), store.ErrNotFound)
	foreign := upd2
	foreign.OrgID, foreign.Name = otherOrg, "stolen"
	wantErr(t, "UpdateToken in another organisation", f.st.UpdateToken(f.ctx, foreign), store.ErrNotFound)
	equal(t, "token after refused updates", f.getToken(t, orig.ID), upd2)
}

func testTokenConflicts(t *testing.T, f *fixture) {
	a := f.token(t, f.owner.ID, nil)
	b := f.token(t, f.owner.ID, nil)
	dup := f.newToken(f.owner.ID, func(tok *store.Token) { tok.Digest = a.Digest })
	wantErr(t, "CreateToken with a taken digest", f.st.CreateToken(f.ctx, dup, store.Quota{}), store.ErrConflict)
	dup = f.newToken(f.owner.ID, func(tok *store.Token) { tok.ID = a.ID })
	wantErr(t, "CreateToken with a taken id", f.st.CreateToken(f.ctx, dup, store.Quota{}), store.ErrConflict)
	upd := b
	upd.Digest = a.Digest
	wantErr(t, "UpdateToken to a taken digest", f.st.UpdateToken(f.ctx, upd), store.ErrConflict)
	equal(t, "token after refused update", f.getToken(t, b.ID), b)
	if n := f.tokenCount(t, ""); n != 3 {
		t.Fatalf("%d tokens after refused creates, want 3", n)
	}
}

func testDeleteToken(t *testing.T, f *fixture) {
	tok := f.token(t, f.owner.ID, nil)
	wantErr(t, "DeleteToken in another organisation", f.st.DeleteToken(f.ctx, otherOrg, tok.ID), store.ErrNotFound)
	f.getToken(t, tok.ID)
	f.byDigest(t, tok.Digest, base)
	mustOK(t, "DeleteToken", f.st.DeleteToken(f.ctx, f.org.ID, tok.ID))
	_, err := f.st.GetToken(f.ctx, f.org.ID, tok.ID)
	wantErr(t, "GetToken after delete", err, store.ErrNotFound)
	_, err = f.st.GetTokenByDigest(f.ctx, tok.Digest, base)
	wantErr(t, "GetTokenByDigest after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteToken twice", f.st.DeleteToken(f.ctx, f.org.ID, tok.ID), store.ErrNotFound)
	f.getToken(t, f.tok.ID)
}

func testDeleteMemberTokens(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	other := f.member(t, "writer")
	for range 3 {
		f.token(t, m.ID, nil)
	}
	svc := f.token(t, m.ID, func(tok *store.Token) { tok.Service = true })
	kept := f.token(t, other.ID, nil)
	f.byDigest(t, svc.Digest, base)

	_, err := f.st.DeleteMemberTokens(f.ctx, otherOrg, m.ID)
	wantErr(t, "DeleteMemberTokens in another organisation", err, store.ErrNotFound)
	if n := f.tokenCount(t, m.ID); n != 4 {
		t.Fatalf("refused DeleteMemberTokens left %d tokens, want 4", n)
	}
	n, err := f.st.DeleteMemberTokens(f.ctx, f.org.ID, m.ID)
	mustOK(t, "DeleteMemberTokens", err)
	if n != 4 {
		t.Fatalf("DeleteMemberTokens deleted %d, want 4", n)
	}
	if n := f.tokenCount(t, m.ID); n != 0 {
		t.Fatalf("%d tokens left after DeleteMemberTokens", n)
	}
	_, err = f.st.GetTokenByDigest(f.ctx, svc.Digest, base)
	wantErr(t, "GetTokenByDigest after DeleteMemberTokens", err, store.ErrNotFound)
	equal(t, "other member's token", f.getToken(t, kept.ID), kept)
	equal(t, "owner's token", f.getToken(t, f.tok.ID), f.tok)
	n, err = f.st.DeleteMemberTokens(f.ctx, f.org.ID, m.ID)
	mustOK(t, "DeleteMemberTokens with nothing left", err)
	if n != 0 {
		t.Fatalf("second DeleteMemberTokens deleted %d", n)
	}
}

// testDeleteMemberTokensAtomic watches the member's tokens from other
// goroutines while they are deleted: every look sees all of them or none.
func testDeleteMemberTokensAtomic(t *testing.T, f *fixture) {
	const count = 40
	m := f.member(t, "writer")
	for range count {
		f.token(t, m.ID, nil)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 4 {
		wg.Go(func() {
			for {
				_, total, err := f.st.ListTokens(f.ctx, store.TokenFilter{OrgID: f.org.ID, MemberID: m.ID})
				if err != nil {
					errs <- err.Error()
					return
				}
				if total != 0 && total != count {
					errs <- "saw a partial deletion"
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	n, err := f.st.DeleteMemberTokens(f.ctx, f.org.ID, m.ID)
	close(done)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent ListTokens: %s", e)
	}
	mustOK(t, "DeleteMemberTokens", err)
	if n != count {
		t.Fatalf("DeleteMemberTokens deleted %d, want %d", n, count)
	}
}

func testGetTokenByDigest(t *testing.T, f *fixture) {
	graceEnds := base.Add(time.Hour)
	tok := f.token(t, f.owner.ID, func(tok *store.Token) {
		tok.PrevDigest, tok.PrevExpiresAt = newDigest(), ptr(graceEnds)
	})
	cases := []struct {
		name   string
		digest []byte
		now    time.Time
		found  bool
	}{
		{"current", tok.Digest, base, true},
		{"current long after the grace period", tok.Digest, graceEnds.Add(1000 * time.Hour), true},
		{"previous during the grace period", tok.PrevDigest, graceEnds.Add(-time.Millisecond), true},
		{"previous when the grace period ends", tok.PrevDigest, graceEnds, false},
		{"previous after the grace period", tok.PrevDigest, graceEnds.Add(time.Millisecond), false},
		{"unknown", newDigest(), base, false},
		{"empty", nil, base, false},
	}
	for _, tc := range cases {
		got, err := f.st.GetTokenByDigest(f.ctx, tc.digest, tc.now)
		if !tc.found {
			wantErr(t, "GetTokenByDigest "+tc.name, err, store.ErrNotFound)
			continue
		}
		mustOK(t, "GetTokenByDigest "+tc.name, err)
		equal(t, "GetTokenByDigest "+tc.name, got, tok)
	}

	// A previous digest without an end time never matches.
	open := f.token(t, f.owner.ID, func(tok *store.Token) { tok.PrevDigest = newDigest() })
	_, err := f.st.GetTokenByDigest(f.ctx, open.PrevDigest, base)
	wantErr(t, "GetTokenByDigest previous digest without an end", err, store.ErrNotFound)

	// Expired tokens are still found: refusing them is the caller's call.
	expired := f.token(t, f.owner.ID, func(tok *store.Token) { tok.ExpiresAt = ptr(base.Add(-time.Hour)) })
	got, err := f.st.GetTokenByDigest(f.ctx, expired.Digest, base)
	mustOK(t, "GetTokenByDigest expired", err)
	equal(t, "expired token", got, expired)
}

func testRecordLastUsed(t *testing.T, f *fixture) {
	a := f.token(t, f.owner.ID, nil)
	b := f.token(t, f.owner.ID, nil)
	c := f.token(t, f.owner.ID, nil)
	f.byDigest(t, a.Digest, base)
	ta, tb := base.Add(time.Minute), base.Add(2*time.Minute)
	mustOK(t, "RecordLastUsed", f.st.RecordLastUsed(f.ctx, map[string]time.Time{a.ID: ta, b.ID: tb, newID(): ta}))
	mustOK(t, "RecordLastUsed empty", f.st.RecordLastUsed(f.ctx, nil))
	a.LastUsedAt, b.LastUsedAt = &ta, &tb
	equal(t, "token a", f.getToken(t, a.ID), a)
	equal(t, "token a by digest", f.byDigest(t, a.Digest, base), a)
	equal(t, "token b", f.getToken(t, b.ID), b)
	equal(t, "unused token", f.getToken(t, c.ID), c)

	later := base.Add(time.Hour)
	mustOK(t, "RecordLastUsed", f.st.RecordLastUsed(f.ctx, map[string]time.Time{a.ID: later}))
	a.LastUsedAt = &later
	equal(t, "token a used again", f.getToken(t, a.ID), a)
}
