package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// BenchmarkAuthenticate measures authentication alone (parse, digest and
// lookup of a token already seen) with 1,000 and 100,000 stored tokens. The
// two figures should be the same: the lookup is by digest, never a scan.
func BenchmarkAuthenticate(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			s, raw := benchServerWithTokens(b, n)
			req := httptest.NewRequest("GET", "/api/v2/tokens", nil)
			req.Header.Set("Authorization", raw)
			if _, err := s.authenticate(req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.authenticate(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchServerWithTokens returns a server whose store holds n tokens, and the
// secret of the last one.
func benchServerWithTokens(b *testing.B, n int) (*Server, string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	pepper, err := secret.NewPepper()
	if err != nil {
		b.Fatal(err)
	}
	h, err := secret.NewHasher(pepper)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	if _, _, err := Bootstrap(ctx, st, h, now, ""); err != nil {
		b.Fatal(err)
	}
	org, err := st.Organization(ctx)
	if err != nil {
		b.Fatal(err)
	}
	members, err := st.ListMembers(ctx, org.ID)
	if err != nil {
		b.Fatal(err)
	}
	var raw string
	for i := range n - 1 {
		raw, err = secret.Generate(secret.KindService)
		if err != nil {
			b.Fatal(err)
		}
		t := store.Token{
			ID: newID(), OrgID: org.ID, MemberID: members[0].ID, Name: fmt.Sprint("bench-", i),
			Service: true, Permissions: []string{catalogue.AccessTokenRead}, AllWorkspaces: true,
			DefaultAPIVersion: DefaultAPIVersion, Digest: h.Digest(raw), LastFour: api.LastFour(raw),
			CreatedAt: now, UpdatedAt: now,
		}
		if err := st.CreateToken(ctx, t, store.Quota{}); err != nil {
			b.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.Store, cfg.Hasher, cfg.Catalogue = st, h, catalogue.Default()
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, raw
}
