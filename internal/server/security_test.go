package server_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Lists that drive per-item work are capped with a 400 naming the field,
// instead of costing a lookup or an evaluation per item.
func TestHugeListsRefused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "K", Permissions: []string{"API_READ"}})
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "reader"})
	rep := func(v string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	stmts := func(n int) []api.Statement {
		out := make([]api.Statement, n)
		for i := range out {
			out[i] = api.Statement{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}
		}
		return out
	}
	cases := []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", CustomRoleIDs: rep("k", 100000)}, "customRoleIds"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", Permissions: rep("API_READ", 50000)}, "permissions"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader", WorkspaceIDs: rep(ts.DefaultWorkspaceID, 20000)}, "workspaceIds"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", InlineRole: stmts(10000)}, "inlineRole"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", InlineRole: []api.Statement{{Effect: "allow", Actions: rep("API_READ", 50000), Resources: []string{"*"}}}}, "inlineRole[0].actions"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"*"}, NotResources: rep("workspace/a", 50000)}}}, "inlineRole[0].notResources"},
		{"POST", api.PathRoles, api.CustomRoleCreate{Key: "big", Name: "B", Policy: stmts(10000)}, "policy"},
		{"POST", api.PathRoles, api.CustomRoleCreate{Key: "big", Name: "B", Permissions: rep("API_READ", 50000)}, "permissions"},
		{"PATCH", api.PathTokens + "/" + tok.ID, func() []api.PatchOperation {
			ops := make([]api.PatchOperation, 20000)
			for i := range ops {
				ops[i] = api.PatchOperation{Op: "add", Path: "/customRoleIds/0", Value: "k"}
			}
			return ops
		}(), "patch"},
		{"POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "w", MemberIDs: rep(ts.OwnerID, 30000)}, "memberIds"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, tc.method, tc.path, tc.body)
		if p.Field != tc.field {
			t.Errorf("%s %s: field %q, want %q (%s)", tc.method, tc.path, p.Field, tc.field, p.Detail)
		}
	}
}

func TestListOffsetBounded(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	for _, path := range []string{api.PathTokens, api.PathMembers, api.PathRoles, api.PathWorkspaces, api.PathAuditLog, api.PathPermissions} {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "GET", path+"?offset=9223372036854775807", nil)
		if p.Field != "offset" {
			t.Fatalf("%s: field %q", path, p.Field)
		}
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?offset=1000000&limit=1000", nil).into(t, &list)
	if len(list.Items) != 0 || list.Links["next"].Href != "" {
		t.Fatalf("list %+v", list)
	}
}

// A replayable secret is sealed under a key that needs the caller's own
// token as well as the Idempotency-Key, so a copy of the database and a
// guessable Idempotency-Key are not enough to read it.
func TestIdempotencyRecordNeedsCallerSecret(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var created api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "1").into(t, &created)

	db, err := sql.Open("sqlite", "file:"+ts.DataPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rec []byte
	if err := db.QueryRowContext(context.Background(), `SELECT body FROM idempotency_records`).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	if len(rec) < 2 || rec[0] != 'e' {
		t.Fatalf("record not sealed: %q", rec[:min(len(rec), 2)])
	}
	k, err := hkdf.Key(sha256.New, []byte("1"), nil, "tokensmith idempotent replay v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(k)
	gcm, _ := cipher.NewGCM(block)
	rest := rec[2:]
	if plain, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], rec[:2]); err == nil {
		t.Fatalf("record opened with the Idempotency-Key alone: %d bytes", len(plain))
	}
	// The caller still gets the replay.
	var again api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "1").into(t, &again)
	if again.Token != created.Token {
		t.Fatal("replay differs")
	}
}

// The same Idempotency-Key from another caller is another request: it
// never replays the first caller's answer (and its secret).
func TestIdempotencyKeyScopedToCaller(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	_, btok := memberWithToken(t, c, "b@example.com", "admin", "admin")
	body := api.TokenCreate{Name: "same", Role: "reader"}
	var a, b api.Token
	c.must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "shared").into(t, &a)
	r := c.with(btok.Token).must(http.StatusCreated, "POST", api.PathTokens, body, api.HeaderIdempotencyKey, "shared")
	r.into(t, &b)
	if r.Header.Get("Idempotent-Replayed") != "" || a.Token == b.Token || a.ID == b.ID || b.MemberID == a.MemberID {
		t.Fatalf("caller B got caller A's answer: %s", r.Body)
	}
}

