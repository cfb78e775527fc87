package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func resourceSchemaOf(t *testing.T, r resource.Resource) resource.SchemaResponse {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp
}

// objectWith is a value of the object type typ whose attributes are null
// except those in set.
func objectWith(typ tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := set[name]; ok {
			vals[name] = v
		}
	}
	return tftypes.NewValue(typ, vals)
}

func TestReadWriteModel_matchTheFramework(t *testing.T) {
	ctx := context.Background()
	s := resourceSchemaOf(t, NewAccessTokenResource()).Schema
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	strs := tftypes.Set{ElementType: tftypes.String}
	stmt := typ.AttributeTypes["inline_role"].(tftypes.Set).ElementType.(tftypes.Object)
	raws := map[string]tftypes.Value{
		"all null": objectWith(typ, nil),
		"known": objectWith(typ, map[string]tftypes.Value{
			"id":                  tftypes.NewValue(tftypes.String, "at-1"),
			"name":                tftypes.NewValue(tftypes.String, "ci"),
			"role":                tftypes.NewValue(tftypes.String, "reader"),
			"all_workspaces":      tftypes.NewValue(tftypes.Bool, true),
			"default_api_version": tftypes.NewValue(tftypes.Number, 2),
			"workspace_ids":       tftypes.NewValue(strs, []tftypes.Value{tftypes.NewValue(tftypes.String, "ws-1")}),
			"token":               tftypes.NewValue(tftypes.String, "value-not-a-secret"),
		}),
		"unknowns and nested": objectWith(typ, map[string]tftypes.Value{
			"id":          tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
			"name":        tftypes.NewValue(tftypes.String, "ci"),
			"permissions": tftypes.NewValue(strs, tftypes.UnknownValue),
			"inline_role": tftypes.NewValue(typ.AttributeTypes["inline_role"], []tftypes.Value{
				objectWith(stmt, map[string]tftypes.Value{
					"effect":  tftypes.NewValue(tftypes.String, "Allow"),
					"actions": tftypes.NewValue(stmt.AttributeTypes["actions"], []tftypes.Value{tftypes.NewValue(tftypes.String, "TOKEN_READ")}),
				}),
			}),
		}),
	}
	for name, raw := range raws {
		t.Run(name, func(t *testing.T) {
			state := tfsdk.State{Schema: s, Raw: raw}
			var fast, framework accessTokenModel
			if d := readModel(ctx, state, &fast); d.HasError() {
				t.Fatal(d)
			}
			if d := state.Get(ctx, &framework); d.HasError() {
				t.Fatal(d)
			}
			fv, gv := reflect.ValueOf(fast), reflect.ValueOf(framework)
			for i := range fv.NumField() {
				a, b := fv.Field(i).Interface().(attr.Value), gv.Field(i).Interface().(attr.Value)
				if !a.Equal(b) || a.Type(ctx) == nil || !a.Type(ctx).Equal(b.Type(ctx)) {
					t.Errorf("%s: readModel = %s, Get = %s", fv.Type().Field(i).Name, a, b)
				}
			}

			written := tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}
			if d := writeModel(ctx, &written, fast); d.HasError() {
				t.Fatal(d)
			}
			viaFramework := tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}
			if d := viaFramework.Set(ctx, framework); d.HasError() {
				t.Fatal(d)
			}
			if !written.Raw.Equal(viaFramework.Raw) || !written.Raw.Equal(raw) {
				t.Errorf("writeModel wrote %s, Set wrote %s, read from %s", written.Raw, viaFramework.Raw, raw)
			}
		})
	}
}

func TestReadWriteModel_leaveTheRestToTheFramework(t *testing.T) {
	ctx := context.Background()
	s := resourceSchemaOf(t, NewAccessTokenResource()).Schema
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	raw := objectWith(typ, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "ci")})

	// A model that lacks an attribute: the framework's error, not a silent
	// partial read.
	var partial struct {
		Name types.String `tfsdk:"name"`
	}
	if d := readModel(ctx, tfsdk.State{Schema: s, Raw: raw}, &partial); !d.HasError() {
		t.Error("reading into a struct without every attribute succeeded")
	}

	// A field of a Go type: converted by the framework.
	small := schema.Schema{Attributes: map[string]schema.Attribute{
		"name":  schema.StringAttribute{Optional: true},
		"count": schema.Int64Attribute{Optional: true},
	}}
	smallType := small.Type().TerraformType(ctx).(tftypes.Object)
	var goTyped struct {
		Name  string      `tfsdk:"name"`
		Count types.Int64 `tfsdk:"count"`
	}
	smallRaw := objectWith(smallType, map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "ci")})
	if d := readModel(ctx, tfsdk.Config{Schema: small, Raw: smallRaw}, &goTyped); d.HasError() || goTyped.Name != "ci" || !goTyped.Count.IsNull() {
		t.Errorf("read %+v, %v", goTyped, d)
	}
	var plain accessTokenModel
	if d := readModel(ctx, tfsdk.State{Schema: s, Raw: raw}, &plain); d.HasError() {
		t.Fatal(d)
	}

	// A set built without its element type does not pass for the schema's:
	// the framework's Set reports it.
	bad := plain
	bad.Permissions = types.Set{}
	var diags diag.Diagnostics
	written := tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}
	diags.Append(writeModel(ctx, &written, bad)...)
	framework := tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}
	want := framework.Set(ctx, bad)
	if diags.HasError() != want.HasError() || !written.Raw.Equal(framework.Raw) {
		t.Errorf("writeModel: %v and %s; Set: %v and %s", diags, written.Raw, want, framework.Raw)
	}
}
