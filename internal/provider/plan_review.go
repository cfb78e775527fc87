package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
)

// The plan is where permission changes are reviewed and refused. After the
// resource's own plan logic, every plan of a token or a custom role
//
//  1. checks the permission names it grants against the backend's
//     catalogue, suggesting the closest names for a misspelt one;
//  2. sends the create (also for a replacement) or the update to the backend
//     as a dry run, so that whatever the apply would be refused for
//     (escalation, quota, expiration policy, workspace not allowed, a key
//     taken) fails the plan, on the attribute the backend names;
//  3. compares the grant in state with the planned one (internal/review) and,
//     per the provider's permission_review, warns about a widening, fails
//     the plan on it, or says nothing.
//
// Nothing here may say something false about a plan whose values are not all
// known yet. Unknown permission names are not checked; a dry run whose body
// would depend on an unknown value is not sent; unknown parts of the planned
// grant are left out of the comparison, which can only hide a widening until
// the next plan, never invent one. A token may name a custom role that the
// same apply creates: the backend then refuses the dry run for that role,
// and the refusal is taken as "cannot tell yet". Without a configured
// provider (its endpoint or token unknown during plan) nothing is checked.
//
// ModifyPlan receives no resource address, so diagnostics name the resource
// by its type and its name (tokens) or key (custom roles); the CLI prints the
// address next to every diagnostic of a resource anyway.
//
// This file holds what the reviews of both resources share; each resource's
// own review is in its <resource>_plan.go (access_token_plan.go,
// custom_role_plan.go).

// allowWideningAttribute is the allow_widening argument of a resource; what
// names the resource ("token", "custom role").
func allowWideningAttribute(what string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: "Accept a change that widens the access of this " + what + " when the provider's " +
			"`permission_review` is `" + permissionReviewError + "`: the plan then shows the widening as a " +
			"warning instead of failing. Defaults to `false`. The review reads this argument from the " +
			"configuration of each plan, never from state: once it is removed, the next widening is " +
			"refused again. Removing it plans no update of its own; state keeps the last value until the " +
			"resource is next updated for another reason.",
		Optional: true,
		Computed: true,
	}
}

// planAllowWidening plans allow_widening: the configured value, or, when
// the configuration leaves it out, the value in state (false for a new
// resource), so that removing the argument plans no update. What the plan
// carries here approves nothing: the review reads the configuration.
func planAllowWidening(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	if !rawAttribute(req.Config.Raw, allowWideningName).IsNull() {
		return
	}
	planned := tftypes.NewValue(tftypes.Bool, false)
	if prior := rawAttribute(req.State.Raw, allowWideningName); prior.IsKnown() && !prior.IsNull() {
		planned = prior
	}
	// Setting an attribute rewrites the whole planned object: not done
	// when the plan already holds the value, as it does in every plan of
	// an existing resource after the first.
	if rawAttribute(resp.Plan.Raw, allowWideningName).Equal(planned) {
		return
	}
	var value bool
	if err := planned.As(&value); err != nil {
		addProviderBug(&resp.Diagnostics, "Unreadable allow_widening", err)
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, allowWideningPath, types.BoolValue(value))...)
}

const allowWideningName = "allow_widening"

var allowWideningPath = path.Root(allowWideningName)

// allowWideningFromPrior is allow_widening for a model read from the API:
// the prior value, or false when there is none (a create, an import).
func allowWideningFromPrior(prior types.Bool) types.Bool {
	if prior.IsNull() || prior.IsUnknown() {
		return types.BoolValue(false)
	}
	return prior
}

// permissionRef is one permission name or pattern of a planned grant and
// where it came from.
type permissionRef struct {
	attr     path.Path
	field    string // as the diagnostic names it: "permissions", "inline_role actions"
	name     string
	patterns bool // "*" and "PREFIX*" are accepted
}

// The CLIs print warnings that share a summary as one, followed by "(and one
// more similar warning elsewhere)", so a review of two resources would hide
// the second. Every review diagnostic therefore names its resource in the
// summary: reviewSummary("Change Widens Access", tokenSubject(...)).
func reviewSummary(headline, subject string) string {
	return headline + ": " + subject
}

// nameWorkspaces shows each workspace a widening adds as its id followed by
// its name, as far as the provider's credential can see it.
func (d *providerData) nameWorkspaces(ctx context.Context, w *review.Widening) {
	if len(w.Workspaces) == 0 {
		return
	}
	list, err := d.Client.ListWorkspaces(ctx, "", client.ListOptions{})
	if err != nil {
		tflog.Debug(ctx, "workspace names unavailable for the review", map[string]any{"error": err.Error()})
		return
	}
	names := make(map[string]string, len(list.Items))
	for _, ws := range list.Items {
		names[ws.ID] = ws.Name
	}
	for i, id := range w.Workspaces {
		if n, ok := names[id]; ok {
			w.Workspaces[i] = fmt.Sprintf("%s (%q)", id, n)
		}
	}
}

