package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

func TestWithoutElementIndex(t *testing.T) {
	attr := path.Root("workspace_ids")
	for _, tc := range []struct{ msg, field, want string }{
		{`workspaceIds[0]: no workspace with id "x"`, "workspaceIds[0]", `workspace_ids: no workspace with id "x"`},
		{`workspaceIds[12]: not a member of w`, "workspaceIds[12]", `workspace_ids: not a member of w`},
		// Anything else is left alone.
		{`workspaceIds: must not be empty`, "workspaceIds", `workspaceIds: must not be empty`},
		{`inlineRole[0].actions[1]: unknown`, "inlineRole[0].actions[1]", `inlineRole[0].actions[1]: unknown`},
		{`no workspace with id "x"`, "workspaceIds[0]", `no workspace with id "x"`},
	} {
		if got := withoutElementIndex(tc.msg, tc.field, attr); got != tc.want {
			t.Errorf("withoutElementIndex(%q, %q) = %q, want %q", tc.msg, tc.field, got, tc.want)
		}
	}
}
