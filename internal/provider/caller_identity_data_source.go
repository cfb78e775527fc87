package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*callerIdentityDataSource)(nil)

// NewCallerIdentityDataSource is the constructor of the tokensmith_caller_identity data source.
func NewCallerIdentityDataSource() datasource.DataSource {
	return &callerIdentityDataSource{}
}

type callerIdentityDataSource struct {
	data *providerData
}

type callerIdentityModel struct {
	TokenID              types.String `tfsdk:"token_id"`
	TokenName            types.String `tfsdk:"token_name"`
	ServiceToken         types.Bool   `tfsdk:"service_token"`
	OrganizationID       types.String `tfsdk:"organization_id"`
	MemberID             types.String `tfsdk:"member_id"`
	MemberEmail          types.String `tfsdk:"member_email"`
	MemberRole           types.String `tfsdk:"member_role"`
	EffectivePermissions types.Set    `tfsdk:"effective_permissions"`
	WorkspaceIDs         types.Set    `tfsdk:"workspace_ids"`
	AllWorkspaces        types.Bool   `tfsdk:"all_workspaces"`
	ExpiresAt            types.String `tfsdk:"expires_at"`
}

func (d *callerIdentityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_caller_identity"
}

func (d *callerIdentityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Describes the token the provider is configured with: its owner, the permissions " +
			"it effectively has and the workspaces it may act in.",
		Attributes: map[string]schema.Attribute{
			"token_id":              computedString("Identifier of the provider's token."),
			"token_name":            computedString("Name of the provider's token."),
			"service_token":         computedBool("Whether it is a service token."),
			"organization_id":       computedString("Identifier of the organisation."),
			"member_id":             computedString("Identifier of the member the token acts as."),
			"member_email":          computedString("Email address of that member."),
			"member_role":           computedString("Role of that member: `owner`, `admin`, `writer` or `reader`."),
			"effective_permissions": computedStringSet("Permissions the token has now: what it grants and its member holds."),
			"workspace_ids":         computedStringSet("Workspaces the token may act in, unless `all_workspaces` is true."),
			"all_workspaces":        computedBool("Whether the token may act in every workspace."),
			"expires_at":            computedString("When the token stops working, in RFC 3339 format; null if never."),
		},
	}
}

func (d *callerIdentityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *callerIdentityDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.ready(&resp.Diagnostics) {
		return
	}
	ci, err := d.data.Client.CallerIdentity(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Caller Identity", "Could not describe the provider's token", err, nil)
		return
	}
	m := callerIdentityModel{
		TokenID:              types.StringValue(ci.TokenID),
		TokenName:            types.StringValue(ci.TokenName),
		ServiceToken:         types.BoolValue(ci.ServiceToken),
		OrganizationID:       types.StringValue(ci.OrganizationID),
		MemberID:             types.StringValue(ci.MemberID),
		MemberEmail:          types.StringValue(ci.MemberEmail),
		MemberRole:           types.StringValue(ci.MemberRole),
		EffectivePermissions: stringSet(ci.EffectivePermissions, &resp.Diagnostics),
		WorkspaceIDs:         stringSet(ci.WorkspaceIDs, &resp.Diagnostics),
		AllWorkspaces:        types.BoolValue(ci.AllWorkspaces),
		ExpiresAt:            timestampValue(ci.ExpirationDate),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
