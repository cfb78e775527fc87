package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAuthentication(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, "")
	c.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	c.with("tsm_pat_nonsense").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	c.with("Bearer "+ts.OwnerToken).must(http.StatusOK, "GET", api.PathTokens, nil)
	c.with(ts.OwnerToken).must(http.StatusOK, "GET", api.PathTokens, nil)
}

func TestRateLimit(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.RateLimit, cfg.RateBurst = 1, 2
	}))
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	r := c.do("GET", api.PathCallerIdentity, nil)
	if r.Status != http.StatusTooManyRequests || r.problem(t).Code != api.CodeRateLimited {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if r.Header.Get(api.HeaderRetryAfter) != "1" {
		t.Fatalf("Retry-After %q", r.Header.Get(api.HeaderRetryAfter))
	}
	reset, err := strconv.ParseInt(r.Header.Get(api.HeaderRateLimitReset), 10, 64)
	if err != nil || reset != ts.Clock.Now().Add(time.Second).UnixMilli() {
		t.Fatalf("X-Ratelimit-Reset %q", r.Header.Get(api.HeaderRateLimitReset))
	}
	ts.Clock.Advance(time.Second)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

// digestCountingStore counts digest lookups, the work an unknown token costs.
type digestCountingStore struct {
	store.Store
	lookups atomic.Int64
}

func (s *digestCountingStore) GetTokenByDigest(ctx context.Context, digest []byte, now time.Time) (store.Token, error) {
	s.lookups.Add(1)
	return s.Store.GetTokenByDigest(ctx, digest, now)
}

// Failed authentications are limited per client address, so a flood of
// well-formed but unknown tokens cannot make the server look each one up.
func TestAuthFailuresLimitedPerAddress(t *testing.T) {
	var cs *digestCountingStore
	ts := testserver.New(t,
		testserver.WithStoreWrapper(func(st store.Store) store.Store { cs = &digestCountingStore{Store: st}; return cs }),
		testserver.WithConfig(func(cfg *server.Config) { cfg.AuthFailureLimit, cfg.AuthFailureBurst = 1, 3 }))
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	for range 3 {
		bogus, _ := secret.Generate(secret.KindPersonal)
		c.with(bogus).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	}
	before := cs.lookups.Load()
	for range 20 {
		bogus, _ := secret.Generate(secret.KindPersonal)
		r := c.with(bogus).do("GET", api.PathCallerIdentity, nil)
		if r.Status != http.StatusTooManyRequests || r.Header.Get(api.HeaderRetryAfter) == "" {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
	if n := cs.lookups.Load() - before; n != 0 {
		t.Fatalf("%d lookups while limited", n)
	}
	// A token already authenticated keeps working from the same address.
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	ts.Clock.Advance(time.Second)
	bogus, _ := secret.Generate(secret.KindPersonal)
	c.with(bogus).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

// Every form of a token's Authorization header and its old secret during a
// reset grace share one rate-limit bucket.
func TestRateLimitSharedAcrossAuthorizationForms(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.RateLimit, cfg.RateBurst = 1, 4 }))
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "admin"})
	ts.Clock.Advance(10 * time.Second)
	var reset api.Token
	c.with(tok.Token).must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry="+fmt.Sprint(ts.Clock.Now().Add(time.Hour).UnixMilli()), nil).into(t, &reset)
	for _, h := range []string{"Bearer " + reset.Token, "bearer  " + tok.Token, reset.Token} {
		c.with(h).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	}
	c.with("BEARER "+tok.Token).fail(http.StatusTooManyRequests, api.CodeRateLimited, "GET", api.PathCallerIdentity, nil)
}

// Every kind of write is seen by the very next request of a token it
// affects, through the authentication cache.
func TestEveryWriteSeenByTheNextRequest(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)

	// A custom role edit narrows a live token.
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "mgr", Name: "M", Permissions: []string{"ACCESS_TOKEN_READ", "ACCESS_TOKEN_MANAGE"}})
	viaRole := c.createToken(api.TokenCreate{Name: "via role", CustomRoleIDs: []string{"mgr"}})
	rc := c.with(viaRole.Token)
	rc.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/mgr", []api.PatchOperation{{Op: "replace", Path: "/permissions", Value: []string{"ACCESS_TOKEN_READ"}}})
	rc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"?showAll=true", nil)
	rc.must(http.StatusOK, "GET", api.PathTokens, nil)

	// Removal from a workspace.
	m, wtok := memberWithToken(t, c, "w@example.com", "writer", "reader")
	c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID+"/members/"+m.ID, nil)
	wc := c.with(wtok.Token)
	wc.must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)
	c.must(http.StatusOK, "PATCH", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, []api.PatchOperation{{Op: "replace", Path: "/memberIds", Value: []string{}}})
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)

	// Token deletion, bulk deletion and member deletion.
	wc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+wtok.ID, nil)
	wc.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	again := c.createToken(api.TokenCreate{Name: "again", Role: "reader", MemberID: m.ID})
	c.with(again.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID, nil)
	c.with(again.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	third := c.createToken(api.TokenCreate{Name: "third", Role: "reader", MemberID: m.ID, ServiceToken: true})
	c.with(third.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusNoContent, "DELETE", api.PathMembers+"/"+m.ID, nil)
	c.with(third.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)

	// A reset without grace stops the old secret at once.
	own := c.createToken(api.TokenCreate{Name: "own", Role: "reader"})
	c.with(own.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+own.ID+"/reset", nil)
	c.with(own.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}
