package server_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// relyingService returns a client holding a service token with
// TOKEN_INTROSPECT, as a relying service would.
func relyingService(t *testing.T, c *client) *client {
	t.Helper()
	tok := c.createToken(api.TokenCreate{Name: "relying", ServiceToken: true, Permissions: []string{catalogue.TokenIntrospect}})
	return c.with(tok.Token)
}

// introspectForm posts token as RFC 7662's form.
func (c *client) introspectForm(token string) resp {
	c.t.Helper()
	return c.do("POST", api.PathIntrospect, url.Values{"token": {token}}.Encode(),
		"Content-Type", "application/x-www-form-urlencoded")
}

func TestIntrospectActiveToken(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)
	m, _ := memberWithToken(t, c, "dev@example.com", "writer", "reader")
	c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID+"/members/"+m.ID, nil)
	exp := ts.Clock.Now().Add(48 * time.Hour)
	personal := c.createToken(api.TokenCreate{Name: "p", Role: "writer", MemberID: m.ID,
		WorkspaceIDs: []string{ts.DefaultWorkspaceID}, ExpirationDate: exp.UnixMilli()})
	svc := c.createToken(api.TokenCreate{Name: "s", ServiceToken: true, Permissions: []string{catalogue.WorkspaceRead}})

	r := rs.introspectForm(personal.Token)
	if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, Cache-Control %q: %s", r.Status, r.Header.Get("Cache-Control"), r.Body)
	}
	var got api.Introspection
	r.into(t, &got)
	var ident api.CallerIdentity
	c.with(personal.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &ident)
	want := api.Introspection{
		Active: true, TokenType: api.TokenTypePersonal, Sub: m.ID, ClientID: personal.ID, Username: "dev@example.com",
		Exp: exp.Unix(), Iat: personal.CreationDate / 1000, Scope: strings.Join(ident.EffectivePermissions, " "),
		TokenID: personal.ID, OrganizationID: ts.OrgID, WorkspaceIDs: []string{ts.DefaultWorkspaceID},
	}
	pol := got.Policy
	got.Policy = nil
	if !equalJSON(t, got, want) {
		t.Fatalf("introspection\n got %s\nwant %s", r.Body, mustJSON(t, want))
	}
	if got.Scope == "" || len(pol) != 3 {
		t.Fatalf("scope %q, policy %v", got.Scope, pol)
	}

	// The answer follows the owner's current role: a demotion shows at once.
	before := got.Scope
	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+m.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "reader"}})
	var demoted api.Introspection
	rs.introspectForm(personal.Token).into(t, &demoted)
	c.with(personal.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &ident)
	if demoted.Scope == before || demoted.Scope != strings.Join(ident.EffectivePermissions, " ") {
		t.Fatalf("scope after demotion %q, before %q, caller identity %v", demoted.Scope, before, ident.EffectivePermissions)
	}

	// JSON is accepted too; a service token has no username.
	var s api.Introspection
	rs.must(http.StatusOK, "POST", api.PathIntrospect, api.IntrospectRequest{Token: svc.Token}).into(t, &s)
	if !s.Active || s.TokenType != api.TokenTypeService || s.Username != "" || s.Exp != 0 || !s.AllWorkspaces || s.Scope != catalogue.WorkspaceRead {
		t.Fatalf("service token introspection %+v", s)
	}
}

// readCountingStore counts the reads a request makes, the work that decides
// how long it takes.
type readCountingStore struct {
	store.Store
	mu    sync.Mutex
	calls map[string]int
}

func (s *readCountingStore) count(name string) {
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()
}

func (s *readCountingStore) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.calls
	s.calls = map[string]int{}
	return out
}

func (s *readCountingStore) GetTokenByDigest(ctx context.Context, d []byte, now time.Time) (store.Token, error) {
	s.count("GetTokenByDigest")
	return s.Store.GetTokenByDigest(ctx, d, now)
}

func (s *readCountingStore) GetMember(ctx context.Context, orgID, id string) (store.Member, error) {
	s.count("GetMember")
	return s.Store.GetMember(ctx, orgID, id)
}

func (s *readCountingStore) GetCustomRole(ctx context.Context, orgID, id string) (store.CustomRole, error) {
	s.count("GetCustomRole")
	return s.Store.GetCustomRole(ctx, orgID, id)
}

func (s *readCountingStore) GetToken(ctx context.Context, orgID, id string) (store.Token, error) {
	s.count("GetToken")
	return s.Store.GetToken(ctx, orgID, id)
}

