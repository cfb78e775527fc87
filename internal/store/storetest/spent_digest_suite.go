package storetest

import (
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// testSpentDigests: a digest is never issued twice, whether the token that
// held it still has it, was reset away from it or was deleted.
func testSpentDigests(t *testing.T, f *fixture) {
	reset := f.token(t, f.owner.ID, nil)
	old := reset.Digest
	reset.PrevDigest, reset.Digest = old, newDigest()
	mustOK(t, "UpdateToken to a new digest", f.st.UpdateToken(f.ctx, reset))
	deleted := f.token(t, f.owner.ID, nil)
	mustOK(t, "DeleteToken", f.st.DeleteToken(f.ctx, f.org.ID, deleted.ID))

	for name, d := range map[string][]byte{"reset away": old, "deleted": deleted.Digest, "current": reset.Digest} {
		tok := f.newToken(f.owner.ID, func(tok *store.Token) { tok.Digest = d })
		wantErr(t, "CreateToken with the digest of a "+name+" secret", f.st.CreateToken(f.ctx, tok, store.Quota{}), store.ErrConflict)
		upd := f.getToken(t, f.tok.ID)
		upd.Digest = d
		wantErr(t, "UpdateToken to the digest of a "+name+" secret", f.st.UpdateToken(f.ctx, upd), store.ErrConflict)
	}
	equal(t, "token after refused updates", f.getToken(t, f.tok.ID), f.tok)

	// Updating other fields keeps the current digest: that is no reuse.
	same := f.getToken(t, reset.ID)
	same.Name = "renamed"
	mustOK(t, "UpdateToken keeping its digest", f.st.UpdateToken(f.ctx, same))
}
