package storetest

import (
	"errors"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func (f *fixture) customRole(t *testing.T, key string) store.CustomRole {
	t.Helper()
	at := f.now()
	r := store.CustomRole{ID: newID(), OrgID: f.org.ID, Key: key, Name: "Role " + key, Description: "d",
		BasePermissions: "no_access", Permissions: []string{"WORKSPACE_READ"},
		Policy:    []api.Statement{{Effect: "allow", Actions: []string{"TOKEN_*"}, Resources: []string{"*"}}},
		CreatedAt: at, UpdatedAt: at}
	mustOK(t, "CreateCustomRole", f.st.CreateCustomRole(f.ctx, r))
	return r
}

func testCustomRoles(t *testing.T, f *fixture) {
	at := f.now()
	// Statement order and the order inside each list are kept as sent.
	r := store.CustomRole{ID: idWithPrefix("ffff"), OrgID: f.org.ID, Key: "ci.deployer", Name: "CI deployer",
		Description: "deploys", BasePermissions: "reader", Permissions: []string{"WORKSPACE_READ", "MEMBER_READ"},
		Access: map[string]string{"api": "read_write", "plan": "none"},
		Policy: []api.Statement{
			{Effect: "deny", NotActions: []string{"Z_READ", "A_READ"}, Resources: []string{"workspace/prod", "workspace/dev*"}},
			{Effect: "allow", Actions: []string{"*"}, NotResources: []string{"org"}},
			{Effect: "allow", Actions: []string{"B", "A"}, Resources: []string{"*"}},
		},
		CreatedAt: at, UpdatedAt: at}
	mustOK(t, "CreateCustomRole", f.st.CreateCustomRole(f.ctx, r))
	first := store.CustomRole{ID: idWithPrefix("0000"), OrgID: f.org.ID, Key: "a", Name: "A", BasePermissions: "no_access", CreatedAt: at, UpdatedAt: at,
		Policy: []api.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}}}
	mustOK(t, "CreateCustomRole", f.st.CreateCustomRole(f.ctx, first))
	early := store.CustomRole{ID: idWithPrefix("ffff"), OrgID: f.org.ID, Key: "early", Name: "E", BasePermissions: "no_access", CreatedAt: base, UpdatedAt: base,
		Policy: []api.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}}}
	mustOK(t, "CreateCustomRole", f.st.CreateCustomRole(f.ctx, early))

	got, err := f.st.GetCustomRole(f.ctx, f.org.ID, r.ID)
	mustOK(t, "GetCustomRole by id", err)
	equal(t, "custom role", got, r)
	got, err = f.st.GetCustomRole(f.ctx, f.org.ID, r.Key)
	mustOK(t, "GetCustomRole by key", err)
	equal(t, "custom role by key", got, r)

	list, err := f.st.ListCustomRoles(f.ctx, f.org.ID)
	mustOK(t, "ListCustomRoles", err)
	equal(t, "ListCustomRoles", list, []store.CustomRole{early, first, r})

	_, err = f.st.GetCustomRole(f.ctx, otherOrg, r.ID)
	wantErr(t, "GetCustomRole from another organisation", err, store.ErrNotFound)
	_, err = f.st.GetCustomRole(f.ctx, otherOrg, r.Key)
	wantErr(t, "GetCustomRole by key from another organisation", err, store.ErrNotFound)
	_, err = f.st.GetCustomRole(f.ctx, f.org.ID, "nope")
	wantErr(t, "GetCustomRole unknown", err, store.ErrNotFound)
	other, err := f.st.ListCustomRoles(f.ctx, otherOrg)
	mustOK(t, "ListCustomRoles other org", err)
	if len(other) != 0 {
		t.Fatalf("ListCustomRoles of another organisation: %d", len(other))
	}

	dup := first
	dup.ID = newID()
	wantErr(t, "CreateCustomRole with a taken key", f.st.CreateCustomRole(f.ctx, dup), store.ErrConflict)

	upd := r
	upd.Name, upd.Description, upd.BasePermissions, upd.Permissions, upd.UpdatedAt = "Renamed", "", "no_access", nil, f.now()
	upd.Access = map[string]string{"plan": "read_only"}
	upd.Policy = []api.Statement{{Effect: "allow", Actions: []string{"X", "C"}, Resources: []string{"workspace/*"}}, r.Policy[0]}
	mustOK(t, "UpdateCustomRole", f.st.UpdateCustomRole(f.ctx, upd))
	got, err = f.st.GetCustomRole(f.ctx, f.org.ID, r.Key)
	mustOK(t, "GetCustomRole", err)
	equal(t, "updated custom role", got, upd)

	missing := upd
	missing.ID = newID()
	wantErr(t, "UpdateCustomRole unknown", f.st.UpdateCustomRole(f.ctx, missing), store.ErrNotFound)
	foreign := upd
	foreign.OrgID, foreign.Name = otherOrg, "stolen"
	wantErr(t, "UpdateCustomRole in another organisation", f.st.UpdateCustomRole(f.ctx, foreign), store.ErrNotFound)

	wantErr(t, "DeleteCustomRole in another organisation", f.st.DeleteCustomRole(f.ctx, otherOrg, r.ID), store.ErrNotFound)
	wantErr(t, "DeleteCustomRole unknown", f.st.DeleteCustomRole(f.ctx, f.org.ID, newID()), store.ErrNotFound)
	mustOK(t, "DeleteCustomRole", f.st.DeleteCustomRole(f.ctx, f.org.ID, r.ID))
	_, err = f.st.GetCustomRole(f.ctx, f.org.ID, r.Key)
	wantErr(t, "GetCustomRole after delete", err, store.ErrNotFound)
}

