package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*customRoleDataSource)(nil)

// NewCustomRoleDataSource is the constructor of the tokensmith_custom_role data source.
func NewCustomRoleDataSource() datasource.DataSource {
	return &customRoleDataSource{}
}

type customRoleDataSource struct {
	data *providerData
}

type customRoleDataModel struct {
	ID               types.String `tfsdk:"id"`
	Key              types.String `tfsdk:"key"`
	Name             types.String `tfsdk:"name"`
	Description      types.String `tfsdk:"description"`
	BasePermissions  types.String `tfsdk:"base_permissions"`
	Permissions      types.Set    `tfsdk:"permissions"`
	Access           types.Map    `tfsdk:"access"`
	PolicyStatements types.Set    `tfsdk:"policy_statements"`
	TokenCount       types.Int64  `tfsdk:"token_count"`
}

func (d *customRoleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_role"
}

func (d *customRoleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a custom role by its key.",
		Attributes: map[string]schema.Attribute{
			"key":         schema.StringAttribute{MarkdownDescription: "Key of the role.", Required: true},
			"id":          computedString("Identifier of the role."),
			"name":        computedString("Name of the role."),
			"description": computedString("Description of the role."),
			"base_permissions": computedString("What a holder of the role may do outside its policy statements and " +
				"permissions: " + oneOfMarkdown(basePermissions) + "."),
			"permissions": computedStringSet("Catalogue permission names the role grants on every resource."),
			"access":      computedStringMap("Access level (" + oneOfMarkdown(accessLevels) + ") by catalogue object that the role grants on every resource."),
			"policy_statements": schema.SetNestedAttribute{
				MarkdownDescription: "Policy statements of the role.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: policyStatementDataSourceAttributes()},
			},
			"token_count": schema.Int64Attribute{MarkdownDescription: "How many access tokens use the role.", Computed: true},
		},
	}
}

func (d *customRoleDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *customRoleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	config, ok := getModel[customRoleDataModel](ctx, d.data, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	key := config.Key.ValueString()
	role, err := d.data.Client.GetCustomRole(ctx, key)
	if client.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("key"), "Custom Role Not Found",
			fmt.Sprintf("No custom role has the key %q.", key))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Custom Role", fmt.Sprintf("Could not read custom role %q", key), err, nil)
		return
	}
	policy, diags := statementsFromAPI(ctx, role.Policy)
	resp.Diagnostics.Append(diags...)
	m := customRoleDataModel{
		ID:               types.StringValue(role.ID),
		Key:              types.StringValue(role.Key),
		Name:             types.StringValue(role.Name),
		Description:      types.StringValue(role.Description),
		BasePermissions:  types.StringValue(role.BasePermissions),
		Permissions:      stringSet(role.Permissions, &resp.Diagnostics),
		Access:           accessMap(role.Access, &resp.Diagnostics),
		PolicyStatements: policy,
		TokenCount:       types.Int64Value(int64(role.TokenCount)),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
