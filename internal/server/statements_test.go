package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The two statements exactly as the wider service's users write them.
const (
	foreignDeny  = `{"effect": "deny", "actions": ["*"], "resources": ["proj/*:env/production"]}`
	foreignAllow = `{"effect": "allow", "actions": ["updateOn", "updateOff"], "resources": ["proj/mobile:env/test;qa_*:flag/*"]}`
)

// sameStatements fails unless the statements under key in the response are
// those sent, value for value, and every specifier and action sent appears
// byte for byte in the response body.
func sameStatements(t *testing.T, r resp, key, sent string) {
	t.Helper()
	var want []any
	if err := json.Unmarshal([]byte(sent), &want); err != nil {
		t.Fatal(err)
	}
	if got := r.Obj[key]; !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %v, want %v as sent", key, got, want)
	}
	for _, v := range []string{`"proj/*:env/production"`, `"proj/mobile:env/test;qa_*:flag/*"`, `"updateOn"`, `"updateOff"`} {
		if !bytes.Contains(r.Body, []byte(v)) {
			t.Fatalf("response does not carry %s byte for byte: %s", v, r.Body)
		}
	}
}

// notEnforcedOf returns the notEnforced field of a decoded object.
func notEnforcedOf(t *testing.T, obj map[string]any) []float64 {
	t.Helper()
	raw, ok := obj["notEnforced"]
	if !ok {
		return nil
	}
	var out []float64
	for _, v := range raw.([]any) {
		out = append(out, v.(float64))
	}
	return out
}

// grantsNothing checks that a token may do nothing: no permission on "org"
// and no access to the default workspace.
func grantsNothing(t *testing.T, c *client, ts *testserver.Server) {
	t.Helper()
	var id api.CallerIdentity
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	if len(id.EffectivePermissions) != 0 {
		t.Fatalf("token holds %v", id.EffectivePermissions)
	}
	c.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)
	c.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathRoles, nil)
}

func TestForeignStatementsOnTokensRoundTrip(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	stmts := "[" + foreignDeny + ", " + foreignAllow + "]"

	r := c.must(http.StatusCreated, "POST", api.PathTokens, `{"name": "ld-user", "inlineRole": `+stmts+`}`)
	sameStatements(t, r, "inlineRole", stmts)
	if got := notEnforcedOf(t, r.Obj); !slices.Equal(got, []float64{0, 1}) {
		t.Fatalf("notEnforced = %v, want [0 1]: %s", got, r.Body)
	}
	var tok api.Token
	r.into(t, &tok)

	got := c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	sameStatements(t, got, "inlineRole", stmts)
	if !slices.Equal(notEnforcedOf(t, got.Obj), []float64{0, 1}) {
		t.Fatalf("GET does not flag the statements: %s", got.Body)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	for _, it := range list.Items {
		if it.ID == tok.ID && !slices.Equal(it.NotEnforced, []int{0, 1}) {
			t.Fatalf("list item notEnforced = %v", it.NotEnforced)
		}
	}

	grantsNothing(t, c.with(tok.Token), ts)

	// A patch that adds a statement of ours leaves the foreign ones as they
	// are and flags only them.
	p := c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID,
		`[{"op": "add", "path": "/inlineRole/-", "value": {"effect": "allow", "actions": ["WORKSPACE_READ"], "resources": ["workspace/*"]}}]`)
	sameStatements(t, p, "inlineRole", "["+foreignDeny+", "+foreignAllow+`, {"effect": "allow", "actions": ["WORKSPACE_READ"], "resources": ["workspace/*"]}]`)
	if got := notEnforcedOf(t, p.Obj); !slices.Equal(got, []float64{0, 1}) {
		t.Fatalf("notEnforced after patch = %v", got)
	}
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)

	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=100", nil).into(t, &audit)
	var details []string
	for _, e := range audit.Items {
		if e.Target == "token/"+tok.ID {
			details = append(details, e.Action+" "+e.Detail)
		}
	}
	for _, want := range []string{"token.create", "token.update"} {
		if !slices.ContainsFunc(details, func(d string) bool {
			return strings.HasPrefix(d, want+" ") && strings.HasSuffix(d, " notEnforced=inlineRole[0],inlineRole[1]")
		}) {
			t.Errorf("no %s audit record naming the statements without effect: %q", want, details)
		}
	}

	// A token granted only statements of ours is not flagged at all.
	r = c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "ours", InlineRole: []api.Statement{
		{Effect: "allow", Actions: []string{"WORKSPACE_READ"}, Resources: []string{"workspace/*"}}}})
	forbidFields(t, r.Obj, "notEnforced")
}

