package authz_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func TestRankOrdersTheMemberRoles(t *testing.T) {
	for i, role := range []string{api.RoleReader, api.RoleWriter, api.RoleAdmin, api.RoleOwner} {
		if got := authz.Rank(role); got != i {
			t.Errorf("Rank(%q) = %d, want %d", role, got, i)
		}
	}
	if got := authz.Rank("superuser"); got != -1 {
		t.Errorf("Rank of an unknown role = %d, want -1", got)
	}
	for _, tc := range []struct {
		role string
		want []string
	}{
		{api.RoleReader, []string{api.RoleWriter, api.RoleAdmin, api.RoleOwner}},
		{api.RoleAdmin, []string{api.RoleOwner}},
		{api.RoleOwner, []string{}},
		{"unknown", api.MemberRoles()},
	} {
		if got := authz.RolesAbove(tc.role); !slices.Equal(got, tc.want) {
			t.Errorf("RolesAbove(%q) = %v, want %v", tc.role, got, tc.want)
		}
	}
}

func TestLastOwner(t *testing.T) {
	a := store.Member{ID: "a", Role: api.RoleOwner}
	b := store.Member{ID: "b", Role: api.RoleOwner}
	w := store.Member{ID: "w", Role: api.RoleWriter}
	if !authz.LastOwner(a, []store.Member{a, w}) {
		t.Error("the only owner is not the last owner")
	}
	if authz.LastOwner(a, []store.Member{a, b, w}) {
		t.Error("one of two owners is the last owner")
	}
	if authz.LastOwner(w, []store.Member{w}) {
		t.Error("a writer is the last owner")
	}
}

func TestOldSecretMayNotTakeItsTokenOver(t *testing.T) {
	r := newRules()
	c := callerWith(t, r, api.RoleOwner, api.RoleAdmin)
	if err := c.RefuseOldSecret("reset access tokens"); err != nil {
		t.Fatalf("the current secret is refused: %v", err)
	}
	c.Digest = []byte("previous")
	var d *authz.Denied
	if err := c.RefuseOldSecret("reset access tokens"); !errors.As(err, &d) || d.Reason != authz.OldSecret || d.Missing != nil {
		t.Fatalf("the old secret: got %v", err)
	}
	// What its token may do, the old secret still may.
	if err := c.Require(catalogue.AccessTokenRead); err != nil {
		t.Fatalf("the old secret cannot read tokens: %v", err)
	}
}

func TestDeniedNamesTheMissingPermission(t *testing.T) {
	r := newRules()
	c := callerWith(t, r, api.RoleReader, api.RoleReader)
	var d *authz.Denied
	err := c.RequireOn(catalogue.WorkspaceWrite, policy.Workspace(wsMine.ID))
	if !errors.As(err, &d) || !slices.Equal(d.Missing, []string{catalogue.WorkspaceWrite}) {
		t.Fatalf("got %#v", err)
	}
	if want := "the access token lacks permission WORKSPACE_WRITE on workspace/ws-mine"; d.Detail != want || err.Error() != want {
		t.Errorf("detail %q, want %q", d.Detail, want)
	}
	err = r.CheckGrant(context.Background(), c, selfToken(api.RoleWriter, wsOther.ID), c.Member, allWS)
	if !errors.As(err, &d) || d.Field != "workspaceIds[0]" {
		t.Errorf("a scope outside membership: got %#v", err)
	}
}

func TestDecide(t *testing.T) {
	r := newRules()
	c := callerWith(t, r, api.RoleAdmin, api.RoleAdmin)
	if err := r.Decide(context.Background(), c, catalogue.WorkspaceWrite, policy.Workspace(wsOther.ID)); err != nil {
		t.Errorf("an admin writing a workspace: %v", err)
	}
	var nf *authz.NotFound
	if err := r.Decide(context.Background(), c, catalogue.WorkspaceRead, "workspace/nope"); !errors.As(err, &nf) || nf.Detail != `workspace "nope" not found` {
		t.Errorf("an unknown workspace: got %#v", err)
	}
	var iv *authz.Invalid
	if err := r.Decide(context.Background(), c, catalogue.WorkspaceRead, "work space"); !errors.As(err, &iv) || iv.Field != "resource" {
		t.Errorf("a malformed resource: got %#v", err)
	}
}

func TestExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	day := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		policy authz.Expiry
		exp    *time.Time
		detail string // "" when accepted
	}{
		{"no expiry allowed", authz.Expiry{AllowNoExpiry: true}, nil, ""},
		{"no expiry refused", authz.Expiry{}, nil, "expirationDate is required: this server does not allow tokens without expiry"},
		{"no expiry with a maximum lifetime", authz.Expiry{AllowNoExpiry: true, MaxLifetime: 30 * day}, nil, "expirationDate is required: tokens may live at most 30 days"},
		{"in the past", authz.Expiry{AllowNoExpiry: true}, at(-time.Second), "expirationDate must be in the future"},
		{"now", authz.Expiry{AllowNoExpiry: true}, at(0), "expirationDate must be in the future"},
		{"within the lifetime", authz.Expiry{MaxLifetime: 30 * day}, at(30 * day), ""},
		{"beyond the lifetime", authz.Expiry{MaxLifetime: 30 * day}, at(30*day + time.Millisecond), "expirationDate must be at most 30 days from now"},
		{"beyond a lifetime of hours", authz.Expiry{MaxLifetime: 36 * time.Hour}, at(37 * time.Hour), "expirationDate must be at most 36h0m0s from now"},
	} {
		got, err := tc.policy.Check(now, tc.exp)
		if tc.detail == "" {
			if err != nil || got != tc.exp {
				t.Errorf("%s: got %v, %v", tc.name, got, err)
			}
			continue
		}
		var iv *authz.Invalid
		if !errors.As(err, &iv) || iv.Field != "expirationDate" || iv.Detail != tc.detail {
			t.Errorf("%s: got %#v, want %q", tc.name, err, tc.detail)
		}
	}
}

func TestCheckQuota(t *testing.T) {
	r := newRules()
	fs := r.Store.(*fakeStore)
	mine := store.Token{ID: "t1", MemberID: callerID}
	fs.tokens = []store.Token{mine, {ID: "t2", MemberID: otherID}}
	ctx := context.Background()
	var qe *store.QuotaError
	if err := r.CheckQuota(ctx, store.Quota{PerMember: 1}, callerID, nil); !errors.As(err, &qe) || qe.Scope != "member" || qe.Limit != 1 {
		t.Errorf("member quota reached: got %v", err)
	}
	if err := r.CheckQuota(ctx, store.Quota{PerMember: 1}, callerID, &mine); err != nil {
		t.Errorf("a replaced token of the member is counted: %v", err)
	}
	if err := r.CheckQuota(ctx, store.Quota{PerOrg: 2}, callerID, nil); !errors.As(err, &qe) || qe.Scope != "organization" {
		t.Errorf("organisation quota reached: got %v", err)
	}
	other := store.Token{ID: "t2", MemberID: otherID}
	if err := r.CheckQuota(ctx, store.Quota{PerMember: 2, PerOrg: 2}, callerID, &other); err != nil {
		t.Errorf("a replaced token counts against the organisation once: %v", err)
	}
	if err := r.CheckQuota(ctx, store.Quota{}, callerID, nil); err != nil {
		t.Errorf("no quota: %v", err)
	}
}

func TestFutureWorkspaces(t *testing.T) {
	grant := policy.Subject{{{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: []string{"workspace/ab*", "workspace/*", "org"}}}}
	held := policy.Subject{{{Effect: api.EffectDeny, Actions: []string{"*"}, NotResources: []string{"workspace/cd*", "workspace/ab*"}}}}
	want := []string{"workspace/?", "workspace/ab?", "workspace/cd?"}
	if got := authz.FutureWorkspaces(grant, held); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
