package catalogue

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// sourceTable is the default catalogue's permission table as its source lists
// it (see docs/guides/backend-rules.md, "Permission catalogue"):
// name -> roles. Kept apart from default_catalogue.go on purpose, so a typo
// in either shows up as a mismatch.
var sourceTable = map[string]string{
	"ENVIRONMENT_READ":          "Global_Admin Admin Basic_User",
	"ENVIRONMENT_WRITE":         "Global_Admin",
	"API_READ":                  "Global_Admin Admin Basic_User",
	"API_WRITE":                 "Global_Admin Admin Basic_User",
	"USER_READ":                 "Global_Admin Admin",
	"USER_WRITE":                "Global_Admin Admin",
	"APPLICATION_READ":          "Global_Admin Admin Basic_User",
	"APPLICATION_WRITE":         "Global_Admin Admin Basic_User",
	"JOBS_READ":                 "Global_Admin Admin Basic_User",
	"PLAN_READ":                 "Global_Admin Admin Basic_User",
	"PLAN_WRITE":                "Global_Admin",
	"GIT_CREDENTIALS_READ":      "Global_Admin Admin Basic_User",
	"GIT_CREDENTIALS_WRITE":     "Global_Admin",
	"SUBSCRIPTIONS_READ":        "Global_Admin Admin Basic_User",
	"SUBSCRIPTIONS_WRITE":       "Global_Admin Admin Basic_User",
	"CONFIGURATION_READ":        "Global_Admin",
	"CONFIGURATION_WRITE":       "Global_Admin",
	"METRICS_READ":              "Global_Admin Admin Basic_User",
	"ORGANIZATION_READ":         "Global_Admin Admin Basic_User",
	"ORGANIZATION_WRITE":        "Global_Admin Admin",
	"DISCOVERY":                 "Global_Admin",
	"USER_INVITATION":           "Global_Admin Admin",
	"APPROVAL_REQUEST_READ":     "Global_Admin Admin",
	"APPROVAL_REQUEST_WRITE":    "Global_Admin Admin",
	"AUDIT_LOG_READ":            "Global_Admin Admin",
	"RULE_SETS_READ":            "Global_Admin Admin Basic_User",
	"RULE_SETS_WRITE":           "Global_Admin",
	"DEV_PORTAL_READ":           "Global_Admin",
	"DEV_PORTAL_WRITE":          "Global_Admin",
	"PLAN_ASSIGN_APIS":          "Global_Admin Admin",
	"ACCESS_TENANT_DATA":        "Global_Admin",
	"CROSS_ORGANIZATION_ACCESS": "Global_Admin",
}

var backendTable = map[string]string{
	AccessTokenRead:   "owner admin writer reader",
	AccessTokenWrite:  "owner admin writer reader",
	AccessTokenManage: "owner admin",
	CustomRoleRead:    "owner admin writer reader",
	CustomRoleWrite:   "owner admin",
	WorkspaceRead:     "owner admin writer reader",
	WorkspaceWrite:    "owner admin",
	MemberRead:        "owner admin writer reader",
	MemberWrite:       "owner admin",
	AuditLogRead:      "owner admin",
	TokenIntrospect:   "owner admin",
}

func TestDefaultMatchesSourceTable(t *testing.T) {
	c := Default()
	for name, roles := range sourceTable {
		p, ok := c.Lookup(name)
		if !ok {
			t.Errorf("%s missing from the default catalogue", name)
			continue
		}
		if got := strings.Join(p.CatalogueRoles, " "); got != roles {
			t.Errorf("%s catalogue roles = %q, the permission table says %q", name, got, roles)
		}
		if p.Description == "" {
			t.Errorf("%s has no description", name)
		}
	}
	if got, want := len(c.All()), len(sourceTable)+len(backendTable)-1; got != want { // AUDIT_LOG_READ is in both
		t.Errorf("default catalogue has %d permissions, want %d", got, want)
	}
	// Source order first, so the permissions endpoint reads like the document.
	all := c.All()
	if all[0].Name != "ENVIRONMENT_READ" || all[len(sourceTable)-1].Name != "CROSS_ORGANIZATION_ACCESS" {
		t.Errorf("default order starts %s and has %s at %d", all[0].Name, all[len(sourceTable)-1].Name, len(sourceTable)-1)
	}
}