// Every reason a token is inactive gets the same answer, {"active":false},
// and costs the same work: one digest lookup and nothing else, whether the
// token was in the cache or not. Counting the store's reads stands in for
// timing, which a test cannot assert.
func TestIntrospectInactiveAnswersAlike(t *testing.T) {
	cs := &readCountingStore{calls: map[string]int{}}
	ts := testserver.New(t, testserver.WithStoreWrapper(func(st store.Store) store.Store { cs.Store = st; return cs }))
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)

	var role api.CustomRole
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "ops", Name: "ops", Permissions: []string{catalogue.WorkspaceRead}}).into(t, &role)
	newToken := func(name string, expires time.Time) api.Token {
		in := api.TokenCreate{Name: name, CustomRoleIDs: []string{role.Key}}
		if !expires.IsZero() {
			in.ExpirationDate = expires.UnixMilli()
		}
		return c.createToken(in)
	}
	unknown, _ := secret.Generate(secret.KindPersonal)
	good := newToken("good", time.Time{})
	badChecksum := good.Token[:len(good.Token)-1] + "A"
	if badChecksum == good.Token {
		badChecksum = good.Token[:len(good.Token)-1] + "B"
	}
	expiresSoon := newToken("expires", ts.Clock.Now().Add(time.Hour))
	expiresCached := newToken("expires-cached", ts.Clock.Now().Add(time.Hour))
	deleted := newToken("deleted", time.Time{})
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+deleted.ID, nil)
	graced := newToken("graced", time.Time{})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+graced.ID+"/reset?expiry="+itoa(ts.Clock.Now().Add(time.Hour).UnixMilli()), nil)
	gracedCached := newToken("graced-cached", time.Time{})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+gracedCached.ID+"/reset?expiry="+itoa(ts.Clock.Now().Add(time.Hour).UnixMilli()), nil)
	gone, goneTok := memberWithToken(t, c, "gone@example.com", "reader", "reader")
	c.must(http.StatusNoContent, "DELETE", api.PathMembers+"/"+gone.ID, nil)

	// Active now: the cached variants are looked at once while active.
	for _, tok := range []string{good.Token, expiresCached.Token, gracedCached.Token} {
		if r := rs.introspectForm(tok); !strings.Contains(string(r.Body), `"active":true`) {
			t.Fatalf("not active before the clock moved: %s", r.Body)
		}
	}
	ts.Clock.Advance(2 * time.Hour)

	reasons := map[string]string{
		"unknown":                unknown,
		"malformed":              "not-a-token",
		"empty-looking":          " ",
		"bad checksum":           badChecksum,
		"expired":                expiresSoon.Token,
		"expired (cached)":       expiresCached.Token,
		"deleted":                deleted.Token,
		"past grace":             graced.Token,
		"past grace (cached)":    gracedCached.Token,
		"owner removed":          goneTok.Token,
		"prefix of a real token": good.Token[:20],
	}
	for _, name := range slices.Sorted(maps.Keys(reasons)) {
		rs.introspectForm(unknown) // the relying service's own authentication is cached from here on
		cs.take()
		r := rs.introspectForm(reasons[name])
		if r.Status != http.StatusOK || string(r.Body) != `{"active":false}` {
			t.Errorf("%s: status %d, body %s", name, r.Status, r.Body)
		}
		if calls := cs.take(); !maps.Equal(calls, map[string]int{"GetTokenByDigest": 1}) {
			t.Errorf("%s: store reads %v, want one digest lookup", name, calls)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func mustJSONBytes(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	return string(mustJSONBytes(v))
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	return mustJSON(t, a) == mustJSON(t, b)
}

// The tokens a relying service checks are not its own credential: however
// many fail, its address keeps its whole failed-authentication budget, which
// only its own bad credentials spend.
func TestCheckedTokensNeverBlameTheRelyingService(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.AuthFailureLimit, cfg.AuthFailureBurst = 1, 2 }))
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)
	for range 10 {
		bogus, _ := secret.Generate(secret.KindPersonal)
		if r := rs.introspectForm(bogus); r.Status != http.StatusOK {
			t.Fatalf("introspect: status %d: %s", r.Status, r.Body)
		}
		var res api.AuthorizeResult
		rs.must(http.StatusOK, "POST", api.PathAuthorize, api.AuthorizeRequest{Token: bogus, Action: catalogue.WorkspaceRead, Resource: "org"}).into(t, &res)
		if res.Allowed || res.Active == nil || *res.Active {
			t.Fatalf("authorize of an unknown token: %+v", res)
		}
	}
	bad, _ := secret.Generate(secret.KindService)
	for range 2 {
		rs.with(bad).fail(http.StatusUnauthorized, api.CodeUnauthorized, "POST", api.PathIntrospect, api.IntrospectRequest{Token: bad})
	}
	rs.with(bad).fail(http.StatusTooManyRequests, api.CodeRateLimited, "POST", api.PathIntrospect, api.IntrospectRequest{Token: bad})
}

