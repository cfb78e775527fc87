package review

import (
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

func TestCompareAccess(t *testing.T) {
	cat := catalogue.Default()
	access := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	ws := list("ws-1")
	tests := []struct {
		name       string
		prev, next *Grant
		want       string
	}{
		{
			name: "none to read_only and read_only to read_write, naming the objects",
			prev: &Grant{Access: access("api", "read_only", "plan", "none"), WorkspaceIDs: ws},
			next: &Grant{Access: access("api", "read_write", "plan", "read_only"), WorkspaceIDs: ws},
			want: lines(
				"  + access: api: read_only -> read_write (adds API_WRITE)",
				"  + access: plan: none -> read_only (adds PLAN_READ)",
			),
		},
		{
			name: "an object added counts as none before",
			prev: &Grant{Access: access("api", "read_only"), WorkspaceIDs: ws},
			next: &Grant{Access: access("api", "read_only", "user", "read_only"), WorkspaceIDs: ws},
			want: lines("  + access: user: none -> read_only (adds USER_READ)"),
		},
		{
			name: "narrowing and none are not reported",
			prev: &Grant{Access: access("api", "read_write", "plan", "read_only"), WorkspaceIDs: ws},
			next: &Grant{Access: access("api", "read_only", "plan", "none", "user", "none"), WorkspaceIDs: ws},
		},
		{
			name: "the same permissions by another grant form widen nothing",
			prev: &Grant{Permissions: list("API_READ", "API_WRITE"), WorkspaceIDs: ws},
			next: &Grant{Access: access("api", "read_write"), WorkspaceIDs: ws},
		},
		{
			name: "from permissions, only what the level adds",
			prev: &Grant{Permissions: list("API_READ"), WorkspaceIDs: ws},
			next: &Grant{Access: access("api", "read_write"), WorkspaceIDs: ws},
			want: lines("  + access: api: none -> read_write (adds API_WRITE)"),
		},
		{
			name: "from access to permissions: names the access did not grant",
			prev: &Grant{Access: access("api", "read_write"), WorkspaceIDs: ws},
			next: &Grant{Permissions: list("API_READ", "PLAN_READ"), WorkspaceIDs: ws},
			want: lines("  + permissions: PLAN_READ"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Compare(cat, tc.prev, tc.next).Describe(addr); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
