package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres/pgtest"
)

// Each Store has its own pool, so two of them on one database behave as two
// tokensmithd processes: nothing in memory is shared.
func openReplicas(t *testing.T, n int) []*Store {
	t.Helper()
	url := pgtest.URL(t)
	var out []*Store
	for range n {
		s, err := Open(context.Background(), url, Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type seeded struct {
	org   store.Organization
	owner store.Member
}

func seed(t *testing.T, s *Store) seeded {
	t.Helper()
	now := time.Now().UTC()
	org := store.Organization{ID: newID(), Name: "Acme", CreatedAt: now}
	owner := store.Member{ID: newID(), OrgID: org.ID, Email: "owner@example.com", Role: ownerRole, CreatedAt: now, UpdatedAt: now}
	ws := store.Workspace{ID: newID(), OrgID: org.ID, Name: "default", OwnerID: owner.ID, CreatedAt: now, UpdatedAt: now}
	if err := s.Bootstrap(context.Background(), org, owner, ws, newToken(org.ID, owner.ID)); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	return seeded{org: org, owner: owner}
}

func newToken(orgID, memberID string) store.Token {
	now := time.Now().UTC()
	d := make([]byte, 32)
	_, _ = rand.Read(d)
	return store.Token{ID: newID(), OrgID: orgID, MemberID: memberID, Name: "t", Role: "reader", AllWorkspaces: true,
		DefaultAPIVersion: 2, Digest: d, LastFour: "abcd", CreatedAt: now, UpdatedAt: now}
}

func TestQuotaAcrossReplicas(t *testing.T) {
	rs := openReplicas(t, 3)
	f := seed(t, rs[0])
	// The bootstrap token counts: one slot is left under each quota.
	for _, q := range []store.Quota{{PerMember: 2}, {PerOrg: 2}} {
		if q.PerOrg > 0 {
			for _, tok := range mustList(t, rs[0], f.org.ID) {
				if err := rs[0].DeleteToken(context.Background(), f.org.ID, tok.ID); err != nil {
					t.Fatal(err)
				}
			}
			if err := rs[0].CreateToken(context.Background(), newToken(f.org.ID, f.owner.ID), store.Quota{}); err != nil {
				t.Fatal(err)
			}
		}
		var won, refused, failed atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 30 {
			wg.Go(func() {
				<-start
				err := rs[i%len(rs)].CreateToken(context.Background(), newToken(f.org.ID, f.owner.ID), q)
				var qe *store.QuotaError
				switch {
				case err == nil:
					won.Add(1)
				case errors.As(err, &qe):
					refused.Add(1)
				default:
					failed.Add(1)
					t.Errorf("CreateToken: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		if won.Load() != 1 || refused.Load() != 29 {
			t.Fatalf("quota %+v across replicas: %d created, %d refused, %d failed; want 1 and 29", q, won.Load(), refused.Load(), failed.Load())
		}
	}
}

func mustList(t *testing.T, s *Store, orgID string) []store.Token {
	t.Helper()
	toks, _, err := s.ListTokens(context.Background(), store.TokenFilter{OrgID: orgID})
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

// TestLastOwnerAcrossReplicas demotes and removes two owners at once, each
// through its own replica: at least one owner always remains.
func TestLastOwnerAcrossReplicas(t *testing.T) {
	rs := openReplicas(t, 2)
	ctx := context.Background()
	for round := range 10 {
		f := seed(t, rs[0])
		now := time.Now().UTC()
		second := store.Member{ID: newID(), OrgID: f.org.ID, Email: newID() + "@example.com", Role: ownerRole, CreatedAt: now, UpdatedAt: now}
		if err := rs[0].CreateMember(ctx, second); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var errs [2]error
		wg.Go(func() {
			m := f.owner
			m.Role = "admin"
			errs[0] = rs[0].UpdateMember(ctx, m)
		})
		wg.Go(func() {
			if round%2 == 0 {
				errs[1] = rs[1].DeleteMember(ctx, f.org.ID, second.ID)
				return
			}
			m := second
			m.Role = "reader"
			errs[1] = rs[1].UpdateMember(ctx, m)
		})
		wg.Wait()
		members, err := rs[1].ListMembers(ctx, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		owners := 0
		for _, m := range members {
			if m.Role == ownerRole {
				owners++
			}
		}
		conflicts := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, store.ErrConflict):
				conflicts++
			case err != nil:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if owners != 1 || conflicts != 1 || !(errors.Is(errs[0], store.ErrLastOwner) || errors.Is(errs[1], store.ErrLastOwner)) {
			t.Fatalf("round %d: %d owners left and %d refusals (%v), want 1 and 1", round, owners, conflicts, errs)
		}
		// Two organisations per database would break Organization(); start afresh.
		rs = openReplicas(t, 2)
	}
}

// TestIdempotencyAcrossReplicas sends one key to two replicas at once while
// the first is still running: the second is told it is in progress, and
// after the commit it gets the stored record.
func TestIdempotencyAcrossReplicas(t *testing.T) {
	rs := openReplicas(t, 2)
	f := seed(t, rs[0])
	ctx := context.Background()
	rec := store.IdempotencyRecord{Key: "k:" + newID(), RequestHash: []byte("h"), CreatedAt: time.Now().UTC()}
	tok := newToken(f.org.ID, f.owner.ID)
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := rs[0].RunIdempotent(ctx, rec, time.Time{}, func(ctx context.Context) (int, []byte, bool) {
			if err := rs[0].CreateToken(ctx, tok, store.Quota{}); err != nil {
				t.Errorf("CreateToken: %v", err)
			}
			close(inside)
			<-release
			return 201, []byte(tok.ID), true
		})
		done <- err
	}()
	<-inside
	var ran atomic.Int32
	other := func(context.Context) (int, []byte, bool) { ran.Add(1); return 201, []byte("second"), true }
	if _, err := rs[1].RunIdempotent(ctx, rec, time.Time{}, other); !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("same key on another replica while the first runs: %v, want ErrInProgress", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first RunIdempotent: %v", err)
	}
	got, err := rs[1].RunIdempotent(ctx, rec, time.Time{}, other)
	if err != nil || got == nil || string(got.Body) != tok.ID || ran.Load() != 0 {
		t.Fatalf("same key on another replica after the commit: %+v %v, ran %d times", got, err, ran.Load())
	}
}

// TestDeleteMatchingNotifiesReplicas: a bulk revoke on one replica reaches
// a replica that listens, so it drops the callers it caches. A lost
// notification fails the test by the test binary's own timeout.
func TestDeleteMatchingNotifiesReplicas(t *testing.T) {
	rs := openReplicas(t, 2)
	a, b := rs[0], rs[1]
	sd := seed(t, a)
	svc := newToken(sd.org.ID, sd.owner.ID)
	svc.Service = true
	if err := a.CreateToken(context.Background(), svc, store.Quota{}); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan struct{}, 16)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		b.WatchChanges(ctx, time.Millisecond, func() { changed <- struct{}{} })
	}()
	t.Cleanup(func() { cancel(); <-watching })
	<-changed // b listens from here on

	n, err := a.DeleteMemberTokensMatching(context.Background(), sd.org.ID, sd.owner.ID, func(tok store.Token) bool { return tok.Service })
	if err != nil || n != 1 {
		t.Fatalf("DeleteMemberTokensMatching: %d, %v", n, err)
	}
	<-changed
	if _, err := b.GetToken(context.Background(), sd.org.ID, svc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the revoked token on the other replica: %v", err)
	}
}
