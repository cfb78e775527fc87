package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*workspacesDataSource)(nil)

// NewWorkspacesDataSource is the constructor of the tokensmith_workspaces data source.
func NewWorkspacesDataSource() datasource.DataSource {
	return &workspacesDataSource{}
}

type workspacesDataSource struct {
	data *providerData
}

type workspacesModel struct {
	Name       types.String `tfsdk:"name"`
	IDs        types.List   `tfsdk:"ids"`
	Workspaces types.List   `tfsdk:"workspaces"`
}

var workspaceObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id":            types.StringType,
	"name":          types.StringType,
	"description":   types.StringType,
	"owner_id":      types.StringType,
	"member_ids":    types.SetType{ElemType: types.StringType},
	"created_at":    types.StringType,
	"last_modified": types.StringType,
}}

// pageSize is how many items the data sources ask for per request.
const pageSize = 100

func (d *workspacesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workspaces"
}

func (d *workspacesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the workspaces of the organisation, optionally only the one with a given name.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Only list the workspace with this exact name.",
				Optional:            true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "Identifiers of the workspaces, in the order of `workspaces`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"workspaces": schema.ListNestedAttribute{
				MarkdownDescription: "The workspaces.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: workspaceAttributes()},
			},
		},
	}
}

func (d *workspacesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *workspacesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	config, ok := getModel[workspacesModel](ctx, d.data, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	var all []api.Workspace
	for offset := 0; ; offset += pageSize {
		page, err := d.data.Client.ListWorkspaces(ctx, config.Name.ValueString(), client.ListOptions{Limit: pageSize, Offset: offset})
		if err != nil {
			addAPIError(&resp.Diagnostics, "Unable to List Workspaces", "Could not list workspaces", err, nil)
			return
		}
		all = append(all, page.Items...)
		if len(page.Items) == 0 || len(all) >= page.TotalCount {
			break
		}
	}
	ids := make([]string, len(all))
	models := make([]workspaceModel, len(all))
	for i := range all {
		ids[i] = all[i].ID
		m, diags := workspaceFromAPI(&all[i])
		resp.Diagnostics.Append(diags...)
		models[i] = m
	}
	idList, diags := types.ListValueFrom(ctx, types.StringType, ids)
	resp.Diagnostics.Append(diags...)
	wsList, diags := types.ListValueFrom(ctx, workspaceObjectType, models)
	resp.Diagnostics.Append(diags...)
	config.IDs = idList
	config.Workspaces = wsList
	resp.Diagnostics.Append(resp.State.Set(ctx, config)...)
}
