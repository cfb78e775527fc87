package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Provider-defined functions need Terraform 1.8 or OpenTofu 1.7.
var testAccFunctionVersionChecks = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(version.Must(version.NewVersion("1.8.0"))),
}

// TestAccFunctionParseToken parses a personal and a service secret, one with
// a broken checksum, one of an unknown prefix and a truncated one.
func TestAccFunctionParseToken(t *testing.T) {
	personal, service := testAccGenerate(t, secret.KindPersonal), testAccGenerate(t, secret.KindService)
	broken := breakLastChar(personal)
	parsed := func(kind knownvalue.Check, lastFour string, valid bool) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"kind": kind, "last_four": knownvalue.StringExact(lastFour), "checksum_valid": knownvalue.Bool(valid),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccFunctionVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(testserver.New(t)),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
output "personal" { value = provider::tokensmith::parse_token(%q) }
output "service" { value = provider::tokensmith::parse_token(%q) }
output "broken" { value = provider::tokensmith::parse_token(%q) }
output "foreign" { value = provider::tokensmith::parse_token("ghp_abcdefghijklmnop") }
output "truncated" { value = provider::tokensmith::parse_token(%q) }
`, personal, service, broken, personal[:20]),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("personal", parsed(knownvalue.StringExact("personal"), api.LastFour(personal), true)),
				statecheck.ExpectKnownOutputValue("service", parsed(knownvalue.StringExact("service"), api.LastFour(service), true)),
				statecheck.ExpectKnownOutputValue("broken", parsed(knownvalue.StringExact("personal"), api.LastFour(broken), false)),
				statecheck.ExpectKnownOutputValue("foreign", parsed(knownvalue.Null(), "mnop", false)),
				statecheck.ExpectKnownOutputValue("truncated", parsed(knownvalue.StringExact("personal"), api.LastFour(personal[:20]), false)),
			},
		}},
	})
}

// TestAccFunctionParseTokenNotLogged parses a secret with debug logging on
// and requires the log of the CLI and the provider to hold the function call
// and not the secret. It cannot run in parallel: the log settings are
// process environment.
func TestAccFunctionParseTokenNotLogged(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "acc.log")
	t.Setenv("TF_LOG", "DEBUG")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	value := testAccGenerate(t, secret.KindService)
	t.Setenv("TF_VAR_parsed_secret", value)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   testAccFunctionVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(testserver.New(t)),
		Steps: []resource.TestStep{{
			Config: `
variable "parsed_secret" {
  type      = string
  sensitive = true
}

output "kind" {
  value = nonsensitive(provider::tokensmith::parse_token(var.parsed_secret).kind)
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("kind", knownvalue.StringExact("service")),
			},
		}},
	})
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "parse_token") {
		t.Fatal("the debug log does not mention the function call; the scan below proves nothing")
	}
	if strings.Contains(string(raw), secretCore(value)) {
		t.Error("the debug log holds the parsed secret")
	}
}

// TestAccFunctionPolicyAllows evaluates statements as the backend does:
// allow with wildcards, deny winning, not_actions and not_resources,
// statements passed as a custom role's policy_statements, and refusals of
// malformed statements naming the rule.
func TestAccFunctionPolicyAllows(t *testing.T) {
	const statements = `[
  { effect = "allow", actions = ["API_*"], resources = ["workspace/*"] },
  { effect = "deny", actions = ["API_WRITE"], resources = ["workspace/prod"] },
  { effect = "allow", not_actions = ["MEMBER_WRITE"], resources = ["org"] },
]`
	cases := map[string]struct {
		action, resource string
		want             bool
	}{
		"wildcard_action":   {"API_READ", "workspace/dev", true},
		"deny_wins":         {"API_WRITE", "workspace/prod", false},
		"deny_is_narrow":    {"API_WRITE", "workspace/dev", true},
		"other_kind":        {"API_READ", "token/abc", false},
		"not_actions":       {"AUDIT_LOG_READ", "org", true},
		"not_actions_hole":  {"MEMBER_WRITE", "org", false},
		"resource_mismatch": {"AUDIT_LOG_READ", "workspace/dev", false},
	}
	var config strings.Builder
	fmt.Fprintf(&config, "locals {\n  statements = %s\n}\n", statements)
	checks := []statecheck.StateCheck{}
	for name, tc := range cases {
		fmt.Fprintf(&config, "output %q { value = provider::tokensmith::policy_allows(local.statements, %q, %q) }\n", name, tc.action, tc.resource)
		checks = append(checks, statecheck.ExpectKnownOutputValue(name, knownvalue.Bool(tc.want)))
	}
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccFunctionVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::tokensmith::policy_allows([{ effect = "permit", actions = ["A"], resources = ["*"] }], "A", "org") }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid policy statements:\s+statements\[0\]\.effect:\s+must\s+be\s+"allow"\s+or\s+"deny"`),
			},
			{
				Config:      `output "x" { value = provider::tokensmith::policy_allows([{ effect = "allow", actions = ["A"], not_actions = ["B"], resources = ["*"] }], "A", "org") }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)statements\[0\]\.not_actions:\s+must\s+not\s+be\s+set\s+together\s+with\s+actions`),
			},
			{
				Config:      `output "x" { value = provider::tokensmith::policy_allows([{ effect = "allow", action = ["A"], resources = ["*"] }], "A", "org") }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)unknown\s+attribute\s+"action"`),
			},
			{
				Config:      `output "x" { value = provider::tokensmith::policy_allows("allow", "A", "org") }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)want\s+a\s+list\s+or\s+set\s+of\s+statement\s+objects,\s+got\s+string`),
			},
			{Config: config.String(), ConfigStateChecks: checks},
			{
				// The policy of a managed custom role, as the provider stores it.
				Config: testAccProviderConfig(ts) + `
resource "tokensmith_custom_role" "reader" {
  key  = "fn-reader"
  name = "Reader"
  policy_statements = [{
    effect    = "allow"
    actions   = ["API_READ"]
    resources = ["workspace/*"]
  }]
}

output "role_reads" {
  value = provider::tokensmith::policy_allows(tokensmith_custom_role.reader.policy_statements, "API_READ", "workspace/x")
}

output "role_writes" {
  value = provider::tokensmith::policy_allows(tokensmith_custom_role.reader.policy_statements, "API_WRITE", "workspace/x")
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("role_reads", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("role_writes", knownvalue.Bool(false)),
				},
			},
		},
	})
}

// breakLastChar changes the last character of v within the alphabet.
func breakLastChar(v string) string {
	repl := byte('0')
	if v[len(v)-1] == '0' {
		repl = '1'
	}
	return v[:len(v)-1] + string(repl)
}

// TestAccExampleFunctions applies the functions' documented examples: the
// deployer role writes to staging (only production is denied), and a
// well-formed service token passes the variable's validation. It cannot run
// in parallel: the variable is process environment.
func TestAccExampleFunctions(t *testing.T) {
	ts := testserver.New(t)
	t.Setenv("TF_VAR_deploy_token", testAccGenerate(t, secret.KindService))
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   testAccFunctionVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + readExample(t, "functions/policy_allows/function.tf") +
				readExample(t, "functions/parse_token/function.tf"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("deployer_writes_staging", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("deploy_token_kind", knownvalue.StringExact("service")),
			},
		}},
	})
}
