package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// configure runs the provider's Configure with the given attribute values;
// attributes not in vals are null.
func configure(t *testing.T, vals map[string]tftypes.Value) *provider.ConfigureResponse {
	t.Helper()
	return configureProvider(t, New("test")(), vals)
}

// configureProvider is configure for the provider p.
func configureProvider(t *testing.T, p provider.Provider, vals map[string]tftypes.Value) *provider.ConfigureResponse {
	t.Helper()
	ctx := context.Background()
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
	ts := testserver.New(t, testserver.WithTLS())
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, []byte(ts.CACertPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envEndpoint, ts.URL)
	t.Setenv(envToken, ts.OwnerToken)
	t.Setenv(envCACertFile, caFile)
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

// TestConfigure_clock checks which clock the provider hands its resources:
// the backend's, from the Date header of its answers, unless NewWithClock
// injected another.
func TestConfigure_clock(t *testing.T) {
	ts := testserver.New(t, testserver.WithTLS(), testserver.WithTestClockEndpoint())
	backendNow := time.Now().UTC().Add(100 * 24 * time.Hour)
	ts.Clock.Set(backendNow)
	vals := map[string]tftypes.Value{"endpoint": str(ts.URL), "token": str(ts.OwnerToken), "ca_cert_pem": str(ts.CACertPEM)}
	injected := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)

	for name, tc := range map[string]struct {
		p    provider.Provider
		want time.Time
	}{
		"backend":  {New("test")(), backendNow},
		"injected": {NewWithClock("test", func() time.Time { return injected })(), injected},
	} {
		t.Run(name, func(t *testing.T) {
			resp := configureProvider(t, tc.p, vals)
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
			}
			data, ok := resp.ResourceData.(*providerData)
			if !ok || data.Now == nil {
				t.Fatalf("ResourceData = %#v, want *providerData with a clock", resp.ResourceData)
			}
			if got := data.Now(); got.Sub(tc.want).Abs() > time.Minute {
				t.Errorf("the provider's clock says %s, want %s", got, tc.want)
			}
		})
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

// ca_cert_pem given a path fails with the file() call to write instead
// (TOKENSMITH_CA_CERT_FILE is covered in ca_cert_file_test.go).
func TestConfigure_caCertPEMGivenAPath(t *testing.T) {
	unsetEnv(t)
	resp := configure(t, map[string]tftypes.Value{"endpoint": str("https://tokens.example.com"), "token": str("x"),
		"ca_cert_pem": str("tokensmith.db.ca.pem")})
	want := `looks like a path: use ca_cert_pem = file("tokensmith.db.ca.pem"), or set ` + envCACertFile
	if resp.Diagnostics.ErrorsCount() != 1 || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), want) {
		t.Fatalf("want one error saying %q, got %v", want, resp.Diagnostics)
	}
	if resp.ResourceData != nil {
		t.Fatal("provider data set despite an error")
	}
}

func TestPlainHTTPWarning(t *testing.T) {
	for endpoint, warns := range map[string]bool{
		"http://127.0.0.1:8080":        false,
		"http://[::1]:8080":            false,
		"http://localhost:8080":        false,
		"http://api.localhost":         false,
		"https://tokens.example.com":   false,
		"http://tokens.example.com":    true,
		"http://10.0.0.5:8080":         true,
		"http://0.0.0.0:8080":          true,
		"http://localhost.example.com": true,
	} {
		if got := plainHTTPWarning(endpoint) != ""; got != warns {
			t.Errorf("%s: warns = %v, want %v", endpoint, got, warns)
		}
	}
}
