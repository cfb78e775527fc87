package storetest

import (
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// testDeleteMemberTokensMatching: only the member's tokens that match go,
// the count says how many, other members' tokens are never shown to match,
// and unknown members or organisations are ErrNotFound.
func testDeleteMemberTokensMatching(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	other := f.member(t, "writer")
	personal := []store.Token{f.token(t, m.ID, nil), f.token(t, m.ID, nil)}
	svc := f.token(t, m.ID, func(tok *store.Token) { tok.Service = true })
	kept := f.token(t, other.ID, func(tok *store.Token) { tok.Service = true })

	isService := func(tok store.Token) bool {
		if tok.MemberID != m.ID {
			t.Errorf("match saw token %s of member %s", tok.ID, tok.MemberID)
		}
		return tok.Service
	}
	_, err := f.st.DeleteMemberTokensMatching(f.ctx, otherOrg, m.ID, isService)
	wantErr(t, "DeleteMemberTokensMatching in another organisation", err, store.ErrNotFound)
	_, err = f.st.DeleteMemberTokensMatching(f.ctx, f.org.ID, newID(), isService)
	wantErr(t, "DeleteMemberTokensMatching of an unknown member", err, store.ErrNotFound)

	n, err := f.st.DeleteMemberTokensMatching(f.ctx, f.org.ID, m.ID, isService)
	mustOK(t, "DeleteMemberTokensMatching", err)
	if n != 1 {
		t.Fatalf("deleted %d, want the one service token", n)
	}
	_, err = f.st.GetToken(f.ctx, f.org.ID, svc.ID)
	wantErr(t, "GetToken of the deleted service token", err, store.ErrNotFound)
	for _, tok := range personal {
		f.getToken(t, tok.ID)
	}
	f.getToken(t, kept.ID)

	n, err = f.st.DeleteMemberTokensMatching(f.ctx, f.org.ID, m.ID, func(store.Token) bool { return false })
	mustOK(t, "DeleteMemberTokensMatching matching nothing", err)
	if n != 0 || f.tokenCount(t, m.ID) != 2 {
		t.Fatalf("matching nothing deleted %d, left %d", n, f.tokenCount(t, m.ID))
	}
}
