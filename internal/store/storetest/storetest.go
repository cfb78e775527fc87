// Package storetest is the conformance suite every store.Store engine must
// pass. An engine's test calls Run with a function that opens a fresh,
// empty store and registers its Close with t.Cleanup.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Run runs the whole suite; every subtest gets its own store from open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("EmptyStore", func(t *testing.T) { testEmptyStore(t, open(t)) })
	suites := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"Bootstrap", testBootstrap},
		{"Members", testMembers},
		{"DeleteMember", testDeleteMember},
		{"Workspaces", testWorkspaces},
		{"TransferWorkspace", testTransferWorkspace},
		{"TransferWorkspaceErrors", testTransferWorkspaceErrors},
		{"TransferWorkspaceSparesRoles", testTransferWorkspaceSparesRoles},
		{"CustomRoles", testCustomRoles},
		{"DeleteCustomRoleInUse", testDeleteCustomRoleInUse},
		{"TokenRoundTrip", testTokenRoundTrip},
		{"ListTokens", testListTokens},
		{"UpdateToken", testUpdateToken},
		{"TokenConflicts", testTokenConflicts},
		{"SpentDigests", testSpentDigests},
		{"DeleteToken", testDeleteToken},
		{"DeleteMemberTokens", testDeleteMemberTokens},
		{"DeleteMemberTokensAtomic", testDeleteMemberTokensAtomic},
		{"DeleteMemberTokensMatching", testDeleteMemberTokensMatching},
		{"GetTokenByDigest", testGetTokenByDigest},
		{"RecordLastUsed", testRecordLastUsed},
		{"Usage", testUsage},
		{"ListUnusedTokens", testListUnusedTokens},
		{"Quota", testQuota},
		{"QuotaRaceMember", testQuotaRaceMember},
		{"QuotaRaceOrganization", testQuotaRaceOrganization},
		{"Idempotency", testIdempotency},
		{"IdempotencyDiscard", testIdempotencyDiscard},
		{"IdempotencyCrash", testIdempotencyCrash},
		{"IdempotencyFailedWriteInside", testIdempotencyFailedWriteInside},
		{"IdempotencyStale", testIdempotencyStale},
		{"IdempotencyPurge", testIdempotencyPurge},
		{"IdempotencyRace", testIdempotencyRace},
		{"Audit", testAudit},
		{"MemberPassword", testMemberPassword},
		{"Sessions", testSessions},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.fn(t, newFixture(t, open(t))) })
	}
}

// base is the suite's clock; every time is a whole millisecond, the
// precision the API exposes.
var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

const otherOrg = "0123456789abcdef01234567"

type fixture struct {
	st    store.Store
	ctx   context.Context
	org   store.Organization
	owner store.Member
	ws    store.Workspace
	tok   store.Token
	ticks int
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	f := &fixture{st: st, ctx: context.Background()}
	f.org = store.Organization{ID: newID(), Name: "Acme", CreatedAt: base}
	f.owner = store.Member{ID: newID(), OrgID: f.org.ID, Email: "owner@example.com", FirstName: "Olive", LastName: "Owner",
		Role: "owner", CreatedAt: base, UpdatedAt: base}
	f.ws = store.Workspace{ID: newID(), OrgID: f.org.ID, Name: "default", Description: "first", OwnerID: f.owner.ID,
		MemberIDs: []string{f.owner.ID}, CreatedAt: base, UpdatedAt: base}
	f.tok = store.Token{ID: newID(), OrgID: f.org.ID, MemberID: f.owner.ID, Name: "bootstrap", Role: "admin",
		AllWorkspaces: true, DefaultAPIVersion: 2, Digest: newDigest(), LastFour: "abcd", CreatedAt: base, UpdatedAt: base}
	if err := st.Bootstrap(f.ctx, f.org, f.owner, f.ws, f.tok); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	return f
}

// now returns a later time on every call, so records created one after the
// other list in that order.
func (f *fixture) now() time.Time {
	f.ticks++
	return base.Add(time.Duration(f.ticks) * time.Second)
}

func (f *fixture) member(t *testing.T, role string) store.Member {
	t.Helper()
	at := f.now()
	m := store.Member{ID: newID(), OrgID: f.org.ID, Email: newID() + "@example.com", FirstName: "First", LastName: "Last",
		Role: role, CreatedAt: at, UpdatedAt: at}
	if err := f.st.CreateMember(f.ctx, m); err != nil {
		t.Fatalf("CreateMember: %v", err)
	}
	return m
}

