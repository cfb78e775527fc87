package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// `terraform validate` asks the provider to validate each block without a
// configured provider and without a plan. These tests make the same calls,
// so the mistakes below are proven to fail there, not only at plan time.

// validateConfig sends one block of type typeName, with the attributes in
// attrs and every other attribute null, through the validation call
// `terraform validate` makes, and returns the diagnostics.
func validateConfig(t *testing.T, kind, typeName string, attrs map[string]any) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	srv, err := testAccProtoV6ProviderFactories["tokensmith"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var s *tfprotov6.Schema
	switch kind {
	case "resource":
		s = schemas.ResourceSchemas[typeName]
	case "ephemeral":
		s = schemas.EphemeralResourceSchemas[typeName]
	}
	if s == nil {
		t.Fatalf("no %s schema for %s", kind, typeName)
	}
	typ := s.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		at, ok := typ.AttributeTypes[name]
		if !ok {
			t.Fatalf("%s has no attribute %q", typeName, name)
		}
		switch v := v.(type) {
		case []string:
			elems := make([]tftypes.Value, len(v))
			for i, e := range v {
				elems[i] = tftypes.NewValue(tftypes.String, e)
			}
			vals[name] = tftypes.NewValue(at, elems)
		default:
			vals[name] = tftypes.NewValue(at, v)
		}
	}
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	switch kind {
	case "resource":
		resp, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: &config})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	default:
		resp, err := srv.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{TypeName: typeName, Config: &config})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}
}

// expectValidationError requires exactly one error diagnostic, with the
// summary given and a detail naming every attribute in names.
func expectValidationError(diags []*tfprotov6.Diagnostic, summary string, names ...string) error {
	var errs []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	if len(errs) != 1 {
		return fmt.Errorf("want one error, got %d: %s", len(errs), describeDiagnostics(diags))
	}
	if errs[0].Summary != summary {
		return fmt.Errorf("summary %q, want %q", errs[0].Summary, summary)
	}
	for _, n := range names {
		if !strings.Contains(errs[0].Detail, n) {
			return fmt.Errorf("the detail does not name %s: %q", n, errs[0].Detail)
		}
	}
	return nil
}

func describeDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  %s: %s: %s (%v)", d.Severity, d.Summary, d.Detail, d.Attribute)
	}
	return b.String()
}

func TestValidateConfig_accessToken(t *testing.T) {
	valid := map[string]any{"name": "ci", "role": "reader", "all_workspaces": true, "expires_in_days": 30}
	with := func(changes map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range valid {
			out[k] = v
		}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name    string
		attrs   map[string]any
		summary string
		names   []string
	}{
		{"two grants", with(map[string]any{"permissions": []string{"WORKSPACE_READ"}}),
			"Invalid Attribute Combination", []string{"role and permissions are both set"}},
		{"three grants", with(map[string]any{"permissions": []string{"WORKSPACE_READ"}, "custom_roles": []string{"r"}}),
			"Invalid Attribute Combination", []string{"role, custom_roles and permissions are all set"}},
		{"no grant", with(map[string]any{"role": nil}),
			"Missing Attribute Configuration", []string{"None of role, custom_roles, inline_role, permissions and access is set"}},
		{"two expirations", with(map[string]any{"expires_at": "2099-01-01T00:00:00Z"}),
			"Invalid Attribute Combination", []string{"expires_at", "expires_in_days"}},
		{"both workspace forms", with(map[string]any{"workspace_ids": []string{"w1"}}),
			"Invalid Attribute Combination", []string{"workspace_ids and all_workspaces are both set"}},
		{"malformed custom role key", with(map[string]any{"role": nil, "custom_roles": []string{"-bad key"}}),
			"Invalid Attribute Value Match", []string{"custom role key"}},
	}
	for _, kind := range []string{"resource", "ephemeral"} {
		t.Run(kind, func(t *testing.T) {
			if diags := validateConfig(t, kind, "tokensmith_access_token", adapt(kind, valid)); len(diags) > 0 {
				t.Fatalf("the valid configuration is refused: %s", describeDiagnostics(diags))
			}
			for _, tt := range tests {
				if kind == "ephemeral" && tt.name == "two expirations" {
					continue // the ephemeral token has ttl instead
				}
				if err := expectValidationError(validateConfig(t, kind, "tokensmith_access_token", adapt(kind, tt.attrs)), tt.summary, tt.names...); err != nil {
					t.Errorf("%s: %v", tt.name, err)
				}
			}
		})
	}
}

