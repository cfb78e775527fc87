package storetest

import (
	"slices"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func testWorkspaces(t *testing.T, f *fixture) {
	m1 := f.member(t, "writer")
	m2 := f.member(t, "reader")
	at := f.now()
	// The owner is left out of MemberIDs: the store adds them.
	w := store.Workspace{ID: idWithPrefix("ffff"), OrgID: f.org.ID, Name: "build", Description: "CI", OwnerID: m1.ID,
		MemberIDs: []string{m2.ID}, CreatedAt: at, UpdatedAt: at}
	mustOK(t, "CreateWorkspace", f.st.CreateWorkspace(f.ctx, w))
	w.MemberIDs = []string{m1.ID, m2.ID}
	w2 := store.Workspace{ID: idWithPrefix("0000"), OrgID: f.org.ID, Name: "deploy", OwnerID: f.owner.ID,
		MemberIDs: []string{f.owner.ID}, CreatedAt: at, UpdatedAt: at}
	mustOK(t, "CreateWorkspace", f.st.CreateWorkspace(f.ctx, w2))

	got, err := f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	equal(t, "workspace", got, w)
	got, err = f.st.GetWorkspaceByName(f.ctx, f.org.ID, "build")
	mustOK(t, "GetWorkspaceByName", err)
	equal(t, "workspace by name", got, w)

	list, err := f.st.ListWorkspaces(f.ctx, f.org.ID)
	mustOK(t, "ListWorkspaces", err)
	equal(t, "ListWorkspaces", list, []store.Workspace{f.ws, w2, w})

	_, err = f.st.GetWorkspace(f.ctx, otherOrg, w.ID)
	wantErr(t, "GetWorkspace from another organisation", err, store.ErrNotFound)
	_, err = f.st.GetWorkspaceByName(f.ctx, otherOrg, "build")
	wantErr(t, "GetWorkspaceByName from another organisation", err, store.ErrNotFound)
	_, err = f.st.GetWorkspaceByName(f.ctx, f.org.ID, "nope")
	wantErr(t, "GetWorkspaceByName unknown", err, store.ErrNotFound)
	_, err = f.st.GetWorkspace(f.ctx, f.org.ID, newID())
	wantErr(t, "GetWorkspace unknown", err, store.ErrNotFound)
	other, err := f.st.ListWorkspaces(f.ctx, otherOrg)
	mustOK(t, "ListWorkspaces other org", err)
	if len(other) != 0 {
		t.Fatalf("ListWorkspaces of another organisation: %d", len(other))
	}

	dup := store.Workspace{ID: newID(), OrgID: f.org.ID, Name: "build", OwnerID: f.owner.ID, CreatedAt: at, UpdatedAt: at}
	wantErr(t, "CreateWorkspace with a taken name", f.st.CreateWorkspace(f.ctx, dup), store.ErrConflict)
	bad := store.Workspace{ID: newID(), OrgID: f.org.ID, Name: "x", OwnerID: f.owner.ID, MemberIDs: []string{newID()}, CreatedAt: at, UpdatedAt: at}
	wantErr(t, "CreateWorkspace with an unknown member", f.st.CreateWorkspace(f.ctx, bad), store.ErrNotFound)
	bad = store.Workspace{ID: newID(), OrgID: f.org.ID, Name: "y", OwnerID: newID(), CreatedAt: at, UpdatedAt: at}
	wantErr(t, "CreateWorkspace with an unknown owner", f.st.CreateWorkspace(f.ctx, bad), store.ErrNotFound)
	_, err = f.st.GetWorkspaceByName(f.ctx, f.org.ID, "x")
	wantErr(t, "refused workspace", err, store.ErrNotFound)

	upd := w
	upd.Name, upd.Description, upd.MemberIDs, upd.UpdatedAt = "build-2", "renamed", []string{m1.ID, f.owner.ID}, f.now()
	mustOK(t, "UpdateWorkspace", f.st.UpdateWorkspace(f.ctx, upd))
	got, err = f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	equal(t, "updated workspace", got, upd)

	// MemberIDs always include the owner, even when an update leaves them out.
	noOwner := upd
	noOwner.MemberIDs = []string{m2.ID}
	mustOK(t, "UpdateWorkspace", f.st.UpdateWorkspace(f.ctx, noOwner))
	got, err = f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	noOwner.MemberIDs = []string{m1.ID, m2.ID}
	equal(t, "workspace updated without its owner", got, noOwner)

	clash := noOwner
	clash.Name = "deploy"
	wantErr(t, "UpdateWorkspace to a taken name", f.st.UpdateWorkspace(f.ctx, clash), store.ErrConflict)
	unknown := noOwner
	unknown.MemberIDs = []string{newID()}
	wantErr(t, "UpdateWorkspace with an unknown member", f.st.UpdateWorkspace(f.ctx, unknown), store.ErrNotFound)
	missing := noOwner
	missing.ID = newID()
	wantErr(t, "UpdateWorkspace unknown", f.st.UpdateWorkspace(f.ctx, missing), store.ErrNotFound)
	foreign := noOwner
	foreign.OrgID = otherOrg
	wantErr(t, "UpdateWorkspace in another organisation", f.st.UpdateWorkspace(f.ctx, foreign), store.ErrNotFound)
	got, err = f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	equal(t, "workspace after refused updates", got, noOwner)

	wantErr(t, "DeleteWorkspace in another organisation", f.st.DeleteWorkspace(f.ctx, otherOrg, w.ID), store.ErrNotFound)
	mustOK(t, "DeleteWorkspace", f.st.DeleteWorkspace(f.ctx, f.org.ID, w.ID))
	_, err = f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	wantErr(t, "GetWorkspace after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteWorkspace twice", f.st.DeleteWorkspace(f.ctx, f.org.ID, w.ID), store.ErrNotFound)
	// The name is free again.
	again := store.Workspace{ID: newID(), OrgID: f.org.ID, Name: "build-2", OwnerID: f.owner.ID, CreatedAt: at, UpdatedAt: at}
	mustOK(t, "CreateWorkspace with a freed name", f.st.CreateWorkspace(f.ctx, again))
}

func testTransferWorkspace(t *testing.T, f *fixture) {
	oldOwner := f.member(t, "admin")
	newOwner := f.member(t, "writer")
	other := f.member(t, "writer")
	w := f.workspace(t, oldOwner.ID, other.ID)
	x := f.workspace(t, oldOwner.ID, other.ID, newOwner.ID)
	scoped := func(ids ...string) func(*store.Token) {
		return func(tok *store.Token) { tok.AllWorkspaces, tok.WorkspaceIDs = false, ids }
	}

	narrowedList := f.token(t, other.ID, scoped(x.ID, w.ID))
	onlyW := f.token(t, other.ID, scoped(w.ID))
	allWs := f.token(t, other.ID, nil)
	oldOwnerOnlyW := f.token(t, oldOwner.ID, scoped(w.ID))
	oldOwnerAll := f.token(t, oldOwner.ID, func(tok *store.Token) { tok.ExcludedWorkspaceIDs = []string{x.ID} })
	service := f.token(t, other.ID, func(tok *store.Token) { tok.Service, tok.AllWorkspaces, tok.WorkspaceIDs = true, false, []string{w.ID} })
	serviceAll := f.token(t, other.ID, func(tok *store.Token) { tok.Service = true })
	newOwnersList := f.token(t, newOwner.ID, scoped(w.ID))
	newOwnersAll := f.token(t, newOwner.ID, nil)
	elsewhere := f.token(t, other.ID, scoped(x.ID))

	for _, tok := range []store.Token{onlyW, allWs, narrowedList} {
		f.byDigest(t, tok.Digest, base)
	}
	now := f.now()
	got, narrowed, revoked, err := f.st.TransferWorkspace(f.ctx, f.org.ID, w.ID, newOwner.ID, nil, now)
	mustOK(t, "TransferWorkspace", err)
	// Narrowed: narrowedList, allWs, oldOwnerAll and the bootstrap token
	// (the organisation owner's, on all workspaces).
	if narrowed != 4 || revoked != 2 {
		t.Fatalf("TransferWorkspace: narrowed %d, revoked %d; want 4 and 2", narrowed, revoked)
	}
	want := w
	want.OwnerID, want.UpdatedAt = newOwner.ID, now
	want.MemberIDs = []string{oldOwner.ID, other.ID, newOwner.ID}
	equal(t, "transferred workspace", got, want)
	stored, err := f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	equal(t, "stored transferred workspace", stored, want)

	for _, gone := range []store.Token{onlyW, oldOwnerOnlyW} {
		_, err := f.st.GetToken(f.ctx, f.org.ID, gone.ID)
		wantErr(t, "token whose only workspace was transferred", err, store.ErrNotFound)
	}
	_, err = f.st.GetTokenByDigest(f.ctx, onlyW.Digest, base)
	wantErr(t, "GetTokenByDigest of a token revoked by a transfer", err, store.ErrNotFound)
	equal(t, "narrowed token by digest", f.byDigest(t, narrowedList.Digest, base), f.getToken(t, narrowedList.ID))
	equal(t, "excluding token by digest", f.byDigest(t, allWs.Digest, base), f.getToken(t, allWs.ID))
	tok := f.getToken(t, narrowedList.ID)
	equal(t, "narrowed token scope", tok.WorkspaceIDs, []string{x.ID})
	if tok.AllWorkspaces || len(tok.ExcludedWorkspaceIDs) != 0 {
		t.Fatalf("narrowed token: %+v", tok)
	}
	tok = f.getToken(t, allWs.ID)
	if !tok.AllWorkspaces || !slices.Equal(tok.ExcludedWorkspaceIDs, []string{w.ID}) {
		t.Fatalf("all-workspaces token after transfer: all=%v excluded=%v, want the workspace excluded", tok.AllWorkspaces, tok.ExcludedWorkspaceIDs)
	}
	tok = f.getToken(t, f.tok.ID)
	equal(t, "bootstrap token excluded", tok.ExcludedWorkspaceIDs, []string{w.ID})
	tok = f.getToken(t, oldOwnerAll.ID)
	if !slices.Equal(slices.Sorted(slices.Values(tok.ExcludedWorkspaceIDs)), slices.Sorted(slices.Values([]string{x.ID, w.ID}))) {
		t.Fatalf("old owner's all-workspaces token excluded %v, want %s and %s", tok.ExcludedWorkspaceIDs, x.ID, w.ID)
	}
	for _, same := range []store.Token{service, serviceAll, newOwnersList, newOwnersAll, elsewhere} {
		equal(t, "untouched token "+same.Name, f.getToken(t, same.ID), same)
	}

	// A second transfer finds the same tokens already cut off.
	_, narrowed, revoked, err = f.st.TransferWorkspace(f.ctx, f.org.ID, w.ID, newOwner.ID, nil, f.now())
	mustOK(t, "TransferWorkspace again", err)
	if narrowed != 0 || revoked != 0 {
		t.Fatalf("repeated TransferWorkspace: narrowed %d, revoked %d; want 0 and 0", narrowed, revoked)
	}
	tok = f.getToken(t, allWs.ID)
	equal(t, "excluded list after a repeated transfer", tok.ExcludedWorkspaceIDs, []string{w.ID})
}

// A transfer leaves alone the personal tokens of members whose role is
// spared, whichever way they are scoped, and cuts off the others as usual.
func testTransferWorkspaceSparesRoles(t *testing.T, f *fixture) {
	admin := f.member(t, "admin")
	newOwner := f.member(t, "writer")
	w := f.workspace(t, admin.ID)
	adminList := f.token(t, admin.ID, func(tok *store.Token) { tok.AllWorkspaces, tok.WorkspaceIDs = false, []string{w.ID} })
	adminAll := f.token(t, admin.ID, nil)

	_, narrowed, revoked, err := f.st.TransferWorkspace(f.ctx, f.org.ID, w.ID, newOwner.ID, []string{"owner"}, f.now())
	mustOK(t, "TransferWorkspace sparing owners", err)
	if narrowed != 1 || revoked != 1 {
		t.Fatalf("TransferWorkspace sparing owners: narrowed %d, revoked %d; want 1 and 1 (the admin's tokens only)", narrowed, revoked)
	}
	equal(t, "owner's token after a transfer sparing owners", f.getToken(t, f.tok.ID), f.tok)
	_, err = f.st.GetToken(f.ctx, f.org.ID, adminList.ID)
	wantErr(t, "admin's token scoped to the transferred workspace", err, store.ErrNotFound)
	equal(t, "admin's all-workspaces token", f.getToken(t, adminAll.ID).ExcludedWorkspaceIDs, []string{w.ID})
}

func testTransferWorkspaceErrors(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	w := f.workspace(t, f.owner.ID)
	now := f.now()
	_, _, _, err := f.st.TransferWorkspace(f.ctx, f.org.ID, newID(), m.ID, nil, now)
	wantErr(t, "TransferWorkspace unknown workspace", err, store.ErrNotFound)
	_, _, _, err = f.st.TransferWorkspace(f.ctx, otherOrg, w.ID, m.ID, nil, now)
	wantErr(t, "TransferWorkspace in another organisation", err, store.ErrNotFound)
	_, _, _, err = f.st.TransferWorkspace(f.ctx, f.org.ID, w.ID, newID(), nil, now)
	wantErr(t, "TransferWorkspace to an unknown member", err, store.ErrNotFound)
	got, err := f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	equal(t, "workspace after refused transfers", got, w)
	if f.tokenCount(t, "") != 1 {
		t.Fatalf("refused transfers changed tokens")
	}
}
