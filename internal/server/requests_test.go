package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestValidationErrorsNameTheField(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	cases := []struct {
		body  string
		field string
	}{
		{`{"name": 5, "role": "reader"}`, "name"},
		{`{"name": "x", "role": "reader", "serviceToken": "yes"}`, "serviceToken"},
		{`{"name": "x", "customRoleIds": "abc"}`, "customRoleIds"},
		{`{"role": "reader"}`, "name"},
		{`{"name": "` + strings.Repeat("n", 65) + `", "role": "reader"}`, "name"},
		{`{"name": "a\u0007b", "role": "reader"}`, "name"},
		{`{"name": "x", "description": "` + strings.Repeat("d", 1001) + `", "role": "reader"}`, "description"},
		{`{"name": "x"}`, "role"},
		{`{"name": "x", "role": "reader", "permissions": ["API_READ"]}`, "role"},
		{`{"name": "x", "role": "owner"}`, "role"},
		{`{"name": "x", "permissions": ["API_REDA"]}`, "permissions[0]"},
		{`{"name": "x", "customRoleIds": ["nope"]}`, "customRoleIds[0]"},
		{`{"name": "x", "role": "reader", "workspaceIds": ["nope"]}`, "workspaceIds[0]"},
		{`{"name": "x", "role": "reader", "workspaceIds": ["` + ts.DefaultWorkspaceID + `"], "allWorkspaces": true}`, "allWorkspaces"},
		{`{"name": "x", "role": "reader", "expirationDate": 1}`, "expirationDate"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, tc.body)
		if p.Field != tc.field || !strings.Contains(p.Detail, strings.Split(tc.field, "[")[0]) {
			t.Errorf("%s: field %q detail %q, want field %q", tc.body, p.Field, p.Detail, tc.field)
		}
	}
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Permissions: []string{"API_REDA"}})
	if !strings.Contains(p.Detail, "API_READ") {
		t.Errorf("no suggestion in %q", p.Detail)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, `{"name": `)
}

func TestBodyLimit(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	big := `{"name":"x","role":"reader","description":"` + strings.Repeat("a", server.MaxBodyBytes) + `"}`
	c.fail(http.StatusRequestEntityTooLarge, api.CodeTooLarge, "POST", api.PathTokens, big)
}

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

// refused sends body and expects a 400 naming field whose detail says rule.
func refused(t *testing.T, c *client, method, path, body, field, rule string) {
	t.Helper()
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, method, path, body)
	if p.Field != field || !strings.Contains(p.Detail, rule) {
		t.Errorf("%s %s %q: field %q, detail %q; want field %q and %q", method, path, body, p.Field, p.Detail, field, rule)
	}
}

// tokenCount is how many tokens the caller's member holds.
func tokenCount(t *testing.T, c *client) int {
	t.Helper()
	var l api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &l)
	return l.TotalCount
}

// Invalid UTF-8 is refused naming the field, instead of being stored as
// U+FFFD, wherever it is in the body.
func TestInvalidUTF8Refused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "reader"})
	before := tokenCount(t, c)
	const rule = "valid UTF-8"
	for _, rq := range []struct{ method, path, body, field string }{
		{"POST", api.PathTokens, "{\"name\":\"a\xffb\",\"role\":\"reader\"}", "name"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"description\":\"caf\xe9\",\"role\":\"reader\"}", "description"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"inlineRole\":[{\"effect\":\"allow\",\"actions\":[\"API_READ\"],\"resources\":[\"org\",\"workspace/\xc3\"]}]}", "inlineRole[0].resources[1]"},
		{"POST", api.PathTokens + "?dryRun=true", "{\"name\":\"\xed\xa0\x80\",\"role\":\"reader\"}", "name"},
		{"PATCH", api.PathTokens + "/" + tok.ID, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"n\xff\"}]", "[0].value"},
		{"PATCH", api.PathTokens + "/" + tok.ID, "{\"patch\":[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"n\"}],\"comment\":\"\xfe\"}", "comment"},
		{"POST", api.PathRoles, "{\"key\":\"k\",\"name\":\"R\xff\",\"permissions\":[\"API_READ\"]}", "name"},
		{"POST", api.PathWorkspaces, "{\"name\":\"w\",\"description\":\"\x80\"}", "description"},
		{"POST", api.PathMembers, "{\"email\":\"a@example.com\",\"firstName\":\"J\xf8rgen\",\"role\":\"reader\"}", "firstName"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"inlineRole\":[{\"effect\":\"allow\",\"\xffactions\":[\"API_READ\"]}]}", "inlineRole[0]"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"r\xf6le\":\"reader\"}", "body"},
	} {
		refused(t, c, rq.method, rq.path, rq.body, rq.field, rule)
	}
	if n := tokenCount(t, c); n != before {
		t.Fatalf("%d tokens after refused requests, want %d", n, before)
	}
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "t" {
		t.Fatalf("token renamed to %q", got.Name)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/k", nil)
}

