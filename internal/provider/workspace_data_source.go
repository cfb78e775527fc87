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
	_ datasource.DataSourceWithConfigure        = (*workspaceDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*workspaceDataSource)(nil)
)

// NewWorkspaceDataSource is the constructor of the tokensmith_workspace data source.
func NewWorkspaceDataSource() datasource.DataSource {
	return &workspaceDataSource{}
}

type workspaceDataSource struct {
	data *providerData
}

type workspaceModel struct {
	ID           types.String `tfsdk:"id"`
	Name         types.String `tfsdk:"name"`
	Description  types.String `tfsdk:"description"`
	OwnerID      types.String `tfsdk:"owner_id"`
	MemberIDs    types.Set    `tfsdk:"member_ids"`
	CreatedAt    types.String `tfsdk:"created_at"`
	LastModified types.String `tfsdk:"last_modified"`
}

func (d *workspaceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspace"
}

func (d *workspaceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := workspaceAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "Identifier of the workspace. Exactly one of `id` and `name` is set.",
		Optional:            true,
		Computed:            true,
	}
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "Name of the workspace, unique in the organisation. Exactly one of `id` and `name` is set.",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one workspace by its id or its name.",
		Attributes:          attrs,
	}
}

func (d *workspaceDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *workspaceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *workspaceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	config, ok := getModel[workspaceModel](ctx, d.data, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	var ws *api.Workspace
	if !config.ID.IsNull() {
		var err error
		ws, err = d.data.Client.GetWorkspace(ctx, config.ID.ValueString())
		if client.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Workspace Not Found",
				fmt.Sprintf("No workspace has the id %q.", config.ID.ValueString()))
			return
		}
		if err != nil {
			addAPIError(&resp.Diagnostics, "Unable to Read Workspace",
				fmt.Sprintf("Could not read workspace %s", config.ID.ValueString()), err, nil)
			return
		}
	} else {
		name := config.Name.ValueString()
		list, err := d.data.Client.ListWorkspaces(ctx, name, client.ListOptions{})
		if err != nil {
			addAPIError(&resp.Diagnostics, "Unable to Read Workspace",
				fmt.Sprintf("Could not look up workspace %q", name), err, nil)
			return
		}
		for i := range list.Items {
			if list.Items[i].Name == name {
				ws = &list.Items[i]
				break
			}
		}
		if ws == nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Workspace Not Found", workspaceNotVisible(name))
			return
		}
	}
	m, diags := workspaceFromAPI(ws)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// workspaceAttributes are the read-only attributes of a workspace, shared
// with the tokensmith_workspaces data source.
func workspaceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":            computedString("Identifier of the workspace."),
		"name":          computedString("Name of the workspace."),
		"description":   computedString("Description of the workspace."),
		"owner_id":      computedString("Identifier of the member that owns the workspace."),
		"member_ids":    computedStringSet("Identifiers of the workspace's members."),
		"created_at":    computedString("When the workspace was created, in RFC 3339 format."),
		"last_modified": computedString("When the workspace last changed, in RFC 3339 format."),
	}
}

// workspaceFromAPI converts an API workspace to the model.
func workspaceFromAPI(ws *api.Workspace) (workspaceModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := workspaceModel{
		ID:           types.StringValue(ws.ID),
		Name:         types.StringValue(ws.Name),
		Description:  types.StringValue(ws.Description),
		OwnerID:      types.StringValue(ws.OwnerID),
		MemberIDs:    stringSet(ws.MemberIDs, &diags),
		CreatedAt:    timestampValue(ws.CreationDate),
		LastModified: timestampValue(ws.LastModified),
	}
	return m, diags
}

// workspaceNotVisible explains a name lookup that found nothing. The backend
// answers the same whether no such workspace exists or the credential may
// not see it, on purpose, so the detail covers both.
func workspaceNotVisible(name string) string {
	return fmt.Sprintf("No workspace named %q is visible to the provider's credential. The backend does not say "+
		"whether a workspace exists to a credential that may not see it. A workspace is visible to its members "+
		"and to admins and owners of the organisation, through a token whose workspace scope includes it. Check "+
		"the name, or add the credential's member to the workspace (or scope the token to it or to all "+
		"workspaces), or use an admin's token; the tokensmith_workspaces data source lists what the "+
		"credential can see.", name)
}
