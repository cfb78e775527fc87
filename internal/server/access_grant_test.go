package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The catalogue endpoints show each permission's object and level, and
// list the objects with what each level stands for and who may hold it.
func TestPermissionObjectsListed(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var perms api.List[api.Permission]
	c.must(http.StatusOK, "GET", api.PathPermissions+"?limit=1000", nil).into(t, &perms)
	byName := map[string]api.Permission{}
	for _, p := range perms.Items {
		byName[p.Name] = p
	}
	if p := byName["API_WRITE"]; p.Object != "api" || p.Level != "write" {
		t.Errorf("API_WRITE: object %q level %q, want api/write", p.Object, p.Level)
	}
	if p := byName["DISCOVERY"]; p.Object != "" || p.Level != "" {
		t.Errorf("DISCOVERY: object %q level %q, want a plain permission", p.Object, p.Level)
	}

	var objects api.List[api.AccessObject]
	c.must(http.StatusOK, "GET", api.PathObjects+"?limit=1000", nil).into(t, &objects)
	var plan *api.AccessObject
	for i := range objects.Items {
		if objects.Items[i].Name == "plan" {
			plan = &objects.Items[i]
		}
	}
	if plan == nil || plan.Description == "" || len(plan.Levels) != 2 {
		t.Fatalf("plan object: %+v", plan)
	}
	ro, rw := plan.Levels[0], plan.Levels[1]
	if ro.Level != "read_only" || !slices.Equal(ro.Permissions, []string{"PLAN_READ"}) || !slices.Equal(ro.Roles, []string{"owner", "admin", "writer", "reader"}) {
		t.Errorf("plan read_only: %+v", ro)
	}
	if rw.Level != "read_write" || !slices.Equal(rw.Permissions, []string{"PLAN_READ", "PLAN_WRITE"}) || !slices.Equal(rw.Roles, []string{"owner"}) {
		t.Errorf("plan read_write: %+v", rw)
	}
	if objects.TotalCount != len(catalogue.Default().Objects()) {
		t.Errorf("totalCount %d", objects.TotalCount)
	}
}

func effective(t *testing.T, c *client, token string) []string {
	t.Helper()
	var id api.CallerIdentity
	c.with(token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	return id.EffectivePermissions
}

// An access grant is evaluated exactly as the permissions it stands for,
// and reads return it as sent, none included.
func TestAccessGrantIsItsPermissions(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	sent := api.AccessGrant{"api": "read_write", "plan": "read_only", "user": "none"}
	byAccess := c.createToken(api.TokenCreate{Name: "by access", Access: sent})
	byNames := c.createToken(api.TokenCreate{Name: "by names", Permissions: []string{"API_READ", "API_WRITE", "PLAN_READ"}})
	if got, want := effective(t, c, byAccess.Token), effective(t, c, byNames.Token); !slices.Equal(got, want) {
		t.Errorf("effective permissions by access %v, by names %v", got, want)
	}
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+byAccess.ID, nil).into(t, &got)
	if len(got.Access) != 3 || got.Access["user"] != "none" || got.Access["api"] != "read_write" || got.Permissions != nil || got.Role != "" {
		t.Errorf("read back %+v", got)
	}

	// Widen in place; then move to another grant form and back.
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+byAccess.ID, []api.PatchOperation{{Op: "replace", Path: "/access/user", Value: "read_only"}})
	if got := effective(t, c, byAccess.Token); !slices.Contains(got, "USER_READ") {
		t.Errorf("after widening user: %v", got)
	}
	var asRole, asAccess api.Token
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+byAccess.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "reader"}}).into(t, &asRole)
	if asRole.Access != nil || asRole.Role != "reader" {
		t.Errorf("after switching to a role: %+v", asRole)
	}
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+byAccess.ID, []api.PatchOperation{{Op: "replace", Path: "/access", Value: map[string]string{"plan": "read_write"}}}).into(t, &asAccess)
	if asAccess.Role != "" || len(asAccess.Access) != 1 || asAccess.Access["plan"] != "read_write" {
		t.Errorf("after switching back to access: %+v", asAccess)
	}
}

