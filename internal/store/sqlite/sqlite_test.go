package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/storetest"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "tokensmith.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	now := time.UnixMilli(time.Now().UnixMilli()).UTC()
	org := store.Organization{ID: "org1", Name: "Acme", CreatedAt: now}
	owner := store.Member{ID: "m1", OrgID: "org1", Email: "o@example.com", Role: "owner", CreatedAt: now, UpdatedAt: now}
	ws := store.Workspace{ID: "w1", OrgID: "org1", Name: "default", OwnerID: "m1", CreatedAt: now, UpdatedAt: now}
	tok := store.Token{ID: "t1", OrgID: "org1", MemberID: "m1", Name: "boot", Role: "admin", AllWorkspaces: true,
		DefaultAPIVersion: 2, Digest: []byte("digest-1"), LastFour: "abcd", CreatedAt: now, UpdatedAt: now}
	if err := s.Bootstrap(ctx, org, owner, ws, tok); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for range 2 {
		s, err = Open(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		got, err := s.Organization(ctx)
		if err != nil || got != org {
			t.Fatalf("Organization after reopen: %+v, %v", got, err)
		}
		gotTok, err := s.GetTokenByDigest(ctx, tok.Digest, now)
		if err != nil || gotTok.ID != tok.ID {
			t.Fatalf("GetTokenByDigest after reopen: %+v, %v", gotTok, err)
		}
		if err := s.Bootstrap(ctx, org, owner, ws, tok); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("Bootstrap after reopen: %v, want ErrConflict", err)
		}
		ms, err := loadMigrations()
		if err != nil {
			t.Fatal(err)
		}
		var applied int
		if err := s.read.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied != len(ms) {
			t.Fatalf("%d migrations recorded, want %d", applied, len(ms))
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.write.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer version")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open: %v", err)
	}
}

func TestOpenSettings(t *testing.T) {
	s := openTemp(t)
	info, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("database file mode %o, want no group or other access", perm)
	}
	for _, db := range []struct {
		name string
		q    querier
	}{{"write", s.write}, {"read", s.read}} {
		var mode string
		var fk, busy int
		ctx := context.Background()
		if err := db.q.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := db.q.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != busyTimeoutMillis {
			t.Fatalf("%s pool: journal_mode=%s foreign_keys=%d busy_timeout=%d", db.name, mode, fk, busy)
		}
	}
	if _, err := s.read.Exec(`DELETE FROM tokens`); err == nil {
		t.Fatal("the read pool accepted a write")
	}
	for _, bad := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := Open(bad); err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", bad)
		}
	}
}

// TestDigestLookupUsesIndexes guards the claim that authentication cost
// does not grow with the number of tokens.
func TestDigestLookupUsesIndexes(t *testing.T) {
	s := openTemp(t)
	rows, err := s.read.Query(`EXPLAIN QUERY PLAN `+selectTokenByDigest, []byte("d"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	text := strings.Join(plan, "; ")
	if strings.Contains(text, "SCAN tokens") || !strings.Contains(text, "tokens_digest") || !strings.Contains(text, "tokens_prev_digest") {
		t.Fatalf("digest lookup plan: %s", text)
	}
}

// seedTokens inserts n tokens for one member in a single transaction and
// returns their digests.
func seedTokens(tb testing.TB, s *Store, n int) [][]byte {
	tb.Helper()
	ctx := context.Background()
	now := time.Now()
	org := store.Organization{ID: "org", Name: "bench", CreatedAt: now}
	owner := store.Member{ID: "owner", OrgID: "org", Email: "o@example.com", Role: "owner", CreatedAt: now, UpdatedAt: now}
	ws := store.Workspace{ID: "ws", OrgID: "org", Name: "default", OwnerID: "owner", CreatedAt: now, UpdatedAt: now}
	first := benchToken("boot", now)
	if err := s.Bootstrap(ctx, org, owner, ws, first); err != nil {
		tb.Fatal(err)
	}
	digests := [][]byte{first.Digest}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO tokens (`+tokenColumns+`)
			VALUES (?, 'org', 'owner', ?, '', 0, 'reader', '[]', '[]', '[]', '[]', 1, '[]', 2, NULL, ?, 'abcd', NULL, NULL, ?, ?, NULL)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := 1; i < n; i++ {
			d := randomBytes(32)
			if _, err := stmt.ExecContext(ctx, fmt.Sprintf("t%023d", i), "seed", d, now.UnixMilli(), now.UnixMilli()); err != nil {
				return err
			}
			digests = append(digests, d)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return digests
}

func benchToken(id string, now time.Time) store.Token {
	return store.Token{ID: id, OrgID: "org", MemberID: "owner", Name: "bench", Role: "reader", AllWorkspaces: true,
		DefaultAPIVersion: 2, Digest: randomBytes(32), LastFour: "abcd", CreatedAt: now, UpdatedAt: now}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// BenchmarkGetTokenByDigest measures authentication lookups over a working
// set of 512 tokens spread across the table. The server caches resolved
// callers in front of this; this is the indexed path a cache miss takes.
func BenchmarkGetTokenByDigest(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		s := openTemp(b)
		all := seedTokens(b, s, n)
		working := make([][]byte, 0, 512)
		for i := 0; len(working) < 512; i++ {
			working = append(working, all[(i*7919)%len(all)])
		}
		ctx := context.Background()
		now := time.Now()
		b.Run(fmt.Sprintf("tokens=%d/query", n), func(b *testing.B) {
			for _, d := range working {
				if _, err := scanToken(s.byDigest.QueryRowContext(ctx, d, now.UnixMilli())); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := scanToken(s.byDigest.QueryRowContext(ctx, working[i%len(working)], now.UnixMilli())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCreateToken(b *testing.B) {
	s := openTemp(b)
	seedTokens(b, s, 1)
	ctx := context.Background()
	now := time.Now()
	q := store.Quota{PerMember: 1 << 30, PerOrg: 1 << 30}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tok := benchToken(hex.EncodeToString(randomBytes(12)), now)
		if err := s.CreateToken(ctx, tok, q); err != nil {
			b.Fatalf("CreateToken %d: %v", i, err)
		}
	}
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := OpenInMemory()
		if err != nil {
			t.Fatalf("OpenInMemory: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}
