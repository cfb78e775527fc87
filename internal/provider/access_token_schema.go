package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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

// tokenGrantArguments and tokenScopeArguments are the arguments of which
// exactly one is set.
var (
	tokenGrantArguments = exactlyOneArgument{"role", "custom_roles", "inline_role", "permissions", "access"}
	tokenScopeArguments = exactlyOneArgument{"workspace_ids", "all_workspaces"}
)

// exactlyOneArgument validates that exactly one of the top-level arguments
// is set. Unlike the framework's ExactlyOneOf, its error says which of them
// are set ("role and permissions are both set"), attached to the second.
// Unknown values may turn out null, so they are judged once known.
type exactlyOneArgument []string

func (a exactlyOneArgument) Description(context.Context) string {
	return "exactly one of " + strings.Join(a, ", ") + " is set"
}

func (a exactlyOneArgument) MarkdownDescription(ctx context.Context) string {
	return a.Description(ctx)
}

func (a exactlyOneArgument) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(a.validate(ctx, req.Config)...)
}

func (a exactlyOneArgument) ValidateEphemeralResource(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	resp.Diagnostics.Append(a.validate(ctx, req.Config)...)
}

func (a exactlyOneArgument) validate(_ context.Context, config tfsdk.Config) diag.Diagnostics {
	set, unknown, diags := configuredArguments(config, a)
	all := strings.Join(a[:len(a)-1], ", ") + " and " + a[len(a)-1]
	switch {
	case diags.HasError():
	case len(set) > 1:
		are := "are both set"
		if len(set) > 2 {
			are = "are all set"
		}
		diags.AddAttributeError(path.Root(set[1]), "Invalid Attribute Combination",
			fmt.Sprintf("%s and %s %s: a token takes exactly one of %s.", strings.Join(set[:len(set)-1], ", "),
				set[len(set)-1], are, all))
	case len(set) == 0 && !unknown:
		diags.AddError("Missing Attribute Configuration",
			fmt.Sprintf("None of %s is set: a token takes exactly one of them.", all))
	}
	return diags
}

// conflictingArguments validates that at most one of the top-level
// arguments is set; the error is attached to the second.
type conflictingArguments []string

func (a conflictingArguments) Description(context.Context) string {
	return "at most one of " + strings.Join(a, ", ") + " is set"
}

func (a conflictingArguments) MarkdownDescription(ctx context.Context) string {
	return a.Description(ctx)
}

func (a conflictingArguments) ValidateResource(_ context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	set, _, diags := configuredArguments(req.Config, a)
	if len(set) > 1 {
		diags.AddAttributeError(path.Root(set[1]), "Invalid Attribute Combination",
			fmt.Sprintf("%s and %s are both set: they cannot be configured together, a token takes at most one of them.",
				strings.Join(set[:len(set)-1], ", "), set[len(set)-1]))
	}
	resp.Diagnostics.Append(diags...)
}

// requiredTogetherArguments validates that the top-level arguments are
// either all set or all left out; the error is attached to the first one
// missing. An unknown value may turn out either way, so a configuration
// with one is judged once it is known.
type requiredTogetherArguments []string

func (a requiredTogetherArguments) Description(context.Context) string {
	return strings.Join(a, ", ") + " are set together or not at all"
}

func (a requiredTogetherArguments) MarkdownDescription(ctx context.Context) string {
	return a.Description(ctx)
}

func (a requiredTogetherArguments) ValidateResource(_ context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	set, unknown, diags := configuredArguments(req.Config, a)
	if !diags.HasError() && !unknown && len(set) > 0 && len(set) < len(a) {
		missing := slices.DeleteFunc(slices.Clone([]string(a)), func(name string) bool { return slices.Contains(set, name) })
		diags.AddAttributeError(path.Root(missing[0]), "Invalid Attribute Combination",
			fmt.Sprintf("%s is set but %s is not: %s must be configured together.",
				strings.Join(set, " and "), strings.Join(missing, " and "), strings.Join(a, " and ")))
	}
	resp.Diagnostics.Append(diags...)
}

// configuredArguments lists which of the top-level arguments names are set
// in config, in that order, and whether any is unknown (it may turn out
// null). It reads the configuration's object once rather than each
// argument through a path: validation runs for every resource of every
// plan, and the framework's path matching walks the whole configuration.
func configuredArguments(config tfsdk.Config, names []string) (set []string, unknown bool, diags diag.Diagnostics) {
	if !config.Raw.IsKnown() || config.Raw.IsNull() {
		return nil, true, nil
	}
	var args map[string]tftypes.Value
	if err := config.Raw.As(&args); err != nil {
		addProviderBug(&diags, "Unreadable Configuration", err)
		return nil, false, diags
	}
	for _, name := range names {
		v, ok := args[name]
		switch {
		case !ok:
			addProviderBug(&diags, "Unknown Argument", fmt.Errorf("the schema has no argument %q", name))
		case !v.IsKnown():
			unknown = true
		case !v.IsNull():
			set = append(set, name)
		}
	}
	return set, unknown, diags
}