func testDeleteCustomRoleInUse(t *testing.T, f *fixture) {
	r1 := f.customRole(t, "one")
	r2 := f.customRole(t, "two")
	m := f.member(t, "writer")
	withRoles := func(ids ...string) func(*store.Token) {
		return func(tok *store.Token) { tok.Role, tok.CustomRoleIDs = "", ids }
	}
	a := f.token(t, m.ID, withRoles(r2.ID, r1.ID))
	b := f.token(t, f.owner.ID, withRoles(r1.ID))
	f.token(t, m.ID, withRoles(r2.ID))

	count := func(id string, want int) {
		t.Helper()
		n, err := f.st.CountTokensUsingRole(f.ctx, f.org.ID, id)
		mustOK(t, "CountTokensUsingRole", err)
		if n != want {
			t.Fatalf("CountTokensUsingRole(%s) = %d, want %d", id, n, want)
		}
	}
	count(r1.ID, 2)
	count(r2.ID, 2)
	_, err := f.st.CountTokensUsingRole(f.ctx, otherOrg, r1.ID)
	wantErr(t, "CountTokensUsingRole in another organisation", err, store.ErrNotFound)

	err = f.st.DeleteCustomRole(f.ctx, f.org.ID, r1.ID)
	var inUse *store.InUseError
	if !errors.As(err, &inUse) || inUse.Tokens != 2 {
		t.Fatalf("DeleteCustomRole of a role in use: got %v, want *store.InUseError with 2 tokens", err)
	}
	_, err = f.st.GetCustomRole(f.ctx, f.org.ID, r1.ID)
	mustOK(t, "GetCustomRole after refused delete", err)

	// Moving one token off the role and deleting the other frees it.
	a2 := a
	a2.CustomRoleIDs, a2.UpdatedAt = []string{r2.ID}, f.now()
	mustOK(t, "UpdateToken", f.st.UpdateToken(f.ctx, a2))
	count(r1.ID, 1)
	mustOK(t, "DeleteToken", f.st.DeleteToken(f.ctx, f.org.ID, b.ID))
	count(r1.ID, 0)
	mustOK(t, "DeleteCustomRole", f.st.DeleteCustomRole(f.ctx, f.org.ID, r1.ID))

	// Deleting a member's tokens releases their roles too.
	count(r2.ID, 2)
	_, err = f.st.DeleteMemberTokens(f.ctx, f.org.ID, m.ID)
	mustOK(t, "DeleteMemberTokens", err)
	count(r2.ID, 0)
	mustOK(t, "DeleteCustomRole", f.st.DeleteCustomRole(f.ctx, f.org.ID, r2.ID))
}