// planUnchanged reports whether the finished plan leaves the resource as
// it is in state: no attribute differs from the prior state, refreshed
// from the backend, and nothing forces a replacement. The review then has
// nothing to look at: there is no create or update to send as a dry run,
// the grant in state is the planned grant so nothing widens, and the
// permission names are the ones the backend accepted and still returns.
// Skipping it is what keeps a plan of hundreds of unchanged resources
// cheap. Drift is not hidden by this: a refreshed state that differs from
// the configuration makes a plan that differs from it, which is reviewed
// in full.
func planUnchanged(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	return !req.State.Raw.IsNull() && !resp.Plan.Raw.IsNull() && len(resp.RequiresReplace) == 0 &&
		resp.Plan.Raw.Equal(req.State.Raw)
}

// warnNotEnforcedUnchanged is warnNotEnforced for a plan that changes
// nothing, reading the statements and the label attribute alone instead of
// the whole model: the warning is about what the configuration says, so it
// is shown on every plan.
func warnNotEnforcedUnchanged(ctx context.Context, plan tfsdk.Plan, attrName, what string, label path.Path, diags *diag.Diagnostics) {
	if rawAttribute(plan.Raw, attrName).IsNull() {
		return
	}
	var set types.Set
	if d := plan.GetAttribute(ctx, path.Root(attrName), &set); d.HasError() || set.IsNull() {
		diags.Append(d...)
		return
	}
	var name types.String
	diags.Append(plan.GetAttribute(ctx, label, &name)...)
	warnNotEnforced(ctx, set, attrName, what+" "+labelOf(name), diags)
}

// reviewModels reads what the review of a resource with the model M works
// on: the finished plan, the configuration, and the state (nil for a
// create). ok is false when there is nothing to review (a destroy), nothing
// to review with (an unconfigured provider), or an error already.
func reviewModels[M any](ctx context.Context, d *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) (plan, config M, state *M, ok bool) {
	if resp.Diagnostics.HasError() || req.Plan.Raw.IsNull() || d == nil || d.Client == nil {
		return plan, config, nil, false
	}
	resp.Diagnostics.Append(readModel(ctx, resp.Plan, &plan)...)
	resp.Diagnostics.Append(readModel(ctx, req.Config, &config)...)
	if !req.State.Raw.IsNull() {
		state = new(M)
		resp.Diagnostics.Append(readModel(ctx, req.State, state)...)
	}
	return plan, config, state, !resp.Diagnostics.HasError()
}

// escalationField is the key under which a fields map names the attribute
// for an escalation refusal, which carries no field of its own.
const escalationField = ""

// reportDryRun turns a refused dry run into the error the apply would end
// with. One refusal is not reported because the plan cannot tell yet:
// custom roles a token names that do not exist (the same apply may create
// them). A replacement's dry run names the token it replaces, so its quota
// refusal is real.
func reportDryRun(ctx context.Context, err error, summary, action string, fields map[string]path.Path, diags *diag.Diagnostics) {
	if err == nil {
		return
	}
	apiErr, ok := client.AsError(err)
	if !ok {
		diags.AddError(summary, fmt.Sprintf("The dry run to %s during plan failed: %s", action, withSettingHint(err)))
		return
	}
	if fieldRoot(apiErr.Problem.Field) == "customRoleIds" && (client.IsInvalidRequest(err) || client.IsNotFound(err)) {
		tflog.Debug(ctx, "dry run refused for a custom role not known yet; not reported", map[string]any{"field": apiErr.Problem.Field})
		return
	}
	if len(apiErr.Problem.Missing) == 0 && apiErr.Problem.Field == "" {
		delete(fields, escalationField)
	}
	addAPIError(diags, summary, fmt.Sprintf("The backend refuses to %s (checked with a dry run)", action), err, fields)
}

// wideningDiagnostics is what the plan says about a widening of subject
// described by detail ("" for none) under the provider's permission_review
// mode. allowWidening is the resource's allow_widening as configured: never
// a value carried over from state, so that removing it stops approving.
func wideningDiagnostics(mode string, allowWidening bool, subject, detail string) diag.Diagnostics {
	var diags diag.Diagnostics
	summary := reviewSummary(review.Summary, subject)
	switch {
	case detail == "" || mode == permissionReviewOff:
	case mode == permissionReviewError && !allowWidening:
		diags.AddError(summary, detail+"\n\n"+wideningRefusedHint)
	default:
		diags.AddWarning(summary, detail)
	}
	return diags
}

const wideningRefusedHint = `The provider's permission_review is "error": a change that widens access ` +
	`is applied only when the resource sets allow_widening = true.`

