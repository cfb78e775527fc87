package storetest

import (
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

func testMemberPassword(t *testing.T, f *fixture) {
	m := f.member(t, "writer")
	got, err := f.st.GetMemberByEmail(f.ctx, f.org.ID, "  ")
	wantErr(t, "GetMemberByEmail unknown", err, store.ErrNotFound)
	got, err = f.st.GetMemberByEmail(f.ctx, f.org.ID, m.Email)
	mustOK(t, "GetMemberByEmail", err)
	equal(t, "member by email", got, m)
	_, err = f.st.GetMemberByEmail(f.ctx, otherOrg, m.Email)
	wantErr(t, "GetMemberByEmail from another organisation", err, store.ErrNotFound)

	hash, err := f.st.MemberPassword(f.ctx, f.org.ID, m.ID)
	mustOK(t, "MemberPassword", err)
	if hash != "" {
		t.Fatalf("a new member has password hash %q", hash)
	}
	mustOK(t, "SetMemberPassword", f.st.SetMemberPassword(f.ctx, f.org.ID, m.ID, "$argon2id$stand-in"))
	hash, err = f.st.MemberPassword(f.ctx, f.org.ID, m.ID)
	mustOK(t, "MemberPassword", err)
	equal(t, "password hash", hash, "$argon2id$stand-in")
	_, err = f.st.MemberPassword(f.ctx, otherOrg, m.ID)
	wantErr(t, "MemberPassword from another organisation", err, store.ErrNotFound)
	wantErr(t, "SetMemberPassword of an unknown member", f.st.SetMemberPassword(f.ctx, f.org.ID, newID(), "x"), store.ErrNotFound)
	wantErr(t, "SetMemberPassword in another organisation", f.st.SetMemberPassword(f.ctx, otherOrg, m.ID, "x"), store.ErrNotFound)

	// A member's other fields are untouched by the password.
	again, err := f.st.GetMember(f.ctx, f.org.ID, m.ID)
	mustOK(t, "GetMember", err)
	equal(t, "member after SetMemberPassword", again, m)
}

func testSessions(t *testing.T, f *fixture) {
	m := f.member(t, "reader")
	at := f.now()
	se := store.Session{Digest: []byte("digest-one-0123456789abcdef01234"), OrgID: f.org.ID, MemberID: m.ID,
		CSRF: "csrf-one", CreatedAt: at, LastSeen: at}
	mustOK(t, "CreateSession", f.st.CreateSession(f.ctx, se))
	wantErr(t, "CreateSession with a taken digest", f.st.CreateSession(f.ctx, se), store.ErrConflict)
	got, err := f.st.GetSession(f.ctx, se.Digest)
	mustOK(t, "GetSession", err)
	equal(t, "session", got, se)
	_, err = f.st.GetSession(f.ctx, []byte("unknown"))
	wantErr(t, "GetSession unknown", err, store.ErrNotFound)

	se.LastSeen, se.Flash = f.now(), []byte{1, 2, 3}
	mustOK(t, "UpdateSession", f.st.UpdateSession(f.ctx, se))
	got, err = f.st.GetSession(f.ctx, se.Digest)
	mustOK(t, "GetSession", err)
	equal(t, "updated session", got, se)
	se.Flash = nil
	mustOK(t, "UpdateSession clearing the flash", f.st.UpdateSession(f.ctx, se))
	got, err = f.st.GetSession(f.ctx, se.Digest)
	mustOK(t, "GetSession", err)
	if len(got.Flash) != 0 {
		t.Fatalf("flash not cleared: %v", got.Flash)
	}
	wantErr(t, "UpdateSession unknown", f.st.UpdateSession(f.ctx, store.Session{Digest: []byte("unknown"), LastSeen: at}), store.ErrNotFound)

	// Purge: one idle too long, one too old, one fresh.
	idle := store.Session{Digest: []byte("idle"), OrgID: f.org.ID, MemberID: m.ID, CSRF: "c", CreatedAt: at, LastSeen: at}
	old := store.Session{Digest: []byte("old"), OrgID: f.org.ID, MemberID: m.ID, CSRF: "c", CreatedAt: at.Add(-time.Hour), LastSeen: at.Add(time.Hour)}
	fresh := store.Session{Digest: []byte("fresh"), OrgID: f.org.ID, MemberID: m.ID, CSRF: "c", CreatedAt: at, LastSeen: at.Add(time.Hour)}
	for _, x := range []store.Session{idle, old, fresh} {
		mustOK(t, "CreateSession", f.st.CreateSession(f.ctx, x))
	}
	mustOK(t, "PurgeSessions", f.st.PurgeSessions(f.ctx, at.Add(time.Minute), at.Add(-time.Minute)))
	for _, gone := range [][]byte{idle.Digest, old.Digest} {
		_, err = f.st.GetSession(f.ctx, gone)
		wantErr(t, "GetSession of a purged session "+string(gone), err, store.ErrNotFound)
	}
	_, err = f.st.GetSession(f.ctx, fresh.Digest)
	mustOK(t, "GetSession of a fresh session after purge", err)

	mustOK(t, "DeleteSession", f.st.DeleteSession(f.ctx, fresh.Digest))
	_, err = f.st.GetSession(f.ctx, fresh.Digest)
	wantErr(t, "GetSession after DeleteSession", err, store.ErrNotFound)
	mustOK(t, "DeleteSession unknown", f.st.DeleteSession(f.ctx, fresh.Digest))

	// Setting a password ends the member's sessions; deleting the member too.
	mustOK(t, "CreateSession", f.st.CreateSession(f.ctx, fresh))
	mustOK(t, "SetMemberPassword", f.st.SetMemberPassword(f.ctx, f.org.ID, m.ID, "$argon2id$new"))
	_, err = f.st.GetSession(f.ctx, fresh.Digest)
	wantErr(t, "GetSession after a password change", err, store.ErrNotFound)
	_, err = f.st.GetSession(f.ctx, se.Digest)
	wantErr(t, "GetSession after a password change", err, store.ErrNotFound)
	mustOK(t, "CreateSession", f.st.CreateSession(f.ctx, fresh))
	mustOK(t, "DeleteMember", f.st.DeleteMember(f.ctx, f.org.ID, m.ID))
	_, err = f.st.GetSession(f.ctx, fresh.Digest)
	wantErr(t, "GetSession after the member is deleted", err, store.ErrNotFound)
}
