package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestCustomRoleLifecycle(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	in := api.CustomRoleCreate{
		Key: "deployer", Name: "Deployer",
		Policy: []api.Statement{
			{Effect: "allow", Actions: []string{"WORKSPACE_READ", "ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*", "org"}},
			{Effect: "deny", Actions: []string{"ACCESS_TOKEN_READ"}, Resources: []string{"workspace/*"}},
		},
	}
	r := c.must(http.StatusCreated, "POST", api.PathRoles, in)
	requireFields(t, r.Obj, "_id", "_links", "key", "name", "policy")
	var role api.CustomRole
	r.into(t, &role)
	if len(role.Policy) != 2 || role.Policy[0].Actions[0] != "WORKSPACE_READ" || role.Policy[1].Effect != "deny" {
		t.Fatalf("policy order not kept: %s", r.Body)
	}
	c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathRoles, in)

	// By key and by id.
	c.must(http.StatusOK, "GET", api.PathRoles+"/deployer", nil)
	c.must(http.StatusOK, "GET", api.PathRoles+"/"+role.ID, nil)

	// Token by role key; output gives the id.
	tok := c.createToken(api.TokenCreate{Name: "uses-role", CustomRoleIDs: []string{"deployer"}})
	if len(tok.CustomRoleIDs) != 1 || tok.CustomRoleIDs[0] != role.ID {
		t.Fatalf("customRoleIds %v, want [%s]", tok.CustomRoleIDs, role.ID)
	}
	tc := c.with(tok.Token)
	tc.must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID, nil)
	p := tc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathRoles, nil)
	if p.ErrorNumber != 4101 || len(p.Missing) != 1 || p.Missing[0] != "CUSTOM_ROLE_READ" {
		t.Fatalf("problem %+v", p)
	}

	// Both PATCH shapes.
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/deployer", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "Deployer 2"}})
	r = c.must(http.StatusOK, "PATCH", api.PathRoles+"/deployer", map[string]any{
		"patch":   []api.PatchOperation{{Op: "add", Path: "/policy/-", Value: map[string]any{"effect": "allow", "actions": []string{"CUSTOM_ROLE_READ"}, "resources": []string{"org"}}}},
		"comment": "let it read roles",
	})
	r.into(t, &role)
	if role.Name != "Deployer 2" || len(role.Policy) != 3 || role.TokenCount != 1 {
		t.Fatalf("patched role %s", r.Body)
	}
	// The live token sees the change on its next request.
	tc.must(http.StatusOK, "GET", api.PathRoles, nil)

	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathRoles+"/deployer", []api.PatchOperation{{Op: "replace", Path: "/key", Value: "x"}})
	if p.Field != "key" {
		t.Fatalf("field %q", p.Field)
	}
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, api.CustomRoleCreate{Key: "-bad", Name: "x", Permissions: []string{"API_READ"}})
	if p.Field != "key" {
		t.Fatalf("field %q", p.Field)
	}
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "x", Policy: []api.Statement{{Effect: "allow", Actions: []string{"NOPE"}, Resources: []string{"org"}}}})
	if !strings.HasPrefix(p.Field, "policy[0]") {
		t.Fatalf("field %q", p.Field)
	}

	p = c.fail(http.StatusConflict, api.CodeConflict, "DELETE", api.PathRoles+"/deployer", nil)
	if !strings.Contains(p.Detail, "1") {
		t.Fatalf("in-use detail %q does not name the count", p.Detail)
	}
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+tok.ID, nil)
	c.must(http.StatusNoContent, "DELETE", api.PathRoles+"/deployer", nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/deployer", nil)
}

func TestCustomRoleEscalation(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	ltd := c.createToken(api.TokenCreate{Name: "limited", Permissions: []string{"CUSTOM_ROLE_WRITE", "CUSTOM_ROLE_READ", "API_READ"}})
	lc := c.with(ltd.Token)
	p := lc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "K", Permissions: []string{"API_WRITE"}})
	if len(p.Missing) != 1 || p.Missing[0] != "API_WRITE" {
		t.Fatalf("missing %v", p.Missing)
	}
	lc.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "k", Name: "K", Permissions: []string{"API_READ"}})
	lc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathRoles+"/k", []api.PatchOperation{{Op: "add", Path: "/permissions/-", Value: "API_WRITE"}})
}

