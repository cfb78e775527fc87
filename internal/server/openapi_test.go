package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/apicheck"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Every route of routes.go is in the published document and every
// operation of the document is a route.
func TestRoutesMatchTheDocument(t *testing.T) {
	// With the test clock, so that its route is registered too.
	ts := testserver.New(t, testserver.WithTestClockEndpoint())
	doc, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, p := range ts.Backend.Routes() {
		if method, path, ok := strings.Cut(p, " "); ok {
			routes[method+" "+path] = true
		} else if p != "/" {
			t.Errorf("route %q has no method", p)
		}
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(routes)) {
		if !documented[r] {
			t.Errorf("route %s is not in internal/api/openapi.yaml", r)
		}
	}
	for _, d := range slices.Sorted(maps.Keys(documented)) {
		if !routes[d] {
			t.Errorf("internal/api/openapi.yaml documents %s, which routes.go does not serve", d)
		}
	}
	if len(routes) < 30 {
		t.Fatalf("only %d routes found: %v", len(routes), ts.Backend.Routes())
	}
}

// The document is served, without a token, as the JSON form of the file in
// the repository.
func TestOpenAPIDocumentServed(t *testing.T) {
	ts := testserver.New(t)
	r := newClient(t, ts, "").must(http.StatusOK, "GET", api.PathOpenAPI, nil)
	served, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	kept, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(served)
	b, _ := json.Marshal(kept)
	if string(a) != string(b) {
		t.Fatalf("the served document differs from internal/api/openapi.yaml")
	}
	if served.Paths.Find(api.PathRoles+"/{keyOrId}") == nil || served.Components.Schemas["CustomRole"] == nil {
		t.Fatalf("the served document lacks the roles: %s", r.Body[:200])
	}
}

// The console is mounted beside the API, not in it: no route of Routes and
// no path of the document is under it, and the API's fallback does not
// answer for it.
func TestConsoleIsNotAnAPIRoute(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Console = func(*server.Server) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
		}
	}))
	for _, p := range ts.Backend.Routes() {
		if strings.Contains(p, api.PathConsole) {
			t.Errorf("route %q is under the console", p)
		}
	}
	doc, err := apicheck.Load()
	if err != nil {
		t.Fatal(err)
	}
	for path := range doc.Paths.Map() {
		if strings.HasPrefix(path, api.PathConsole) {
			t.Errorf("the API document has the console path %s", path)
		}
	}
	res, err := http.Get(ts.URL + api.PathConsole + "tokens")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTeapot {
		t.Fatalf("GET %stokens answered %d, not the console's answer", api.PathConsole, res.StatusCode)
	}
}

// The types below decode the way a client generated from the wider service's
// OpenAPI document does (see docs/guides/backend-rules.md, "Wire shape"):
// every object first checks that its required
// properties are present (and, stricter still, not null), then decodes into
// fixed Go types, so a missing field or a changed type fails the decode.
// They deliberately do not reuse package api.

type strictLink struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

func (x *strictLink) UnmarshalJSON(b []byte) error {
	type plain strictLink
	return strictUnmarshal(b, (*plain)(x), "href", "type")
}

type strictMember struct {
	Links     map[string]strictLink `json:"_links"`
	ID        string                `json:"_id"`
	Role      string                `json:"role"`
	Email     string                `json:"email"`
	FirstName *string               `json:"firstName,omitempty"`
	LastName  *string               `json:"lastName,omitempty"`
}

func (x *strictMember) UnmarshalJSON(b []byte) error {
	type plain strictMember
	return strictUnmarshal(b, (*plain)(x), "_links", "_id", "role", "email")
}

