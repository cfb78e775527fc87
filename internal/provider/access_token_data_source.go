package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*accessTokenDataSource)(nil)

// NewAccessTokenDataSource is the constructor of the tokensmith_access_token data source.
func NewAccessTokenDataSource() datasource.DataSource {
	return &accessTokenDataSource{}
}

type accessTokenDataSource struct {
	data *providerData
}

// accessTokenDataModel is a token's metadata. It has no attribute for the
// secret: the backend shows it only once, to whoever created the token.
type accessTokenDataModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	Description       types.String `tfsdk:"description"`
	Role              types.String `tfsdk:"role"`
	CustomRoleIDs     types.Set    `tfsdk:"custom_role_ids"`
	InlineRole        types.Set    `tfsdk:"inline_role"`
	Permissions       types.Set    `tfsdk:"permissions"`
	Access            types.Map    `tfsdk:"access"`
	WorkspaceIDs      types.Set    `tfsdk:"workspace_ids"`
	AllWorkspaces     types.Bool   `tfsdk:"all_workspaces"`
	ServiceToken      types.Bool   `tfsdk:"service_token"`
	DefaultAPIVersion types.Int64  `tfsdk:"default_api_version"`
	TokenLastFour     types.String `tfsdk:"token_last_four"`
	OwnerID           types.String `tfsdk:"owner_id"`
	MemberID          types.String `tfsdk:"member_id"`
	CreatedAt         types.String `tfsdk:"created_at"`
	LastModified      types.String `tfsdk:"last_modified"`
	LastUsedAt        types.String `tfsdk:"last_used_at"`
	ExpiresAt         types.String `tfsdk:"expires_at"`
	Expired           types.Bool   `tfsdk:"expired"`
	DailyUsage        types.List   `tfsdk:"daily_usage"`
	UsageTotal        types.Int64  `tfsdk:"usage_total"`
}

// dailyUsageType is one element of daily_usage.
var dailyUsageType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"date":  types.StringType,
	"count": types.Int64Type,
}}

type dailyUsageModel struct {
	Date  types.String `tfsdk:"date"`
	Count types.Int64  `tfsdk:"count"`
}

func (d *accessTokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (d *accessTokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Metadata of an access token, looked up by id. The secret is never available " +
			"here; only its last four characters.",
		Attributes: map[string]schema.Attribute{
			"id":              schema.StringAttribute{MarkdownDescription: "Identifier of the token.", Required: true},
			"name":            computedString("Name of the token."),
			"description":     computedString("Description of the token."),
			"role":            computedString("Built-in role the token is granted, when its grant is a role: " + oneOfMarkdown(tokenRoles) + "."),
			"custom_role_ids": computedStringSet("Identifiers of the custom roles the token is granted, when its grant is custom roles."),
			"inline_role": schema.SetNestedAttribute{
				MarkdownDescription: "Policy statements the token is granted, when its grant is an inline role.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: policyStatementDataSourceAttributes()},
			},
			"permissions":         computedStringSet("Catalogue permission names the token is granted, when its grant is permissions."),
			"access":              computedStringMap("Access level (" + oneOfMarkdown(accessLevels) + ") by catalogue object, when the token's grant is access."),
			"workspace_ids":       computedStringSet("Workspaces the token may act in, unless `all_workspaces` is true."),
			"all_workspaces":      computedBool("Whether the token may act in every workspace."),
			"service_token":       computedBool("Whether the token is a service token."),
			"default_api_version": schema.Int64Attribute{MarkdownDescription: "Default API version of the token.", Computed: true},
			"token_last_four":     computedString("Last four characters of the secret."),
			"owner_id":            computedString("Identifier of the organisation the token belongs to."),
			"member_id":           computedString("Identifier of the member the token belongs to and acts as."),
			"created_at":          computedString("When the token was created, in RFC 3339 format."),
			"last_modified":       computedString("When the token last changed, in RFC 3339 format."),
			"last_used_at":        computedString("When the token was last used, in RFC 3339 format; null if never."),
			"expires_at":          computedString("When the token stops working, in RFC 3339 format; null if never."),
			"expired":             computedBool("Whether the token has expired."),
			"daily_usage": schema.ListNestedAttribute{
				MarkdownDescription: fmt.Sprintf("How often the token was used on each of the last %d days (UTC), oldest first, "+
					"today last, days without use included: requests made with it and checks of it by relying services. "+
					"Counts reach the backend's store in batches, within a minute.", api.UsageDays),
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"date":  computedString("The day, `YYYY-MM-DD` (UTC)."),
					"count": schema.Int64Attribute{MarkdownDescription: "Uses on that day.", Computed: true},
				}},
			},
			"usage_total": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Uses over the last %d days: the sum of `daily_usage`.", api.UsageDays),
				Computed:            true,
			},
		},
	}
}

func (d *accessTokenDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *accessTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	config, ok := getModel[accessTokenDataModel](ctx, d.data, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	id := config.ID.ValueString()
	t, err := d.data.Client.GetToken(ctx, id)
	if client.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Access Token Not Found",
			fmt.Sprintf("No access token has the id %q.", id))
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Access Token", fmt.Sprintf("Could not read access token %s", id), err, nil)
		return
	}
	usage, err := d.data.Client.TokenUsage(ctx, id)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Access Token Usage", fmt.Sprintf("Could not read the usage of access token %s", id), err, nil)
		return
	}
	m, diags := accessTokenDataFromAPI(ctx, t, usage)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// accessTokenDataFromAPI converts an API token and its usage to the data
// source model.
func accessTokenDataFromAPI(ctx context.Context, t *api.Token, usage *api.TokenUsage) (accessTokenDataModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	lastFour := api.LastFour(t.Token)
	m := accessTokenDataModel{
		ID:                types.StringValue(t.ID),
		Name:              types.StringValue(t.Name),
		Description:       types.StringValue(t.Description),
		Role:              types.StringNull(),
		CustomRoleIDs:     stringSetOrNull(t.CustomRoleIDs, &diags),
		InlineRole:        types.SetNull(policyStatementType),
		Permissions:       stringSetOrNull(t.Permissions, &diags),
		Access:            accessMap(t.Access, &diags),
		WorkspaceIDs:      stringSet(t.WorkspaceIDs, &diags),
		AllWorkspaces:     types.BoolValue(t.AllWorkspaces),
		ServiceToken:      types.BoolValue(t.ServiceToken),
		DefaultAPIVersion: types.Int64Value(int64(t.DefaultAPIVersion)),
		TokenLastFour:     types.StringValue(lastFour),
		OwnerID:           types.StringValue(t.OwnerID),
		MemberID:          types.StringValue(t.MemberID),
		CreatedAt:         timestampValue(t.CreationDate),
		LastModified:      timestampValue(t.LastModified),
		LastUsedAt:        timestampValue(t.LastUsed),
		ExpiresAt:         timestampValue(t.ExpirationDate),
		Expired:           types.BoolValue(t.Expired),
	}
	if t.Role != "" {
		m.Role = types.StringValue(t.Role)
	}
	days := make([]dailyUsageModel, len(usage.Days))
	for i, d := range usage.Days {
		days[i] = dailyUsageModel{Date: types.StringValue(d.Date), Count: types.Int64Value(d.Count)}
	}
	list, d := types.ListValueFrom(ctx, dailyUsageType, days)
	diags.Append(d...)
	m.DailyUsage, m.UsageTotal = list, types.Int64Value(usage.Total)
	if len(t.InlineRole) > 0 {
		set, d := statementsFromAPI(ctx, t.InlineRole)
		diags.Append(d...)
		m.InlineRole = set
	}
	return m, diags
}
