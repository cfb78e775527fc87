package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

var tokenAlways = []string{"_id", "ownerId", "memberId", "creationDate", "lastModified", "_links", "serviceToken", "defaultApiVersion", "_member"}

func TestTokenCreateGetListPatchDelete(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)

	r := c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "ci", Description: "for CI", Role: "writer"})
	requireFields(t, r.Obj, tokenAlways...)
	requireFields(t, r.Obj, "name", "role", "token")
	forbidFields(t, r.Obj, "customRoleIds", "inlineRole", "permissions", "lastUsed")
	var tok api.Token
	r.into(t, &tok)
	if !strings.HasPrefix(tok.Token, "tsm_pat_") {
		t.Fatalf("create did not return the whole secret: %q", tok.Token)
	}
	if tok.OwnerID != ts.OrgID || tok.MemberID != ts.OwnerID || tok.DefaultAPIVersion != 20240415 || !tok.AllWorkspaces {
		t.Fatalf("unexpected token %+v", tok)
	}
	if tok.Member == nil || tok.Member.ID != ts.OwnerID {
		t.Fatalf("_member %+v", tok.Member)
	}

	r = c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	requireFields(t, r.Obj, tokenAlways...)
	var got api.Token
	r.into(t, &got)
	if got.Token != tok.Token[len(tok.Token)-4:] {
		t.Fatalf("read shows %q, want last four", got.Token)
	}

	// The new token works and shows lastUsed afterwards.
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	r = c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	requireFields(t, r.Obj, "lastUsed")

	r = c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)
	var list api.List[api.Token]
	r.into(t, &list)
	if list.TotalCount != 2 || len(list.Items) != 2 {
		t.Fatalf("list: %s", r.Body)
	}
	requireFields(t, r.Obj, "items", "totalCount", "_links")

	r = c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{
		{Op: "replace", Path: "/name", Value: "ci-2"},
		{Op: "replace", Path: "/permissions", Value: []string{"ACCESS_TOKEN_READ"}},
	})
	var patched api.Token
	r.into(t, &patched)
	if patched.Name != "ci-2" || patched.Role != "" || len(patched.Permissions) != 1 {
		t.Fatalf("patched %s", r.Body)
	}
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: "/expirationDate", Value: 1}})
	if p.Field != "expirationDate" || !strings.Contains(p.Detail, "expirationDate") {
		t.Fatalf("fixed field problem %+v", p)
	}

	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+tok.ID, nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/"+tok.ID, nil)
	c.with(tok.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

func TestNoEscalation(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	_, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	wc := c.with(tok.Token)

	// create
	p := wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "admin"})
	if len(p.Missing) == 0 || p.ErrorNumber != api.PermissionDeniedNumber {
		t.Fatalf("problem %+v", p)
	}
	p = wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", Permissions: []string{"MEMBER_WRITE"}})
	if len(p.Missing) != 1 || p.Missing[0] != "MEMBER_WRITE" {
		t.Fatalf("missing %v", p.Missing)
	}
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"*"}, Resources: []string{"*"}}}})
	// dry run reports the same refusal
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "x", Role: "admin"})
	own := wc.createToken(api.TokenCreate{Name: "mine", Role: "reader"})

	// patch
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+own.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "admin"}})

	// custom role: the owner makes one the writer cannot hold; the writer
	// may neither create such a role nor use it.
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "big", Name: "Big", Permissions: []string{"MEMBER_WRITE"}})
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", CustomRoleIDs: []string{"big"}})
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+own.ID, []api.PatchOperation{{Op: "add", Path: "/customRoleIds", Value: []string{"big"}}})

	// reset: an admin-granted token of a member later demoted to writer
	// cannot be reset by them.
	m, adminTok := memberWithToken(t, c, "a@example.com", "admin", "admin")
	ac := c.with(adminTok.Token)
	second := ac.createToken(api.TokenCreate{Name: "second", Role: "admin"})
	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+m.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "writer"}})
	p = ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"/"+second.ID+"/reset", nil)
	if len(p.Missing) == 0 {
		t.Fatalf("reset refusal lacks missing: %+v", p)
	}
}

func TestExpirationPolicy(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.MaxLifetime = 30 * 24 * time.Hour
		cfg.AllowNoExpiry = false
	}))
	c := newClient(t, ts, ts.OwnerToken)
	now := ts.Clock.Now()
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader"})
	if p.Field != "expirationDate" {
		t.Fatalf("field %q", p.Field)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader", ExpirationDate: now.Add(31 * 24 * time.Hour).UnixMilli()})
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader", ExpirationDate: now.Add(24 * time.Hour).UnixMilli()})
	tc := c.with(tok.Token)
	tc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	ts.Clock.Advance(24 * time.Hour)
	p = tc.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	if !strings.Contains(p.Detail, "expired") {
		t.Fatalf("detail %q", p.Detail)
	}
	r := c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	if r.Obj["expired"] != true {
		t.Fatalf("expired not reported: %s", r.Body)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: "/expirationDate", Value: 0}})
}

