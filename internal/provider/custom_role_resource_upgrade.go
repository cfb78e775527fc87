package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// customRoleModelV0 is the state of tokensmith_custom_role before the
// backend's basePermissions became the string reader or no_access: the
// catalogue names it held were base_permissions.
type customRoleModelV0 struct {
	ID               types.String `tfsdk:"id"`
	Key              types.String `tfsdk:"key"`
	Name             types.String `tfsdk:"name"`
	Description      types.String `tfsdk:"description"`
	BasePermissions  types.Set    `tfsdk:"base_permissions"`
	PolicyStatements types.Set    `tfsdk:"policy_statements"`
	AllowWidening    types.Bool   `tfsdk:"allow_widening"`
}

// customRoleSchemaV0 is the schema state of version 0 was written with.
func customRoleSchemaV0() schema.Schema {
	return schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":               schema.StringAttribute{Computed: true},
			"key":              schema.StringAttribute{Required: true},
			"name":             schema.StringAttribute{Required: true},
			"description":      schema.StringAttribute{Optional: true},
			"base_permissions": schema.SetAttribute{ElementType: types.StringType, Optional: true},
			"policy_statements": schema.SetNestedAttribute{
				Optional:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: policyStatementResourceAttributes()},
			},
			"allow_widening": allowWideningAttribute("custom role"),
		},
	}
}

// UpgradeState moves a version 0 state's base_permissions list to
// permissions and sets base_permissions to no_access, which is what the
// backend gave every existing role when it made the same move. A
// configuration that renames its base_permissions to permissions then
// plans no change.
func (r *customRoleResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	prior := customRoleSchemaV0()
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &prior,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var old customRoleModelV0
				resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
				if resp.Diagnostics.HasError() {
					return
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, customRoleModel{
					ID:               old.ID,
					Key:              old.Key,
					Name:             old.Name,
					Description:      old.Description,
					BasePermissions:  types.StringValue(api.BasePermissionsNoAccess),
					Permissions:      old.BasePermissions,
					Access:           types.MapNull(types.StringType),
					PolicyStatements: old.PolicyStatements,
					AllowWidening:    old.AllowWidening,
				})...)
			},
		},
	}
}
