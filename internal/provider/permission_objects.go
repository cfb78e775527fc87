package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// The objects attribute of the tokensmith_permissions data source: what
// an access map may name and what each level stands for.

type permissionObjectModel struct {
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	Levels      types.List   `tfsdk:"levels"`
}

type permissionObjectLevelModel struct {
	Level       types.String `tfsdk:"level"`
	Permissions types.List   `tfsdk:"permissions"`
	Roles       types.Set    `tfsdk:"roles"`
}

var permissionObjectLevelType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"level":       types.StringType,
	"permissions": types.ListType{ElemType: types.StringType},
	"roles":       types.SetType{ElemType: types.StringType},
}}

var permissionObjectEntryType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name":        types.StringType,
	"description": types.StringType,
	"levels":      types.ListType{ElemType: permissionObjectLevelType},
}}

func permissionObjectsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: "The objects of the catalogue, in catalogue order: the names the `access` " +
			"argument of tokens and custom roles takes, with what each access level stands for.",
		Computed: true,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name":        computedString("Name of the object, the key of an `access` map."),
			"description": computedString("What the object is."),
			"levels": schema.ListNestedAttribute{
				MarkdownDescription: "The access levels beyond `none` the object offers, narrowest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"level": computedString("The access level: " + oneOfMarkdown(accessLevels[1:]) + "."),
					"permissions": schema.ListAttribute{
						MarkdownDescription: "The catalogue permissions the level grants.",
						ElementType:         types.StringType,
						Computed:            true,
					},
					"roles": computedStringSet("Member roles (`owner`, `admin`, `writer`, `reader`) that may hold the level."),
				}},
			},
		}},
	}
}

func permissionObjectsValue(ctx context.Context, objects []api.AccessObject, diags *diag.Diagnostics) types.List {
	models := make([]permissionObjectModel, len(objects))
	for i, o := range objects {
		levels := make([]permissionObjectLevelModel, len(o.Levels))
		for j, l := range o.Levels {
			perms, d := types.ListValueFrom(ctx, types.StringType, l.Permissions)
			diags.Append(d...)
			levels[j] = permissionObjectLevelModel{Level: types.StringValue(l.Level), Permissions: perms, Roles: stringSet(l.Roles, diags)}
		}
		list, d := types.ListValueFrom(ctx, permissionObjectLevelType, levels)
		diags.Append(d...)
		models[i] = permissionObjectModel{Name: types.StringValue(o.Name), Description: types.StringValue(o.Description), Levels: list}
	}
	out, d := types.ListValueFrom(ctx, permissionObjectEntryType, models)
	diags.Append(d...)
	return out
}