func TestQuota(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 3, PerOrg: 100}
	}))
	c := newClient(t, ts, ts.OwnerToken) // the bootstrap token counts
	c.createToken(api.TokenCreate{Name: "a", Role: "reader"})
	c.createToken(api.TokenCreate{Name: "b", Role: "reader"})
	p := c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "c", Role: "reader"})
	if p.Limit != 3 {
		t.Fatalf("limit %d", p.Limit)
	}
	c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens, api.TokenCreate{Name: "c", Role: "reader"})
}

func TestOtherMembersTokensNeedManage(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	_, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	wc := c.with(tok.Token)
	var list api.List[api.Token]
	wc.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 1 || list.Items[0].ID != tok.ID {
		t.Fatalf("own list %+v", list)
	}
	wc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"?showAll=true", nil)
	var all api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &all)
	for _, other := range all.Items {
		if other.ID != tok.ID {
			wc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"/"+other.ID, nil)
			wc.fail(http.StatusForbidden, api.CodePermissionDenied, "DELETE", api.PathTokens+"/"+other.ID, nil)
		}
	}
}

// A dry run that names the token it replaces counts the two against the
// quotas once; the name is checked like a delete of that token, and a real
// create refuses it.
func TestQuotaDryRunReplaces(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 2, PerOrg: 100}
	}))
	c := newClient(t, ts, ts.OwnerToken) // the bootstrap token counts
	old := c.createToken(api.TokenCreate{Name: "a", Role: "reader"})
	body := api.TokenCreate{Name: "a", Role: "reader"}
	c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true", body)
	c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true&replaces="+old.ID, body)

	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?replaces="+old.ID, body)
	if p.Field != "replaces" || !strings.Contains(p.Detail, "dryRun=true") {
		t.Fatalf("real create with replaces: %+v", p)
	}
	p = c.fail(http.StatusNotFound, api.CodeNotFound, "POST", api.PathTokens+"?dryRun=true&replaces=nope", body)
	if p.Field != "replaces" || !strings.Contains(p.Detail, "nope") {
		t.Fatalf("unknown token: %+v", p)
	}

	// A member may not name a token it could not delete (the owner's).
	_, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	p = c.with(tok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"?dryRun=true&replaces="+old.ID, body)
	if p.Field != "replaces" {
		t.Fatalf("other member's token: %+v", p)
	}

	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 3 {
		t.Fatalf("tokens %d, want 3 (nothing written or deleted)", list.TotalCount)
	}
}

// An admin must not get hold of an owner's credential: resetting an owner's
// token hands over its secret and minting a token for an owner creates one,
// and either acts with the owner's rank (creating owners, promoting oneself).
func TestAdminCannotActOnOwnersTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	admin, adminTok := memberWithToken(t, c, "a@example.com", "admin", "admin")
	ac := c.with(adminTok.Token)
	ownerTok := c.createToken(api.TokenCreate{Name: "owner's", Role: "admin"})

	ac.must(http.StatusOK, "GET", api.PathTokens+"/"+ownerTok.ID, nil)
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"/"+ownerTok.ID+"/reset", nil)
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens+"/"+ownerTok.ID+"/reset?dryRun=true", nil)
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+ownerTok.ID, []api.PatchOperation{{Op: "replace", Path: "/name", Value: "x"}})
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "DELETE", api.PathTokens+"/"+ownerTok.ID, nil)
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "DELETE", api.PathTokens+"?memberId="+ts.OwnerID, nil)
	for _, svc := range []bool{false, true} {
		ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "as owner", Role: "admin", MemberID: ts.OwnerID, ServiceToken: svc})
	}
	// Nothing changed, and the admin is still an admin.
	c.with(ownerTok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	var m api.Member
	c.must(http.StatusOK, "GET", api.PathMembers+"/"+admin.ID, nil).into(t, &m)
	if m.Role != "admin" {
		t.Fatalf("admin became %s", m.Role)
	}

	// Members of the same or a lower rank stay manageable.
	_, other := memberWithToken(t, c, "b@example.com", "admin", "reader")
	w, wtok := memberWithToken(t, c, "w@example.com", "writer", "reader")
	ac.must(http.StatusOK, "POST", api.PathTokens+"/"+other.ID+"/reset", nil)
	ac.must(http.StatusOK, "PATCH", api.PathTokens+"/"+wtok.ID, []api.PatchOperation{{Op: "replace", Path: "/name", Value: "renamed"}})
	ac.createToken(api.TokenCreate{Name: "for w", Role: "reader", MemberID: w.ID})
	ac.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+w.ID, nil)
}

