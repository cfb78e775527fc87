package review

import (
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

const addr = "tokensmith_access_token.ci"

func allow(actions []string, resources ...string) api.Statement {
	return api.Statement{Effect: api.EffectAllow, Actions: actions, Resources: resources}
}

func deny(actions []string, resources ...string) api.Statement {
	return api.Statement{Effect: api.EffectDeny, Actions: actions, Resources: resources}
}

func list(values ...string) []string { return values }

// lines joins the expected description lines after the header.
func lines(l ...string) string {
	return addr + " widens access:\n" + strings.Join(l, "\n")
}

func TestCompare(t *testing.T) {
	cat := catalogue.Default()
	tests := []struct {
		name       string
		prev, next *Grant
		want       string // Describe(addr); "" for no widening
	}{
		{
			name: "create is not reviewed",
			next: &Grant{Role: "admin", AllWorkspaces: true},
		},
		{
			name: "delete is not reviewed",
			prev: &Grant{Role: "admin", AllWorkspaces: true},
		},
		{
			name: "no change",
			prev: &Grant{Role: "writer", WorkspaceIDs: list("ws-1")},
			next: &Grant{Role: "writer", WorkspaceIDs: list("ws-1")},
		},
		{
			name: "permissions and workspaces added",
			prev: &Grant{Permissions: list("API_READ"), WorkspaceIDs: list("ws-1")},
			next: &Grant{Permissions: list("PLAN_READ", "API_WRITE", "API_READ"), WorkspaceIDs: list("ws-123", "ws-1")},
			want: lines(
				"  + permissions: API_WRITE, PLAN_READ",
				"  + workspaces: ws-123",
			),
		},
		{
			name: "permissions and workspaces removed",
			prev: &Grant{Permissions: list("PLAN_READ", "API_WRITE", "API_READ"), WorkspaceIDs: list("ws-123", "ws-1")},
			next: &Grant{Permissions: list("API_READ"), WorkspaceIDs: list("ws-1")},
		},
		{
			name: "role raised",
			prev: &Grant{Role: "reader", AllWorkspaces: true},
			next: &Grant{Role: "writer", AllWorkspaces: true},
			want: lines("  + role: reader -> writer (adds API_WRITE, APPLICATION_WRITE, SUBSCRIPTIONS_WRITE)"),
		},
		{
			name: "role lowered",
			prev: &Grant{Role: "admin", AllWorkspaces: true},
			next: &Grant{Role: "reader", AllWorkspaces: true},
		},
		{
			name: "role replaced by permissions it held",
			prev: &Grant{Role: "writer", AllWorkspaces: true},
			next: &Grant{Permissions: list("API_WRITE", "API_READ"), AllWorkspaces: true},
		},
		{
			name: "role replaced by permissions beyond it",
			prev: &Grant{Role: "writer", AllWorkspaces: true},
			next: &Grant{Permissions: list("API_READ", "MEMBER_WRITE"), AllWorkspaces: true},
			want: lines("  + permissions: MEMBER_WRITE"),
		},
		{
			name: "permissions replaced by a role",
			prev: &Grant{Permissions: list("API_READ", "API_WRITE", "ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE", "APPLICATION_READ",
				"CUSTOM_ROLE_READ", "ENVIRONMENT_READ", "GIT_CREDENTIALS_READ", "JOBS_READ", "MEMBER_READ", "METRICS_READ",
				"ORGANIZATION_READ", "PLAN_READ", "RULE_SETS_READ", "SUBSCRIPTIONS_READ", "WORKSPACE_READ"), AllWorkspaces: true},
			next: &Grant{Role: "writer", AllWorkspaces: true},
			want: lines("  + role: writer (adds APPLICATION_WRITE, SUBSCRIPTIONS_WRITE)"),
		},
		{
			name: "permissions replaced by a role they cover",
			prev: &Grant{Statements: []api.Statement{allow(list("*"), "*")}, AllWorkspaces: true},
			next: &Grant{Role: "admin", AllWorkspaces: true},
		},
		{
			name: "custom roles added",
			prev: &Grant{CustomRoles: list("ops"), WorkspaceIDs: list("ws-1")},
			next: &Grant{CustomRoles: list("release", "ops", "deploy"), WorkspaceIDs: list("ws-1")},
			want: lines("  + custom roles: deploy, release"),
		},
		{
			name: "custom roles removed",
			prev: &Grant{CustomRoles: list("release", "ops", "deploy"), WorkspaceIDs: list("ws-1")},
			next: &Grant{CustomRoles: list("ops"), WorkspaceIDs: list("ws-1")},
		},
		{
			name: "statements and their values reordered",
			prev: &Grant{Statements: []api.Statement{
				allow(list("API_READ", "PLAN_READ"), "workspace/a", "org"),
				deny(list("API_WRITE"), "workspace/b"),
			}},
			next: &Grant{Statements: []api.Statement{
				deny(list("API_WRITE"), "workspace/b"),
				allow(list("PLAN_READ", "API_READ"), "org", "workspace/a"),
			}},
		},
		{
			name: "allow statement gains an action and a resource",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "workspace/a")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_WRITE", "API_READ"), "workspace/b", "workspace/a")}},
			want: lines(
				"  + allow: API_READ on workspace/b",
				"  + allow: API_WRITE on workspace/a, workspace/b",
			),
		},
		{
			name: "allow statement narrowed",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ", "API_WRITE"), "workspace/*", "org")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ"), "workspace/a")}},
		},
		{
			name: "allow statement split in two",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ", "API_WRITE"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*"), allow(list("API_WRITE"), "*")}},
		},
		{
			name: "allow statements merged",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*"), allow(list("API_WRITE"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ", "API_WRITE"), "*")}},
		},
		{
			name: "names replaced by a prefix",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ", "API_WRITE"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_*"), "*")}},
			want: lines("  + allow: API_* on *"),
		},
		{
			name: "prefix replaced by names",
			prev: &Grant{Statements: []api.Statement{allow(list("API_*"), "workspace/*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ", "API_WRITE"), "workspace/ws-1")}},
		},
		{
			name: "not_actions excludes less",
			prev: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("TOKEN_INTROSPECT", "MEMBER_WRITE"), Resources: list("*")}}},
			next: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("MEMBER_WRITE"), Resources: list("*")}}},
			want: lines("  + allow: every action except MEMBER_WRITE on *"),
		},
		{
			name: "not_actions excludes more",
			prev: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("MEMBER_WRITE"), Resources: list("*")}}},
			next: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("TOKEN_INTROSPECT", "MEMBER_WRITE"), Resources: list("*")}}},
		},
		{
			name: "not_actions replaced by names it allowed",
			prev: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("MEMBER_WRITE"), Resources: list("*")}}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ", "MEMBER_READ"), "org")}},
		},
		{
			name: "not_actions replaced by a name it excluded",
			prev: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("MEMBER_*"), Resources: list("*")}}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ", "MEMBER_READ"), "org")}},
			want: lines("  + allow: MEMBER_READ on org"),
		},
		{
			name: "not_resources replaced by every resource",
			prev: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, Actions: list("API_READ"), NotResources: list("org")}}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*")}},
			want: lines("  + allow: API_READ on *"),
		},
		{
			name: "every resource replaced by not_resources",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*")}},
			next: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, Actions: list("API_READ"), NotResources: list("org")}}},
		},
		{
			name: "deny statement removed",
			prev: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("TOKEN_INTROSPECT", "MEMBER_WRITE"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("MEMBER_WRITE"), "*")}},
			want: lines("  - deny: TOKEN_INTROSPECT on *"),
		},
		{
			name: "deny statement narrowed",
			prev: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("API_WRITE"), "workspace/*")}},
			next: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("API_WRITE"), "workspace/prod")}},
			want: lines("  - deny: API_WRITE on workspace/*"),
		},
		{
			name: "deny statement broadened",
			prev: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("API_WRITE"), "workspace/prod")}},
			next: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("API_*"), "*")}},
		},
		{
			name: "deny removed together with what it restricted",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*"), deny(list("API_READ"), "workspace/a")}, AllWorkspaces: true},
			next: &Grant{Permissions: list("PLAN_READ"), AllWorkspaces: true},
			want: lines("  + permissions: PLAN_READ"),
		},
		{
			name: "deny removed for custom roles whose content is unknown",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*"), deny(list("API_READ"), "workspace/a")}, AllWorkspaces: true},
			next: &Grant{CustomRoles: list("ops"), AllWorkspaces: true},
			want: lines(
				"  + custom roles: ops",
				"  - deny: API_READ on workspace/a",
			),
		},
		{
			name: "inline role replaced by permissions it allowed everywhere",
			prev: &Grant{Statements: []api.Statement{allow(list("API_*", "PLAN_READ"), "*")}, WorkspaceIDs: list("ws-1")},
			next: &Grant{Permissions: list("API_READ", "PLAN_READ"), WorkspaceIDs: list("ws-1")},
		},
		{
			name: "inline role replaced by permissions it allowed on some resources",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "workspace/*")}, WorkspaceIDs: list("ws-1")},
			next: &Grant{Permissions: list("API_READ"), WorkspaceIDs: list("ws-1")},
			want: lines("  + permissions: API_READ"),
		},
		{
			name: "switch to all workspaces",
			prev: &Grant{Role: "reader", WorkspaceIDs: list("ws-1")},
			next: &Grant{Role: "reader", AllWorkspaces: true},
			want: lines("  + workspaces: all (every current and future workspace)"),
		},
		{
			name: "switch from all workspaces",
			prev: &Grant{Role: "reader", AllWorkspaces: true},
			next: &Grant{Role: "reader", WorkspaceIDs: list("ws-1", "ws-2")},
		},
		{
			name: "unknown parts left empty say nothing",
			prev: &Grant{Role: "reader", WorkspaceIDs: list("ws-1")},
			next: &Grant{},
		},
		{
			name: "statement that matches nothing",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*"), {Effect: api.EffectAllow}}},
		},
		{
			name: "statements on foreign resources or actions add nothing",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*"),
				allow(list("*"), "proj/*:env/production"),
				allow(list("updateOn", "updateOff"), "proj/mobile:env/test;qa_*:flag/*"),
				allow(list("updateOn"), "*")}},
		},
		{
			name: "foreign values in a statement are left out",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*")}},
			next: &Grant{Statements: []api.Statement{allow(list("API_READ", "updateOn", "API_WRITE"), "proj/*", "workspace/a")}},
			want: lines("  + allow: API_WRITE on workspace/a"),
		},
		{
			name: "notResources naming only foreign resources grants everything",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "workspace/a")}},
			next: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, Actions: list("*"), NotResources: list("proj/*")}}},
			want: lines("  + allow: * on *"),
		},
		{
			name: "foreign notActions exclude nothing",
			prev: &Grant{Statements: []api.Statement{allow(list("API_READ"), "*")}},
			next: &Grant{Statements: []api.Statement{{Effect: api.EffectAllow, NotActions: list("updateOn"), Resources: list("org")}}},
			want: lines("  + allow: * on org"),
		},
		{
			name: "a foreign deny removed widens nothing",
			prev: &Grant{Statements: []api.Statement{allow(list("*"), "*"), deny(list("*"), "proj/*:env/production")}},
			next: &Grant{Statements: []api.Statement{allow(list("*"), "*")}},
		},
		{
			name: "a deny of everything but foreign resources removed",
			prev: &Grant{Statements: []api.Statement{allow(list("*"), "*"), {Effect: api.EffectDeny, Actions: list("API_WRITE"), NotResources: list("proj/*")}}},
			next: &Grant{Statements: []api.Statement{allow(list("*"), "*")}},
			want: lines("  - deny: API_WRITE on *"),
		},
		{
			name: "everything at once, in a fixed order",
			prev: &Grant{Role: "reader", WorkspaceIDs: list("ws-1"),
				Statements: []api.Statement{deny(list("API_WRITE"), "workspace/ws-1")}},
			next: &Grant{Role: "writer", WorkspaceIDs: list("ws-2", "ws-1"), CustomRoles: list("ops"), Permissions: list("MEMBER_WRITE"),
				Statements: []api.Statement{allow(list("JOBS_WRITE"), "workspace/ws-2")}},
			want: lines(
				"  + role: reader -> writer (adds API_WRITE, APPLICATION_WRITE, SUBSCRIPTIONS_WRITE)",
				"  + permissions: MEMBER_WRITE",
				"  + custom roles: ops",
				"  + allow: JOBS_WRITE on workspace/ws-2",
				"  - deny: API_WRITE on workspace/ws-1",
				"  + workspaces: ws-2",
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := Compare(cat, tt.prev, tt.next)
			got := w.Describe(addr)
			if got != tt.want {
				t.Errorf("Describe:\n got: %q\nwant: %q", got, tt.want)
			}
			if w.Empty() != (tt.want == "") {
				t.Errorf("Empty() = %v with description %q", w.Empty(), got)
			}
		})
	}
}

func TestCompareCustomRole(t *testing.T) {
	cat := catalogue.Default()
	prev := &Grant{
		Permissions: list("API_READ"),
		Statements:  []api.Statement{allow(list("PLAN_READ"), "workspace/*")},
	}
	next := &Grant{
		Permissions: list("API_READ", "JOBS_WRITE"),
		Statements: []api.Statement{
			allow(list("PLAN_READ"), "workspace/*"),
			allow(list("ENVIRONMENT_WRITE"), "workspace/prod"),
		},
	}
	w := Compare(cat, prev, next)
	const head = "tokensmith_custom_role.deploy widens access:\n" +
		"  + permissions: JOBS_WRITE\n" +
		"  + allow: ENVIRONMENT_WRITE on workspace/prod\n  "
	for tokens, tail := range map[int]string{
		0: "No access token uses this role yet.",
		1: "1 access token uses this role and gains this access.",
		3: "3 access tokens use this role and gain this access.",
	} {
		if got := w.DescribeCustomRole("tokensmith_custom_role.deploy", tokens); got != head+tail {
			t.Errorf("%d tokens:\n got: %q\nwant: %q", tokens, got, head+tail)
		}
	}
	if got := Compare(cat, next, prev).DescribeCustomRole("tokensmith_custom_role.deploy", 3); got != "" {
		t.Errorf("narrowing described as %q", got)
	}
}

// TestCompareOrderIndependent checks that the result does not depend on the
// order of statements or of the values in them.
func TestCompareOrderIndependent(t *testing.T) {
	cat := catalogue.Default()
	prev := &Grant{Statements: []api.Statement{allow(list("API_READ"), "workspace/a")}, WorkspaceIDs: list("ws-1")}
	a := &Grant{
		Statements: []api.Statement{
			allow(list("JOBS_READ", "API_WRITE", "API_READ"), "workspace/b", "workspace/a"),
			allow(list("PLAN_READ"), "org"),
		},
		WorkspaceIDs: list("ws-3", "ws-1", "ws-2"),
	}
	b := &Grant{
		Statements: []api.Statement{
			allow(list("PLAN_READ"), "org"),
			allow(list("API_READ", "JOBS_READ", "API_WRITE"), "workspace/a", "workspace/b"),
		},
		WorkspaceIDs: list("ws-2", "ws-3", "ws-1"),
	}
	da, db := Compare(cat, prev, a).Describe(addr), Compare(cat, prev, b).Describe(addr)
	if da != db {
		t.Fatalf("order changed the result:\n%s\n---\n%s", da, db)
	}
	want := lines(
		"  + allow: API_READ on workspace/b",
		"  + allow: API_WRITE, JOBS_READ on workspace/a, workspace/b",
		"  + allow: PLAN_READ on org",
		"  + workspaces: ws-2, ws-3",
	)
	if da != want {
		t.Errorf("got:\n%s\nwant:\n%s", da, want)
	}
}

func TestSuggest(t *testing.T) {
	cat := catalogue.Default()
	tests := []struct {
		cat  *catalogue.Catalogue
		name string
		want string
	}{
		{cat, "ENVIRONMNT_READ", `did you mean "ENVIRONMENT_READ" or "ENVIRONMENT_WRITE"?`},
		{cat, "api_read", `did you mean "API_READ", "API_WRITE" or "JOBS_READ"?`},
		{cat, "NOTHING_LIKE_THIS_AT_ALL", ""},
		{cat, "", ""},
		{nil, "API_READ", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.cat, tt.name); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Raising a role's base permissions to reader widens it even when every read
// it adds today is already held, because reader also covers reads added to
// the catalogue later; going back to no_access widens nothing.
func TestCompareCustomRoleBasePermissions(t *testing.T) {
	cat := catalogue.Default()
	prev := &Grant{BasePermissions: "no_access", Permissions: list("API_READ")}
	next := &Grant{BasePermissions: "reader", Permissions: list("API_READ")}
	w := Compare(cat, prev, next)
	if w.Base == nil || w.Base.From != "no_access" || w.Base.To != "reader" || slices.Contains(w.Base.Adds, "API_READ") ||
		!slices.Contains(w.Base.Adds, "JOBS_READ") || slices.Contains(w.Base.Adds, "API_WRITE") {
		t.Fatalf("no_access -> reader: %+v", w.Base)
	}
	got := w.DescribeCustomRole("tokensmith_custom_role.r", 0)
	if !strings.Contains(got, "\n  + base permissions: no_access -> reader (adds ") {
		t.Errorf("description %q", got)
	}
	if w := Compare(cat, &Grant{}, next); w.Base == nil || w.Base.From != "no_access" {
		t.Errorf("unset -> reader: %+v", w.Base)
	}
	if w := Compare(cat, next, prev); !w.Empty() {
		t.Errorf("reader -> no_access widens: %+v", w)
	}
	if w := Compare(cat, next, next); !w.Empty() {
		t.Errorf("reader -> reader widens: %+v", w)
	}
	// A permission that reader already covered is not reported again.
	if w := Compare(cat, &Grant{BasePermissions: "reader"}, &Grant{BasePermissions: "reader", Permissions: list("JOBS_READ")}); !w.Empty() {
		t.Errorf("adding a read to a reader role widens: %+v", w)
	}
}
