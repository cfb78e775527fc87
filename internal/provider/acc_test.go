package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The acceptance tests run against a real CLI (TF_ACC=1; `make test` runs
// them once with Terraform and once with OpenTofu) and a real backend from
// internal/testserver, one per test, so every test may run in parallel.

// testAccProtoV6ProviderFactories serves the provider in-process to the CLI.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"tokensmith": providerserver.NewProtocol6WithError(New("test")()),
}

// testAccProviderConfig returns a provider block that talks to ts as its
// owner.
func testAccProviderConfig(ts *testserver.Server) string {
	return testAccProviderConfigWithToken(ts, ts.OwnerToken)
}

// testAccProviderConfigWithToken returns a provider block that talks to ts
// with the given credential. The CA certificate is included when ts serves
// TLS.
func testAccProviderConfigWithToken(ts *testserver.Server, token string) string {
	var b strings.Builder
	b.WriteString("provider \"tokensmith\" {\n")
	fmt.Fprintf(&b, "  endpoint = %q\n", ts.URL)
	fmt.Fprintf(&b, "  token    = %q\n", token)
	if ts.CACertPEM != "" {
		fmt.Fprintf(&b, "  ca_cert_pem = %q\n", ts.CACertPEM)
	}
	b.WriteString("}\n")
	return b.String()
}

// A CLI configures a provider only when something in the configuration
// uses it; the harness tests read the caller's identity for that.
const testAccCallerIdentityConfig = `
data "tokensmith_caller_identity" "this" {}
`

// A missing endpoint or token is reported naming both the attribute and its
// environment variable; the error only appears when a real CLI configures
// the served provider.
func TestAccProvider_missingSettings(t *testing.T) {
	for name, tc := range map[string]struct{ provider, want string }{
		"endpoint": {
			provider: `provider "tokensmith" {
  token = "unused"
}
`,
			want: `(?s)Missing Tokensmith Endpoint.*endpoint.*` + envEndpoint,
		},
		"token": {
			provider: `provider "tokensmith" {
  endpoint = "https://tokens.example.com"
}
`,
			want: `(?s)Missing Tokensmith Token.*token.*` + envToken,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envEndpoint, "")
			t.Setenv(envToken, "")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.provider + testAccCallerIdentityConfig,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func TestAccProvider_configured(t *testing.T) {
	for name, opts := range map[string][]testserver.Option{
		"http":                  nil,
		"tls with a private CA": {testserver.WithTLS()},
	} {
		t.Run(name, func(t *testing.T) {
			ts := testserver.New(t, opts...)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: testAccProviderConfig(ts) + testAccCallerIdentityConfig,
					Check:  resource.TestCheckResourceAttr("data.tokensmith_caller_identity.this", "member_id", ts.OwnerID),
				}},
			})
		})
	}
}

// TestProviderServer_schema checks, without a CLI, that the factory the
// acceptance tests use serves a provider whose whole schema (every resource
// and data source included) passes the framework's validation.
func TestProviderServer_schema(t *testing.T) {
	srv, err := testAccProtoV6ProviderFactories["tokensmith"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
	}
	attrs := map[string]*tfprotov6.SchemaAttribute{}
	for _, a := range resp.Provider.Block.Attributes {
		attrs[a.Name] = a
	}
	for _, name := range []string{"endpoint", "token", "ca_cert_pem", "max_retries", "request_timeout"} {
		if attrs[name] == nil {
			t.Errorf("provider schema lacks %s", name)
		}
	}
	if a := attrs["token"]; a != nil && !a.Sensitive {
		t.Error("token is not sensitive")
	}
}

// The provider block may depend on values that are unknown until apply. The
// CLI then configures the provider during plan with unknown values (the
// provider stays unconfigured without an error) and again before apply.
func TestAccProvider_unknownConfigurationDuringPlan(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %q
}

provider "tokensmith" {
  endpoint = terraform_data.endpoint.output
  token    = %q
}

resource "tokensmith_custom_role" "test" {
  key              = "unknown-config"
  name             = "Unknown configuration"
  permissions = ["WORKSPACE_READ"]
}
`, ts.URL, ts.OwnerToken),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("tokensmith_custom_role.test", "key", "unknown-config"),
				resource.TestCheckResourceAttrSet("tokensmith_custom_role.test", "id"),
			),
		}},
	})
}

// A data source read during plan while the provider's endpoint is unknown
// must fail with a diagnostic, not crash the provider.
func TestAccProvider_unknownConfigurationDataSource(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %q
}

provider "tokensmith" {
  endpoint = terraform_data.endpoint.output
  token    = %q
}

data "tokensmith_caller_identity" "me" {}
`, ts.URL, ts.OwnerToken),
			ExpectError: regexp.MustCompile(`Unconfigured Tokensmith Provider`),
		}},
	})
}