func TestForeignStatementsOnCustomRolesRoundTrip(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	stmts := "[" + foreignDeny + ", " + foreignAllow + "]"

	r := c.must(http.StatusCreated, "POST", api.PathRoles, `{"key": "ld-role", "name": "LD role", "policy": `+stmts+`}`)
	sameStatements(t, r, "policy", stmts)
	if got := notEnforcedOf(t, r.Obj); !slices.Equal(got, []float64{0, 1}) {
		t.Fatalf("notEnforced = %v, want [0 1]: %s", got, r.Body)
	}
	got := c.must(http.StatusOK, "GET", api.PathRoles+"/ld-role", nil)
	sameStatements(t, got, "policy", stmts)
	if !slices.Equal(notEnforcedOf(t, got.Obj), []float64{0, 1}) {
		t.Fatalf("GET does not flag the statements: %s", got.Body)
	}
	dry := c.must(http.StatusOK, "PATCH", api.PathRoles+"/ld-role?dryRun=true", `[{"op": "replace", "path": "/name", "value": "LD"}]`)
	if !slices.Equal(notEnforcedOf(t, dry.Obj), []float64{0, 1}) {
		t.Fatalf("dry run does not flag the statements: %s", dry.Body)
	}

	tok := c.createToken(api.TokenCreate{Name: "uses-ld-role", CustomRoleIDs: []string{"ld-role"}})
	grantsNothing(t, c.with(tok.Token), ts)

	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=100", nil).into(t, &audit)
	if !slices.ContainsFunc(audit.Items, func(e api.AuditEntry) bool {
		return e.Action == "role.create" && strings.HasSuffix(e.Detail, " notEnforced=policy[0],policy[1]")
	}) {
		t.Errorf("no role.create audit record naming the statements without effect: %+v", audit.Items)
	}
}

// TestForeignNotResourcesIsAGrantOfEverything: allow with notResources
// naming only foreign resources applies to every resource of ours, so it is
// refused to whoever does not hold everything, and works for who does.
func TestForeignNotResourcesIsAGrantOfEverything(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	body := `{"name": "everything", "inlineRole": [{"effect": "allow", "actions": ["*"], "notResources": ["proj/*"]}]}`

	_, wtok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	p := c.with(wtok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, body)
	if !slices.Contains(p.Missing, "MEMBER_WRITE") {
		t.Fatalf("escalation refusal misses MEMBER_WRITE: %+v", p)
	}
	c.with(wtok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathRoles,
		`{"key": "everything", "name": "E", "policy": [{"effect": "allow", "actions": ["*"], "notResources": ["proj/*"]}]}`)

	r := c.must(http.StatusCreated, "POST", api.PathTokens, body)
	forbidFields(t, r.Obj, "notEnforced")
	var tok api.Token
	r.into(t, &tok)
	tc := c.with(tok.Token)
	tc.must(http.StatusOK, "GET", api.PathRoles, nil)
	tc.must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)
}

func TestMalformedSpecifiersRefused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	cases := []struct {
		path, body, field, msg string
	}{
		{api.PathTokens, `{"name": "x", "inlineRole": [{"effect": "allow", "actions": ["*"], "resources": ["proj/*::env/x"]}]}`,
			"inlineRole[0].resources[0]", `invalid resource "proj/*::env/x": at character 8: expected a resource kind`},
		{api.PathTokens, `{"name": "x", "inlineRole": [{"effect": "allow", "actions": ["API_READ"], "resources": ["org"]}, {"effect": "deny", "actions": ["*"], "notResources": ["workspace/*:token/*"]}]}`,
			"inlineRole[1].notResources[0]", `at character 12: expected the end of the specifier, found ":"`},
		{api.PathRoles, `{"key": "k", "name": "k", "policy": [{"effect": "allow", "actions": ["update On"], "resources": ["proj/*"]}]}`,
			"policy[0].actions[0]", `"update On": at character 7`},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", tc.path, tc.body)
		if p.Field != tc.field || !strings.Contains(p.Detail, tc.msg) {
			t.Errorf("problem field %q detail %q, want field %q and %q", p.Field, p.Detail, tc.field, tc.msg)
		}
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	for _, it := range list.Items {
		if it.Name == "x" {
			t.Fatalf("a refused token was stored: %+v", it)
		}
	}
}

