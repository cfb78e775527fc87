package provider

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

// Rotation of tokensmith_access_token comes in two forms:
//
//   - rotate_before_days replaces the token (new id, new secret) once its
//     expiry is that close. It is judged in ModifyPlan against the provider's
//     clock, so a plan tells the reviewer why the token is replaced, and a
//     refresh alone never changes anything.
//   - rotation_triggers resets the secret in place (same id, new secret)
//     whenever the map changes. reset_grace_period lets the old secret work a
//     while longer, so consumers can switch without an outage.

// accessTokenRotationAttributes are the schema attributes of rotation.
func accessTokenRotationAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"rotate_before_days": schema.Int64Attribute{
			MarkdownDescription: "Replace the token when it expires within this many days, judged at plan time. " +
				"The plan warns which token is replaced and why; a token already past its expiry is replaced " +
				"as well. Needs `expires_in_days` (with a fixed `expires_at` the replacement would expire at " +
				"the same time) and must be smaller than it.",
			Optional:   true,
			Validators: []validator.Int64{rotateBeforeDaysValidator{}},
		},
		"rotation_triggers": schema.MapAttribute{
			MarkdownDescription: "Arbitrary values; any change to them resets the secret in place: the token " +
				"keeps its id, grant and expiry, and gets a new secret (`token` is unknown in the plan). " +
				"See `reset_grace_period` for the old secret.",
			ElementType: types.StringType,
			Optional:    true,
		},
		"reset_grace_period": schema.StringAttribute{
			MarkdownDescription: "How long the old secret keeps working after a reset caused by " +
				"`rotation_triggers`, as a duration such as `1h` or `30m`. Unset or zero: the old secret " +
				"stops working at once.",
			Optional:   true,
			Validators: []validator.String{nonNegativeDuration},
		},
	}
}

// now is the provider's clock; before the provider is configured (during
// validation) the wall clock.
func (r *accessTokenResource) now() time.Time {
	if r.data != nil && r.data.Now != nil {
		return r.data.Now()
	}
	return time.Now()
}

// planRotation adds rotation to the plan of an existing token: a
// replacement when the token is due for rotation, otherwise a reset of the
// secret when rotation_triggers changed. A token due for rotation is
// reported as such even when it is replaced anyway (for example because it
// has expired), so the plan always says why; a reset is not planned for a
// token that is replaced.
func (r *accessTokenResource) planRotation(ctx context.Context, config, state accessTokenModel, plan *accessTokenModel, resp *resource.ModifyPlanResponse) {
	now := r.now()
	if due, msg := rotationDue(state, config.RotateBeforeDays, now); due {
		// Terraform honours RequiresReplace only for attributes whose planned
		// value differs from the state: the new token's expiry is not known
		// yet, which is also what the reviewer should see.
		plan.ExpiresAt = types.StringUnknown()
		resp.RequiresReplace.Append(path.Root("rotate_before_days"), path.Root("expires_at"))
		resp.Diagnostics.AddAttributeWarning(path.Root("rotate_before_days"),
			reviewSummary("Access Token Due for Rotation", tokenSubject(state.Name, state.ID)), msg)
		return
	}
	if len(resp.RequiresReplace) > 0 || replacedByAttribute(*plan, state) {
		return
	}

	if triggersEqual(plan.RotationTriggers, state.RotationTriggers) {
		return
	}
	plan.Token = types.StringUnknown()
	plan.TokenLastFour = types.StringUnknown()
	if plan.RotationTriggers.IsUnknown() || plan.ResetGracePeriod.IsUnknown() {
		return
	}
	grace := gracePeriod(plan.ResetGracePeriod)
	old := "the old secret stops working at once"
	if grace > 0 {
		old = fmt.Sprintf("the old secret keeps working for %s after the apply (reset_grace_period)", plan.ResetGracePeriod.ValueString())
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("rotation_triggers"),
		reviewSummary("Access Token Secret Will Be Reset", tokenSubject(state.Name, state.ID)),
		fmt.Sprintf("tokensmith_access_token %q (%s): rotation_triggers changed, so its secret will be reset in "+
			"place: the token keeps its id and gets a new secret; %s.", state.Name.ValueString(), state.ID.ValueString(), old))

	if r.data == nil || r.data.Client == nil || state.ID.IsNull() || state.ID.IsUnknown() {
		return
	}
	_, err := r.data.Client.ResetToken(ctx, state.ID.ValueString(), graceExpiry(now, grace), client.WriteOptions{DryRun: true})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Reset Access Token",
			fmt.Sprintf("Could not reset the secret of access token %q (%s)", state.Name.ValueString(), state.ID.ValueString()),
			err, resetFields(*plan))
	}
}

// resetOnTrigger resets the secret of the token t (just updated) when
// rotation_triggers changed, and returns the token as it now is. When the
// reset fails, plan keeps the prior triggers so that the next plan tries
// again.
func (r *accessTokenResource) resetOnTrigger(ctx context.Context, t *api.Token, plan *accessTokenModel, state accessTokenModel, diags *diag.Diagnostics) *api.Token {
	if triggersEqual(plan.RotationTriggers, state.RotationTriggers) {
		return t
	}
	reset, err := r.data.Client.ResetToken(ctx, t.ID, graceExpiry(r.now(), gracePeriod(plan.ResetGracePeriod)), client.WriteOptions{})
	if err != nil {
		addAPIError(diags, "Unable to Reset Access Token",
			fmt.Sprintf("Could not reset the secret of access token %q (%s)", plan.Name.ValueString(), t.ID), err, resetFields(*plan))
		plan.RotationTriggers = state.RotationTriggers
		return t
	}
	return reset
}

