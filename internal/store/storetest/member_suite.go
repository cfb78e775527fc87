package storetest

import (
	"slices"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func testMembers(t *testing.T, f *fixture) {
	early := f.member(t, "writer")
	at := f.now()
	// Same creation time: the id decides the order.
	late := store.Member{ID: idWithPrefix("ffff"), OrgID: f.org.ID, Email: "late@example.com", Role: "reader", CreatedAt: at, UpdatedAt: at}
	first := store.Member{ID: idWithPrefix("0000"), OrgID: f.org.ID, Email: "first@example.com", Role: "admin", CreatedAt: at, UpdatedAt: at}
	mustOK(t, "CreateMember", f.st.CreateMember(f.ctx, late))
	mustOK(t, "CreateMember", f.st.CreateMember(f.ctx, first))

	got, err := f.st.GetMember(f.ctx, f.org.ID, late.ID)
	mustOK(t, "GetMember", err)
	equal(t, "member", got, late)

	list, err := f.st.ListMembers(f.ctx, f.org.ID)
	mustOK(t, "ListMembers", err)
	equal(t, "ListMembers", list, []store.Member{f.owner, early, first, late})

	other, err := f.st.ListMembers(f.ctx, otherOrg)
	mustOK(t, "ListMembers other org", err)
	if len(other) != 0 {
		t.Fatalf("ListMembers of another organisation: %d members", len(other))
	}

	_, err = f.st.GetMember(f.ctx, otherOrg, late.ID)
	wantErr(t, "GetMember from another organisation", err, store.ErrNotFound)
	_, err = f.st.GetMember(f.ctx, f.org.ID, newID())
	wantErr(t, "GetMember unknown", err, store.ErrNotFound)

	dup := store.Member{ID: newID(), OrgID: f.org.ID, Email: late.Email, Role: "reader", CreatedAt: at, UpdatedAt: at}
	wantErr(t, "CreateMember with a taken email", f.st.CreateMember(f.ctx, dup), store.ErrConflict)
	dup = late
	dup.Email = "new@example.com"
	wantErr(t, "CreateMember with a taken id", f.st.CreateMember(f.ctx, dup), store.ErrConflict)

	upd := late
	upd.Email, upd.FirstName, upd.LastName, upd.Role, upd.UpdatedAt = "renamed@example.com", "Ren", "Amed", "admin", f.now()
	mustOK(t, "UpdateMember", f.st.UpdateMember(f.ctx, upd))
	got, err = f.st.GetMember(f.ctx, f.org.ID, late.ID)
	mustOK(t, "GetMember", err)
	equal(t, "updated member", got, upd)

	clash := upd
	clash.Email = first.Email
	wantErr(t, "UpdateMember to a taken email", f.st.UpdateMember(f.ctx, clash), store.ErrConflict)
	missing := upd
	missing.ID = newID()
	wantErr(t, "UpdateMember unknown", f.st.UpdateMember(f.ctx, missing), store.ErrNotFound)
	foreign := upd
	foreign.OrgID = otherOrg
	foreign.Role = "owner"
	wantErr(t, "UpdateMember in another organisation", f.st.UpdateMember(f.ctx, foreign), store.ErrNotFound)
	got, err = f.st.GetMember(f.ctx, f.org.ID, late.ID)
	mustOK(t, "GetMember", err)
	equal(t, "member after refused updates", got, upd)
}

func testDeleteMember(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	keep := f.member(t, "writer")
	w := f.workspace(t, f.owner.ID, m.ID, keep.ID)
	tok1 := f.token(t, m.ID, nil)
	tok2 := f.token(t, m.ID, func(tok *store.Token) { tok.Service = true })
	kept := f.token(t, keep.ID, nil)

	f.byDigest(t, tok1.Digest, base)
	wantErr(t, "DeleteMember in another organisation", f.st.DeleteMember(f.ctx, otherOrg, m.ID), store.ErrNotFound)
	wantErr(t, "DeleteMember unknown", f.st.DeleteMember(f.ctx, f.org.ID, newID()), store.ErrNotFound)

	mustOK(t, "DeleteMember", f.st.DeleteMember(f.ctx, f.org.ID, m.ID))
	_, err := f.st.GetMember(f.ctx, f.org.ID, m.ID)
	wantErr(t, "GetMember after delete", err, store.ErrNotFound)
	for _, id := range []string{tok1.ID, tok2.ID} {
		_, err := f.st.GetToken(f.ctx, f.org.ID, id)
		wantErr(t, "token of a deleted member", err, store.ErrNotFound)
	}
	_, err = f.st.GetTokenByDigest(f.ctx, tok1.Digest, base)
	wantErr(t, "digest of a deleted member's token", err, store.ErrNotFound)
	equal(t, "other member's token", f.getToken(t, kept.ID), kept)

	got, err := f.st.GetWorkspace(f.ctx, f.org.ID, w.ID)
	mustOK(t, "GetWorkspace", err)
	if slices.Contains(got.MemberIDs, m.ID) || !slices.Contains(got.MemberIDs, keep.ID) {
		t.Fatalf("workspace members after DeleteMember: %v", got.MemberIDs)
	}

	owner := f.member(t, "admin")
	f.workspace(t, owner.ID)
	wantErr(t, "DeleteMember owning a workspace", f.st.DeleteMember(f.ctx, f.org.ID, owner.ID), store.ErrConflict)
	_, err = f.st.GetMember(f.ctx, f.org.ID, owner.ID)
	mustOK(t, "GetMember after refused delete", err)
}