func (f *fixture) workspace(t *testing.T, ownerID string, memberIDs ...string) store.Workspace {
	t.Helper()
	at := f.now()
	w := store.Workspace{ID: newID(), OrgID: f.org.ID, Name: "ws-" + newID(), OwnerID: ownerID,
		MemberIDs: append([]string{ownerID}, memberIDs...), CreatedAt: at, UpdatedAt: at}
	if err := f.st.CreateWorkspace(f.ctx, w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	return w
}

// newToken builds an unsaved personal token with a role grant on all
// workspaces; edit changes it before use.
func (f *fixture) newToken(memberID string, edit func(*store.Token)) store.Token {
	at := f.now()
	tok := store.Token{ID: newID(), OrgID: f.org.ID, MemberID: memberID, Name: "token " + newID()[:6], Role: "reader",
		AllWorkspaces: true, DefaultAPIVersion: 2, Digest: newDigest(), LastFour: "wxyz", CreatedAt: at, UpdatedAt: at}
	if edit != nil {
		edit(&tok)
	}
	return tok
}

func (f *fixture) token(t *testing.T, memberID string, edit func(*store.Token)) store.Token {
	t.Helper()
	tok := f.newToken(memberID, edit)
	if err := f.st.CreateToken(f.ctx, tok, store.Quota{}); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return tok
}

func (f *fixture) getToken(t *testing.T, id string) store.Token {
	t.Helper()
	tok, err := f.st.GetToken(f.ctx, f.org.ID, id)
	if err != nil {
		t.Fatalf("GetToken %s: %v", id, err)
	}
	return tok
}

func (f *fixture) tokenCount(t *testing.T, memberID string) int {
	t.Helper()
	_, total, err := f.st.ListTokens(f.ctx, store.TokenFilter{OrgID: f.org.ID, MemberID: memberID})
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	return total
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// idWithPrefix makes an id that sorts where the test needs it.
func idWithPrefix(p string) string { return p + newID()[len(p):] }

func newDigest() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

func ptr(t time.Time) *time.Time { return &t }

// byDigest looks a token up by digest, as authentication does; tests call
// it before a write too, so an engine that caches lookups must notice the
// write.
func (f *fixture) byDigest(t *testing.T, digest []byte, now time.Time) store.Token {
	t.Helper()
	tok, err := f.st.GetTokenByDigest(f.ctx, digest, now)
	if err != nil {
		t.Fatalf("GetTokenByDigest: %v", err)
	}
	return tok
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// equal compares records after normalise, which forgives what an engine
// may legitimately change: nil versus empty lists, time zones, and the
// order of workspace members.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := normalise(got), normalise(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, show(g), show(w))
	}
}

func show(v any) string { return strings.ReplaceAll(fmt.Sprintf("%+v", v), "\n", " ") }

func normTime(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normTime(*t)
	return &n
}

func normList(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

// normMap treats an empty access grant like none.
func normMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func normBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func normStatements(ss []api.Statement) []api.Statement {
	if len(ss) == 0 {
		return nil
	}
	out := make([]api.Statement, len(ss))
	for i, s := range ss {
		out[i] = api.Statement{Effect: s.Effect, Actions: normList(s.Actions), NotActions: normList(s.NotActions),
			Resources: normList(s.Resources), NotResources: normList(s.NotResources)}
	}
	return out
}

func normalise(v any) any {
	switch x := v.(type) {
	case store.Organization:
		x.CreatedAt = normTime(x.CreatedAt)
		return x
	case store.Member:
		x.CreatedAt, x.UpdatedAt = normTime(x.CreatedAt), normTime(x.UpdatedAt)
		return x
	case store.Workspace:
		x.CreatedAt, x.UpdatedAt = normTime(x.CreatedAt), normTime(x.UpdatedAt)
		x.MemberIDs = slices.Sorted(slices.Values(normList(x.MemberIDs)))
		return x
	case store.CustomRole:
		x.CreatedAt, x.UpdatedAt = normTime(x.CreatedAt), normTime(x.UpdatedAt)
		x.Permissions = normList(x.Permissions)
		x.Access = normMap(x.Access)
		x.Policy = normStatements(x.Policy)
		return x
	case store.Token:
		x.CreatedAt, x.UpdatedAt = normTime(x.CreatedAt), normTime(x.UpdatedAt)
		x.ExpiresAt, x.PrevExpiresAt, x.LastUsedAt = normTimePtr(x.ExpiresAt), normTimePtr(x.PrevExpiresAt), normTimePtr(x.LastUsedAt)
		x.CustomRoleIDs, x.Permissions = normList(x.CustomRoleIDs), normList(x.Permissions)
		x.WorkspaceIDs, x.ExcludedWorkspaceIDs = normList(x.WorkspaceIDs), normList(x.ExcludedWorkspaceIDs)
		x.InlineRole = normStatements(x.InlineRole)
		x.Access = normMap(x.Access)
		x.Digest, x.PrevDigest = normBytes(x.Digest), normBytes(x.PrevDigest)
		return x
	case store.IdempotencyRecord:
		x.CreatedAt = normTime(x.CreatedAt)
		x.RequestHash, x.Body = normBytes(x.RequestHash), normBytes(x.Body)
		return x
	case store.AuditEvent:
		x.Time = normTime(x.Time)
		return x
	case []store.Member:
		return normSlice(x)
	case []store.Workspace:
		return normSlice(x)
	case []store.CustomRole:
		return normSlice(x)
	case []store.Token:
		return normSlice(x)
	case []store.AuditEvent:
		return normSlice(x)
	case []string:
		return normList(x)
	}
	return v
}

func normSlice[T any](xs []T) []any {
	if len(xs) == 0 {
		return nil
	}
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = normalise(x)
	}
	return out
}

func testEmptyStore(t *testing.T, st store.Store) {
	_, err := st.Organization(context.Background())
	wantErr(t, "Organization on an empty store", err, store.ErrNotFound)
}

func testBootstrap(t *testing.T, f *fixture) {
	org, err := f.st.Organization(f.ctx)
	mustOK(t, "Organization", err)
	equal(t, "organization", org, f.org)

	owner, err := f.st.GetMember(f.ctx, f.org.ID, f.owner.ID)
	mustOK(t, "GetMember", err)
	equal(t, "owner", owner, f.owner)

	ws, err := f.st.GetWorkspace(f.ctx, f.org.ID, f.ws.ID)
	mustOK(t, "GetWorkspace", err)
	equal(t, "workspace", ws, f.ws)

	equal(t, "token", f.getToken(t, f.tok.ID), f.tok)

	second := newFixtureValues(f)
	err = f.st.Bootstrap(f.ctx, second.org, second.owner, second.ws, second.tok)
	wantErr(t, "second Bootstrap", err, store.ErrConflict)
	_, err = f.st.GetMember(f.ctx, second.org.ID, second.owner.ID)
	wantErr(t, "owner of the refused bootstrap", err, store.ErrNotFound)
	members, err := f.st.ListMembers(f.ctx, f.org.ID)
	mustOK(t, "ListMembers", err)
	if len(members) != 1 {
		t.Fatalf("after a refused bootstrap: %d members, want 1", len(members))
	}
	org, err = f.st.Organization(f.ctx)
	mustOK(t, "Organization", err)
	equal(t, "organization after refused bootstrap", org, f.org)
}

// newFixtureValues builds a second, unsaved organisation.
func newFixtureValues(f *fixture) fixture {
	o := store.Organization{ID: newID(), Name: "Other", CreatedAt: base}
	m := store.Member{ID: newID(), OrgID: o.ID, Email: "other@example.com", Role: "owner", CreatedAt: base, UpdatedAt: base}
	w := store.Workspace{ID: newID(), OrgID: o.ID, Name: "default", OwnerID: m.ID, MemberIDs: []string{m.ID}, CreatedAt: base, UpdatedAt: base}
	tok := store.Token{ID: newID(), OrgID: o.ID, MemberID: m.ID, Name: "bootstrap", Role: "admin", AllWorkspaces: true,
		DefaultAPIVersion: 2, Digest: newDigest(), LastFour: "zzzz", CreatedAt: base, UpdatedAt: base}
	return fixture{org: o, owner: m, ws: w, tok: tok}
}