// TestStatementsRefuseTokens: a token secret is a well-formed foreign
// action and resource kind in the wider service's grammar, so statements
// must refuse it explicitly, naming the field and never echoing it.
func TestStatementsRefuseTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	leaked := c.createToken(api.TokenCreate{Name: "real", Role: "reader"}).Token
	for _, tc := range []struct{ path, body, field string }{
		{api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["` + leaked + `"],"resources":["org"]}]}`, "inlineRole[0].actions[0]"},
		{api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","notActions":["API_READ","` + leaked + `"],"resources":["org"]}]}`, "inlineRole[0].notActions[1]"},
		{api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["*"],"resources":["` + leaked + `"]}]}`, "inlineRole[0].resources[0]"},
		{api.PathRoles, `{"key":"k","name":"k","policy":[{"effect":"deny","actions":["*"],"notResources":["proj/` + leaked + `"]}]}`, "policy[0].notResources[0]"},
		{api.PathRoles, `{"key":"k","name":"k","policy":[{"effect":"allow","actions":["updateOn"],"resources":["` + leaked + `"]}]}`, "policy[0].resources[0]"},
	} {
		r := c.do("POST", tc.path, tc.body)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("POST %s with a token in %s: status %d", tc.path, tc.field, r.Status)
		}
		if bytes.Contains(r.Body, []byte(leaked)) || bytes.Contains(r.Body, []byte(leaked[4:])) {
			t.Fatalf("the refusal echoes the token")
		}
		if p := r.problem(t); p.Field != tc.field || !strings.Contains(p.Detail, "must not contain an access token") {
			t.Errorf("refusal field %q detail %q, want field %q", p.Field, p.Detail, tc.field)
		}
	}
}

// A live secret pasted into a policy statement would be stored and handed
// to every reader of roles and tokens; in a workspace lookup's query it
// would come back in the list's links. Every such request is refused
// naming the field, stores nothing, and no answer holds the secret.
func TestSecretRefusedInPoliciesAndQueries(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	leaked := c.createToken(api.TokenCreate{Name: "leaked", Role: "reader"}).Token
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	inline := c.createToken(api.TokenCreate{Name: "inline", InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"org"}}}})

	stmts := map[string]api.Statement{
		"resources":    {Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"org", "token/" + leaked}},
		"notResources": {Effect: "deny", Actions: []string{"API_READ"}, NotResources: []string{"token/" + leaked}},
		"actions":      {Effect: "allow", Actions: []string{leaked}, Resources: []string{"org"}},
		"notActions":   {Effect: "deny", NotActions: []string{leaked}, Resources: []string{"org"}},
	}
	var answers bytes.Buffer
	for list, st := range stmts {
		index := "[0]"
		if list == "resources" {
			index = "[1]"
		}
		requests := []struct {
			method, path, field string
			body                any
		}{
			{"POST", api.PathRoles, "policy[0]." + list + index,
				api.CustomRoleCreate{Key: "k", Name: "n", Policy: []api.Statement{st}}},
			{"PATCH", api.PathRoles + "/r", "policy[0]." + list + index,
				[]api.PatchOperation{{Op: "add", Path: "/policy", Value: []api.Statement{st}}}},
			{"POST", api.PathTokens, "inlineRole[0]." + list + index,
				api.TokenCreate{Name: "t", InlineRole: []api.Statement{st}}},
			{"PATCH", api.PathTokens + "/" + inline.ID, "inlineRole[0]." + list + index,
				[]api.PatchOperation{{Op: "replace", Path: "/inlineRole/0", Value: st}}},
		}
		for _, rq := range requests {
			for _, dry := range []string{"", "?dryRun=true"} {
				r := c.do(rq.method, rq.path+dry, rq.body)
				answers.Write(r.Body)
				if r.Status != http.StatusBadRequest {
					t.Errorf("%s %s%s with a secret in %s: status %d, want 400", rq.method, rq.path, dry, list, r.Status)
				} else if p := r.problem(t); p.Field != rq.field {
					t.Errorf("%s %s%s with a secret in %s: field %q, want %q", rq.method, rq.path, dry, list, p.Field, rq.field)
				}
			}
		}
	}

	r := c.do("GET", api.PathWorkspaces+"?name="+url.QueryEscape(leaked), nil)
	if r.Status != http.StatusBadRequest || r.problem(t).Field != "name" {
		t.Errorf("GET workspaces?name=<secret>: status %d, want 400 naming name", r.Status)
	}
	answers.Write(r.Body)

	// Nothing was stored: the role and the inline token are as they were.
	for _, path := range []string{api.PathRoles, api.PathRoles + "/r", api.PathTokens, api.PathTokens + "/" + inline.ID} {
		answers.Write(c.must(http.StatusOK, "GET", path, nil).Body)
	}
	if r := c.do("GET", api.PathRoles+"/k", nil); r.Status != http.StatusNotFound {
		t.Errorf("a role holding the secret was stored: GET /roles/k answers %d", r.Status)
	}
	if bytes.Contains(answers.Bytes(), []byte(core(leaked))) {
		t.Error("an answer holds the secret")
	}
}