// The no-escalation check covers workspaces created later: a grant on
// "workspace/*" or on an id prefix reaches them, so the caller must hold
// that too; naming the check's own stand-in for future workspaces in a
// statement does not count as holding them.
func TestNoEscalationIntoFutureWorkspaces(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	admin, _ := memberWithToken(t, c, "a@example.com", "admin", "reader")
	def := "workspace/" + ts.DefaultWorkspaceID
	base := api.Statement{Effect: "allow", Actions: []string{"ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE"}, Resources: []string{"org"}}
	limited := c.createToken(api.TokenCreate{Name: "limited", MemberID: admin.ID, AllWorkspaces: true, InlineRole: []api.Statement{
		base, {Effect: "allow", Actions: []string{"WORKSPACE_READ"}, Resources: []string{def, "workspace/_future"}},
	}})
	lc := c.with(limited.Token)
	for _, res := range [][]string{{"workspace/*"}, {def, "workspace/0*"}, {def, "workspace/f*"}} {
		p := lc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "wider", AllWorkspaces: true,
			InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"WORKSPACE_READ"}, Resources: res}}})
		if len(p.Missing) != 1 || p.Missing[0] != "WORKSPACE_READ" {
			t.Fatalf("%v: missing %v", res, p.Missing)
		}
	}
	// What the caller holds can still be passed on.
	lc.createToken(api.TokenCreate{Name: "same", AllWorkspaces: true, InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"WORKSPACE_READ"}, Resources: []string{def}}}})

	// A deny on an id prefix in the holder's grant is honoured too.
	denyPrefix := c.createToken(api.TokenCreate{Name: "deny", MemberID: admin.ID, AllWorkspaces: true, InlineRole: []api.Statement{
		base, {Effect: "allow", Actions: []string{"WORKSPACE_READ"}, Resources: []string{"workspace/*"}},
		{Effect: "deny", Actions: []string{"WORKSPACE_READ"}, Resources: []string{"workspace/zz*"}},
	}})
	c.with(denyPrefix.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "wider", AllWorkspaces: true,
		InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"WORKSPACE_READ"}, Resources: []string{"workspace/*"}}}})
}

// Expiry values at the edges of int64 are refused or honoured, never wrapped.
func TestExpiryExtremes(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.MaxLifetime = 30 * 24 * time.Hour }))
	c := newClient(t, ts, ts.OwnerToken)
	for _, v := range []string{"9223372036854775807", "-9223372036854775808", "-1", "1e30", "1.5"} {
		r := c.do("POST", api.PathTokens, `{"name":"x","role":"reader","expirationDate":`+v+`}`)
		if r.Status != http.StatusBadRequest {
			t.Errorf("expirationDate %s: status %d: %s", v, r.Status, r.Body)
		}
	}
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "reader", ExpirationDate: ts.Clock.Now().Add(time.Hour).UnixMilli()})
	for _, q := range []string{"-1", "9223372036854775808", "x"} {
		c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry="+q, nil)
	}
	// A grace period beyond the token's own expiry cannot outlive the token.
	var reset api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry=9223372036854775807", nil).into(t, &reset)
	ts.Clock.Advance(2 * time.Hour)
	for _, s := range []string{tok.Token, reset.Token} {
		c.with(s).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	}
}

const racers = 30

// race sends the bodies concurrently, all released at once, and returns
// the responses in order.
func race(c *client, bodies []api.TokenCreate) []resp {
	out := make([]resp, len(bodies))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = c.do("POST", api.PathTokens, b)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// exactlyOneWins checks one 201 and quota_exceeded with limit for the rest.
func exactlyOneWins(t *testing.T, results []resp, limit int) {
	t.Helper()
	wins := 0
	for _, r := range results {
		switch r.Status {
		case http.StatusCreated:
			wins++
		case http.StatusConflict:
			var p api.Problem
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatalf("409 body: %v: %s", err, r.Body)
			}
			if p.Code != api.CodeQuotaExceeded || p.Limit != limit || r.Header.Get("Content-Type") != api.ProblemContentType {
				t.Errorf("409 %s, want %s with limit %d", r.Body, api.CodeQuotaExceeded, limit)
			}
		default:
			t.Errorf("status %d: %s", r.Status, r.Body)
		}
	}
	if wins != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", wins)
	}
}

