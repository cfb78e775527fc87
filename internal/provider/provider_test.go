package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// configure runs the provider's Configure with the given attribute values;
// attributes not in vals are null.
func configure(t *testing.T, vals map[string]tftypes.Value) *provider.ConfigureResponse {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	if sresp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", sresp.Diagnostics)
	}
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range vals {
		if _, ok := all[name]; !ok {
			t.Fatalf("no attribute %q in the provider schema", name)
		}
		all[name] = v
	}
	resp := &provider.ConfigureResponse{}
	p.Configure(ctx, provider.ConfigureRequest{
		TerraformVersion: "1.11.4",
		Config:           tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, all)},
	}, resp)
	return resp
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func unsetEnv(t *testing.T) {
	t.Setenv(envEndpoint, "")
	t.Setenv(envToken, "")
	t.Setenv(envCACertFile, "")
}

func TestConfigure_unknownValuesLeaveProviderUnconfigured(t *testing.T) {
	unsetEnv(t)
	for _, attr := range []string{"endpoint", "token", "ca_cert_pem", "request_timeout"} {
		t.Run(attr, func(t *testing.T) {
			vals := map[string]tftypes.Value{"endpoint": str("https://tokens.example.com"), "token": str("x")}
			vals[attr] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
			resp := configure(t, vals)
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
			}
			if resp.ResourceData != nil || resp.DataSourceData != nil || resp.EphemeralResourceData != nil {
				t.Fatal("provider data set although the configuration is not known yet")
			}
		})
	}
}

func TestConfigure_missingEndpointAndToken(t *testing.T) {
	unsetEnv(t)
	resp := configure(t, nil)
	want := map[string]string{"endpoint": envEndpoint, "token": envToken}
	if got := resp.Diagnostics.ErrorsCount(); got != len(want) {
		t.Fatalf("got %d errors, want %d: %v", got, len(want), resp.Diagnostics)
	}
	for attr, env := range want {
		found := false
		for _, d := range resp.Diagnostics.Errors() {
			withPath, ok := d.(interface{ Path() path.Path })
			if !ok || !withPath.Path().Equal(path.Root(attr)) {
				continue
			}
			found = true
			if !strings.Contains(d.Detail(), attr) || !strings.Contains(d.Detail(), env) {
				t.Errorf("%s: detail %q names neither the attribute nor %s", attr, d.Detail(), env)
			}
		}
		if !found {
			t.Errorf("no error attached to %s: %v", attr, resp.Diagnostics)
		}
	}
}

func TestConfigure_environmentFallback(t *testing.T) {
	t.Setenv(envEndpoint, "https://tokens.example.com")
	t.Setenv(envToken, "from-env")
	resp := configure(t, nil)
	if resp.Diagnostics.HasError() {
		t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
	}
	data, ok := resp.ResourceData.(*providerData)
	if !ok || data.Client == nil || data.Now == nil {
		t.Fatalf("ResourceData = %#v, want *providerData with a client and a clock", resp.ResourceData)
	}
	if resp.DataSourceData != resp.ResourceData || resp.EphemeralResourceData != resp.ResourceData {
		t.Fatal("resources, data sources and ephemeral resources get different provider data")
	}
}

func TestConfigure_invalidValues(t *testing.T) {
	unsetEnv(t)
	tests := map[string]struct {
		attr string
		val  tftypes.Value
	}{
		"endpoint without scheme": {"endpoint", str("tokens.example.com")},
		"endpoint other scheme":   {"endpoint", str("ftp://tokens.example.com")},
		"ca_cert_pem without PEM": {"ca_cert_pem", str("not a certificate")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			vals := map[string]tftypes.Value{"endpoint": str("https://tokens.example.com"), "token": str("x")}
			vals[tc.attr] = tc.val
			resp := configure(t, vals)
			if resp.Diagnostics.ErrorsCount() != 1 {
				t.Fatalf("want one error on %s, got %v", tc.attr, resp.Diagnostics)
			}
			d := resp.Diagnostics.Errors()[0]
			if withPath, ok := d.(interface{ Path() path.Path }); !ok || !withPath.Path().Equal(path.Root(tc.attr)) {
				t.Fatalf("error not attached to %s: %v", tc.attr, d)
			}
			if resp.ResourceData != nil {
				t.Fatal("provider data set despite an error")
			}
		})
	}
}

func TestPositiveDurationValidator(t *testing.T) {
	tests := map[string]bool{"30s": true, "2m": true, "1h30m": true, "0s": false, "-5s": false, "30": false, "soon": false, "": false}
	for in, valid := range tests {
		req := validator.StringRequest{Path: path.Root("request_timeout"), ConfigValue: types.StringValue(in)}
		var resp validator.StringResponse
		positiveDuration.ValidateString(context.Background(), req, &resp)
		if got := !resp.Diagnostics.HasError(); got != valid {
			t.Errorf("%q: valid = %v, want %v (%v)", in, got, valid, resp.Diagnostics)
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		var resp validator.StringResponse
		positiveDuration.ValidateString(context.Background(), validator.StringRequest{ConfigValue: v}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v rejected: %v", v, resp.Diagnostics)
		}
	}
}
