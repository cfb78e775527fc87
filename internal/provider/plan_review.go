package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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

var _ resource.ResourceWithModifyPlan = (*customRoleResource)(nil)

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

// rawAttribute is the top-level attribute name of an object value without
// going through the schema; a null value when obj is null or unknown.
func rawAttribute(obj tftypes.Value, name string) tftypes.Value {
	if obj.IsNull() || !obj.IsKnown() {
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	}
	v, err := obj.ApplyTerraform5AttributePathStep(tftypes.AttributeName(name))
	if err != nil {
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	}
	return v.(tftypes.Value)
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

// reviewPlan runs the plan-time checks for a token. It is deferred from
// ModifyPlan so that it sees the finished plan whichever way ModifyPlan
// returns.
func (r *accessTokenResource) reviewPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if planUnchanged(req, resp) {
		// With -replace the CLI plans this token again as a create, whose
		// dry run must know which token it replaces.
		replacedTokenID(ctx, req, resp)
		warnNotEnforcedUnchanged(ctx, resp.Plan, "inline_role", "access token", path.Root("name"), &resp.Diagnostics)
		return
	}
	plan, config, state, ok := reviewModels[accessTokenModel](ctx, r.data, req, resp)
	if !ok {
		return
	}
	plan.SecretWO = config.SecretWO // write-only: the dry run of a create checks it too
	owner := "access token " + labelOf(plan.Name)
	warnNotEnforced(ctx, plan.InlineRole, "inline_role", owner, &resp.Diagnostics)

	cat := r.data.checkPermissionNames(ctx, owner, tokenPermissionRefs(ctx, plan), &resp.Diagnostics)
	if cat != nil {
		cat.checkAccessObjects(owner, plan.Access, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	replace := state != nil && (len(resp.RequiresReplace) > 0 || !plan.ServiceToken.Equal(state.ServiceToken) ||
		(!plan.DefaultAPIVersion.IsUnknown() && !plan.DefaultAPIVersion.Equal(state.DefaultAPIVersion)))
	replaces := replacedTokenID(ctx, req, resp)
	if replace {
		replaces = state.ID.ValueString()
	}
	if fullyKnown(ctx, config.Name, config.Description, config.Role, config.CustomRoles, config.InlineRole,
		config.Permissions, config.Access, config.WorkspaceIDs, config.AllWorkspaces, config.ServiceToken,
		config.DefaultAPIVersion, config.ExpiresAt, config.ExpiresInDays, config.MemberID) {
		r.dryRun(ctx, plan, state, replaces, &resp.Diagnostics)
	} else {
		tflog.Debug(ctx, "dry run skipped: the planned token depends on values not known yet")
	}
	if resp.Diagnostics.HasError() || state == nil || cat == nil {
		return
	}

	prev, _ := tokenReviewGrant(ctx, *state)
	next, complete := tokenReviewGrant(ctx, plan)
	if !complete {
		prev.Statements = withoutDenies(prev.Statements)
	}
	name := plan.Name
	if name.IsUnknown() {
		name = state.Name
	}
	w := review.Compare(cat, &prev, &next)
	if w.Empty() || r.data.PermissionReview == permissionReviewOff {
		return
	}
	r.data.nameWorkspaces(ctx, &w)
	resp.Diagnostics.Append(wideningDiagnostics(r.data.PermissionReview, config.AllowWidening.ValueBool(),
		tokenSubject(state.Name, state.ID), w.Describe("tokensmith_access_token with name "+labelOf(name)))...)
}

// The CLIs print warnings that share a summary as one, followed by "(and one
// more similar warning elsewhere)", so a review of two resources would hide
// the second. Every review diagnostic therefore names its resource in the
// summary: reviewSummary("Change Widens Access", tokenSubject(...)).
func reviewSummary(headline, subject string) string {
	return headline + ": " + subject
}

// tokenSubject names a token in a review summary by its name and id (names
// need not be unique).
func tokenSubject(name, id types.String) string {
	return fmt.Sprintf("tokensmith_access_token %s (%s)", labelOf(name), id.ValueString())
}

// customRoleSubject names a custom role in a review summary by its key,
// which is unique.
func customRoleSubject(key types.String) string {
	return "tokensmith_custom_role " + labelOf(key)
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

// replacedTokenKey is the private plan data under which the plan of an
// existing token records its id. ModifyPlan cannot see whether the CLI will
// replace a resource (-replace, lifecycle settings), but when it does, it
// plans the new object again as a create and hands that plan the private
// data of the first: a create that finds the key is a replacement of that
// token. The CLIs keep only the errors of that second plan, not its
// warnings, so the note about create_before_destroy appears only when the
// first plan already knows of the replacement (an attribute that forces
// it), not for -replace.
const replacedTokenKey = "replaces"

// replacedTokenID records the token's id in the plan's private data when
// there is a state, and returns the id of the token a create replaces ("" for
// anything else).
func replacedTokenID(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) string {
	if !req.State.Raw.IsNull() {
		var id string
		if v := rawAttribute(req.State.Raw, "id"); v.IsKnown() && !v.IsNull() && v.As(&id) == nil && id != "" && resp.Private != nil {
			b, _ := json.Marshal(id)
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, replacedTokenKey, b)...)
		}
		return ""
	}
	if req.Private == nil {
		return ""
	}
	b, d := req.Private.GetKey(ctx, replacedTokenKey)
	resp.Diagnostics.Append(d...)
	var id string
	if len(b) > 0 && json.Unmarshal(b, &id) == nil {
		return id
	}
	return ""
}

// dryRun sends the planned create or update of a token with dryRun=true;
// replaces is the id of the token a create replaces, if any.
func (r *accessTokenResource) dryRun(ctx context.Context, plan accessTokenModel, state *accessTokenModel, replaces string, diags *diag.Diagnostics) {
	owner := "access token " + labelOf(plan.Name)
	if state == nil || replaces != "" {
		body, d := accessTokenCreateBody(ctx, plan, r.data.Now())
		diags.Append(d...)
		if diags.HasError() {
			return
		}
		_, err := r.data.Client.CreateToken(ctx, body, client.WriteOptions{DryRun: true, Replaces: replaces})
		if apiErr, ok := client.AsError(err); ok && client.IsNotFound(err) && apiErr.Problem.Field == api.QueryReplaces {
			// The token being replaced is gone already (deleted before
			// the CLI planned its successor again): nothing to count.
			replaces = ""
			_, err = r.data.Client.CreateToken(ctx, body, client.WriteOptions{DryRun: true})
		}
		reportDryRun(ctx, err, "Unable to Create Access Token", "create "+owner, tokenDryRunFields(ctx, plan), diags)
		if err == nil && replaces != "" {
			r.noteReplacementAtQuota(ctx, body, plan, replaces, diags)
		}
		return
	}
	ops, d := accessTokenPatch(ctx, plan, *state)
	diags.Append(d...)
	if diags.HasError() || len(ops) == 0 {
		return
	}
	_, err := r.data.Client.PatchToken(ctx, state.ID.ValueString(), ops, client.WriteOptions{DryRun: true})
	reportDryRun(ctx, err, "Unable to Update Access Token", "update "+owner, tokenDryRunFields(ctx, plan), diags)
}

// noteReplacementAtQuota warns when a replacement fits the quota only
// because the old token is deleted first: the CLI's default, which the
// provider cannot tell from create_before_destroy.
func (r *accessTokenResource) noteReplacementAtQuota(ctx context.Context, body api.TokenCreate, plan accessTokenModel, replaces string, diags *diag.Diagnostics) {
	_, err := r.data.Client.CreateToken(ctx, body, client.WriteOptions{DryRun: true})
	if !client.IsQuotaExceeded(err) {
		return
	}
	apiErr, _ := client.AsError(err)
	diags.AddWarning(reviewSummary("Replacement at Token Quota", tokenSubject(plan.Name, types.StringValue(replaces))),
		fmt.Sprintf("tokensmith_access_token with name %s is replaced while its owner is at the token quota "+
			"(%s). The replacement fits because Terraform deletes the old token before creating the new one. "+
			"With lifecycle { create_before_destroy = true } the new token is created first and the backend "+
			"refuses it: that needs room for both tokens.", labelOf(plan.Name), apiErr.Problem.Detail))
}

// tokenDryRunFields is accessTokenFields, with a refusal that names no field
// but lists missing permissions (an escalation) put on the grant.
func tokenDryRunFields(ctx context.Context, plan accessTokenModel) map[string]path.Path {
	fields := accessTokenFields(plan)
	grant, _ := accessTokenGrant(ctx, plan)
	if attr, ok := fields[grant.field]; ok {
		fields[escalationField] = attr
	}
	return fields
}

// escalationField is the key under which a fields map names the attribute
// for an escalation refusal, which carries no field of its own.
const escalationField = ""

// ModifyPlan of a custom role is the plan-time review alone.
func (r *customRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planAllowWidening(ctx, req, resp)
	if req.Plan.Raw.IsNull() || resp.RequiresReplace.Contains(path.Root("key")) || keyChanges(ctx, req) {
		r.warnIfInUse(ctx, req, resp)
	}
	if !req.Plan.Raw.IsNull() {
		r.reviewPlan(ctx, req, resp)
	}
}

// keyChanges reports whether the plan gives the role another key, which
// replaces it.
func keyChanges(ctx context.Context, req resource.ModifyPlanRequest) bool {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return false
	}
	var planKey, stateKey types.String
	req.Plan.GetAttribute(ctx, path.Root("key"), &planKey)
	req.State.GetAttribute(ctx, path.Root("key"), &stateKey)
	return !planKey.Equal(stateKey)
}