// The holder's member role is the ceiling: a level it may not hold is
// refused, naming the object and the widest level the role may hold, and
// nothing is created.
func TestAccessCeilingPerRole(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tokens := map[string]string{api.RoleOwner: ts.OwnerToken}
	for _, role := range []string{api.RoleAdmin, api.RoleWriter, api.RoleReader} {
		grant := role
		_, tok := memberWithToken(t, c, role+"@example.com", role, grant)
		tokens[role] = tok.Token
	}
	cases := []struct {
		role   string
		access api.AccessGrant
		// refused names the object; limit is the level the role may hold.
		refused, limit string
	}{
		{role: api.RoleOwner, access: api.AccessGrant{"plan": "read_write", "configuration": "read_write"}},
		{role: api.RoleAdmin, access: api.AccessGrant{"plan": "read_write"}, refused: "plan", limit: "read_only"},
		{role: api.RoleAdmin, access: api.AccessGrant{"user": "read_write", "organization": "read_write"}},
		{role: api.RoleWriter, access: api.AccessGrant{"api": "read_write", "plan": "read_only"}},
		{role: api.RoleWriter, access: api.AccessGrant{"user": "read_only"}, refused: "user", limit: "none"},
		{role: api.RoleReader, access: api.AccessGrant{"api": "read_only", "user": "none"}},
		{role: api.RoleReader, access: api.AccessGrant{"api": "read_write"}, refused: "api", limit: "read_only"},
	}
	for _, tc := range cases {
		mc := c.with(tokens[tc.role])
		var before api.List[api.Token]
		mc.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &before)
		if tc.refused == "" {
			mc.createToken(api.TokenCreate{Name: "ok", Access: tc.access})
			continue
		}
		p := mc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "over", Access: tc.access})
		if p.Field != "access."+tc.refused || !strings.Contains(p.Detail, `"`+tc.refused+`"`) || !strings.Contains(p.Detail, "at most "+tc.limit) || !strings.Contains(p.Detail, "role "+tc.role) {
			t.Errorf("%s %v: field %q detail %q, want access.%s naming %s", tc.role, tc.access, p.Field, p.Detail, tc.refused, tc.limit)
		}
		var after api.List[api.Token]
		mc.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &after)
		if after.TotalCount != before.TotalCount {
			t.Errorf("%s %v: a refused create changed the token count %d -> %d", tc.role, tc.access, before.TotalCount, after.TotalCount)
		}
	}

	// A patch is held to the same ceiling.
	rc := c.with(tokens[api.RoleReader])
	tok := rc.createToken(api.TokenCreate{Name: "narrow", Access: api.AccessGrant{"api": "read_only"}})
	p := rc.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: "/access/api", Value: "read_write"}})
	if p.Field != "access.api" || !strings.Contains(p.Detail, "at most read_only") {
		t.Errorf("patch over the ceiling: %+v", p)
	}
}

func TestAccessGrantRefusals(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	cases := []struct {
		body        any
		field, says string
	}{
		{api.TokenCreate{Name: "x", Access: api.AccessGrant{"apii": "read_only"}}, "access.apii", "did you mean api"},
		{api.TokenCreate{Name: "x", Access: api.AccessGrant{"api": "write"}}, "access.api", "must be one of none, read_only, read_write"},
		{api.TokenCreate{Name: "x", Access: api.AccessGrant{"api": "none"}}, "access", "at least one object"},
		{api.TokenCreate{Name: "x", Role: "reader", Access: api.AccessGrant{"api": "read_only"}}, "role", "exactly one of role, customRoleIds, inlineRole, permissions and access"},
		{api.TokenCreate{Name: "x", Permissions: []string{"DISCOVERY"}, Access: api.AccessGrant{"api": "read_only"}}, "role", "exactly one"},
		{`{"name":"x","access":["api"]}`, "access", ""},
		{`{"name":"x","access":{"api":1}}`, "access", ""},
	}
	for _, tc := range cases {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, tc.body)
		if !strings.HasPrefix(p.Field, tc.field) || !strings.Contains(p.Detail, tc.says) {
			t.Errorf("%v: field %q detail %q, want %s saying %q", tc.body, p.Field, p.Detail, tc.field, tc.says)
		}
	}
	// An access token pasted as an object name is refused without being
	// repeated.
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Access: api.AccessGrant{ts.OwnerToken: "read_only"}})
	if p.Field != "access" || strings.Contains(p.Detail, ts.OwnerToken) || !strings.Contains(p.Detail, "must not contain an access token") {
		t.Errorf("a secret as an object name: %+v", p)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 1 { // the owner's own token
		t.Errorf("refused creates left %d tokens", list.TotalCount)
	}
}

