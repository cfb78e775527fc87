package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
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
		resp.Diagnostics[0].Detail() != "expires_at and expires_in_days are both set: they cannot be configured together, a token takes at most one of them." {
		t.Errorf("both: %v", resp.Diagnostics)
	}
}

func TestRequiredTogetherArguments(t *testing.T) {
	ctx := context.Background()
	s := resourceSchemaOf(t, NewAccessTokenResource()).Schema
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	v := requiredTogetherArguments{"secret_wo", "secret_wo_version"}
	validate := func(attrs map[string]tftypes.Value) diag.Diagnostics {
		var resp resource.ValidateConfigResponse
		v.ValidateResource(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: s, Raw: objectWith(typ, attrs)}}, &resp)
		return resp.Diagnostics
	}
	secret := tftypes.NewValue(tftypes.String, "not checked here")
	version := tftypes.NewValue(tftypes.Number, 1)
	for name, attrs := range map[string]map[string]tftypes.Value{
		"neither":         {},
		"both":            {"secret_wo": secret, "secret_wo_version": version},
		"version unknown": {"secret_wo": secret, "secret_wo_version": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)},
	} {
		if diags := validate(attrs); diags.HasError() {
			t.Errorf("%s: %v", name, diags)
		}
	}
	for name, tc := range map[string]struct {
		attrs   map[string]tftypes.Value
		missing string
		detail  string
	}{
		"secret alone":  {map[string]tftypes.Value{"secret_wo": secret}, "secret_wo_version", "secret_wo is set but secret_wo_version is not: secret_wo and secret_wo_version must be configured together."},
		"version alone": {map[string]tftypes.Value{"secret_wo_version": version}, "secret_wo", "secret_wo_version is set but secret_wo is not: secret_wo and secret_wo_version must be configured together."},
	} {
		diags := validate(tc.attrs)
		if diags.ErrorsCount() != 1 {
			t.Fatalf("%s: %v", name, diags)
		}
		d, ok := diags[0].(interface{ Path() path.Path })
		if !ok || !d.Path().Equal(path.Root(tc.missing)) || diags[0].Detail() != tc.detail {
			t.Errorf("%s: %v", name, diags)
		}
	}
}