// checkPermissionNames checks the known names against the backend's
// catalogue. It returns the catalogue, or nil when it could not be had; the
// dry run then still reports unknown names in the backend's words.
func (d *providerData) checkPermissionNames(ctx context.Context, owner string, refs []permissionRef, diags *diag.Diagnostics) *permissionCatalogue {
	cat, err := d.permissionCatalogue(ctx)
	if err != nil {
		diags.AddWarning("Unable to Check Permission Names",
			fmt.Sprintf("The permission catalogue could not be read, so the permission names of %s were not "+
				"checked and changes to its access are not reviewed in this plan: %s", owner, err))
		return nil
	}
	for _, ref := range refs {
		if msg := cat.problem(ref); msg != "" {
			diags.AddAttributeError(ref.attr, "Unknown Permission",
				fmt.Sprintf("%q in %s of %s %s", ref.name, ref.field, owner, msg))
		}
	}
	return cat
}

// problem says what is wrong with a name, or "" when nothing is.
func (c *permissionCatalogue) problem(ref permissionRef) string {
	prefix, isPattern := strings.CutSuffix(ref.name, "*")
	switch {
	case strings.Contains(prefix, "*"):
		return `is not a permission name or pattern: "*" may only end a pattern.`
	case ref.patterns && !policy.IsOwnAction(ref.name):
		// An action of the wider service: stored as sent, matches nothing here.
		if msg := policy.CheckForeignAction(ref.name, c.names); msg != "" {
			return "is refused by the backend: " + msg + "."
		}
		return ""
	case isPattern && !ref.patterns:
		return fmt.Sprintf("is a pattern; %s takes exact permission names (patterns are accepted in the "+
			"actions and not_actions of policy statements).", ref.field)
	case isPattern:
		if len(c.names.Expand(ref.name)) == 0 {
			if s := review.SuggestPattern(c.names, ref.name); s != "" {
				return "matches no permission of the backend's catalogue; " + s
			}
			return "matches no permission of the backend's catalogue."
		}
		return ""
	}
	if _, ok := c.names.Lookup(ref.name); ok {
		return ""
	}
	if s := review.Suggest(c.names, ref.name); s != "" {
		return "is not a permission of the backend's catalogue; " + s
	}
	return "is not a permission of the backend's catalogue (the tokensmith_permissions data source lists them)."
}

// permissionRefs lists the permission names a grant plans: those of its
// permissions argument and those its statements (argument statementsAttr)
// name. Unknown names are left out; they are checked once known.
func permissionRefs(ctx context.Context, permissions, statements types.Set, statementsAttr string) []permissionRef {
	names, _ := knownStrings(permissions)
	refs := make([]permissionRef, 0, len(names))
	for _, n := range names {
		refs = append(refs, permissionRef{attr: path.Root("permissions"), field: "permissions", name: n})
	}
	return append(refs, statementPermissionRefs(ctx, statements, statementsAttr)...)
}

// statementPermissionRefs lists the known actions and not_actions of a set
// of statements.
func statementPermissionRefs(ctx context.Context, set types.Set, attrName string) []permissionRef {
	var refs []permissionRef
	for _, m := range knownStatementModels(ctx, set) {
		for _, f := range []struct {
			name string
			set  types.Set
		}{{"actions", m.Actions}, {"not_actions", m.NotActions}} {
			names, _ := knownStrings(f.set)
			for _, n := range names {
				refs = append(refs, permissionRef{attr: path.Root(attrName), field: attrName + " " + f.name, name: n, patterns: true})
			}
		}
	}
	return refs
}

// knownStatementModels decodes the statements of a set that are not
// themselves unknown; their attributes may still be.
func knownStatementModels(ctx context.Context, set types.Set) []policyStatementModel {
	if set.IsNull() || set.IsUnknown() {
		return nil
	}
	var out []policyStatementModel
	for _, e := range set.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		var m policyStatementModel
		if obj.As(ctx, &m, basetypes.ObjectAsOptions{}).HasError() {
			continue
		}
		out = append(out, m)
	}
	return out
}

// reviewStatements converts the wholly known statements of a set; complete
// reports whether every statement was.
func reviewStatements(ctx context.Context, set types.Set) (stmts []api.Statement, complete bool) {
	if set.IsNull() {
		return nil, true
	}
	if set.IsUnknown() {
		return nil, false
	}
	models := knownStatementModels(ctx, set)
	complete = len(models) == len(set.Elements())
	for _, m := range models {
		s := api.Statement{Effect: m.Effect.ValueString()}
		var ok [4]bool
		s.Actions, ok[0] = knownStrings(m.Actions)
		s.NotActions, ok[1] = knownStrings(m.NotActions)
		s.Resources, ok[2] = knownStrings(m.Resources)
		s.NotResources, ok[3] = knownStrings(m.NotResources)
		if m.Effect.IsUnknown() || !ok[0] || !ok[1] || !ok[2] || !ok[3] {
			complete = false
			continue
		}
		stmts = append(stmts, s)
	}
	return stmts, complete
}

// withoutDenies drops deny statements. When the planned grant is not wholly
// known, a deny that seems gone may be among its unknown parts, so the old
// denies are not compared.
func withoutDenies(stmts []api.Statement) []api.Statement {
	var out []api.Statement
	for _, s := range stmts {
		if s.Effect != api.EffectDeny {
			out = append(out, s)
		}
	}
	return out
}
