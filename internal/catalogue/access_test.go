package catalogue

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

func TestDefaultGroupsPairsIntoObjects(t *testing.T) {
	c := Default()
	api, ok := c.LookupObject("api")
	if !ok {
		t.Fatal("object api missing from the default catalogue")
	}
	if !slices.Equal(api.Read, []string{"API_READ"}) || !slices.Equal(api.Write, []string{"API_WRITE"}) {
		t.Errorf("api = read %v write %v, want API_READ / API_WRITE", api.Read, api.Write)
	}
	p, _ := c.Lookup("PLAN_WRITE")
	if p.Object != "plan" || p.Level != LevelWrite {
		t.Errorf("PLAN_WRITE object/level = %q/%q, want plan/write", p.Object, p.Level)
	}
	for _, plain := range []string{"DISCOVERY", "CROSS_ORGANIZATION_ACCESS", "JOBS_READ", "METRICS_READ", "AUDIT_LOG_READ", "PLAN_ASSIGN_APIS"} {
		if p, _ := c.Lookup(plain); p.Object != "" || p.Level != "" {
			t.Errorf("%s is in object %q, want a plain permission", plain, p.Object)
		}
	}
	var names []string
	for _, o := range c.Objects() {
		names = append(names, o.Name)
	}
	want := []string{"environment", "api", "user", "application", "plan", "git_credentials", "subscriptions", "configuration",
		"organization", "approval_request", "rule_sets", "dev_portal", "access_token", "custom_role", "workspace", "member"}
	if !slices.Equal(names, want) {
		t.Errorf("objects = %v, want %v", names, want)
	}
}

func TestLevelRolesAndCeiling(t *testing.T) {
	c := Default()
	plan, _ := c.LookupObject("plan") // PLAN_READ: every role; PLAN_WRITE: Global_Admin only
	if got := c.LevelRoles(plan, AccessReadOnly); !slices.Equal(got, rolesStrongestFirst()) {
		t.Errorf("plan read_only roles = %v, want %v", got, rolesStrongestFirst())
	}
	if got := c.LevelRoles(plan, AccessReadWrite); !slices.Equal(got, []string{api.RoleOwner}) {
		t.Errorf("plan read_write roles = %v, want [owner]", got)
	}
	for role, want := range map[string]string{api.RoleOwner: AccessReadWrite, api.RoleAdmin: AccessReadOnly, api.RoleReader: AccessReadOnly} {
		if got := c.MaxAccess(plan, role); got != want {
			t.Errorf("MaxAccess(plan, %s) = %s, want %s", role, got, want)
		}
	}
	user, _ := c.LookupObject("user") // admins only
	if got := c.MaxAccess(user, api.RoleWriter); got != AccessNone {
		t.Errorf("MaxAccess(user, writer) = %s, want none", got)
	}

	err := c.AccessCeiling("access", map[string]string{"api": AccessReadWrite, "plan": AccessReadWrite}, api.RoleAdmin)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "access.plan" || !strings.Contains(ve.Message, "at most read_only") || !strings.Contains(ve.Message, `"plan"`) {
		t.Errorf("admin with plan read_write: %v, want a refusal of access.plan naming read_only", err)
	}
	if err := c.AccessCeiling("access", map[string]string{"plan": AccessReadWrite}, api.RoleOwner); err != nil {
		t.Errorf("owner with plan read_write: %v", err)
	}
	if err := c.AccessCeiling("access", map[string]string{"user": AccessNone}, api.RoleReader); err != nil {
		t.Errorf("reader with user none: %v", err)
	}
}

func TestAccessPermissions(t *testing.T) {
	c := Default()
	got, err := c.AccessPermissions("access", map[string]string{"api": AccessReadWrite, "plan": AccessReadOnly, "user": AccessNone})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"API_READ", "API_WRITE", "PLAN_READ"}; !slices.Equal(got, want) {
		t.Errorf("permissions = %v, want %v", got, want)
	}
	for _, tc := range []struct {
		access      map[string]string
		field, want string
	}{
		{map[string]string{"apii": AccessReadOnly}, "access.apii", "did you mean api"},
		{map[string]string{"api": "write"}, "access.api", "must be one of none, read_only, read_write"},
	} {
		_, err := c.AccessPermissions("access", tc.access)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field || !strings.Contains(ve.Message, tc.want) {
			t.Errorf("%v: %v, want %s: …%s…", tc.access, err, tc.field, tc.want)
		}
	}
}

// The object-by-object catalogue shipped as an example (see
// docs/guides/backend-rules.md, "Access levels"): six objects, three of
// them read-only.
func TestKnowledgeBaseCatalogueExample(t *testing.T) {
	f, err := os.Open("../../examples/tokensmithd/knowledge-base-catalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cfg struct {
		Catalogue json.RawMessage `json:"catalogue"`
	}
	if err := json.NewDecoder(f).Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	c, err := Load(strings.NewReader(string(cfg.Catalogue)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Objects()); n != 6 {
		t.Errorf("%d objects, want 6", n)
	}
	usage, _ := c.LookupObject("usage_statistics")
	if !slices.Equal(usage.Offers(), []string{AccessNone, AccessReadOnly}) {
		t.Errorf("usage_statistics offers %v, want none and read_only", usage.Offers())
	}
	if _, err := c.AccessPermissions("access", map[string]string{"usage_statistics": AccessReadWrite}); err == nil || !strings.Contains(err.Error(), "can only be read") {
		t.Errorf("read_write on a read-only object: %v", err)
	}
	members, _ := c.LookupObject("knowledge_base_members")
	if got := c.MaxAccess(members, api.RoleWriter); got != AccessReadOnly {
		t.Errorf("writer on knowledge_base_members: %s, want read_only", got)
	}
}

func TestLoadObjectRefusals(t *testing.T) {
	for _, tc := range []struct{ doc, field, want string }{
		{`{"objects":[{"name":"Bad"}],"permissions":[{"name":"A_READ","catalogueRoles":["Admin"],"object":"Bad","level":"read"}]}`, "objects[0].name", "must match"},
		{`{"objects":[{"name":"a"},{"name":"a"}],"permissions":[{"name":"A_READ","catalogueRoles":["Admin"],"object":"a","level":"read"}]}`, "objects[1].name", "duplicate"},
		{`{"objects":[{"name":"kb"}],"permissions":[{"name":"A_READ","catalogueRoles":["Admin"],"object":"kbs","level":"read"}]}`, "permissions[0].object", "did you mean kb"},
		{`{"objects":[{"name":"kb"}],"permissions":[{"name":"A_READ","catalogueRoles":["Admin"],"object":"kb","level":"admin"}]}`, "permissions[0].level", "read, write"},
		{`{"objects":[{"name":"kb"}],"permissions":[{"name":"A_READ","catalogueRoles":["Admin"],"level":"read"}]}`, "permissions[0].object", "required when level is set"},
		{`{"objects":[{"name":"kb"}],"permissions":[{"name":"A_WRITE","catalogueRoles":["Admin"],"object":"kb","level":"read"}]}`, "permissions[0].level", "not a read permission"},
		{`{"objects":[{"name":"kb"}],"permissions":[{"name":"A_WRITE","catalogueRoles":["Admin"],"object":"kb","level":"write"}]}`, "objects[0]", "no permission at level read"},
	} {
		_, err := Load(strings.NewReader(tc.doc))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field || !strings.Contains(ve.Message, tc.want) {
			t.Errorf("%s:\n got %v\nwant %s: …%s…", tc.doc, err, tc.field, tc.want)
		}
	}
}