type strictStatement struct {
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"notActions,omitempty"`
	Effect       string   `json:"effect"`
}

func (x *strictStatement) UnmarshalJSON(b []byte) error {
	type plain strictStatement
	return strictUnmarshal(b, (*plain)(x), "effect")
}

type strictToken struct {
	ID                string                `json:"_id"`
	OwnerID           string                `json:"ownerId"`
	MemberID          string                `json:"memberId"`
	Member            *strictMember         `json:"_member,omitempty"`
	CreationDate      int64                 `json:"creationDate"`
	LastModified      int64                 `json:"lastModified"`
	Name              *string               `json:"name,omitempty"`
	Description       *string               `json:"description,omitempty"`
	CustomRoleIDs     []string              `json:"customRoleIds,omitempty"`
	InlineRole        []strictStatement     `json:"inlineRole,omitempty"`
	Role              *string               `json:"role,omitempty"`
	Token             *string               `json:"token,omitempty"`
	ServiceToken      bool                  `json:"serviceToken"`
	DefaultAPIVersion int32                 `json:"defaultApiVersion"`
	LastUsed          *int64                `json:"lastUsed,omitempty"`
	Links             map[string]strictLink `json:"_links"`
}

var strictTokenRequired = []string{"_id", "ownerId", "memberId", "creationDate", "lastModified", "_links", "serviceToken", "defaultApiVersion"}

func (x *strictToken) UnmarshalJSON(b []byte) error {
	type plain strictToken
	return strictUnmarshal(b, (*plain)(x), strictTokenRequired...)
}

type strictRole struct {
	ID              string                `json:"_id"`
	Links           map[string]strictLink `json:"_links"`
	Key             string                `json:"key"`
	Name            string                `json:"name"`
	Description     *string               `json:"description,omitempty"`
	Policy          []strictStatement     `json:"policy"`
	BasePermissions *string               `json:"basePermissions,omitempty"`
}

func (x *strictRole) UnmarshalJSON(b []byte) error {
	type plain strictRole
	return strictUnmarshal(b, (*plain)(x), "_id", "_links", "key", "name", "policy")
}

type strictList[T any] struct {
	Items      []T                   `json:"items"`
	TotalCount int                   `json:"totalCount"`
	Links      map[string]strictLink `json:"_links"`
}

func (x *strictList[T]) UnmarshalJSON(b []byte) error {
	type plain strictList[T]
	return strictUnmarshal(b, (*plain)(x), "items", "totalCount", "_links")
}

func strictUnmarshal(b []byte, v any, required ...string) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, name := range required {
		raw, ok := all[name]
		if !ok {
			return fmt.Errorf("no value given for required property %s", name)
		}
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return fmt.Errorf("required property %s is null", name)
		}
	}
	return json.Unmarshal(b, v)
}

func decodeStrictToken(t *testing.T, r resp) strictToken {
	t.Helper()
	var tok strictToken
	if err := json.Unmarshal(r.Body, &tok); err != nil {
		t.Fatalf("a strict client cannot decode the token: %v\n%s", err, r.Body)
	}
	return tok
}

// grantFieldsPresent lists which grant fields a raw token object carries.
func grantFieldsPresent(obj map[string]any) []string {
	var out []string
	for _, f := range []string{"role", "customRoleIds", "inlineRole", "permissions"} {
		if _, ok := obj[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

func TestStrictClientDecodesTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "ops", Name: "Ops", Permissions: []string{"API_READ"}})

	grants := []struct {
		field string
		in    api.TokenCreate
	}{
		{"role", api.TokenCreate{Role: "reader"}},
		{"customRoleIds", api.TokenCreate{CustomRoleIDs: []string{"ops"}}},
		{"inlineRole", api.TokenCreate{InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"org"}}}}},
		{"permissions", api.TokenCreate{Permissions: []string{"API_READ"}}},
	}
	for i, g := range grants {
		t.Run(g.field, func(t *testing.T) {
			in := g.in
			in.Name = g.field
			in.ServiceToken = i%2 == 1
			now := ts.Clock.Now().UnixMilli()

			// check decodes r strictly and asserts what every shape shares.
			check := func(what string, r resp, wholeSecret bool) strictToken {
				t.Helper()
				tok := decodeStrictToken(t, r)
				if got := grantFieldsPresent(r.Obj); len(got) != 1 || got[0] != g.field {
					t.Errorf("%s: grant fields %v, want only %s", what, got, g.field)
				}
				if tok.Member == nil || tok.Member.ID != ts.OwnerID || tok.OwnerID != ts.OrgID {
					t.Errorf("%s: owner fields %+v", what, tok)
				}
				if tok.ServiceToken != in.ServiceToken || tok.DefaultAPIVersion != 20240415 {
					t.Errorf("%s: serviceToken %v defaultApiVersion %d", what, tok.ServiceToken, tok.DefaultAPIVersion)
				}
				if tok.CreationDate != now {
					t.Errorf("%s: creationDate %d, want %d (Unix ms of the injected clock)", what, tok.CreationDate, now)
				}
				switch {
				case tok.Token == nil:
					if wholeSecret {
						t.Errorf("%s: no token value", what)
					}
				case wholeSecret:
					if _, err := secret.Parse(*tok.Token); err != nil {
						t.Errorf("%s: token is not a whole secret: %v", what, err)
					}
				case len(*tok.Token) != 4:
					t.Errorf("%s: token holds %d characters, want the last four", what, len(*tok.Token))
				}
				return tok
			}

			dry := check("dry-run create", c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", in), false)
			if dry.Token != nil {
				t.Errorf("dry-run create shows a token value")
			}
			created := check("create", c.must(http.StatusCreated, "POST", api.PathTokens, in, api.HeaderIdempotencyKey, "k-"+g.field), true)
			replay := check("replay", c.must(http.StatusCreated, "POST", api.PathTokens, in, api.HeaderIdempotencyKey, "k-"+g.field), true)
			if *replay.Token != *created.Token {
				t.Errorf("replay shows another secret")
			}
			last4 := (*created.Token)[len(*created.Token)-4:]
			path := api.PathTokens + "/" + created.ID
			got := check("get", c.must(http.StatusOK, "GET", path, nil), false)
			if *got.Token != last4 || got.LastUsed != nil {
				t.Errorf("get: token %q lastUsed %v", *got.Token, got.LastUsed)
			}
			if got.Links["self"].Href != path {
				t.Errorf("get: self link %+v", got.Links)
			}

			c.with(*created.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
			got = check("get after use", c.must(http.StatusOK, "GET", path, nil), false)
			if got.LastUsed == nil || *got.LastUsed != now {
				t.Errorf("lastUsed %v, want %d", got.LastUsed, now)
			}

			rename := []api.PatchOperation{{Op: "replace", Path: "/description", Value: "d"}}
			check("dry-run patch", c.must(http.StatusOK, "PATCH", path+"?dryRun=true", rename), false)
			patched := check("patch", c.must(http.StatusOK, "PATCH", path, rename), false)
			if patched.Description == nil || *patched.Description != "d" || *patched.Token != last4 {
				t.Errorf("patch: %+v", patched)
			}
			check("dry-run reset", c.must(http.StatusOK, "POST", path+"/reset?dryRun=true", nil), false)
			reset := check("reset", c.must(http.StatusOK, "POST", path+"/reset", nil), true)
			if reset.ID != created.ID || *reset.Token == *created.Token {
				t.Errorf("reset: id %s, same secret %v", reset.ID, *reset.Token == *created.Token)
			}

			r := c.must(http.StatusOK, "GET", api.PathTokens+"?limit=100", nil)
			var list strictList[strictToken]
			if err := json.Unmarshal(r.Body, &list); err != nil {
				t.Fatalf("a strict client cannot decode the list: %v\n%s", err, r.Body)
			}
			for _, item := range list.Items {
				if item.Token == nil || len(*item.Token) != 4 {
					t.Errorf("list item %s shows token %v", item.ID, item.Token)
				}
			}
		})
	}
}

func TestStrictClientRequiredFieldsAreChecked(t *testing.T) {
	// The strict decoder must fail when a required field is missing, or the
	// test above proves nothing.
	for _, name := range strictTokenRequired {
		obj := map[string]any{"_id": "a", "ownerId": "o", "memberId": "m", "creationDate": 1, "lastModified": 1,
			"_links": map[string]any{}, "serviceToken": false, "defaultApiVersion": 1}
		delete(obj, name)
		b, _ := json.Marshal(obj)
		var tok strictToken
		if err := json.Unmarshal(b, &tok); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: err %v", name, err)
		}
	}
	var tok strictToken
	err := json.Unmarshal([]byte(`{"_id":"a","ownerId":"o","memberId":"m","creationDate":1,"lastModified":1,"_links":{},"serviceToken":false,"defaultApiVersion":1,"_member":{"_id":"x"}}`), &tok)
	if err == nil || !strings.Contains(err.Error(), "_links") {
		t.Errorf("nested _member without _links: err %v", err)
	}
}

func TestStrictClientDecodesRolesInOrder(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	// Orders no sorting would produce, to prove they are kept as sent.
	policy := []api.Statement{
		{Effect: "deny", Actions: []string{"WORKSPACE_WRITE", "API_WRITE"}, Resources: []string{"workspace/z*", "workspace/a*"}},
		{Effect: "allow", NotActions: []string{"MEMBER_WRITE", "CUSTOM_ROLE_WRITE"}, Resources: []string{"org", "workspace/*"}},
		{Effect: "allow", Actions: []string{"WORKSPACE_READ"}, NotResources: []string{"workspace/b", "workspace/a"}},
	}
	want := func(p []api.Statement) []strictStatement {
		out := make([]strictStatement, len(p))
		for i, s := range p {
			out[i] = strictStatement{Effect: s.Effect, Actions: s.Actions, NotActions: s.NotActions, Resources: s.Resources, NotResources: s.NotResources}
		}
		return out
	}
	decode := func(what string, r resp) strictRole {
		t.Helper()
		var role strictRole
		if err := json.Unmarshal(r.Body, &role); err != nil {
			t.Fatalf("%s: a strict client cannot decode the role: %v\n%s", what, err, r.Body)
		}
		return role
	}
	in := api.CustomRoleCreate{Key: "ordered", Name: "Ordered", Policy: policy, Permissions: []string{"API_READ", "ACCESS_TOKEN_READ"}}

	dry := decode("dry-run create", c.must(http.StatusOK, "POST", api.PathRoles+"?dryRun=true", in))
	created := decode("create", c.must(http.StatusCreated, "POST", api.PathRoles, in))
	got := decode("get", c.must(http.StatusOK, "GET", api.PathRoles+"/ordered", nil))
	for what, role := range map[string]strictRole{"dry-run create": dry, "create": created, "get": got} {
		if !reflect.DeepEqual(role.Policy, want(policy)) {
			t.Errorf("%s: policy order changed:\n got %+v\nwant %+v", what, role.Policy, want(policy))
		}
		if role.BasePermissions == nil || *role.BasePermissions != api.BasePermissionsNoAccess {
			t.Errorf("%s: basePermissions %v, want no_access", what, role.BasePermissions)
		}
	}

	moved := append([]api.Statement{policy[2]}, policy[:2]...)
	dryPatch := decode("dry-run patch", c.must(http.StatusOK, "PATCH", api.PathRoles+"/ordered?dryRun=true",
		[]api.PatchOperation{{Op: "replace", Path: "/policy", Value: moved}}))
	if !reflect.DeepEqual(dryPatch.Policy, want(moved)) {
		t.Errorf("dry-run patch policy %+v", dryPatch.Policy)
	}
	if got := decode("get", c.must(http.StatusOK, "GET", api.PathRoles+"/ordered", nil)); !reflect.DeepEqual(got.Policy, want(policy)) {
		t.Errorf("dry-run patch wrote: %+v", got.Policy)
	}
	patched := decode("patch", c.must(http.StatusOK, "PATCH", api.PathRoles+"/ordered",
		api.PatchWithComment{Patch: []api.PatchOperation{{Op: "replace", Path: "/policy", Value: moved}}, Comment: "reorder"}))
	if !reflect.DeepEqual(patched.Policy, want(moved)) {
		t.Errorf("patch policy %+v", patched.Policy)
	}

	// A role with base permissions only still carries "policy".
	bare := c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "bare", Name: "Bare", Permissions: []string{"API_READ"}})
	decode("bare", bare)

	var list strictList[strictRole]
	if err := json.Unmarshal(c.must(http.StatusOK, "GET", api.PathRoles, nil).Body, &list); err != nil || list.TotalCount != 2 {
		t.Fatalf("list: %v %+v", err, list)
	}
}
