package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*permissionsDataSource)(nil)

// NewPermissionsDataSource is the constructor of the tokensmith_permissions data source.
func NewPermissionsDataSource() datasource.DataSource {
	return &permissionsDataSource{}
}

type permissionsDataSource struct {
	data *providerData
}

type permissionsModel struct {
	Names       types.List `tfsdk:"names"`
	Permissions types.List `tfsdk:"permissions"`
	Objects     types.List `tfsdk:"objects"`
}

type permissionModel struct {
	Name           types.String `tfsdk:"name"`
	Description    types.String `tfsdk:"description"`
	Roles          types.Set    `tfsdk:"roles"`
	CatalogueRoles types.Set    `tfsdk:"catalogue_roles"`
	Object         types.String `tfsdk:"object"`
	Level          types.String `tfsdk:"level"`
}

var permissionObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name":            types.StringType,
	"description":     types.StringType,
	"roles":           types.SetType{ElemType: types.StringType},
	"catalogue_roles": types.SetType{ElemType: types.StringType},
	"object":          types.StringType,
	"level":           types.StringType,
}}

func (d *permissionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_permissions"
}

func (d *permissionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The permission catalogue of the backend: every permission a token or custom role " +
			"can grant, with the member roles allowed to hold it.",
		Attributes: map[string]schema.Attribute{
			"names": schema.ListAttribute{
				MarkdownDescription: "Names of all permissions, in catalogue order.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"permissions": schema.ListNestedAttribute{
				MarkdownDescription: "The permissions, in catalogue order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":            computedString("Name of the permission."),
					"description":     computedString("What the permission allows."),
					"roles":           computedStringSet("Member roles (`owner`, `admin`, `writer`, `reader`) that hold the permission."),
					"catalogue_roles": computedStringSet("Roles of the source catalogue (`Global_Admin`, `Admin`, `Basic_User`) that may hold it."),
					"object":          computedString("The object the permission belongs to (see `objects`); null for a plain permission."),
					"level":           computedString("The permission's level in its object, `read` or `write`; null for a plain permission."),
				}},
			},
			"objects": permissionObjectsAttribute(),
		},
	}
}

func (d *permissionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *permissionsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.ready(&resp.Diagnostics) {
		return
	}
	perms, err := d.data.Client.ListPermissions(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to List Permissions", "Could not read the permission catalogue", err, nil)
		return
	}
	objects, err := d.data.Client.ListPermissionObjects(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to List Permission Objects", "Could not read the objects of the permission catalogue", err, nil)
		return
	}
	names := make([]string, len(perms))
	models := make([]permissionModel, len(perms))
	for i, p := range perms {
		names[i] = p.Name
		models[i] = permissionModel{
			Name:           types.StringValue(p.Name),
			Description:    types.StringValue(p.Description),
			Roles:          stringSet(p.Roles, &resp.Diagnostics),
			CatalogueRoles: stringSet(p.CatalogueRoles, &resp.Diagnostics),
			Object:         optionalString(p.Object, types.StringNull()),
			Level:          optionalString(p.Level, types.StringNull()),
		}
	}
	var m permissionsModel
	var diags diag.Diagnostics
	m.Names, diags = types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	m.Permissions, diags = types.ListValueFrom(ctx, permissionObjectType, models)
	resp.Diagnostics.Append(diags...)
	m.Objects = permissionObjectsValue(ctx, objects, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