// On a custom role, access adds to the role's other grants; a permission
// of an object that access sets is refused, and the caller's role is the
// ceiling.
func TestCustomRoleAccess(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var role api.CustomRole
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "kb", Name: "KB",
		Access: api.AccessGrant{"api": "read_write", "plan": "none"}, Permissions: []string{"DISCOVERY"}}).into(t, &role)
	if len(role.Access) != 2 || role.Access["plan"] != "none" || !slices.Equal(role.Permissions, []string{"DISCOVERY"}) {
		t.Fatalf("created %+v", role)
	}
	tok := c.createToken(api.TokenCreate{Name: "holder", CustomRoleIDs: []string{"kb"}})
	if got, want := effective(t, c, tok.Token), []string{"API_READ", "API_WRITE", "DISCOVERY"}; !slices.Equal(got, want) {
		t.Errorf("holder of the role: %v, want %v", got, want)
	}
	var widened api.CustomRole
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/kb", []api.PatchOperation{{Op: "add", Path: "/access/plan", Value: "read_only"}}).into(t, &widened)
	if widened.Access["plan"] != "read_only" || widened.Access["api"] != "read_write" || !slices.Contains(effective(t, c, tok.Token), "PLAN_READ") {
		t.Errorf("after widening plan: %+v", widened)
	}

	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, api.CustomRoleCreate{Key: "both", Name: "Both",
		Access: api.AccessGrant{"api": "read_only"}, Permissions: []string{"DISCOVERY", "API_WRITE"}})
	if p.Field != "permissions[1]" || !strings.Contains(p.Detail, `object "api"`) {
		t.Errorf("overlap: %+v", p)
	}
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathRoles, api.CustomRoleCreate{Key: "nothing", Name: "Nothing", Access: api.AccessGrant{"api": "none"}})
	if p.Field != "policy" || !strings.Contains(p.Detail, "access level above none") {
		t.Errorf("a role granting nothing: %+v", p)
	}

	// A role holder's own member role still bounds what the role grants.
	_, admTok := memberWithToken(t, c, "adm@example.com", "admin", "admin")
	p = c.with(admTok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathRoles, api.CustomRoleCreate{Key: "planner", Name: "Planner", Access: api.AccessGrant{"plan": "read_write"}})
	if p.Field != "access.plan" || !strings.Contains(p.Detail, "role admin may hold at most read_only") {
		t.Errorf("admin creating a read_write plan role: %+v", p)
	}
	// Tokens made for another member must fit that member's role, so the
	// writer holding kb was an owner when the token was made.
	w, _ := memberWithToken(t, c, "w@example.com", "owner", "writer")
	held := c.createToken(api.TokenCreate{Name: "writer holds kb", CustomRoleIDs: []string{"kb"}, MemberID: w.ID})
	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+w.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "writer"}})
	if got := effective(t, c, held.Token); slices.Contains(got, "DISCOVERY") || !slices.Contains(got, "API_WRITE") {
		t.Errorf("a writer holding kb: %v (DISCOVERY is Global_Admin's only)", got)
	}
}

// tokensmithd serves the object-by-object catalogue shipped in examples/
// (see docs/guides/backend-rules.md, "Access levels"): its
// six objects are listed, and its read-only objects refuse read_write.
func TestKnowledgeBaseCatalogue(t *testing.T) {
	raw, err := os.ReadFile("../../examples/tokensmithd/knowledge-base-catalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Catalogue json.RawMessage `json:"catalogue"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	cat, err := catalogue.Load(bytes.NewReader(cfg.Catalogue))
	if err != nil {
		t.Fatal(err)
	}
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.Catalogue = cat }))
	c := newClient(t, ts, ts.OwnerToken)
	var objects api.List[api.AccessObject]
	c.must(http.StatusOK, "GET", api.PathObjects, nil).into(t, &objects)
	var names []string
	for _, o := range objects.Items {
		names = append(names, o.Name)
	}
	want := []string{"organization_members", "departments", "usage_statistics", "knowledge_bases", "knowledge_base_members", "knowledge_base_files"}
	if !slices.Equal(names, want) {
		t.Fatalf("objects %v, want %v", names, want)
	}
	tok := c.createToken(api.TokenCreate{Name: "kb editor", Access: api.AccessGrant{"knowledge_bases": "read_write", "knowledge_base_files": "read_only", "usage_statistics": "none"}})
	if got, want := effective(t, c, tok.Token), []string{"KNOWLEDGE_BASES_READ", "KNOWLEDGE_BASES_WRITE", "KNOWLEDGE_BASE_FILES_READ"}; !slices.Equal(got, want) {
		t.Errorf("effective %v, want %v", got, want)
	}
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens, api.TokenCreate{Name: "x", Access: api.AccessGrant{"departments": "read_write"}})
	if p.Field != "access.departments" || !strings.Contains(p.Detail, "can only be read") {
		t.Errorf("read_write on a read-only object: %+v", p)
	}
}
