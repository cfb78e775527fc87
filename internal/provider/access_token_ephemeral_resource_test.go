package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Ephemeral resources need Terraform 1.10 or OpenTofu 1.11. OpenTofu reports
// its own version to the harness, so the gate is one both CLIs satisfy.
var testAccEphemeralVersionChecks = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(version.Must(version.NewVersion("1.11.0"))),
}

const (
	testAccEphemeralAddr   = "ephemeral.tokensmith_access_token.ci"
	testAccEchoAddr        = "echo.token"
	testAccEphemeralPrefix = "ci-job-"
)

// testAccEphemeralFactories serves the provider, on ts's clock; the echo
// provider, which copies the ephemeral result into the state of echo.token
// so that the checks can see it; and a second, separate instance of the
// provider under the name "probe" that authenticates with the ephemeral
// secret. It has to be separate: the harness serves every configuration of
// one provider name from one in-process server, so an alias of tokensmith
// would replace the credential the ephemeral resource is closed with.
func testAccEphemeralFactories(ts *testserver.Server) map[string]func() (tfprotov6.ProviderServer, error) {
	f := testAccFactories(ts)
	f["probe"] = testAccFactories(ts)["tokensmith"]
	f["echo"] = echoprovider.NewProviderServer()
	return f
}

// testAccEphemeralConfig opens one ephemeral token with the given body and
// echoes it. The probe provider authenticates with the ephemeral secret and
// reads the caller identity; depends_on defers that read to the apply, so it
// uses the very token echo.token records, while that token is open.
func testAccEphemeralConfig(ts *testserver.Server, body string) string {
	return testAccProviderConfig(ts) + fmt.Sprintf(`
ephemeral "tokensmith_access_token" "ci" {
  name_prefix = %q
%s
}

provider "echo" {
  data = %s
}

resource "echo" "token" {}

provider "probe" {
  endpoint = %q
  token    = %s.token
}

data "tokensmith_caller_identity" "ephemeral" {
  provider   = probe
  depends_on = [echo.token]
}
`, testAccEphemeralPrefix, body, testAccEphemeralAddr, ts.URL, testAccEphemeralAddr)
}

func echoAttr(name string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(name) }

func TestAccAccessTokenEphemeral_basic(t *testing.T) {
	ts := testserver.New(t)
	identity := "data.tokensmith_caller_identity.ephemeral"
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccEphemeralFactories(ts),
		CheckDestroy:             testAccCheckNoEphemeralTokens(ts),
		Steps: []resource.TestStep{{
			Config: testAccEphemeralConfig(ts, fmt.Sprintf(`
  description   = "pipeline run"
  role          = "reader"
  workspace_ids = [%q]
  ttl           = "30m"
`, ts.DefaultWorkspaceID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("name"),
					knownvalue.StringRegexp(regexp.MustCompile(`^`+testAccEphemeralPrefix+`[0-9a-f]{12}$`))),
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("ttl"), knownvalue.StringExact("30m")),
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("expires_at"),
					knownvalue.StringExact(ts.Clock.Now().UTC().Add(30*time.Minute).Truncate(time.Second).Format(time.RFC3339))),
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("token"),
					knownvalue.StringRegexp(regexp.MustCompile(`^tsm_pat_`))),
				// The secret authenticated while it was open, as the token
				// Open returned.
				statecheck.CompareValuePairs(testAccEchoAddr, echoAttr("id"), identity, tfjsonpath.New("token_id"), compare.ValuesSame()),
				statecheck.CompareValuePairs(testAccEchoAddr, echoAttr("name"), identity, tfjsonpath.New("token_name"), compare.ValuesSame()),
				statecheck.ExpectKnownValue(identity, tfjsonpath.New("member_id"), knownvalue.StringExact(ts.OwnerID)),
				statecheck.ExpectKnownValue(identity, tfjsonpath.New("service_token"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(identity, tfjsonpath.New("all_workspaces"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(identity, tfjsonpath.New("workspace_ids"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(ts.DefaultWorkspaceID)})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckEphemeralTokenClosed(ts),
				testAccCheckNoEphemeralTokens(ts),
			),
		}},
	})
}