func TestDefaultDescriptionsAreTheDocument(t *testing.T) {
	c := Default()
	for name, want := range map[string]string{
		"ENVIRONMENT_WRITE":  "Write environments, generate or delete agent tokens.",
		"USER_WRITE":         "Write users. Does not allow invitation of new users, for which USER_INVITATION scope is required.",
		"ACCESS_TENANT_DATA": "Read tier history. Change tier. Read/Write billing information.",
	} {
		if p, _ := c.Lookup(name); p.Description != want {
			t.Errorf("%s description = %q, want %q", name, p.Description, want)
		}
	}
}

func TestBackendPermissionRoles(t *testing.T) {
	c := Default()
	for name, roles := range backendTable {
		p, ok := c.Lookup(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if got := strings.Join(p.Roles, " "); got != roles {
			t.Errorf("%s member roles = %q, want %q", name, got, roles)
		}
	}
}

func TestRoleMappingForNamedPermissions(t *testing.T) {
	c := Default()
	cases := []struct {
		name  string
		roles string
	}{
		{"PLAN_WRITE", "owner"},                           // Global_Admin only
		{"CONFIGURATION_READ", "owner"},                   // Global_Admin only, despite _READ
		{"CROSS_ORGANIZATION_ACCESS", "owner"},            // Global_Admin automatically
		{"API_WRITE", "owner admin writer"},               // Basic_User, not _READ
		{"API_READ", "owner admin writer reader"},         // Basic_User _READ
		{"ENVIRONMENT_READ", "owner admin writer reader"}, // Basic_User _READ
		{"USER_READ", "owner admin"},                      // Admin, not Basic_User
		{"ORGANIZATION_WRITE", "owner admin"},             // Admin
		{"SUBSCRIPTIONS_WRITE", "owner admin writer"},     // Basic_User
		{"AUDIT_LOG_READ", "owner admin"},                 // Admin
		{"APPROVAL_REQUEST_READ", "owner admin"},          // Admin, not Basic_User
		{"RULE_SETS_READ", "owner admin writer reader"},   // Basic_User _READ
		{"GIT_CREDENTIALS_WRITE", "owner"},                // Global_Admin only
		{"GIT_CREDENTIALS_READ", "owner admin writer reader"},
	}
	for _, tc := range cases {
		p, ok := c.Lookup(tc.name)
		if !ok {
			t.Fatalf("%s missing", tc.name)
		}
		if got := strings.Join(p.Roles, " "); got != tc.roles {
			t.Errorf("%s roles = %q, want %q", tc.name, got, tc.roles)
		}
		for _, r := range rolesStrongestFirst() {
			want := strings.Contains(" "+tc.roles+" ", " "+r+" ")
			if got := slices.Contains(c.ForRole(r), tc.name); got != want {
				t.Errorf("ForRole(%s) contains %s = %v, want %v", r, tc.name, got, want)
			}
		}
	}
}

func TestRolesAreCumulative(t *testing.T) {
	c := Default()
	order := []string{api.RoleReader, api.RoleWriter, api.RoleAdmin, api.RoleOwner}
	for i := 1; i < len(order); i++ {
		weaker, stronger := c.ForRole(order[i-1]), c.ForRole(order[i])
		for _, n := range weaker {
			if !slices.Contains(stronger, n) {
				t.Errorf("%s holds %s but %s does not", order[i-1], n, order[i])
			}
		}
		if len(stronger) <= len(weaker) {
			t.Errorf("%s (%d) holds no more than %s (%d)", order[i], len(stronger), order[i-1], len(weaker))
		}
	}
	if got, want := len(c.ForRole(api.RoleOwner)), len(c.All()); got != want {
		t.Errorf("owner holds %d of %d permissions", got, want)
	}
	for _, n := range c.ForRole(api.RoleReader) {
		if !strings.HasSuffix(n, "_READ") && n != AccessTokenWrite {
			t.Errorf("reader holds %s, which is neither a read permission nor ACCESS_TOKEN_WRITE", n)
		}
	}
	if c.ForRole("superuser") != nil {
		t.Error("unknown role holds permissions")
	}
}

func TestForRoleSorted(t *testing.T) {
	c := Default()
	for _, r := range rolesStrongestFirst() {
		got := c.ForRole(r)
		if !slices.IsSorted(got) {
			t.Errorf("ForRole(%s) not sorted", r)
		}
		got[0] = "MUTATED"
		if c.ForRole(r)[0] == "MUTATED" {
			t.Errorf("ForRole(%s) exposes internal state", r)
		}
	}
}

func TestAllAndLookupReturnCopies(t *testing.T) {
	c := Default()
	all := c.All()
	all[0].Roles[0] = "MUTATED"
	all[0].Name = "MUTATED"
	p, _ := c.Lookup("ENVIRONMENT_READ")
	if p.Roles[0] != api.RoleOwner || c.All()[0].Name != "ENVIRONMENT_READ" {
		t.Fatal("All exposes internal state")
	}
	p.CatalogueRoles[0] = "MUTATED"
	if q, _ := c.Lookup("ENVIRONMENT_READ"); q.CatalogueRoles[0] != GlobalAdmin {
		t.Fatal("Lookup exposes internal state")
	}
	if _, ok := c.Lookup("environment_read"); ok {
		t.Fatal("Lookup is case-insensitive")
	}
}

func TestExpand(t *testing.T) {
	c := Default()
	cases := []struct {
		pattern string
		want    []string
	}{
		{"API_READ", []string{"API_READ"}},
		{"API_*", []string{"API_READ", "API_WRITE"}},
		{"PLAN_*", []string{"PLAN_ASSIGN_APIS", "PLAN_READ", "PLAN_WRITE"}},
		{"USER*", []string{"USER_INVITATION", "USER_READ", "USER_WRITE"}},
		{"NOPE_*", nil},
		{"NOPE", nil},
		{"api_read", nil},
		{"", nil},
		{"A*I_READ", nil},
		{"**", nil},
	}
	for _, tc := range cases {
		if got := c.Expand(tc.pattern); !slices.Equal(got, tc.want) {
			t.Errorf("Expand(%q) = %v, want %v", tc.pattern, got, tc.want)
		}
	}
	star := c.Expand("*")
	if len(star) != len(c.All()) || !slices.IsSorted(star) {
		t.Errorf("Expand(*) = %d names (sorted %v), want %d sorted", len(star), slices.IsSorted(star), len(c.All()))
	}
}

func TestSuggest(t *testing.T) {
	c := Default()
	cases := []struct {
		in    string
		first string
	}{
		{"ENVIROMENT_READ", "ENVIRONMENT_READ"},
		{"enviroment_read", "ENVIRONMENT_READ"},
		{"API_REED", "API_READ"},
		{"api_write", "API_WRITE"},
		{"PLAN_WRTIE", "PLAN_WRITE"},
		{"ACCESS_TOKEN_REDA", AccessTokenRead},
		{"AUDITLOG_READ", AuditLogRead},
	}
	for _, tc := range cases {
		got := c.Suggest(tc.in, 3)
		if len(got) == 0 || got[0] != tc.first {
			t.Errorf("Suggest(%q) = %v, want %s first", tc.in, got, tc.first)
		}
		if len(got) > 3 {
			t.Errorf("Suggest(%q, 3) returned %d names", tc.in, len(got))
		}
	}
	if got := c.Suggest("COMPLETELY_UNRELATED_THING", 3); len(got) != 0 {
		t.Errorf("Suggest for an unrelated name = %v, want none", got)
	}
	if got := c.Suggest("API_READ", 0); got != nil {
		t.Errorf("Suggest(n=0) = %v", got)
	}
	// Ties are broken by name, so the answer is stable.
	if a, b := c.Suggest("PLAN_XXXX", 5), c.Suggest("PLAN_XXXX", 5); !slices.Equal(a, b) {
		t.Errorf("Suggest not deterministic: %v vs %v", a, b)
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"ENVIROMENT_READ", "ENVIRONMENT_READ", 1}, {"flaw", "lawn", 2},
	} {
		if got := levenshtein([]rune(tc.a), []rune(tc.b)); got != tc.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

func TestLoad(t *testing.T) {
	c, err := Load(strings.NewReader(`{"permissions": [
		{"name": "DEPLOY_READ", "description": "Read deployments.", "catalogueRoles": ["Basic_User", "Admin", "Global_Admin"]},
		{"name": "DEPLOY_WRITE", "description": "Deploy.", "catalogueRoles": ["Admin"]},
		{"name": "MEMBER_WRITE", "description": "Only the top may change members.", "catalogueRoles": ["Global_Admin"]}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	all := c.All()
	if all[0].Name != "DEPLOY_READ" || all[1].Name != "DEPLOY_WRITE" || all[2].Name != MemberWrite {
		t.Fatalf("loaded order not kept: %v %v %v", all[0].Name, all[1].Name, all[2].Name)
	}
	p, _ := c.Lookup("DEPLOY_READ")
	if got := strings.Join(p.CatalogueRoles, " "); got != "Global_Admin Admin Basic_User" {
		t.Errorf("catalogue roles not normalised: %q", got)
	}
	if got := strings.Join(p.Roles, " "); got != "owner admin writer reader" {
		t.Errorf("DEPLOY_READ roles = %q", got)
	}
	p, _ = c.Lookup("DEPLOY_WRITE")
	if got := strings.Join(p.Roles, " "); got != "owner admin" {
		t.Errorf("DEPLOY_WRITE roles = %q", got)
	}
	// An operator's definition of a backend permission replaces the built-in one.
	p, _ = c.Lookup(MemberWrite)
	if got := strings.Join(p.Roles, " "); got != "owner" || p.Description != "Only the top may change members." {
		t.Errorf("overridden MEMBER_WRITE = %+v", p)
	}
	// Every other backend permission is added.
	for name := range backendTable {
		if _, ok := c.Lookup(name); !ok {
			t.Errorf("backend permission %s not added", name)
		}
	}
	if _, ok := c.Lookup("API_READ"); ok {
		t.Error("a loaded catalogue still holds source permissions it did not list")
	}
	if got, want := len(c.All()), 3+len(backendTable)-1; got != want {
		t.Errorf("loaded catalogue has %d permissions, want %d", got, want)
	}
}

func TestLoadRoundTripsDefault(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"permissions":[`)
	for i, p := range Default().All() {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"name":"` + p.Name + `","description":"d","catalogueRoles":["` + strings.Join(p.CatalogueRoles, `","`) + `"]}`)
	}
	b.WriteString(`]}`)
	c, err := Load(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rolesStrongestFirst() {
		if !slices.Equal(c.ForRole(r), Default().ForRole(r)) {
			t.Errorf("ForRole(%s) differs after a round trip", r)
		}
	}
}

func TestLoadValidation(t *testing.T) {
	ok := `{"name": "A_READ", "description": "x", "catalogueRoles": ["Admin"]}`
	cases := []struct {
		name, doc, want string
	}{
		{"not json", `{`, "catalogue: "},
		{"trailing data", `{"permissions": [` + ok + `]} {}`, "catalogue: unexpected data"},
		{"unknown top field", `{"permissions": [` + ok + `], "perms": []}`, `catalogue: unknown field "perms"`},
		{"no permissions", `{}`, "permissions: at least one permission is required"},
		{"empty permissions", `{"permissions": []}`, "permissions: at least one permission is required"},
		{"permissions not array", `{"permissions": {}}`, "permissions: want array"},
		{"missing name", `{"permissions": [{"catalogueRoles": ["Admin"]}]}`, "permissions[0].name: required"},
		{"lower-case name", `{"permissions": [{"name": "api_read", "catalogueRoles": ["Admin"]}]}`, `permissions[0].name: "api_read" must match`},
		{"star in name", `{"permissions": [{"name": "API_*", "catalogueRoles": ["Admin"]}]}`, `permissions[0].name: "API_*" must match`},
		{"long name", `{"permissions": [{"name": "` + strings.Repeat("A", 65) + `", "catalogueRoles": ["Admin"]}]}`, "permissions[0].name: longer than 64"},
		{"duplicate", `{"permissions": [` + ok + `, ` + ok + `, {"name": "B", "catalogueRoles": ["Admin"]}, ` + strings.Replace(ok, "A_READ", "B", 1) + `]}`, `permissions[1].name: duplicate "A_READ"`},
		{"duplicate API_READ at 3", `{"permissions": [{"name": "API_READ", "catalogueRoles": ["Admin"]}, ` + ok + `, {"name": "C", "catalogueRoles": ["Admin"]}, {"name": "API_READ", "catalogueRoles": ["Admin"]}]}`, `permissions[3].name: duplicate "API_READ"`},
		{"no roles", `{"permissions": [{"name": "A"}]}`, "permissions[0].catalogueRoles: at least one of Global_Admin, Admin, Basic_User is required"},
		{"unknown role", `{"permissions": [` + ok + `, {"name": "B", "catalogueRoles": ["Admin", "Root"]}]}`, `permissions[1].catalogueRoles[1]: unknown role "Root"`},
		{"member role given as catalogue role", `{"permissions": [{"name": "B", "catalogueRoles": ["owner"]}]}`, `permissions[0].catalogueRoles[0]: unknown role "owner"`},
		{"duplicate role", `{"permissions": [{"name": "B", "catalogueRoles": ["Admin", "Admin"]}]}`, `permissions[0].catalogueRoles[1]: duplicate "Admin"`},
		{"roles wrong type", `{"permissions": [{"name": "B", "catalogueRoles": "Admin"}]}`, "permissions[0].catalogueRoles: want array"},
		{"unknown field", `{"permissions": [` + ok + `, {"name": "B", "catalogRoles": ["Admin"]}]}`, `permissions[1]: unknown field "catalogRoles"`},
		{"long description", `{"permissions": [{"name": "B", "description": "` + strings.Repeat("x", 1001) + `", "catalogueRoles": ["Admin"]}]}`, "permissions[0].description: longer than 1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T %v is not a *ValidationError", err, err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %q, want prefix %q", err, tc.want)
			}
		})
	}
}

func BenchmarkSuggest(b *testing.B) {
	c := Default()
	for b.Loop() {
		c.Suggest("ENVIROMENT_READ", 3)
	}
}

// ReadPermissions is every _READ name, including those a reader member does
// not hold (USER_READ, AUDIT_LOG_READ): the member role bounds it later.
func TestReadPermissions(t *testing.T) {
	c := Default()
	got := c.ReadPermissions()
	var want []string
	for _, n := range c.Names() {
		if strings.HasSuffix(n, "_READ") {
			want = append(want, n)
		}
	}
	if !slices.Equal(got, want) || !slices.Contains(got, "USER_READ") || slices.Contains(got, AccessTokenWrite) {
		t.Fatalf("ReadPermissions() = %v, want %v", got, want)
	}
}
