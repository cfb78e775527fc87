package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestUnknownFieldsAreRefused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	var m api.Member
	c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: "m@example.com", Role: "reader"}).into(t, &m)

	cases := []struct {
		method, path, body, field string
	}{
		{"POST", api.PathTokens, `{"name":"x","role":"reader","rol":"admin"}`, "rol"},
		{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["API_READ"],"resources":["org"]},{"efect":"deny","actions":["API_READ"],"resources":["org"]}]}`, "inlineRole[1].efect"},
		{"POST", api.PathTokens, `{"name":"x","role":"reader","expiresAt":1}`, "expiresAt"},
		{"POST", api.PathTokens + "/" + tok.ID + "/reset", `{"expiri":1}`, "expiri"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `[{"op":"replace","path":"/name","valeu":"y"}]`, "[0].valeu"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `[{"op":"replace","path":"/inlineRole","value":[{"effect":"allow","actions":["API_READ"],"resource":["org"]}]}]`, "inlineRole[0].resource"},
		{"POST", api.PathRoles, `{"key":"k","name":"K","policy":[{"effect":"allow","actoins":["API_READ"],"resources":["org"]}]}`, "policy[0].actoins"},
		{"PATCH", api.PathRoles + "/r", `{"patch":[{"op":"replace","path":"/name","value":"S"}],"coment":"typo"}`, "coment"},
		{"POST", api.PathWorkspaces, `{"name":"w","owner":"` + ts.OwnerID + `"}`, "owner"},
		{"POST", api.PathWorkspaces + "/" + ts.DefaultWorkspaceID + "/transfer", `{"owner":"` + m.ID + `"}`, "owner"},
		{"POST", api.PathMembers, `{"email":"n@example.com","role":"reader","fristName":"N"}`, "fristName"},
		{"PATCH", api.PathMembers + "/" + m.ID, `[{"op":"replace","path":"/firstName","value":"N","extra":true}]`, "[0].extra"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, tc.method, tc.path, tc.body)
		if p.Field != tc.field || !strings.Contains(p.Detail, tc.field) || !strings.Contains(p.Detail, "allowed here") {
			t.Errorf("%s %s %s: field %q detail %q, want field %q", tc.method, tc.path, tc.body, p.Field, p.Detail, tc.field)
		}
	}
	// Nothing was written by any of them.
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "x" || got.InlineRole != nil {
		t.Fatalf("a refused patch wrote: %+v", got)
	}
	var ws api.List[api.Workspace]
	c.must(http.StatusOK, "GET", api.PathWorkspaces, nil).into(t, &ws)
	if ws.TotalCount != 1 || ws.Items[0].OwnerID != ts.OwnerID {
		t.Fatalf("a refused workspace request wrote: %+v", ws)
	}
	// move and copy carry "from": refused as unsupported operations.
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, `[{"op":"move","from":"/name","path":"/description"}]`)
	if !strings.Contains(p.Detail, "move") {
		t.Fatalf("move: %q", p.Detail)
	}
}

func TestUnknownQueryParametersAreRefused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	cases := []struct{ method, path, param string }{
		{"GET", api.PathTokens + "?showall=true", "showall"},
		{"POST", api.PathTokens + "?dryrun=true", "dryrun"},
		{"POST", api.PathTokens + "/" + tok.ID + "/reset?expires=1", "expires"},
		{"DELETE", api.PathTokens + "?member=" + ts.OwnerID, "member"},
		{"GET", api.PathWorkspaces + "?names=default", "names"},
		{"GET", api.PathPermissions + "?page=2", "page"},
		{"GET", api.PathTokens + "/" + tok.ID + "?limit=1", "limit"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, tc.method, tc.path, api.TokenCreate{Name: "y", Role: "reader"})
		if p.Field != tc.param || !strings.Contains(p.Detail, tc.param) {
			t.Errorf("%s %s: field %q detail %q", tc.method, tc.path, p.Field, p.Detail)
		}
	}
	// The misspelt dry run created nothing, the misspelt reset rotated nothing.
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true&limit=10&offset=0", nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("tokens %d, want 2", list.TotalCount)
	}
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", "/api/v2/nothing?x=1", nil)
}

func TestMethodNotAllowed(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	cases := []struct{ method, path, allow string }{
		{"PUT", api.PathTokens, "DELETE, GET, HEAD, POST"},
		{"POST", api.PathTokens + "/abc", "DELETE, GET, HEAD, PATCH"},
		{"GET", api.PathTokens + "/abc/reset", "POST"},
		{"DELETE", api.PathPermissions, "GET, HEAD"},
		{"PATCH", api.PathRoles, "GET, HEAD, POST"},
		{"GET", api.PathWorkspaces + "/w/transfer", "POST"},
		{"POST", api.PathWorkspaces + "/w/members/m", "DELETE, PUT"},
		{"POST", api.PathCallerIdentity, "GET, HEAD"},
	}
	for _, tc := range cases {
		for _, who := range []*client{c, c.with("")} {
			r := who.do(tc.method, tc.path, nil)
			if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != tc.allow {
				t.Errorf("%s %s: status %d Allow %q, want 405 %q", tc.method, tc.path, r.Status, r.Header.Get("Allow"), tc.allow)
				continue
			}
			if p := r.problem(t); p.Code != api.CodeMethodNotAllowed || p.Status != 405 || !strings.Contains(p.Detail, tc.allow) {
				t.Errorf("%s %s: problem %+v", tc.method, tc.path, p)
			}
		}
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", "/api/v2/nothing", nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "POST", "/api/v3/tokens", nil)
}

func TestDryRunOnlyWhereHonoured(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathWorkspaces+"?dryRun=true", api.WorkspaceCreate{Name: "w"})
	if p.Field != "dryRun" {
		t.Fatalf("field %q", p.Field)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "DELETE", api.PathTokens+"/"+tok.ID+"?dryRun=true", nil)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathMembers+"?dryRun=1", api.MemberCreate{Email: "a@example.com", Role: "reader"})
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?dryRun=maybe", api.TokenCreate{Name: "y", Role: "reader"})
	var ws api.List[api.Workspace]
	c.must(http.StatusOK, "GET", api.PathWorkspaces, nil).into(t, &ws)
	if ws.TotalCount != 1 {
		t.Fatalf("a refused dry run created a workspace: %+v", ws)
	}
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	// dryRun=false is the ordinary request everywhere.
	c.must(http.StatusCreated, "POST", api.PathWorkspaces+"?dryRun=false", api.WorkspaceCreate{Name: "w"})
}
