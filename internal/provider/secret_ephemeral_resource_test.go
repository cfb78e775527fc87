package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestAccSecretEphemeral_format opens tokensmith_secret for both kinds and
// echoes the result: each value is a well-formed secret of the asked kind
// (prefix, length, checksum, as the backend parses it), and last_four is its
// end.
func TestAccSecretEphemeral_format(t *testing.T) {
	ts := testserver.New(t)
	wellFormed := func(kind secret.Kind) knownvalue.Check {
		return knownvalue.StringFunc(func(v string) error {
			got, err := secret.Parse(v)
			if err != nil {
				return fmt.Errorf("not a well-formed secret: %w", err)
			}
			if got != kind {
				return fmt.Errorf("kind %s, want %s", got, kind)
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"tokensmith": testAccFactories(ts)["tokensmith"],
			"echo":       echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + `
ephemeral "tokensmith_secret" "personal" {}

ephemeral "tokensmith_secret" "service" {
  service_token = true
}

provider "echo" {
  data = {
    personal = ephemeral.tokensmith_secret.personal
    service  = ephemeral.tokensmith_secret.service
  }
}

resource "echo" "secrets" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.secrets", tfjsonpath.New("data").AtMapKey("personal").AtMapKey("value"), wellFormed(secret.KindPersonal)),
				statecheck.ExpectKnownValue("echo.secrets", tfjsonpath.New("data").AtMapKey("personal").AtMapKey("service_token"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("echo.secrets", tfjsonpath.New("data").AtMapKey("service").AtMapKey("value"), wellFormed(secret.KindService)),
				statecheck.ExpectKnownValue("echo.secrets", tfjsonpath.New("data").AtMapKey("service").AtMapKey("service_token"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("echo.secrets", tfjsonpath.New("data").AtMapKey("service").AtMapKey("last_four"),
					knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-Za-z]{4}$`))),
			},
			Check: func(s *terraform.State) error {
				a := s.RootModule().Resources["echo.secrets"].Primary.Attributes
				for _, k := range []string{"personal", "service"} {
					v := a["data."+k+".value"]
					if !strings.HasSuffix(v, a["data."+k+".last_four"]) {
						return fmt.Errorf("%s: last_four is not the end of value", k)
					}
				}
				return nil
			},
		}},
	})
}

// TestAccSecretEphemeral_feedsWriteOnly is the documented pattern: the
// generator feeds secret_wo. The token is created with a client-supplied
// secret (the audit log says so) whose last four are shown, `token` stays
// null; a later run makes a new value and plans nothing; bumping
// secret_wo_version resets the secret in place.
func TestAccSecretEphemeral_feedsWriteOnly(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(testAccAllowClientSecrets))
	config := func(version int) string {
		return testAccProviderConfig(ts) + fmt.Sprintf(`
ephemeral "tokensmith_secret" "ci" {
  service_token = true
}

resource "tokensmith_access_token" "wo" {
  name              = "ci"
  role              = "reader"
  service_token     = true
  all_workspaces    = true
  secret_wo         = ephemeral.tokensmith_secret.ci.value
  secret_wo_version = %d
}
`, version)
	}
	lastFour := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: config(1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("token"), knownvalue.Null()),
					lastFour.AddStateValue(testAccWriteOnlyAddr, tfjsonpath.New("token_last_four")),
				},
				Check: testAccCheckAuditCount(ts, "token.create", 1),
			},
			{
				Config: config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config: config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccWriteOnlyAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("token"), knownvalue.Null()),
					lastFour.AddStateValue(testAccWriteOnlyAddr, tfjsonpath.New("token_last_four")),
				},
				Check: testAccCheckAuditCount(ts, "token.reset", 1),
			},
		},
	})
}

// testAccCheckAuditCount checks that the audit log holds n records of action
// marked as made with a client-supplied secret.
func testAccCheckAuditCount(ts *testserver.Server, action string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: ts.OwnerToken, CACertPEM: ts.CACertPEM})
		if err != nil {
			return err
		}
		log, err := c.ListAuditLog(context.Background(), client.ListOptions{Limit: 1000})
		if err != nil {
			return err
		}
		got := 0
		for _, e := range log.Items {
			if e.Action == action && strings.Contains(e.Detail, "secret=client-supplied") {
				got++
			}
		}
		if got != n {
			return fmt.Errorf("%d %s audit records with a client-supplied secret, want %d", got, action, n)
		}
		return nil
	}
}