// rotationDue reports whether the token in state expires within
// rotateBeforeDays of now, with the message the plan shows.
func rotationDue(state accessTokenModel, rotateBeforeDays types.Int64, now time.Time) (bool, string) {
	if rotateBeforeDays.IsNull() || rotateBeforeDays.IsUnknown() || state.ExpiresAt.IsNull() || state.ExpiresAt.IsUnknown() {
		return false, ""
	}
	expires, err := time.Parse(time.RFC3339, state.ExpiresAt.ValueString())
	if err != nil {
		return false, ""
	}
	days := rotateBeforeDays.ValueInt64()
	if now.Before(expires.Add(-time.Duration(days) * 24 * time.Hour)) {
		return false, ""
	}
	verb := "expires"
	if !now.Before(expires) {
		verb = "expired"
	}
	return true, fmt.Sprintf("tokensmith_access_token %q %s at %s, within rotate_before_days = %d: it will be replaced "+
		"by a new token with a new id and a new secret.", state.Name.ValueString(), verb, expires.UTC().Format(time.RFC3339), days)
}

// replacedByAttribute reports whether an attribute-level plan modifier
// replaces the token; resource-level ModifyPlan does not see those in
// RequiresReplace.
func replacedByAttribute(plan, state accessTokenModel) bool {
	if plan.ServiceToken.IsUnknown() || !plan.ServiceToken.Equal(state.ServiceToken) {
		return true
	}
	return !plan.DefaultAPIVersion.IsNull() &&
		(plan.DefaultAPIVersion.IsUnknown() || !plan.DefaultAPIVersion.Equal(state.DefaultAPIVersion))
}

// triggersEqual compares two rotation_triggers values; an absent map and an
// empty one are the same. An unknown value equals nothing.
func triggersEqual(a, b types.Map) bool {
	if a.IsUnknown() || b.IsUnknown() {
		return false
	}
	return maps.Equal(stringMap(a), stringMap(b))
}

// gracePeriod is the parsed reset_grace_period; zero when unset.
func gracePeriod(v types.String) time.Duration {
	if v.IsNull() || v.IsUnknown() {
		return 0
	}
	// The schema validator has already rejected anything unparsable.
	d, _ := time.ParseDuration(v.ValueString())
	return d
}

// graceExpiry is when the old secret stops working: the zero time (at once)
// without a grace period.
func graceExpiry(now time.Time, grace time.Duration) time.Time {
	if grace <= 0 {
		return time.Time{}
	}
	return now.Add(grace)
}

// resetFields maps a refused reset to attributes: the grace period for the
// old secret's expiry, the grant for an escalation, rotation_triggers for
// everything else.
func resetFields(plan accessTokenModel) map[string]path.Path {
	fields := accessTokenFields(plan)
	fields["expiry"] = path.Root("reset_grace_period")
	fields[""] = path.Root("rotation_triggers")
	return fields
}

// rotationFromPrior carries the rotation arguments, which the API knows
// nothing of, from the plan or the state into a model built from the API.
func rotationFromPrior(m *accessTokenModel, prior accessTokenModel) {
	m.RotateBeforeDays = prior.RotateBeforeDays
	if m.RotateBeforeDays.IsUnknown() {
		m.RotateBeforeDays = types.Int64Null()
	}
	m.RotationTriggers = prior.RotationTriggers
	if m.RotationTriggers.IsUnknown() || m.RotationTriggers.ElementType(context.Background()) == nil {
		m.RotationTriggers = types.MapNull(types.StringType)
	}
	m.ResetGracePeriod = prior.ResetGracePeriod
	if m.ResetGracePeriod.IsUnknown() {
		m.ResetGracePeriod = types.StringNull()
	}
}

// rotateBeforeDaysValidator checks rotate_before_days against
// expires_in_days: without it a replacement would expire at the same fixed
// time, and with a window as long as the lifetime every new token would be
// due at once.
type rotateBeforeDaysValidator struct{}

var _ validator.Int64 = rotateBeforeDaysValidator{}

func (rotateBeforeDaysValidator) Description(context.Context) string {
	return "value must be at least 1 and smaller than expires_in_days, which must be set"
}

func (v rotateBeforeDaysValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (rotateBeforeDaysValidator) ValidateInt64(ctx context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n := req.ConfigValue.ValueInt64()
	if n < 1 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Rotation Window",
			fmt.Sprintf("rotate_before_days must be at least 1, got %d.", n))
		return
	}
	var days types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("expires_in_days"), &days)...)
	switch {
	case resp.Diagnostics.HasError() || days.IsUnknown():
	case days.IsNull():
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Rotation Window",
			"rotate_before_days needs expires_in_days: a token replaced because of a fixed expires_at (or "+
				"none) would get the same expiry again.")
	case n >= days.ValueInt64():
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Rotation Window",
			fmt.Sprintf("rotate_before_days (%d) must be smaller than expires_in_days (%d); otherwise every new "+
				"token would be due for rotation as soon as it is created.", n, days.ValueInt64()))
	}
}

// addRotationAttributes adds the rotation attributes to the schema of
// tokensmith_access_token.
func addRotationAttributes(attrs map[string]schema.Attribute) {
	maps.Copy(attrs, accessTokenRotationAttributes())
}