// warnIfInUse warns, when a plan deletes a role (destroy or replacement),
// that tokens still use it. The backend refuses that delete, but the plan
// cannot tell whether the same apply first changes those tokens (tokens in
// this configuration that stop naming the role are updated before it is
// deleted), so this is a warning and not an error.
func (r *customRoleResource) warnIfInUse(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.Client == nil {
		return
	}
	var state customRoleModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	role, err := r.data.Client.GetCustomRole(ctx, customRoleRef(state))
	if err != nil || role.TokenCount == 0 {
		return
	}
	users := r.data.tokensUsingRole(ctx, role.ID)
	var who string
	switch {
	case len(users) == 0:
		who = fmt.Sprintf("%d access token(s) that the provider's credential cannot list", role.TokenCount)
	case len(users) < role.TokenCount:
		who = fmt.Sprintf("access tokens %s and %d more", strings.Join(users, ", "), role.TokenCount-len(users))
	default:
		who = "access token(s) " + strings.Join(users, ", ")
	}
	resp.Diagnostics.AddWarning(reviewSummary("Custom Role In Use", customRoleSubject(state.Key)),
		fmt.Sprintf("tokensmith_custom_role with key %s is used by %s. The backend deletes a role only once "+
			"no token uses it, so the delete is refused unless this run changes or deletes them; Terraform "+
			"does that first for the tokens of this configuration that are destroyed or stop naming the role.",
			labelOf(state.Key), who))
}

