package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

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
