package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
)

// testCatalogue is the default catalogue as the backend lists it.
func testCatalogue(t *testing.T) *permissionCatalogue {
	t.Helper()
	var perms []api.Permission
	for _, p := range catalogue.Default().All() {
		perms = append(perms, api.Permission{Name: p.Name, Description: p.Description, Roles: p.Roles, CatalogueRoles: p.CatalogueRoles})
	}
	cat, err := catalogueFromAPI(perms)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestWideningDiagnostics(t *testing.T) {
	const detail = "tokensmith_access_token with name \"ci\" widens access:\n  + permissions: MEMBER_WRITE"
	const subject = `tokensmith_access_token "ci" (tok-1)`
	warning := diag.NewWarningDiagnostic(`Change Widens Access: tokensmith_access_token "ci" (tok-1)`, detail)
	refusal := diag.NewErrorDiagnostic(`Change Widens Access: tokensmith_access_token "ci" (tok-1)`, detail+"\n\n"+
		`The provider's permission_review is "error": a change that widens access is applied only when `+
		`the resource sets allow_widening = true.`)
	tests := []struct {
		name   string
		mode   string
		allow  bool
		detail string
		want   diag.Diagnostics
	}{
		{"warn", "warn", false, detail, diag.Diagnostics{warning}},
		{"warn with allow_widening", "warn", true, detail, diag.Diagnostics{warning}},
		{"unset mode warns", "", false, detail, diag.Diagnostics{warning}},
		{"error", "error", false, detail, diag.Diagnostics{refusal}},
		{"error with allow_widening", "error", true, detail, diag.Diagnostics{warning}},
		{"off", "off", false, detail, nil},
		{"nothing widened", "error", false, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wideningDiagnostics(tt.mode, tt.allow, subject, tt.detail)
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPermissionCatalogue_problem(t *testing.T) {
	cat := testCatalogue(t)
	perms := func(name string) permissionRef {
		return permissionRef{attr: path.Root("permissions"), field: "permissions", name: name}
	}
	action := func(name string) permissionRef {
		return permissionRef{attr: path.Root("inline_role"), field: "inline_role actions", name: name, patterns: true}
	}
	tests := []struct {
		ref  permissionRef
		want string
	}{
		{perms("ENVIRONMENT_READ"), ""},
		{perms("ENVIROMENT_READ"), `is not a permission of the backend's catalogue; did you mean "ENVIRONMENT_READ" or "ENVIRONMENT_WRITE"?`},
		{perms("NOTHING_LIKE_THIS_AT_ALL"), "is not a permission of the backend's catalogue (the tokensmith_permissions data source lists them)."},
		{perms("API_*"), "is a pattern; permissions takes exact permission names (patterns are accepted in the actions and not_actions of policy statements)."},
		{action("API_*"), ""},
		{action("*"), ""},
		{action("NOPE_*"), "matches no permission of the backend's catalogue."},
		{action("ACCES_TOKEN_*"), `matches no permission of the backend's catalogue; did you mean "ACCESS_TOKEN_*"?`},
		{action("API_*_READ"), `is not a permission name or pattern: "*" may only end a pattern.`},
		{action("API_RAED"), `is not a permission of the backend's catalogue; did you mean "API_READ" or "API_WRITE"?`},
		{action("updateOn"), ""},
		{action("update*"), ""},
		{perms("updateOn"), "is not a permission of the backend's catalogue (the tokensmith_permissions data source lists them)."},
		{action("api_read"), `is refused by the backend: unknown permission "api_read" (did you mean "API_READ"?).`},
		{action("update On"), `is refused by the backend: "update On": at character 7: expected a letter, digit, "_", "-", ".", ":" or a final "*".`},
	}
	for _, tt := range tests {
		if got := cat.problem(tt.ref); got != tt.want {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.ref.field, tt.ref.name, got, tt.want)
		}
	}
}

func TestCatalogueFromAPI_rolesAsTheBackendSays(t *testing.T) {
	cat := testCatalogue(t)
	w := review.Compare(cat, &review.Grant{Role: "reader", AllWorkspaces: true}, &review.Grant{Role: "writer", AllWorkspaces: true})
	want := "x widens access:\n  + role: reader -> writer (adds API_WRITE, APPLICATION_WRITE, SUBSCRIPTIONS_WRITE)"
	if got := w.Describe("x"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Unknown parts of a planned grant are left out and reported, so that the
// comparison never reports what it cannot know.
func TestReviewGrant_unknowns(t *testing.T) {
	ctx := context.Background()
	set := func(values ...attr.Value) types.Set {
		return types.SetValueMust(types.StringType, values)
	}
	s := types.StringValue
	stmt := func(effect string, actions types.Set, resources ...string) attr.Value {
		res := make([]attr.Value, len(resources))
		for i, r := range resources {
			res[i] = s(r)
		}
		return types.ObjectValueMust(policyStatementType.AttrTypes, map[string]attr.Value{
			"effect": s(effect), "actions": actions, "not_actions": types.SetNull(types.StringType),
			"resources": set(res...), "not_resources": types.SetNull(types.StringType),
		})
	}
	base := accessTokenModel{
		Role: types.StringNull(), CustomRoles: types.SetNull(types.StringType), Permissions: types.SetNull(types.StringType),
		InlineRole: types.SetNull(policyStatementType), WorkspaceIDs: types.SetNull(types.StringType), AllWorkspaces: types.BoolNull(),
	}

	partly := base
	partly.Permissions = set(s("API_READ"), types.StringUnknown())
	partly.WorkspaceIDs = types.SetUnknown(types.StringType)
	g, complete := tokenReviewGrant(ctx, partly)
	if complete || len(g.Permissions) != 1 || g.Permissions[0] != "API_READ" || g.WorkspaceIDs != nil {
		t.Errorf("partly known: %+v complete=%v", g, complete)
	}

	// The deny is planned again, but with an action not known yet: the old
	// deny must not be reported as removed.
	prevModel := base
	prevModel.InlineRole = types.SetValueMust(policyStatementType, []attr.Value{
		stmt("allow", set(s("*")), "*"),
		stmt("deny", set(s("MEMBER_WRITE")), "*"),
	})
	nextModel := base
	nextModel.InlineRole = types.SetValueMust(policyStatementType, []attr.Value{
		stmt("allow", set(s("*")), "*"),
		stmt("deny", set(types.StringUnknown()), "*"),
	})
	prev, _ := tokenReviewGrant(ctx, prevModel)
	next, complete := tokenReviewGrant(ctx, nextModel)
	if complete {
		t.Fatal("a statement with an unknown action counted as known")
	}
	prev.Statements = withoutDenies(prev.Statements)
	if w := review.Compare(testCatalogue(t), &prev, &next); !w.Empty() {
		t.Errorf("unknown deny reported: %s", w.Describe("x"))
	}

	known := base
	known.Role = s("writer")
	known.AllWorkspaces = types.BoolValue(true)
	if g, complete := tokenReviewGrant(ctx, known); !complete || g.Role != "writer" || !g.AllWorkspaces {
		t.Errorf("known: %+v complete=%v", g, complete)
	}
}
