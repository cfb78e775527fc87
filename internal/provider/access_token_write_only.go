package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

// A token whose secret never enters state: the configuration supplies it in
// the write-only secret_wo (typically from the ephemeral tokensmith_secret),
// and secret_wo_version says when to use it. Write-only values reach the
// provider in the configuration alone, on every run, and are null in the
// plan and the state, so the version is the only record of which secret the
// token has: the token is created with secret_wo, and reset in place to it
// whenever secret_wo_version changes. The backend answers with the last
// four characters only, so `token` stays null.

// accessTokenWriteOnlyAttributes are the schema attributes of write-only
// secrets.
func accessTokenWriteOnlyAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"secret_wo": schema.StringAttribute{
			MarkdownDescription: "A secret the configuration supplies for the token instead of one the backend " +
				"generates, typically `ephemeral.tokensmith_secret.<name>.value`. Write-only: it is never stored " +
				"in the plan or the state, and `token` stays null. It is used when the token is created (or " +
				"replaced) and when `secret_wo_version` changes; a different value on other runs changes nothing. " +
				"It must be a well-formed secret of the token's kind that no token has held before, and the " +
				"backend must allow client-supplied secrets (tokensmithd `--allow-client-secrets`). Needs " +
				"`secret_wo_version`; conflicts with `rotation_triggers`. Needs Terraform 1.11 or OpenTofu 1.11 " +
				"or later.",
			Optional:  true,
			WriteOnly: true,
			Sensitive: true,
		},
		"secret_wo_version": schema.Int64Attribute{
			MarkdownDescription: "Version of `secret_wo`. Changing it resets the token's secret in place to the " +
				"current `secret_wo` (the token keeps its id, grant and expiry; `reset_grace_period` applies to " +
				"the old secret). Needs `secret_wo`.",
			Optional:   true,
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		},
	}
}

// addWriteOnlyAttributes adds the write-only attributes to the schema of
// tokensmith_access_token.
func addWriteOnlyAttributes(attrs map[string]schema.Attribute) {
	maps.Copy(attrs, accessTokenWriteOnlyAttributes())
}

// writeOnlyConfigValidators: a write-only secret is used only when its
// version says so, and a reset by rotation_triggers would replace it with a
// secret the backend shows once, which would then have to go into state.
func writeOnlyConfigValidators() []resource.ConfigValidator {
	return []resource.ConfigValidator{
		requiredTogetherArguments{"secret_wo", "secret_wo_version"},
		conflictingArguments{"secret_wo", "rotation_triggers"},
	}
}

// configSecret reads secret_wo from the configuration: write-only values are
// nowhere else.
func configSecret(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) types.String {
	var v types.String
	diags.Append(config.GetAttribute(ctx, path.Root("secret_wo"), &v)...)
	return v
}

// planWriteOnly plans a token whose secret comes from secret_wo: its
// `token` is null; an existing token whose secret_wo_version changed is
// reset in place, which the plan warns about and the backend checks in a dry
// run (format, kind, reuse of the secret is judged at apply). state is nil
// for a create.
func (r *accessTokenResource) planWriteOnly(ctx context.Context, config accessTokenModel, state *accessTokenModel, plan *accessTokenModel, resp *resource.ModifyPlanResponse) {
	if config.SecretWO.IsNull() {
		return
	}
	plan.Token = types.StringNull()
	if state == nil || len(resp.RequiresReplace) > 0 || replacedByAttribute(*plan, *state) ||
		plan.SecretWOVersion.Equal(state.SecretWOVersion) {
		return
	}
	plan.TokenLastFour = types.StringUnknown()
	grace := gracePeriod(plan.ResetGracePeriod)
	old := "the old secret stops working at once"
	if grace > 0 {
		old = fmt.Sprintf("the old secret keeps working for %s after the apply (reset_grace_period)", plan.ResetGracePeriod.ValueString())
	}
	resp.Diagnostics.AddAttributeWarning(path.Root("secret_wo_version"), "Access Token Secret Will Be Reset",
		fmt.Sprintf("tokensmith_access_token %q (%s): secret_wo_version changed, so its secret will be reset in "+
			"place to the value of secret_wo: the token keeps its id; %s.", state.Name.ValueString(), state.ID.ValueString(), old))
	if r.data == nil || r.data.Client == nil || state.ID.IsNull() || state.ID.IsUnknown() || config.SecretWO.IsUnknown() {
		return
	}
	_, err := r.data.Client.ResetTokenTo(ctx, state.ID.ValueString(), config.SecretWO.ValueString(),
		graceExpiry(r.now(), grace), client.WriteOptions{DryRun: true})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Reset Access Token",
			fmt.Sprintf("Could not reset the secret of access token %q (%s) to secret_wo", state.Name.ValueString(), state.ID.ValueString()),
			err, writeOnlyResetFields(*plan))
	}
}

// resetWriteOnly resets the secret of the token t (just updated) to
// secret_wo when secret_wo_version changed, and returns the token as it now
// is. When the reset fails, plan keeps the prior version so that the next
// plan tries again.
func (r *accessTokenResource) resetWriteOnly(ctx context.Context, config tfsdk.Config, t *api.Token, plan *accessTokenModel, state accessTokenModel, diags *diag.Diagnostics) *api.Token {
	if plan.SecretWOVersion.Equal(state.SecretWOVersion) {
		return t
	}
	value := configSecret(ctx, config, diags)
	if diags.HasError() || value.IsNull() || value.IsUnknown() {
		return t
	}
	reset, err := r.data.Client.ResetTokenTo(ctx, t.ID, value.ValueString(), graceExpiry(r.now(), gracePeriod(plan.ResetGracePeriod)), client.WriteOptions{})
	if err != nil {
		addAPIError(diags, "Unable to Reset Access Token",
			fmt.Sprintf("Could not reset the secret of access token %q (%s) to secret_wo", plan.Name.ValueString(), t.ID), err, writeOnlyResetFields(*plan))
		plan.SecretWOVersion = state.SecretWOVersion
		return t
	}
	plan.Token = types.StringNull()
	return reset
}

// writeOnlyResetFields maps a refused reset to secret_wo: its secret field,
// and everything that names no field, which the version caused.
func writeOnlyResetFields(plan accessTokenModel) map[string]path.Path {
	fields := resetFields(plan)
	fields[""] = path.Root("secret_wo_version")
	return fields
}