func TestAccAccessTokenEphemeral_defaults(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccEphemeralFactories(ts),
		CheckDestroy:             testAccCheckNoEphemeralTokens(ts),
		Steps: []resource.TestStep{{
			Config: testAccEphemeralConfig(ts, `
  all_workspaces = true
  service_token  = true
  inline_role = [{
    effect    = "allow"
    actions   = ["API_READ", "WORKSPACE_READ"]
    resources = ["*"]
  }]
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("ttl"), knownvalue.StringExact("1h")),
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("expires_at"),
					knownvalue.StringExact(ts.Clock.Now().UTC().Add(time.Hour).Truncate(time.Second).Format(time.RFC3339))),
				statecheck.ExpectKnownValue(testAccEchoAddr, echoAttr("token"),
					knownvalue.StringRegexp(regexp.MustCompile(`^tsm_svc_`))),
				statecheck.CompareValuePairs(testAccEchoAddr, echoAttr("id"),
					"data.tokensmith_caller_identity.ephemeral", tfjsonpath.New("token_id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.tokensmith_caller_identity.ephemeral", tfjsonpath.New("service_token"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.tokensmith_caller_identity.ephemeral", tfjsonpath.New("all_workspaces"), knownvalue.Bool(true)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckEphemeralTokenClosed(ts),
				testAccCheckNoEphemeralTokens(ts),
			),
		}},
	})
}

func TestAccAccessTokenEphemeral_errors(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) { c.MaxLifetime = 2 * time.Hour }))
	ephemeralOnly := func(body string) string {
		return testAccProviderConfig(ts) + fmt.Sprintf(`
ephemeral "tokensmith_access_token" "ci" {
  name_prefix = %q
%s
}
`, testAccEphemeralPrefix, body)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccEphemeralFactories(ts),
		CheckDestroy:             testAccCheckNoEphemeralTokens(ts),
		Steps: []resource.TestStep{
			{
				Config: ephemeralOnly(`
  role           = "reader"
  permissions    = ["API_READ"]
  all_workspaces = true
`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*role.*permissions`),
			},
			{
				Config: ephemeralOnly(`
  role = "reader"
`),
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*None\s+of\s+workspace_ids\s+and\s+all_workspaces\s+is\s+set`),
			},
			{
				Config: ephemeralOnly(`
  role           = "reader"
  all_workspaces = true
  ttl            = "soon"
`),
				ExpectError: regexp.MustCompile(`Invalid Duration`),
			},
			{
				Config: testAccProviderConfig(ts) + `
ephemeral "tokensmith_access_token" "ci" {
  name_prefix    = "` + strings.Repeat("p", 53) + `"
  role           = "reader"
  all_workspaces = true
}
`,
				ExpectError: regexp.MustCompile(`(?s)name_prefix.*between 1 and 52`),
			},
			{
				// The backend's expiration policy refuses the lifetime, and
				// the error names ttl.
				Config: testAccEphemeralConfig(ts, `
  role           = "reader"
  all_workspaces = true
  ttl            = "3h"
`),
				ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*ttl.*expirationDate\s+must\s+be\s+at\s+most`),
			},
		},
	})
}

// testAccCheckEphemeralTokenClosed checks that the secret echoed into state
// no longer authenticates: Terraform closed the ephemeral resource at the
// end of the run, and Close deleted the token.
func testAccCheckEphemeralTokenClosed(ts *testserver.Server) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[testAccEchoAddr]
		if !ok {
			return fmt.Errorf("%s not in state", testAccEchoAddr)
		}
		secret := rs.Primary.Attributes["data.token"]
		if secret == "" {
			return fmt.Errorf("%s holds no echoed token", testAccEchoAddr)
		}
		c, err := client.New(client.Config{Endpoint: ts.URL, CACertPEM: ts.CACertPEM, MaxRetries: -1})
		if err != nil {
			return err
		}
		_, err = c.WithToken(secret).CallerIdentity(context.Background())
		if !client.IsUnauthorized(err) {
			return fmt.Errorf("the ephemeral token %s still answers after the run (error: %v), want unauthorized",
				rs.Primary.Attributes["data.id"], err)
		}
		return nil
	}
}

// testAccCheckNoEphemeralTokens checks that the backend holds no token whose
// name starts with the ephemeral prefix, whoever owns it.
func testAccCheckNoEphemeralTokens(ts *testserver.Server) func(*terraform.State) error {
	return func(*terraform.State) error {
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: ts.OwnerToken, CACertPEM: ts.CACertPEM})
		if err != nil {
			return err
		}
		tokens, err := c.ListTokens(context.Background(), true, client.ListOptions{Limit: 1000})
		if err != nil {
			return err
		}
		var left []string
		for _, tok := range tokens.Items {
			if strings.HasPrefix(tok.Name, testAccEphemeralPrefix) {
				left = append(left, tok.Name+" ("+tok.ID+")")
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("tokens left on the backend: %s", strings.Join(left, ", "))
		}
		if tokens.TotalCount > len(tokens.Items) {
			return fmt.Errorf("the backend lists %d tokens, more than one page", tokens.TotalCount)
		}
		return nil
	}
}