// Field names are matched exactly: encoding/json would take "NAME" for
// "name", which other strict clients of the API reject.
func TestFieldNamesAreCaseSensitive(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "reader"})
	before := tokenCount(t, c)
	const rule = "case-sensitive"
	for _, rq := range []struct{ method, path, body, field string }{
		{"POST", api.PathTokens, `{"NAME":"x","ROLE":"reader"}`, "NAME"},
		{"POST", api.PathTokens, `{"name":"x","Role":"reader"}`, "Role"},
		{"POST", api.PathTokens + "?dryRun=true", `{"name":"x","role":"reader","ServiceToken":true}`, "ServiceToken"},
		{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"Effect":"allow","actions":["API_READ"],"resources":["org"]}]}`, "inlineRole[0].Effect"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `[{"OP":"replace","path":"/name","value":"n"}]`, "[0].OP"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `{"Patch":[{"op":"replace","path":"/name","value":"n"}]}`, "Patch"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `[{"op":"replace","path":"/inlineRole","value":[{"EFFECT":"allow","actions":["API_READ"],"resources":["org"]}]}]`, "inlineRole[0].EFFECT"},
		{"POST", api.PathTokens + "/" + tok.ID + "/reset", `{"EXPIRY":1}`, "EXPIRY"},
		{"POST", api.PathRoles, `{"Key":"k","name":"R","permissions":["API_READ"]}`, "Key"},
		{"POST", api.PathWorkspaces, `{"Name":"w"}`, "Name"},
		{"POST", api.PathWorkspaces + "/" + ts.DefaultWorkspaceID + "/transfer", `{"OwnerId":"x"}`, "OwnerId"},
		{"POST", api.PathMembers, `{"email":"a@example.com","ROLE":"reader"}`, "ROLE"},
	} {
		refused(t, c, rq.method, rq.path, rq.body, rq.field, rule)
	}
	if n := tokenCount(t, c); n != before {
		t.Fatalf("%d tokens after refused requests, want %d", n, before)
	}
}

// Zero-width characters and the line and paragraph separators make two
// names that look the same differ; names refuse them like the other
// invisible characters.
func TestNamesRefuseInvisibleCharacters(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	before := tokenCount(t, c)
	for _, name := range []string{"admin\u200b", "ad\u200cmin", "ad\u200dmin", "admin\u2060", "\ufeffadmin", "ad\u00admin", "line\u2028break", "para\u2029graph"} {
		q := name
		refused(t, c, "POST", api.PathTokens, `{"name":"`+q+`","role":"reader"}`, "name", "invisible")
		refused(t, c, "POST", api.PathRoles, `{"key":"k","name":"`+q+`","permissions":["API_READ"]}`, "name", "invisible")
		refused(t, c, "POST", api.PathWorkspaces, `{"name":"`+q+`"}`, "name", "invisible")
		refused(t, c, "POST", api.PathMembers, `{"email":"a@example.com","lastName":"`+q+`","role":"reader"}`, "lastName", "invisible")
		refused(t, c, "POST", api.PathMembers, `{"email":"a`+q+`@example.com","role":"reader"}`, "email", "email")
	}
	if n := tokenCount(t, c); n != before {
		t.Fatalf("%d tokens after refused requests, want %d", n, before)
	}
	// Visible text, accents and emoji included, is still a name.
	c.createToken(api.TokenCreate{Name: "Jürgen's CI 🚀", Role: "reader"})
}

// Headers larger than the API accepts get a problem document like every
// other error, not net/http's plain text, as long as the HTTP server has
// read them (up to server.HeaderReadLimit).
func TestOversizedHeadersAnswerAProblem(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	big := strings.Repeat("x", server.MaxHeaderBytes)
	p := c.fail(http.StatusRequestHeaderFieldsTooLarge, api.CodeHeadersTooLarge, "GET", api.PathCallerIdentity, nil, "X-Padding", big)
	if !strings.Contains(p.Detail, "headers") {
		t.Errorf("detail %q does not say what was too large", p.Detail)
	}
	// Within the limit, the same request succeeds.
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil, "X-Padding", big[:server.MaxHeaderBytes/2])
}

// TestDryRunsWriteNothing runs every dry-runnable operation, each with an
// Idempotency-Key as the client sends on every POST, and counts writes. A
// dry run answers like the real request, without an id or a secret, and
// leaves tokens, roles and the audit log as they were.
func TestDryRunsWriteNothing(t *testing.T) {
	ts, cs := newCountingServer(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog, nil).into(t, &audit)
	audited := audit.TotalCount
	before := cs.total()

	key := func(i int) []string { return []string{api.HeaderIdempotencyKey, fmt.Sprint("dry-", i)} }
	r := c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "y", Role: "reader"}, key(1)...)
	requireFields(t, r.Obj, tokenAlways...)
	if r.Obj["_id"] != "" || r.Obj["token"] != nil {
		t.Fatalf("token create dry run: %s", r.Body)
	}
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID+"?dryRun=true", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "z"}})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true", nil, key(2)...)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true&expiry="+fmt.Sprint(ts.Clock.Now().Add(time.Hour).UnixMilli()), nil, key(3)...)
	r = c.must(http.StatusOK, "POST", api.PathRoles+"?dryRun=true", api.CustomRoleCreate{Key: "s", Name: "S", Permissions: []string{"API_READ"}}, key(4)...)
	if r.Obj["_id"] != "" {
		t.Fatalf("role create dry run gave an id: %s", r.Body)
	}
	deployer := api.CustomRoleCreate{
		Key: "deployer", Name: "Deployer",
		Policy: []api.Statement{
			{Effect: "allow", Actions: []string{"WORKSPACE_READ", "ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*", "org"}},
			{Effect: "deny", Actions: []string{"ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*"}},
		},
	}
	r = c.must(http.StatusOK, "POST", api.PathRoles+"?dryRun=true", deployer, key(5)...)
	if r.Obj["_id"] != "" {
		t.Fatalf("role create dry run gave an id: %s", r.Body)
	}
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/r?dryRun=true", api.PatchWithComment{Patch: []api.PatchOperation{{Op: "replace", Path: "/name", Value: "Q"}}, Comment: "try"})
	// Refusals found by a dry run write nothing either.
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "y"}, key(6)...)
	c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathRoles+"?dryRun=true", api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}}, key(7)...)

	if after := cs.total(); after != before {
		t.Fatalf("dry runs wrote %d times: %v", after-before, cs.snapshot())
	}
	// The old secret still works: the dry-run reset did not rotate it.
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "x" {
		t.Fatalf("dry-run patch wrote: %+v", got)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("tokens %d, want the bootstrap token and x", list.TotalCount)
	}
	var role api.CustomRole
	c.must(http.StatusOK, "GET", api.PathRoles+"/r", nil).into(t, &role)
	if role.Name != "R" {
		t.Fatalf("dry-run role patch wrote: %+v", role)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/s", nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/deployer", nil)
	c.must(http.StatusOK, "GET", api.PathAuditLog, nil).into(t, &audit)
	if audit.TotalCount != audited {
		t.Fatalf("audit log grew from %d to %d records: %+v", audited, audit.TotalCount, audit.Items)
	}
}