func countTokens(t *testing.T, c *client, memberID string) int {
	t.Helper()
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true&limit=1000", nil).into(t, &list)
	if memberID == "" {
		return list.TotalCount
	}
	n := 0
	for _, tok := range list.Items {
		if tok.MemberID == memberID {
			n++
		}
	}
	return n
}

// TestQuotaRacePerMember: a member at quota minus one creates tokens from
// many goroutines at once with their own token; exactly one create wins.
func TestQuotaRacePerMember(t *testing.T) {
	const limit = 5
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: limit, PerOrg: 1000}
	}))
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "racer@example.com", "writer", "writer")
	for i := 1; i < limit-1; i++ {
		c.createToken(api.TokenCreate{Name: fmt.Sprint("pre-", i), Role: "reader", MemberID: m.ID})
	}
	if n := countTokens(t, c, m.ID); n != limit-1 {
		t.Fatalf("member holds %d tokens before the race, want %d", n, limit-1)
	}
	bodies := make([]api.TokenCreate, racers)
	for i := range bodies {
		bodies[i] = api.TokenCreate{Name: fmt.Sprint("race-", i), Role: "reader"}
	}
	exactlyOneWins(t, race(c.with(tok.Token), bodies), limit)
	if n := countTokens(t, c, m.ID); n != limit {
		t.Fatalf("member holds %d tokens after the race, want %d", n, limit)
	}
}

// TestQuotaRacePerOrganization: the organisation is at its limit minus one
// and thirty different members each try to create one token at once.
func TestQuotaRacePerOrganization(t *testing.T) {
	const limit = 8
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 20, PerOrg: limit}
	}))
	c := newClient(t, ts, ts.OwnerToken)
	for i := countTokens(t, c, ""); i < limit-1; i++ {
		c.createToken(api.TokenCreate{Name: fmt.Sprint("pre-", i), Role: "reader"})
	}
	bodies := make([]api.TokenCreate, racers)
	for i := range bodies {
		var m api.Member
		c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: fmt.Sprintf("m%d@example.com", i), Role: "reader"}).into(t, &m)
		bodies[i] = api.TokenCreate{Name: fmt.Sprint("race-", i), Role: "reader", MemberID: m.ID}
	}
	exactlyOneWins(t, race(c, bodies), limit)
	if n := countTokens(t, c, ""); n != limit {
		t.Fatalf("organisation holds %d tokens after the race, want %d", n, limit)
	}
	// The quota holds for dry runs too, which the provider makes during plan.
	p := c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "late", Role: "reader"})
	if p.Limit != limit {
		t.Fatalf("dry-run limit %d", p.Limit)
	}
}

// TestLastUsedWithoutWrites: authenticated requests never write; lastUsed
// is still current in every read and reaches the store in one batch.
func TestLastUsedWithoutWrites(t *testing.T) {
	ts, cs := newCountingServer(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "used", Role: "reader"})
	tc := c.with(tok.Token)
	before := cs.snapshot()

	var want int64
	for i := range 50 {
		ts.Clock.Advance(time.Second)
		switch i % 3 {
		case 0:
			tc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
			want = ts.Clock.Now().UnixMilli()
		case 1:
			tc.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
			want = ts.Clock.Now().UnixMilli()
		default:
			c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)
		}
	}
	// The owner's token is used last, so "now" is not the right answer.
	ts.Clock.Advance(time.Second)
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.LastUsed != want {
		t.Fatalf("lastUsed %d, want %d", got.LastUsed, want)
	}
	if after := cs.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("reads wrote to the store: before %v after %v", before, after)
	}
	stored, err := ts.Store.GetToken(context.Background(), ts.OrgID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.LastUsedAt != nil {
		t.Fatalf("lastUsed was written per request: %v", stored.LastUsedAt)
	}

	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := cs.snapshot()["RecordLastUsed"]; n != 1 {
		t.Fatalf("RecordLastUsed called %d times, want 1", n)
	}
	stored, err = ts.Store.GetToken(context.Background(), ts.OrgID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.LastUsedAt == nil || stored.LastUsedAt.UnixMilli() != want {
		t.Fatalf("flushed lastUsed %v, want %d", stored.LastUsedAt, want)
	}
	// Nothing new to flush: no write.
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := cs.snapshot()["RecordLastUsed"]; n != 1 {
		t.Fatalf("an empty flush wrote (%d calls)", n)
	}
}
