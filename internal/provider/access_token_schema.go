package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// The managed and the ephemeral tokensmith_access_token take the same
// description, grant and workspace scope. The framework has one schema type
// per kind of type, so each builds its own attributes; what they say and
// what they accept comes from here, so that the two cannot drift apart.

// tokenArgumentDocs are the descriptions of the shared arguments.
type tokenArgumentDocs struct {
	Description, Role, CustomRoles, InlineRole, Permissions, Access, WorkspaceIDs, AllWorkspaces, ServiceToken string
}

// newTokenArgumentDocs describes the shared arguments. onChange says what
// changing the grant or the scope does ("" for a token that is never
// changed); allWorkspaces what all_workspaces covers.
func newTokenArgumentDocs(onChange, allWorkspaces string) tokenArgumentDocs {
	grantNote := " Exactly one of `role`, `custom_roles`, `inline_role`, `permissions` and `access` is set"
	scopeNote := " Exactly one of `workspace_ids` and `all_workspaces` is set"
	if onChange != "" {
		grantNote += "; changing the grant " + onChange
		scopeNote += "; changing the scope " + onChange
	}
	grantNote += "."
	scopeNote += "."
	return tokenArgumentDocs{
		Description: fmt.Sprintf("Description of the token, at most %d characters.", api.MaxDescriptionLength),
		Role: "Built-in role the token is granted: " + oneOfMarkdown(tokenRoles) +
			". Each grants exactly the permissions of the member role of the same name." + grantNote,
		CustomRoles: "Keys of the custom roles the token is granted." + grantNote,
		InlineRole: "Policy statements the token is granted directly. The order of statements and of " +
			"their values has no meaning." + grantNote,
		Permissions: "Names from the permission catalogue the token is granted (see the " +
			"`tokensmith_permissions` data source)." + grantNote,
		Access:        accessDescription("token", grantNote),
		WorkspaceIDs:  "Workspaces the token may act in." + scopeNote,
		AllWorkspaces: "When `true`, the token may act in " + allWorkspaces + "." + scopeNote,
		ServiceToken:  "Whether the token is a service token rather than a personal token. Defaults to `false`.",
	}
}

func tokenRoleValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(tokenRoles...)}
}

func tokenCustomRolesValidators() []validator.Set {
	return []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(stringvalidator.RegexMatches(customRoleKeyRegexp, "must be a custom role key")),
	}
}

// nonEmptySetValidators is what inline_role, permissions and workspace_ids
// accept: at least one element (leave them out instead).
func nonEmptySetValidators() []validator.Set {
	return []validator.Set{setvalidator.SizeAtLeast(1)}
}

func tokenAllWorkspacesValidators() []validator.Bool {
	return []validator.Bool{boolvalidator.Equals(true)}
}

// tokenGrantPaths and tokenScopePaths are the arguments of which exactly
// one is set.
func tokenGrantPaths() []path.Expression {
	return []path.Expression{
		path.MatchRoot("role"), path.MatchRoot("custom_roles"),
		path.MatchRoot("inline_role"), path.MatchRoot("permissions"), path.MatchRoot("access"),
	}
}

func tokenScopePaths() []path.Expression {
	return []path.Expression{path.MatchRoot("workspace_ids"), path.MatchRoot("all_workspaces")}
}
