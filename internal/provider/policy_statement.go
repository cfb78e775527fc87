package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Policy statements appear in a token's inline_role and in a custom role's
// policy_statements. They are sets of objects whose lists are sets too: the
// backend never gives statement order a meaning, so reordering statements or
// their values must not produce a diff.

type policyStatementModel struct {
	Effect       types.String `tfsdk:"effect"`
	Actions      types.Set    `tfsdk:"actions"`
	NotActions   types.Set    `tfsdk:"not_actions"`
	Resources    types.Set    `tfsdk:"resources"`
	NotResources types.Set    `tfsdk:"not_resources"`
}

var policyStatementType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"effect":        types.StringType,
	"actions":       types.SetType{ElemType: types.StringType},
	"not_actions":   types.SetType{ElemType: types.StringType},
	"resources":     types.SetType{ElemType: types.StringType},
	"not_resources": types.SetType{ElemType: types.StringType},
}}

const (
	statementEffectDoc = "Whether the statement allows or denies what it matches: " +
		"%s. A deny wins over every allow, whatever the order of statements."
	statementActionsDoc = "Permission names the statement applies to: catalogue names, `*`, or a prefix " +
		"ending in `*` such as `ACCESS_TOKEN_*`. Actions of the wider service's policy language " +
		"(`updateOn`) are kept as written and match no permission here. Exactly one of `actions` and " +
		"`not_actions` is set."
	statementNotActionsDoc = "The statement applies to every permission except these. " +
		"Exactly one of `actions` and `not_actions` is set."
	statementResourcesDoc = "Resource specifiers the statement applies to: `*`, `org`, `workspace/*`, " +
		"`workspace/<id>` or `workspace/<prefix>*`. Specifiers of the wider service's resources " +
		"(`proj/*:env/production`) are kept as written and match nothing here; see the policy " +
		"statements guide. Exactly one of `resources` and `not_resources` is set."
	statementNotResourcesDoc = "The statement applies to every resource except these. " +
		"Exactly one of `resources` and `not_resources` is set."
)

func effectDoc() string {
	return fmt.Sprintf(statementEffectDoc, oneOfMarkdown(statementEffects))
}

// statementEffectValidators accept allow and deny.
func statementEffectValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(statementEffects...)}
}

// statementExactlyOneOf is put on actions and resources: exactly one of them
// and their not_ counterpart (other) is set, and not empty.
func statementExactlyOneOf(other string) []validator.Set {
	return []validator.Set{
		setvalidator.SizeAtLeast(1),
		setvalidator.ExactlyOneOf(path.MatchRelative().AtParent().AtName(other)),
	}
}

// policyStatementResourceAttributes is the nested object of a statement in a
// resource schema.
func policyStatementResourceAttributes() map[string]rschema.Attribute {
	set := func(doc string, validators []validator.Set) rschema.SetAttribute {
		return rschema.SetAttribute{MarkdownDescription: doc, ElementType: types.StringType, Optional: true, Validators: validators}
	}
	return map[string]rschema.Attribute{
		"effect": rschema.StringAttribute{
			MarkdownDescription: effectDoc(),
			Required:            true,
			Validators:          statementEffectValidators(),
		},
		"actions":       set(statementActionsDoc, statementExactlyOneOf("not_actions")),
		"not_actions":   set(statementNotActionsDoc, nonEmptySetValidators()),
		"resources":     set(statementResourcesDoc, statementExactlyOneOf("not_resources")),
		"not_resources": set(statementNotResourcesDoc, nonEmptySetValidators()),
	}
}

// policyStatementDataSourceAttributes is the same object, read only.
func policyStatementDataSourceAttributes() map[string]dschema.Attribute {
	return map[string]dschema.Attribute{
		"effect":        computedString(effectDoc()),
		"actions":       computedStringSet(statementActionsDoc),
		"not_actions":   computedStringSet(statementNotActionsDoc),
		"resources":     computedStringSet(statementResourcesDoc),
		"not_resources": computedStringSet(statementNotResourcesDoc),
	}
}

// statementsToAPI converts a set of statements to the wire form. Values are
// sorted so that the request does not depend on set iteration order.
func statementsToAPI(ctx context.Context, set types.Set) ([]api.Statement, diag.Diagnostics) {
	var diags diag.Diagnostics
	if set.IsNull() || set.IsUnknown() {
		return nil, diags
	}
	var models []policyStatementModel
	diags.Append(set.ElementsAs(ctx, &models, false)...)
	out := make([]api.Statement, 0, len(models))
	for _, m := range models {
		s := api.Statement{Effect: m.Effect.ValueString()}
		s.Actions = stringsFromSet(ctx, m.Actions, &diags)
		s.NotActions = stringsFromSet(ctx, m.NotActions, &diags)
		s.Resources = stringsFromSet(ctx, m.Resources, &diags)
		s.NotResources = stringsFromSet(ctx, m.NotResources, &diags)
		out = append(out, s)
	}
	return out, diags
}

// statementsFromAPI converts wire statements to a set; an empty list gives an
// empty set, and callers decide whether that should read as null.
func statementsFromAPI(ctx context.Context, stmts []api.Statement) (types.Set, diag.Diagnostics) {
	var diags diag.Diagnostics
	models := make([]policyStatementModel, 0, len(stmts))
	for _, s := range stmts {
		models = append(models, policyStatementModel{
			Effect:       types.StringValue(s.Effect),
			Actions:      stringSetOrNull(s.Actions, &diags),
			NotActions:   stringSetOrNull(s.NotActions, &diags),
			Resources:    stringSetOrNull(s.Resources, &diags),
			NotResources: stringSetOrNull(s.NotResources, &diags),
		})
	}
	set, d := types.SetValueFrom(ctx, policyStatementType, models)
	diags.Append(d...)
	return set, diags
}