// A client of the wider service sends and decodes roles in its own shape:
// basePermissions is a string, resourceCategory is sent, and every field
// keeps its type through create, read, patch and delete.
func TestCustomRoleSourceShapeRoundTrip(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	decode := func(what string, r resp) strictRole {
		t.Helper()
		var role strictRole
		if err := json.Unmarshal(r.Body, &role); err != nil {
			t.Fatalf("%s: a client of the source shape cannot decode the role: %v\n%s", what, err, r.Body)
		}
		if role.BasePermissions == nil {
			t.Fatalf("%s: basePermissions missing: %s", what, r.Body)
		}
		return role
	}

	created := decode("create", c.must(http.StatusCreated, "POST", api.PathRoles, `{"key":"viewer","name":"Viewer",`+
		`"description":"reads","resourceCategory":"project","basePermissions":"reader",`+
		`"policy":[{"effect":"allow","actions":["API_READ"],"resources":["org"]}]}`))
	if *created.BasePermissions != "reader" || created.Name != "Viewer" {
		t.Fatalf("create answered %+v", created)
	}
	if got := decode("get", c.must(http.StatusOK, "GET", api.PathRoles+"/viewer", nil)); *got.BasePermissions != "reader" {
		t.Fatalf("get: basePermissions %q", *got.BasePermissions)
	}

	patched := decode("patch", c.must(http.StatusOK, "PATCH", api.PathRoles+"/viewer", `{"patch":[`+
		`{"op":"replace","path":"/name","value":"Viewer 2"},`+
		`{"op":"replace","path":"/description","value":"reads more"},`+
		`{"op":"replace","path":"/policy","value":[{"effect":"allow","actions":["JOBS_READ"],"resources":["org"]}]},`+
		`{"op":"replace","path":"/basePermissions","value":"no_access"},`+
		`{"op":"replace","path":"/resourceCategory","value":"account"}],"comment":"narrow"}`))
	if *patched.BasePermissions != "no_access" || patched.Name != "Viewer 2" || *patched.Description != "reads more" ||
		len(patched.Policy) != 1 || patched.Policy[0].Actions[0] != "JOBS_READ" {
		t.Fatalf("patch answered %+v", patched)
	}
	var list strictList[strictRole]
	if err := json.Unmarshal(c.must(http.StatusOK, "GET", api.PathRoles, nil).Body, &list); err != nil || len(list.Items) != 1 ||
		*list.Items[0].BasePermissions != "no_access" {
		t.Fatalf("list: %v %+v", err, list)
	}
	c.must(http.StatusNoContent, "DELETE", api.PathRoles+"/viewer", nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/viewer", nil)
}

func TestCustomRoleBasePermissionsRefusals(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	cases := []struct {
		body, field, says string
	}{
		{`{"key":"k","name":"K","basePermissions":"writer","policy":[]}`, "basePermissions", "must be one of no_access, reader"},
		{`{"key":"k","name":"K","basePermissions":["API_READ"],"policy":[]}`, "basePermissions", "must be a string"},
		{`{"key":"k","name":"K","basePermissions":"Reader","policy":[]}`, "basePermissions", "must be one of"},
		{`{"key":"k","name":"K","policy":[]}`, "policy", "basePermissions reader"},
		{`{"key":"k","name":"K","basePermissions":"reader","policy":[],"ResourceCategory":"x"}`, "ResourceCategory", "not a field"},
		{`{"key":"k","name":"K","basePermissions":"reader","policy":[],"resourceKind":"x"}`, "resourceKind", "not a field"},
		{`{"key":"k","name":"K","basePermissions":"reader","policy":[],"BasePermissions":"reader"}`, "BasePermissions", "not a field"},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, tc.body)
		if p.Field != tc.field || !strings.Contains(p.Detail, tc.says) {
			t.Errorf("%s: field %q detail %q, want field %q saying %q", tc.body, p.Field, p.Detail, tc.field, tc.says)
		}
	}
	c.must(http.StatusCreated, "POST", api.PathRoles, `{"key":"k","name":"K","basePermissions":"reader","policy":[]}`)
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathRoles+"/k",
		`[{"op":"replace","path":"/basePermissions","value":"admin"}]`)
	if p.Field != "basePermissions" {
		t.Errorf("patch to admin: field %q: %s", p.Field, p.Detail)
	}
	var role api.CustomRole
	c.must(http.StatusOK, "GET", api.PathRoles+"/k", nil).into(t, &role)
	if role.BasePermissions != api.BasePermissionsReader {
		t.Fatalf("a refused patch changed basePermissions to %q", role.BasePermissions)
	}
}

// reader grants the catalogue's read permissions, bounded by the holder's
// member role; no_access grants nothing beyond the role's statements.
func TestCustomRoleReaderBasePermissions(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "reads", Name: "Reads", BasePermissions: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "none", Name: "None", Permissions: []string{"WORKSPACE_READ"}})

	owners := c.with(c.createToken(api.TokenCreate{Name: "owner reads", CustomRoleIDs: []string{"reads"}}).Token)
	owners.must(http.StatusOK, "GET", api.PathAuditLog, nil)
	owners.must(http.StatusOK, "GET", api.PathMembers, nil)
	owners.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "nope"})
	var id api.CallerIdentity
	owners.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	for _, p := range id.EffectivePermissions {
		if !strings.HasSuffix(p, "_READ") {
			t.Errorf("reader base permissions granted %s", p)
		}
	}
	if !slices.Contains(id.EffectivePermissions, "AUDIT_LOG_READ") {
		t.Errorf("an owner holding a reader role lacks AUDIT_LOG_READ: %v", id.EffectivePermissions)
	}

	none := c.with(c.createToken(api.TokenCreate{Name: "no access", CustomRoleIDs: []string{"none"}}).Token)
	none.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathAuditLog, nil)

	// A writer may hold the role (its reads are within the writer's role)
	// but gains no read its member role lacks.
	m, _ := memberWithToken(t, c, "w@example.com", "writer", "writer")
	writers := c.with(c.createToken(api.TokenCreate{Name: "writer reads", CustomRoleIDs: []string{"reads"}, MemberID: m.ID}).Token)
	writers.must(http.StatusOK, "GET", api.PathMembers, nil)
	writers.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathAuditLog, nil)
}