// tokensUsingRole lists the tokens that use a custom role as `"name" (id)`,
// as far as the provider's credential can see them.
func (d *providerData) tokensUsingRole(ctx context.Context, roleID string) []string {
	list, err := d.Client.ListTokens(ctx, true, client.ListOptions{})
	if err != nil {
		tflog.Debug(ctx, "tokens using a custom role unavailable", map[string]any{"error": err.Error()})
		return nil
	}
	var out []string
	for _, t := range list.Items {
		if slices.Contains(t.CustomRoleIDs, roleID) {
			out = append(out, fmt.Sprintf("%q (%s)", t.Name, t.ID))
		}
	}
	return out
}

// reviewPlan runs the plan-time checks for a custom role.
func (r *customRoleResource) reviewPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if planUnchanged(req, resp) {
		warnNotEnforcedUnchanged(ctx, resp.Plan, "policy_statements", "custom role", path.Root("key"), &resp.Diagnostics)
		return
	}
	plan, config, state, ok := reviewModels[customRoleModel](ctx, r.data, req, resp)
	if !ok {
		return
	}
	owner := "custom role " + labelOf(plan.Key)
	warnNotEnforced(ctx, plan.PolicyStatements, "policy_statements", owner, &resp.Diagnostics)

	cat := r.data.checkPermissionNames(ctx, owner, customRolePermissionRefs(ctx, plan), &resp.Diagnostics)
	if cat != nil {
		cat.checkAccessObjects(owner, plan.Access, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// The key is the only attribute that replaces a role. The new role is
	// another role: tokens reach it only by naming its key, and a token that
	// starts doing so is reviewed as gaining a custom role.
	replace := state != nil && !plan.Key.Equal(state.Key)
	var tokenCount *int
	if fullyKnown(ctx, config.Key, config.Name, config.Description, config.BasePermissions, config.Permissions, config.Access, config.PolicyStatements) {
		tokenCount = r.dryRun(ctx, plan, state, replace, &resp.Diagnostics)
	} else {
		tflog.Debug(ctx, "dry run skipped: the planned custom role depends on values not known yet")
	}
	if resp.Diagnostics.HasError() || state == nil || replace || cat == nil {
		return
	}

	prev, _ := customRoleReviewGrant(ctx, *state)
	next, complete := customRoleReviewGrant(ctx, plan)
	if !complete {
		prev.Statements = withoutDenies(prev.Statements)
	}
	w := review.Compare(cat, &prev, &next)
	if w.Empty() || r.data.PermissionReview == permissionReviewOff {
		return
	}
	addr := "tokensmith_custom_role with key " + labelOf(state.Key)
	detail := w.Describe(addr)
	if tokenCount == nil {
		if role, err := r.data.Client.GetCustomRole(ctx, customRoleRef(*state)); err == nil {
			tokenCount = &role.TokenCount
		} else {
			tflog.Debug(ctx, "custom role token count unavailable", map[string]any{"error": err.Error()})
		}
	}
	if tokenCount != nil {
		detail = w.DescribeCustomRole(addr, *tokenCount)
	}
	resp.Diagnostics.Append(wideningDiagnostics(r.data.PermissionReview, config.AllowWidening.ValueBool(),
		customRoleSubject(state.Key), detail)...)
}

// dryRun sends the planned create or update of a custom role with
// dryRun=true. It returns how many tokens use the role when the backend
// said so (an update).
func (r *customRoleResource) dryRun(ctx context.Context, plan customRoleModel, state *customRoleModel, replace bool, diags *diag.Diagnostics) *int {
	owner := "custom role " + labelOf(plan.Key)
	if state == nil || replace {
		body, d := customRoleCreateBody(ctx, plan)
		diags.Append(d...)
		if diags.HasError() {
			return nil
		}
		_, err := r.data.Client.CreateCustomRole(ctx, body, client.WriteOptions{DryRun: true})
		reportDryRun(ctx, err, "Unable to Create Custom Role", "create "+owner, customRoleFields, diags)
		return nil
	}
	ops, d := customRolePatch(ctx, plan, *state)
	diags.Append(d...)
	if diags.HasError() || len(ops) == 0 {
		return nil
	}
	role, err := r.data.Client.PatchCustomRole(ctx, customRoleRef(*state), ops, client.WriteOptions{DryRun: true})
	reportDryRun(ctx, err, "Unable to Update Custom Role", "update "+owner, customRoleFields, diags)
	if err != nil {
		return nil
	}
	return &role.TokenCount
}

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

func tokenPermissionRefs(ctx context.Context, m accessTokenModel) []permissionRef {
	names, _ := knownStrings(m.Permissions)
	refs := make([]permissionRef, 0, len(names))
	for _, n := range names {
		refs = append(refs, permissionRef{attr: path.Root("permissions"), field: "permissions", name: n})
	}
	return append(refs, statementPermissionRefs(ctx, m.InlineRole, "inline_role")...)
}

func customRolePermissionRefs(ctx context.Context, m customRoleModel) []permissionRef {
	names, _ := knownStrings(m.Permissions)
	refs := make([]permissionRef, 0, len(names))
	for _, n := range names {
		refs = append(refs, permissionRef{attr: path.Root("permissions"), field: "permissions", name: n})
	}
	return append(refs, statementPermissionRefs(ctx, m.PolicyStatements, "policy_statements")...)
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

// tokenReviewGrant is the grant of a token model for internal/review, with
// unknown parts left out; complete reports whether there were none.
func tokenReviewGrant(ctx context.Context, m accessTokenModel) (g review.Grant, complete bool) {
	complete = !m.Role.IsUnknown() && !m.AllWorkspaces.IsUnknown()
	g.Role = m.Role.ValueString()
	g.AllWorkspaces = m.AllWorkspaces.ValueBool()
	var ok [5]bool
	g.CustomRoles, ok[0] = knownStrings(m.CustomRoles)
	g.Permissions, ok[1] = knownStrings(m.Permissions)
	g.Statements, ok[2] = reviewStatements(ctx, m.InlineRole)
	g.WorkspaceIDs, ok[3] = knownStrings(m.WorkspaceIDs)
	g.Access, ok[4] = knownAccess(m.Access)
	return g, complete && ok[0] && ok[1] && ok[2] && ok[3] && ok[4]
}

// customRoleReviewGrant is tokenReviewGrant for a custom role.
func customRoleReviewGrant(ctx context.Context, m customRoleModel) (g review.Grant, complete bool) {
	var okPerms, okStmts, okAccess bool
	g.BasePermissions = m.BasePermissions.ValueString()
	g.Permissions, okPerms = knownStrings(m.Permissions)
	g.Statements, okStmts = reviewStatements(ctx, m.PolicyStatements)
	g.Access, okAccess = knownAccess(m.Access)
	return g, !m.BasePermissions.IsUnknown() && okPerms && okStmts && okAccess
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

// knownStrings returns the known elements of a set of strings, sorted, and
// whether every element was known.
func knownStrings(set types.Set) ([]string, bool) {
	if set.IsNull() {
		return nil, true
	}
	if set.IsUnknown() {
		return nil, false
	}
	complete := true
	var out []string
	for _, e := range set.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			complete = false
			continue
		}
		out = append(out, s.ValueString())
	}
	sort.Strings(out)
	return out, complete
}

// fullyKnown reports whether none of the values is or contains an unknown.
func fullyKnown(ctx context.Context, values ...attr.Value) bool {
	for _, v := range values {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil || !tv.IsFullyKnown() {
			return false
		}
	}
	return true
}

// labelOf quotes a name for a diagnostic.
func labelOf(s types.String) string {
	if s.IsUnknown() {
		return "(known after apply)"
	}
	return fmt.Sprintf("%q", s.ValueString())
}