func TestIntrospectRefusals(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)
	_, reader := memberWithToken(t, c, "r@example.com", "reader", "reader")

	p := c.with(reader.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathIntrospect, api.IntrospectRequest{Token: reader.Token})
	if len(p.Missing) != 1 || p.Missing[0] != catalogue.TokenIntrospect {
		t.Fatalf("missing %v", p.Missing)
	}
	c.with(reader.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathAuthorize,
		api.AuthorizeRequest{Token: reader.Token, Action: catalogue.WorkspaceRead, Resource: "org"})
	c.with("").fail(http.StatusUnauthorized, api.CodeUnauthorized, "POST", api.PathIntrospect, api.IntrospectRequest{Token: reader.Token})

	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		body, contentType, field string
	}{
		{"", form, "token"},
		{"token=", form, "token"},
		{"token=a&token=b", form, "token"},
		{"token=a&scope=x", form, "scope"},
		{"%zz", form, ""},
		{`{"token":1}`, "application/json", "token"},
		{`{"token":"a","extra":1}`, "application/json", "extra"},
		{"token=a", "text/plain", "Content-Type"},
	} {
		p := rs.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathIntrospect, tc.body, "Content-Type", tc.contentType)
		if p.Field != tc.field || (tc.field != "" && !strings.Contains(p.Detail, tc.field)) {
			t.Errorf("body %q (%s): field %q, detail %q; want field %q named", tc.body, tc.contentType, p.Field, p.Detail, tc.field)
		}
	}

	for _, tc := range []struct {
		in    api.AuthorizeRequest
		field string
	}{
		{api.AuthorizeRequest{Action: catalogue.WorkspaceRead, Resource: "org"}, "token"},
		{api.AuthorizeRequest{Token: reader.Token, Resource: "org"}, "action"},
		{api.AuthorizeRequest{Token: reader.Token, Action: "WORKSPACE_REED", Resource: "org"}, "action"},
		{api.AuthorizeRequest{Token: reader.Token, Action: catalogue.WorkspaceRead}, "resource"},
		{api.AuthorizeRequest{Token: reader.Token, Action: catalogue.WorkspaceRead, Resource: "workspace/*"}, "resource"},
		{api.AuthorizeRequest{Token: reader.Token, Action: catalogue.WorkspaceRead, Resource: "bucket/1"}, "resource"},
	} {
		p := rs.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathAuthorize, tc.in)
		if p.Field != tc.field || !strings.Contains(p.Detail, tc.field) {
			t.Errorf("%+v: field %q, detail %q; want %q", tc.in, p.Field, p.Detail, tc.field)
		}
		if strings.Contains(string(mustJSONBytes(p)), reader.Token) {
			t.Errorf("the problem repeats the token: %+v", p)
		}
	}
	p = rs.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathAuthorize,
		api.AuthorizeRequest{Token: reader.Token, Action: "WORKSPACE_REED", Resource: "org"})
	if !strings.Contains(p.Detail, `did you mean "WORKSPACE_READ"`) {
		t.Errorf("no suggestion: %q", p.Detail)
	}
}

