package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
)

// The plan-time review of tokensmith_access_token, as plan_review.go
// describes it. ModifyPlan (access_token_resource.go) defers reviewPlan so
// that it runs on the finished plan.

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

	cat := r.data.checkPermissionNames(ctx, owner, permissionRefs(ctx, plan.Permissions, plan.InlineRole, "inline_role"), &resp.Diagnostics)
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

// tokenSubject names a token in a review summary by its name and id (names
// need not be unique).
func tokenSubject(name, id types.String) string {
	return fmt.Sprintf("tokensmith_access_token %s (%s)", labelOf(name), id.ValueString())
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
