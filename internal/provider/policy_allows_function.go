package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
)

var _ function.Function = (*policyAllowsFunction)(nil)

// NewPolicyAllowsFunction is the constructor of
// provider::tokensmith::policy_allows.
func NewPolicyAllowsFunction() function.Function {
	return &policyAllowsFunction{}
}

// policyAllowsFunction evaluates policy statements with the backend's own
// evaluation (package policy), offline, so that tests of a configuration
// can assert what a custom role or an inline role grants.
type policyAllowsFunction struct{}

// policyStatementKeys are the attributes a statement may have, as in the
// schemas of inline_role and policy_statements.
var policyStatementKeys = []string{"effect", "actions", "not_actions", "resources", "not_resources"}

func (f *policyAllowsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "policy_allows"
}

func (f *policyAllowsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether policy statements allow an action on a resource, evaluated as the backend does.",
		MarkdownDescription: "Evaluates policy statements exactly as the backend does: true when at least one " +
			"`allow` statement matches the action and the resource and no `deny` statement does. Wildcards " +
			"(`*`, `API_*`, `workspace/*`) and `not_actions`/`not_resources` have their backend meaning. It " +
			"works offline: it checks the statements' form, not that permission names exist in the backend's " +
			"catalogue (`terraform plan` does that).",
		Parameters: []function.Parameter{
			function.DynamicParameter{
				Name: "statements",
				MarkdownDescription: "A list or set of statements, each an object with `effect` (`allow` or `deny`), " +
					"exactly one of `actions` and `not_actions`, and exactly one of `resources` and " +
					"`not_resources`; attributes left out are null. A custom role's `policy_statements` or a " +
					"token's `inline_role` can be passed as they are.",
			},
			function.StringParameter{
				Name:                "action",
				MarkdownDescription: "A permission name, for example `API_READ`.",
			},
			function.StringParameter{
				Name:                "resource",
				MarkdownDescription: "A resource: `org`, or `<kind>/<id>` such as `workspace/<id>`.",
			},
		},
		Return: function.BoolReturn{},
	}
}

func (f *policyAllowsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var statements types.Dynamic
	var action, resource string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &statements, &action, &resource))
	if resp.Error != nil {
		return
	}
	stmts, err := policyStatementsOf(statements.UnderlyingValue())
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid policy statements: "+err.Error())
		return
	}
	if err := policy.Validate("statements", stmts, nil); err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid policy statements: "+statementFieldNames.Replace(err.Error()))
		return
	}
	if action == "" {
		resp.Error = function.NewArgumentFuncError(1, "action must not be empty")
		return
	}
	if resource == "" {
		resp.Error = function.NewArgumentFuncError(2, "resource must not be empty")
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, policy.Policy(stmts).Allows(action, resource)))
}

// statementFieldNames turns the backend's field names in validation errors
// into the attribute names of the configuration.
var statementFieldNames = strings.NewReplacer("notActions", "not_actions", "notResources", "not_resources")

// policyStatementsOf decodes statements given as a list, set or tuple of
// objects or maps. Errors name the statement and the attribute at fault.
func policyStatementsOf(v attr.Value) ([]api.Statement, error) {
	elems, ok := collectionElements(v)
	if !ok {
		return nil, fmt.Errorf("want a list or set of statement objects, got %s", typeName(v))
	}
	out := make([]api.Statement, 0, len(elems))
	for i, e := range elems {
		attrs, ok := objectAttributes(e)
		if !ok {
			return nil, fmt.Errorf("statements[%d]: want an object, got %s", i, typeName(e))
		}
		var st api.Statement
		for k, av := range attrs {
			if !slices.Contains(policyStatementKeys, k) {
				return nil, fmt.Errorf("statements[%d]: unknown attribute %q (a statement has %s)", i, k, strings.Join(policyStatementKeys, ", "))
			}
			if av.IsNull() {
				continue
			}
			if av.IsUnknown() {
				return nil, fmt.Errorf("statements[%d].%s is not known yet", i, k)
			}
			if k == "effect" {
				s, ok := av.(basetypes.StringValue)
				if !ok {
					return nil, fmt.Errorf("statements[%d].effect: want a string, got %s", i, typeName(av))
				}
				st.Effect = s.ValueString()
				continue
			}
			list, err := stringsOfValue(av)
			if err != nil {
				return nil, fmt.Errorf("statements[%d].%s: %w", i, k, err)
			}
			switch k {
			case "actions":
				st.Actions = list
			case "not_actions":
				st.NotActions = list
			case "resources":
				st.Resources = list
			case "not_resources":
				st.NotResources = list
			}
		}
		out = append(out, st)
	}
	return out, nil
}