func TestControlCharactersRefused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "héllo wörld ✓ 名前", Description: "line one\nline two\ttabbed", Role: "reader"})
	cases := []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", Description: "red \x1b[31mALERT", Role: "reader"}, "description"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x", Description: "nul\x00", Role: "reader"}, "description"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "admin\u202etxt.exe", Role: "reader"}, "name"},
		{"POST", api.PathTokens, api.TokenCreate{Name: "x\u2066y", Role: "reader"}, "name"},
		{"PATCH", api.PathTokens + "/" + tok.ID, []api.PatchOperation{{Op: "replace", Path: "/description", Value: "\x07bell"}}, "description"},
		{"POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "K", Description: "\x1b]0;title\x07", Permissions: []string{"API_READ"}}, "description"},
		{"POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "w", Description: "\x1b[2J"}, "description"},
		{"POST", api.PathMembers, api.MemberCreate{Email: "a\x00b@example.com", Role: "reader"}, "email"},
		{"POST", api.PathMembers, api.MemberCreate{Email: "ab@example.com", FirstName: "\u202eevil", Role: "reader"}, "firstName"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, tc.method, tc.path, tc.body)
		if p.Field != tc.field {
			t.Errorf("%v: field %q, want %q", tc.body, p.Field, tc.field)
		}
	}
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

// JSON Patch edge cases: escaped pointers, "-", and a failing test that
// leaves everything as it was.
func TestPatchEdgeCases(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "a", Name: "A", Permissions: []string{"API_READ"}})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "b", Name: "B", Permissions: []string{"API_READ"}})
	tok := c.createToken(api.TokenCreate{Name: "t", CustomRoleIDs: []string{"a"}})

	p := c.fail(http.StatusConflict, api.CodeConflict, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{
		{Op: "replace", Path: "/name", Value: "changed"}, {Op: "test", Path: "/name", Value: "other"}})
	if p.Field != "name" {
		t.Fatalf("field %q", p.Field)
	}
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "t" {
		t.Fatalf("failed test applied the patch: %q", got.Name)
	}
	for _, path := range []string{"/name~1x", "/na~0me", "/~1name", "name", "", "/"} {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: path, Value: "x"}})
	}
	for _, path := range []string{"/customRoleIds/5", "/customRoleIds/-1", "/customRoleIds/x"} {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "add", Path: path, Value: "b"}})
	}
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "add", Path: "/customRoleIds/-", Value: "b"}}).into(t, &got)
	if len(got.CustomRoleIDs) != 2 {
		t.Fatalf("customRoleIds %v", got.CustomRoleIDs)
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, `[{"op":"replace","path":"/name","value":`+deep+`}]`)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, `{"name":"x","inlineRole":`+deep+`}`)
}

// stallingStore holds CreateToken until the request's context ends, and
// reports when an idempotent request has ended.
type stallingStore struct {
	store.Store
	stall     atomic.Bool
	entered   chan struct{}
	abandoned chan struct{}
}

func (s *stallingStore) CreateToken(ctx context.Context, t store.Token, q store.Quota) error {
	if s.stall.Load() {
		close(s.entered)
		<-ctx.Done()
		return ctx.Err()
	}
	return s.Store.CreateToken(ctx, t, q)
}

func (s *stallingStore) RunIdempotent(ctx context.Context, rec store.IdempotencyRecord, staleBefore time.Time, fn store.IdempotentFunc) (*store.IdempotencyRecord, error) {
	got, err := s.Store.RunIdempotent(ctx, rec, staleBefore, fn)
	if s.stall.Load() {
		close(s.abandoned)
	}
	return got, err
}

// A client that goes away mid-request may retry with the same key: the
// record of the failed attempt is released even though the request's
// context has ended, instead of answering 409 for a day.
func TestIdempotencyKeyReleasedWhenClientGoesAway(t *testing.T) {
	ss := &stallingStore{entered: make(chan struct{}), abandoned: make(chan struct{})}
	ts := testserver.New(t, testserver.WithStoreWrapper(func(st store.Store) store.Store { ss.Store = st; return ss }))
	c := newClient(t, ts, ts.OwnerToken)
	ss.stall.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", ts.URL+api.PathTokens, strings.NewReader(`{"name":"x","role":"reader"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", ts.OwnerToken)
	req.Header.Set(api.HeaderIdempotencyKey, "retry-me")
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	<-ss.entered
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled request succeeded")
	}
	<-ss.abandoned
	ss.stall.Store(false)
	c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"}, api.HeaderIdempotencyKey, "retry-me")
}
