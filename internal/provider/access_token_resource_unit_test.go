package provider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

func TestPatch_accessToken(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	base := accessTokenModel{
		Name:          types.StringValue("ci"),
		Description:   types.StringNull(),
		Role:          types.StringValue("reader"),
		CustomRoles:   types.SetNull(types.StringType),
		InlineRole:    types.SetNull(policyStatementType),
		Permissions:   types.SetNull(types.StringType),
		Access:        types.MapNull(types.StringType),
		WorkspaceIDs:  stringSet([]string{"w1"}, &diags),
		AllWorkspaces: types.BoolNull(),
	}
	changed := base
	changed.Description = types.StringValue("new")
	changed.Role = types.StringNull()
	changed.Permissions = stringSet([]string{"B", "A"}, &diags)
	changed.WorkspaceIDs = types.SetNull(types.StringType)
	changed.AllWorkspaces = types.BoolValue(true)
	byAccess := base
	byAccess.Role = types.StringNull()
	byAccess.Access = accessMap(map[string]string{"api": "read_only"}, &diags)
	wider := byAccess
	wider.Access = accessMap(map[string]string{"api": "read_write", "plan": "none"}, &diags)

	for name, tc := range map[string]struct {
		plan, state accessTokenModel
		want        string
	}{
		"nothing":   {base, base, `null`},
		"unchanged": {changed, changed, `null`},
		"grant and scope kinds": {changed, base, `[{"op":"replace","path":"/description","value":"new"},` +
			`{"op":"remove","path":"/role"},{"op":"add","path":"/permissions","value":["A","B"]},` +
			`{"op":"remove","path":"/workspaceIds"},{"op":"replace","path":"/allWorkspaces","value":true}]`},
		"back": {base, changed, `[{"op":"replace","path":"/description","value":""},` +
			`{"op":"remove","path":"/permissions"},{"op":"add","path":"/role","value":"reader"},` +
			`{"op":"replace","path":"/allWorkspaces","value":false},{"op":"add","path":"/workspaceIds","value":["w1"]}]`},
		"to access":       {byAccess, base, `[{"op":"remove","path":"/role"},{"op":"add","path":"/access","value":{"api":"read_only"}}]`},
		"access widened":  {wider, byAccess, `[{"op":"replace","path":"/access","value":{"api":"read_write","plan":"none"}}]`},
		"access the same": {wider, wider, `null`},
	} {
		t.Run(name, func(t *testing.T) {
			ops, d := accessTokenPatch(ctx, tc.plan, tc.state)
			if d.HasError() {
				t.Fatal(d)
			}
			got, _ := json.Marshal(ops)
			if string(got) != tc.want {
				t.Errorf("patch\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestCreateBody_accessTokenGrantKinds checks that a create request carries
// the grant of each kind in its own field and in no other. The statement's
// wire form is internal/api's business; only its action is looked for.
func TestCreateBody_accessTokenGrantKinds(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	none := accessTokenModel{
		Name:          types.StringValue("ci"),
		Role:          types.StringNull(),
		CustomRoles:   types.SetNull(types.StringType),
		InlineRole:    types.SetNull(policyStatementType),
		Permissions:   types.SetNull(types.StringType),
		Access:        types.MapNull(types.StringType),
		WorkspaceIDs:  types.SetNull(types.StringType),
		AllWorkspaces: types.BoolValue(true),
		ExpiresAt:     types.StringNull(),
		ExpiresInDays: types.Int64Null(),
	}
	inline, d := statementsFromAPI(ctx, []api.Statement{{Effect: "allow", Actions: []string{"TOKEN_READ"}, Resources: []string{"*"}}})
	diags.Append(d...)
	byRole, byCustomRoles, byInlineRole, byPermissions, byAccess := none, none, none, none, none
	byRole.Role = types.StringValue("reader")
	byCustomRoles.CustomRoles = stringSet([]string{"b", "a"}, &diags)
	byInlineRole.InlineRole = inline
	byPermissions.Permissions = stringSet([]string{"TOKEN_READ"}, &diags)
	byAccess.Access = accessMap(map[string]string{"api": "read_only"}, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	for name, tc := range map[string]struct {
		plan  accessTokenModel
		field string
		want  string
	}{
		"role":         {byRole, "role", `"reader"`},
		"custom roles": {byCustomRoles, "customRoleIds", `["a","b"]`},
		"inline role":  {byInlineRole, "inlineRole", `"actions":["TOKEN_READ"]`},
		"permissions":  {byPermissions, "permissions", `["TOKEN_READ"]`},
		"access":       {byAccess, "access", `{"api":"read_only"}`},
	} {
		t.Run(name, func(t *testing.T) {
			body, d := accessTokenCreateBody(ctx, tc.plan, time.Now())
			if d.HasError() {
				t.Fatal(d)
			}
			b, _ := json.Marshal(body)
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(b, &fields); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"role", "customRoleIds", "inlineRole", "permissions", "access"} {
				got, ok := fields[f]
				switch {
				case f == tc.field && !strings.Contains(string(got), tc.want):
					t.Errorf("%s = %s, want it to hold %s", f, got, tc.want)
				case f != tc.field && ok:
					t.Errorf("%s = %s, want it left out", f, got)
				}
			}
		})
	}
}

func TestConvert_accessTokenKeepsWhatTheAPIDoesNotEcho(t *testing.T) {
	ctx := context.Background()
	prior := accessTokenModel{
		Token:         types.StringValue("tsm_pat_secretvalue1234"),
		ExpiresInDays: types.Int64Value(30),
		ExpiresAt:     types.StringValue("2030-01-01T02:00:00+02:00"),
		Description:   types.StringValue(""),
		Name:          types.StringValue("n"),
	}
	tok := &api.Token{
		ID: "t1", Name: "n", Token: "1234", CustomRoleIDs: []string{"id-a", "id-b"},
		ExpirationDate: 1893456000000, // 2030-01-01T00:00:00Z
	}
	m, d := accessTokenFromAPI(ctx, tok, prior, map[string]string{"id-a": "alpha"})
	if d.HasError() {
		t.Fatal(d)
	}
	if m.Token.ValueString() != "tsm_pat_secretvalue1234" || m.TokenLastFour.ValueString() != "1234" {
		t.Errorf("secret not kept: %v %v", m.Token, m.TokenLastFour)
	}
	if m.ExpiresAt.ValueString() != "2030-01-01T02:00:00+02:00" || m.ExpiresInDays.ValueInt64() != 30 {
		t.Errorf("expiry spelling not kept: %v %v", m.ExpiresAt, m.ExpiresInDays)
	}
	if m.Description.IsNull() || m.Description.ValueString() != "" {
		t.Errorf("empty description not kept: %v", m.Description)
	}
	var roles []string
	m.CustomRoles.ElementsAs(ctx, &roles, false)
	if len(roles) != 2 || roles[0] != "alpha" || roles[1] != "id-b" {
		t.Errorf("custom roles = %v, want [alpha id-b]", roles)
	}
	if !m.AllWorkspaces.IsNull() || m.WorkspaceIDs.IsNull() {
		t.Errorf("scope: all=%v ids=%v", m.AllWorkspaces, m.WorkspaceIDs)
	}

	created, d := accessTokenFromAPI(ctx, &api.Token{ID: "t2", Token: "tsm_pat_brandnewsecretABCD"}, accessTokenModel{
		Token: types.StringUnknown(), ExpiresInDays: types.Int64Unknown(), ExpiresAt: types.StringUnknown(),
	}, nil)
	if d.HasError() {
		t.Fatal(d)
	}
	if created.Token.ValueString() != "tsm_pat_brandnewsecretABCD" || created.TokenLastFour.ValueString() != "ABCD" ||
		!created.ExpiresAt.IsNull() || !created.ExpiresInDays.IsNull() {
		t.Errorf("created: %v %v %v %v", created.Token, created.TokenLastFour, created.ExpiresAt, created.ExpiresInDays)
	}
}

func TestFieldRoot(t *testing.T) {
	for in, want := range map[string]string{
		"inlineRole[0].actions[1]": "inlineRole",
		"name":                     "name",
		"policy.0":                 "policy",
		"":                         "",
	} {
		if got := fieldRoot(in); got != want {
			t.Errorf("fieldRoot(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLifetimeIsDays(t *testing.T) {
	m := accessTokenModel{
		CreatedAt: types.StringValue("2026-01-01T00:00:00Z"),
		ExpiresAt: types.StringValue("2026-01-31T00:00:05Z"),
	}
	if !lifetimeIsDays(m, 30) {
		t.Error("30 days not recognised")
	}
	if lifetimeIsDays(m, 31) {
		t.Error("31 days taken for 30")
	}
	m.ExpiresAt = types.StringNull()
	if lifetimeIsDays(m, 30) {
		t.Error("no expiry taken for 30 days")
	}
}
