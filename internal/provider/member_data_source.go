package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*memberDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*memberDataSource)(nil)
)

// NewMemberDataSource is the constructor of the tokensmith_member data source.
func NewMemberDataSource() datasource.DataSource {
	return &memberDataSource{}
}

type memberDataSource struct {
	data *providerData
}

type memberModel struct {
	ID           types.String `tfsdk:"id"`
	Email        types.String `tfsdk:"email"`
	FirstName    types.String `tfsdk:"first_name"`
	LastName     types.String `tfsdk:"last_name"`
	Role         types.String `tfsdk:"role"`
	WorkspaceIDs types.Set    `tfsdk:"workspace_ids"`
	CreatedAt    types.String `tfsdk:"created_at"`
	LastModified types.String `tfsdk:"last_modified"`
}

func (d *memberDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_member"
}

func (d *memberDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one member of the organisation by id or by email, for example to create " +
			"a `tokensmith_access_token` owned by them (`member_id`) without a hard-coded id. Needs " +
			"`MEMBER_READ`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the member. Exactly one of `id` and `email` is set.",
				Optional:            true,
				Computed:            true,
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email address of the member, matched without regard to case. Exactly one " +
					"of `id` and `email` is set.",
				Optional: true,
				Computed: true,
			},
			"first_name": computedString("First name of the member."),
			"last_name":  computedString("Last name of the member."),
			"role": computedString("Role of the member in the organisation: " + oneOfMarkdown(api.MemberRoles()) +
				". It is the ceiling of what the member's tokens can do."),
			"workspace_ids": computedStringSet("Identifiers of the workspaces the member belongs to."),
			"created_at":    computedString("When the member was added, in RFC 3339 format."),
			"last_modified": computedString("When the member last changed, in RFC 3339 format."),
		},
	}
}

func (d *memberDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("email")),
	}
}

func (d *memberDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *memberDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	config, ok := getModel[memberModel](ctx, d.data, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	var m *api.Member
	if !config.ID.IsNull() {
		var err error
		m, err = d.data.Client.GetMember(ctx, config.ID.ValueString())
		if client.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Member Not Found",
				fmt.Sprintf("No member has the id %q.", config.ID.ValueString()))
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, "Unable to Read Member",
				fmt.Sprintf("Could not read member %s", config.ID.ValueString()), err, nil)
			return
		}
	} else {
		email := config.Email.ValueString()
		list, err := d.data.Client.ListMembersWithEmail(ctx, email)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Unable to Read Member",
				fmt.Sprintf("Could not look up the member with email %q", email), err, nil)
			return
		}
		if len(list.Items) != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("email"), "Member Not Found",
				fmt.Sprintf("No member has the email %q.", email))
			return
		}
		m = &list.Items[0]
	}
	out, diags := memberFromAPI(m)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, out)...)
}

// memberFromAPI converts an API member to the model.
func memberFromAPI(m *api.Member) (memberModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	return memberModel{
		ID:           types.StringValue(m.ID),
		Email:        types.StringValue(m.Email),
		FirstName:    types.StringValue(m.FirstName),
		LastName:     types.StringValue(m.LastName),
		Role:         types.StringValue(m.Role),
		WorkspaceIDs: stringSet(m.WorkspaceIDs, &diags),
		CreatedAt:    timestampValue(m.CreationDate),
		LastModified: timestampValue(m.LastModified),
	}, diags
}
