package authz_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// TestDocumentedRolePermissions keeps the member role table of the package
// documentation in step with the default catalogue.
func TestDocumentedRolePermissions(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.Default()
	documented := map[string][]string{}
	for _, line := range strings.Split(string(src), "\n") {
		rest, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			continue
		}
		role, list, ok := strings.Cut(rest, ":")
		if !ok || !slices.Contains(api.MemberRoles(), role) {
			continue
		}
		var perms []string
		list = strings.TrimSpace(list)
		if base, more, ok := strings.Cut(list, " + "); ok {
			perms = append(perms, documented[base]...)
			list = more
		}
		for _, p := range strings.Split(list, ",") {
			perms = append(perms, strings.TrimSpace(p))
		}
		slices.Sort(perms)
		documented[role] = perms
	}
	for _, role := range api.MemberRoles() {
		got, want := documented[role], cat.ForRole(role)
		if !slices.Equal(got, want) {
			t.Errorf("doc.go says %s holds\n%v\nthe catalogue says\n%v", role, got, want)
		}
	}
}
