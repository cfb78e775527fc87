package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestConfiguredArguments(t *testing.T) {
	ctx := context.Background()
	s := resourceSchemaOf(t, NewAccessTokenResource()).Schema
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	strs := tftypes.Set{ElementType: tftypes.String}
	config := tfsdk.Config{Schema: s, Raw: objectWith(typ, map[string]tftypes.Value{
		"role":          tftypes.NewValue(tftypes.String, "reader"),
		"permissions":   tftypes.NewValue(strs, []tftypes.Value{tftypes.NewValue(tftypes.String, tftypes.UnknownValue)}),
		"custom_roles":  tftypes.NewValue(strs, tftypes.UnknownValue),
		"workspace_ids": tftypes.NewValue(strs, nil),
	})}
	set, unknown, diags := configuredArguments(config, []string{"workspace_ids", "role", "custom_roles", "permissions"})
	if diags.HasError() {
		t.Fatal(diags)
	}
	// A set whose elements are unknown is set; an unknown set may be null.
	if !slices.Equal(set, []string{"role", "permissions"}) || !unknown {
		t.Errorf("set %q, unknown %v", set, unknown)
	}
	if _, _, diags := configuredArguments(config, []string{"rol"}); !diags.HasError() {
		t.Error("an argument the schema does not have passed")
	}
}

func TestConflictingArguments(t *testing.T) {
	ctx := context.Background()
	s := resourceSchemaOf(t, NewAccessTokenResource()).Schema
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	v := conflictingArguments{"expires_at", "expires_in_days"}
	validate := func(attrs map[string]tftypes.Value) resource.ValidateConfigResponse {
		var resp resource.ValidateConfigResponse
		v.ValidateResource(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: s, Raw: objectWith(typ, attrs)}}, &resp)
		return resp
	}
	at := tftypes.NewValue(tftypes.String, "2099-01-01T00:00:00Z")
	if resp := validate(map[string]tftypes.Value{"expires_at": at}); resp.Diagnostics.HasError() {
		t.Errorf("one of them: %v", resp.Diagnostics)
	}
	if resp := validate(map[string]tftypes.Value{"expires_at": at, "expires_in_days": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)}); resp.Diagnostics.HasError() {
		t.Errorf("one unknown: %v", resp.Diagnostics)
	}
	resp := validate(map[string]tftypes.Value{"expires_at": at, "expires_in_days": tftypes.NewValue(tftypes.Number, 3)})
	if resp.Diagnostics.ErrorsCount() != 1 {
		t.Fatalf("both: %v", resp.Diagnostics)
	}
	d, ok := resp.Diagnostics[0].(interface{ Path() path.Path })
	if !ok || !d.Path().Equal(path.Root("expires_in_days")) ||
		resp.Diagnostics[0].Detail() != "expires_at and expires_in_days are both set: a token takes at most one of them." {
		t.Errorf("both: %v", resp.Diagnostics)
	}
}