// adapt turns arguments of the managed token into those of the ephemeral
// one: name_prefix for name, no expiry.
func adapt(kind string, attrs map[string]any) map[string]any {
	if kind != "ephemeral" {
		return attrs
	}
	out := map[string]any{}
	for k, v := range attrs {
		switch k {
		case "name":
			out["name_prefix"] = v
		case "expires_in_days", "expires_at":
		default:
			out[k] = v
		}
	}
	return out
}

func TestValidateConfig_customRole(t *testing.T) {
	if diags := validateConfig(t, "resource", "tokensmith_custom_role", map[string]any{"key": "release.manager", "name": "n"}); len(diags) > 0 {
		t.Fatalf("the valid configuration is refused: %s", describeDiagnostics(diags))
	}
	for _, key := range []string{"-nope", "a b", ""} {
		diags := validateConfig(t, "resource", "tokensmith_custom_role", map[string]any{"key": key, "name": "n"})
		if err := expectValidationError(diags, "Invalid Attribute Value Match", "key", "must start with a letter or digit"); err != nil {
			t.Errorf("key %q: %v", key, err)
		}
	}
}

// Custom role names and descriptions are checked against the backend's
// limits (package api) while validating, with no backend to ask, counting
// characters as the backend does.
func TestValidateConfig_customRoleLengths(t *testing.T) {
	valid := map[string]any{"key": "k", "name": strings.Repeat("é", api.MaxCustomRoleNameLength), "description": strings.Repeat("ü", api.MaxDescriptionLength)}
	if diags := validateConfig(t, "resource", "tokensmith_custom_role", valid); len(diags) > 0 {
		t.Fatalf("names and descriptions at the limit are refused: %s", describeDiagnostics(diags))
	}
	for _, tt := range []struct {
		attrs   map[string]any
		summary string
		names   []string
	}{
		{map[string]any{"key": "k", "name": strings.Repeat("n", api.MaxCustomRoleNameLength+1)}, "Invalid Attribute Value Length", []string{"name", "257"}},
		{map[string]any{"key": "k", "name": ""}, "Invalid Attribute Value Length", []string{"name"}},
		{map[string]any{"key": "k", "name": "n", "description": strings.Repeat("d", api.MaxDescriptionLength+1)}, "Invalid Attribute Value Length", []string{"description", "1001"}},
		{map[string]any{"key": "k", "name": "tab\there"}, "Invalid Attribute Value Match", []string{"name", "control characters"}},
		{map[string]any{"key": strings.Repeat("k", api.MaxCustomRoleKeyLength+1), "name": "n"}, "Invalid Attribute Value Length", []string{"key"}},
	} {
		if err := expectValidationError(validateConfig(t, "resource", "tokensmith_custom_role", tt.attrs), tt.summary, tt.names...); err != nil {
			t.Errorf("%v: %v", tt.names, err)
		}
	}
}

// A token name is as long as the backend counts it: 64 characters of "é"
// (128 bytes) are a valid name, 65 are not.
func TestValidateConfig_accessTokenNameCountsCharacters(t *testing.T) {
	attrs := func(name string) map[string]any {
		return map[string]any{"name": name, "role": "reader", "all_workspaces": true}
	}
	if diags := validateConfig(t, "resource", "tokensmith_access_token", attrs(strings.Repeat("é", api.MaxTokenNameLength))); len(diags) > 0 {
		t.Fatalf("a name of %d characters is refused: %s", api.MaxTokenNameLength, describeDiagnostics(diags))
	}
	diags := validateConfig(t, "resource", "tokensmith_access_token", attrs(strings.Repeat("é", api.MaxTokenNameLength+1)))
	if err := expectValidationError(diags, "Invalid Attribute Value Length", "name"); err != nil {
		t.Error(err)
	}
}
