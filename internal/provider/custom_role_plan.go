package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
)

// The plan-time review of tokensmith_custom_role, as plan_review.go
// describes it, and the warning that a role the plan deletes is still in
// use. ModifyPlan (custom_role_resource.go) runs both.

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

	cat := r.data.checkPermissionNames(ctx, owner, permissionRefs(ctx, plan.Permissions, plan.PolicyStatements, "policy_statements"), &resp.Diagnostics)
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

// customRoleSubject names a custom role in a review summary by its key,
// which is unique.
func customRoleSubject(key types.String) string {
	return "tokensmith_custom_role " + labelOf(key)
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