// authorize answers with the evaluation the server's own endpoints make:
// for every token and workspace below, "may it WORKSPACE_READ / WORKSPACE_WRITE
// workspace/<id>" is allowed exactly when GET / PATCH of that workspace with
// the token itself succeeds.
func TestAuthorizeAgreesWithTheEndpoints(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)

	var mine, theirs, moved api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "mine"}).into(t, &mine)
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "theirs"}).into(t, &theirs)
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "moved"}).into(t, &moved)
	writer, writerTok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	// A writer grant held by a reader: issued while the member was a writer,
	// then the member was demoted, as tokens for another member must now
	// fit that member's role when they are made.
	reader, readerTok := memberWithToken(t, c, "r@example.com", "writer", "writer")
	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+reader.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "reader"}})
	admin, _ := memberWithToken(t, c, "a@example.com", "admin", "reader")
	for _, ws := range []api.Workspace{mine, moved} {
		c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ws.ID+"/members/"+writer.ID, nil)
		c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ws.ID+"/members/"+reader.ID, nil)
	}
	tokens := map[string]string{
		"writer, all workspaces":      writerTok.Token,
		"reader holding writer grant": readerTok.Token,
		"writer, scoped to mine": c.createToken(api.TokenCreate{Name: "scoped", Role: "writer", MemberID: writer.ID,
			WorkspaceIDs: []string{mine.ID}}).Token,
		"inline deny on theirs": c.createToken(api.TokenCreate{Name: "inline", InlineRole: []api.Statement{
			{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}},
			{Effect: "deny", Actions: []string{catalogue.WorkspaceWrite}, Resources: []string{"workspace/" + theirs.ID}},
		}}).Token,
		"owner, all workspaces, after transfer": c.createToken(api.TokenCreate{Name: "all", Role: "admin", AllWorkspaces: true}).Token,
		"service, reader":                       c.createToken(api.TokenCreate{Name: "svc", Role: "reader", ServiceToken: true}).Token,
	}
	c.must(http.StatusOK, "POST", api.PathWorkspaces+"/"+moved.ID+"/transfer", api.WorkspaceTransfer{OwnerID: admin.ID})

	var allowed, refused int
	for _, name := range slices.Sorted(maps.Keys(tokens)) {
		tok := tokens[name]
		for _, ws := range []api.Workspace{mine, theirs, moved} {
			for action, req := range map[string][2]any{
				catalogue.WorkspaceRead:  {"GET", nil},
				catalogue.WorkspaceWrite: {"PATCH", []api.PatchOperation{{Op: "replace", Path: "/description", Value: "x"}}},
			} {
				direct := c.with(tok).do(req[0].(string), api.PathWorkspaces+"/"+ws.ID, req[1])
				var res api.AuthorizeResult
				rs.must(http.StatusOK, "POST", api.PathAuthorize, api.AuthorizeRequest{Token: tok, Action: action, Resource: "workspace/" + ws.ID}).into(t, &res)
				switch {
				case direct.Status == http.StatusOK && res.Allowed && res.Code == 0:
					allowed++
				case direct.Status == http.StatusForbidden && !res.Allowed && res.Code == api.PermissionDeniedNumber &&
					slices.Equal(res.Missing, []string{action}) && res.Detail == direct.problem(t).Detail:
					refused++
				default:
					t.Errorf("%s, %s on %s: endpoint %d %s, authorize %+v", name, action, ws.Name, direct.Status, direct.Body, res)
				}
			}
		}
	}
	if allowed == 0 || refused == 0 {
		t.Fatalf("the cases do not exercise both answers: %d allowed, %d refused", allowed, refused)
	}

	var res api.AuthorizeResult
	rs.must(http.StatusOK, "POST", api.PathAuthorize, api.AuthorizeRequest{Token: writerTok.Token, Action: catalogue.WorkspaceRead, Resource: "workspace/nope"}).into(t, &res)
	if res.Allowed || res.Code != 0 || !strings.Contains(res.Detail, "not found") {
		t.Fatalf("unknown workspace: %+v", res)
	}
	rs.must(http.StatusOK, "POST", api.PathAuthorize, api.AuthorizeRequest{Token: readerTok.Token, Action: catalogue.MemberWrite, Resource: "org"}).into(t, &res)
	if res.Allowed || res.Code != api.PermissionDeniedNumber || !slices.Equal(res.Missing, []string{catalogue.MemberWrite}) {
		t.Fatalf("org permission the owner's role lacks: %+v", res)
	}
}

// Neither the token checked nor the relying service's own ever reaches the
// log, the audit log or an idempotency record.
func TestCheckedTokensNeverLoggedOrKept(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	rs := relyingService(t, c)
	checked := c.createToken(api.TokenCreate{Name: "checked", Role: "reader"})
	unknown, _ := secret.Generate(secret.KindPersonal)
	for _, tok := range []string{checked.Token, unknown, "tsm_pat_typo"} {
		rs.introspectForm(tok)
		rs.must(http.StatusOK, "POST", api.PathIntrospect, api.IntrospectRequest{Token: tok})
		rs.do("POST", api.PathIntrospect, "token="+tok+"&"+tok+"=1", "Content-Type", "application/x-www-form-urlencoded")
		rs.must(http.StatusOK, "POST", api.PathAuthorize, api.AuthorizeRequest{Token: tok, Action: catalogue.WorkspaceRead, Resource: "org"},
			api.HeaderIdempotencyKey, "k-"+tok[:12])
	}
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil).into(t, &audit)
	for _, tok := range []string{checked.Token, unknown, "tsm_pat_typo", rs.token} {
		if strings.Contains(ts.Logs(), tok) || strings.Contains(string(mustJSONBytes(audit)), tok) {
			t.Errorf("a token reached the log or the audit log")
		}
	}
	// The Idempotency-Key is ignored: the same key with another body is not a reuse.
	rs.must(http.StatusOK, "POST", api.PathAuthorize, api.AuthorizeRequest{Token: checked.Token, Action: catalogue.WorkspaceWrite, Resource: "org"},
		api.HeaderIdempotencyKey, "k-"+checked.Token[:12])
}
