package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

const testAccWriteOnlyAddr = "tokensmith_access_token.wo"

func testAccAllowClientSecrets(cfg *server.Config) { cfg.AllowClientSecrets = true }

// secretCore is the random part of a secret: a copy of it anywhere is a
// leak, even without the prefix or the checksum.
func secretCore(v string) string { return v[len(secret.PrefixPersonal) : len(v)-secret.ChecksumLength] }

func testAccGenerate(t *testing.T, k secret.Kind) string {
	t.Helper()
	v, err := secret.Generate(k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// testAccCheckSecretAuthenticates checks that value authenticates as the
// token in state at addr, and that token_last_four shows its end.
func testAccCheckSecretAuthenticates(ts *testserver.Server, addr, value string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := testAccStateID(s, addr)
		if err != nil {
			return err
		}
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: value, CACertPEM: ts.CACertPEM, MaxRetries: 0})
		if err != nil {
			return err
		}
		ci, err := c.CallerIdentity(context.Background())
		if err != nil {
			return fmt.Errorf("the supplied secret does not authenticate: %w", err)
		}
		if ci.TokenID != id {
			return fmt.Errorf("the supplied secret authenticates as %s, want %s", ci.TokenID, id)
		}
		if got := s.RootModule().Resources[addr].Primary.Attributes["token_last_four"]; got != api.LastFour(value) {
			return fmt.Errorf("token_last_four is %q, want %q", got, api.LastFour(value))
		}
		return nil
	}
}

func testAccCheckSecretRefused(ts *testserver.Server, value string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: value, CACertPEM: ts.CACertPEM, MaxRetries: 0})
		if err != nil {
			return err
		}
		_, err = c.CallerIdentity(context.Background())
		if !client.IsUnauthorized(err) {
			return fmt.Errorf("an earlier secret still authenticates (err = %v)", err)
		}
		return nil
	}
}

// noSecretsInPlan fails when the JSON of the plan holds any of the secrets.
type noSecretsInPlan struct{ secrets func() []string }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(raw), testAccWriteOnlyAddr) {
		resp.Error = fmt.Errorf("the plan JSON does not mention %s; the check proves nothing", testAccWriteOnlyAddr)
		return
	}
	for _, s := range c.secrets() {
		if strings.Contains(string(raw), secretCore(s)) {
			resp.Error = fmt.Errorf("the plan JSON holds a write-only secret")
			return
		}
	}
}

// noSecretsInState fails when the JSON of the state (which holds sensitive
// values in the clear) holds any of the secrets.
type noSecretsInState struct{ secrets func() []string }

func (c noSecretsInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if !strings.Contains(string(raw), "token_last_four") {
		resp.Error = fmt.Errorf("the state JSON holds no token; the check proves nothing")
		return
	}
	for _, s := range c.secrets() {
		if strings.Contains(string(raw), secretCore(s)) {
			resp.Error = fmt.Errorf("the state JSON holds a write-only secret")
			return
		}
	}
}

// TestAccAccessTokenWriteOnly_secretNeverStored creates a token with a
// secret from an ephemeral input variable, resets it in place by bumping
// secret_wo_version, then runs with a third value and an unchanged version.
// Each secret authenticates as the token while it is current, the earlier
// one stops working, `token` stays null, the third value changes nothing,
// and no secret is in any plan's JSON, the state's JSON or the debug log of
// the CLI and the provider. It cannot run in parallel: the log settings and
// the variable are process environment (a variable given to the harness
// would be written to a file).
func TestAccAccessTokenWriteOnly_secretNeverStored(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "acc.log")
	t.Setenv("TF_LOG", "DEBUG")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	ts := testserver.New(t, testserver.WithConfig(testAccAllowClientSecrets))
	t.Setenv("TOKENSMITH_ENDPOINT", ts.URL)
	t.Setenv("TOKENSMITH_TOKEN", ts.OwnerToken)
	first, second, third := testAccGenerate(t, secret.KindService), testAccGenerate(t, secret.KindService), testAccGenerate(t, secret.KindService)
	all := func() []string { return []string{first, second, third} }
	config := func(version int) string {
		return fmt.Sprintf(`
provider "tokensmith" {}

variable "wo_secret" {
  type      = string
  ephemeral = true
  sensitive = true
}

resource "tokensmith_access_token" "wo" {
  name              = "write-only"
  role              = "reader"
  service_token     = true
  all_workspaces    = true
  secret_wo         = var.wo_secret
  secret_wo_version = %d
}
`, version)
	}
	var id string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { t.Setenv("TF_VAR_wo_secret", first) },
				Config:    config(1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccWriteOnlyAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("token"), knownvalue.Null()),
					noSecretsInPlan{all},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("secret_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("secret_wo_version"), knownvalue.Int64Exact(1)),
					noSecretsInState{all},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckSecretAuthenticates(ts, testAccWriteOnlyAddr, first),
					func(s *terraform.State) (err error) { id, err = testAccStateID(s, testAccWriteOnlyAddr); return err },
				),
			},
			{
				PreConfig: func() { t.Setenv("TF_VAR_wo_secret", second) },
				Config:    config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccWriteOnlyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("token"), knownvalue.Null()),
					plancheck.ExpectUnknownValue(testAccWriteOnlyAddr, tfjsonpath.New("token_last_four")),
					noSecretsInPlan{all},
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccWriteOnlyAddr, tfjsonpath.New("token"), knownvalue.Null()),
					noSecretsInState{all},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckSecretAuthenticates(ts, testAccWriteOnlyAddr, second),
					testAccCheckSecretRefused(ts, first),
					func(s *terraform.State) error {
						if got, _ := testAccStateID(s, testAccWriteOnlyAddr); got != id {
							return fmt.Errorf("the reset replaced the token: id %s, was %s", got, id)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() { t.Setenv("TF_VAR_wo_secret", third) },
				Config:    config(2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					noSecretsInPlan{all},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckSecretAuthenticates(ts, testAccWriteOnlyAddr, second),
					testAccCheckSecretRefused(ts, third),
				),
			},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	log := string(raw)
	for _, want := range []string{"POST", "/reset", "/api/v2/tokens"} {
		if !strings.Contains(log, want) {
			t.Errorf("the debug log has no %q: the client's request lines are missing, so the scan below proves nothing", want)
		}
	}
	for i, s := range all() {
		if strings.Contains(log, secretCore(s)) {
			t.Errorf("the debug log holds secret %d", i+1)
		}
	}
}

// TestAccAccessTokenWriteOnly_planErrors: each mistake fails the plan with an
// error naming the rule, and nothing is created.
func TestAccAccessTokenWriteOnly_planErrors(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(testAccAllowClientSecrets))
	personal := testAccGenerate(t, secret.KindPersonal)
	config := func(body string) string {
		return testAccProviderConfig(ts) + `
resource "tokensmith_access_token" "wo" {
  name           = "wo"
  role           = "reader"
  all_workspaces = true
` + body + `
}
`
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		CheckDestroy:             testAccCheckOnlyOwnerToken(ts),
		Steps: testAccPlanErrorSteps(config, map[string]testAccPlanError{
			"version without secret": {`  secret_wo_version = 1`, `(?s)secret_wo.*must\s+be\s+configured\s+together`},
			"secret without version": {fmt.Sprintf(`  secret_wo = %q`, personal), `(?s)must\s+be\s+configured\s+together`},
			"secret with rotation triggers": {fmt.Sprintf(`  secret_wo = %q
  secret_wo_version = 1
  rotation_triggers = { a = "1" }`, personal), `(?s)secret_wo\s+and\s+rotation_triggers\s+are\s+both\s+set:\s+they\s+cannot\s+be\s+configured\s+together`},
			"version below one": {fmt.Sprintf(`  secret_wo = %q
  secret_wo_version = 0`, personal), `(?s)secret_wo_version.*at least 1`},
			"secret of the wrong kind": {fmt.Sprintf(`  service_token = true
  secret_wo = %q
  secret_wo_version = 1`, personal), `(?s)secret_wo.*personal token secret but the token is a\s+service token`},
			"malformed secret": {`  secret_wo = "tsm_pat_not-a-secret"
  secret_wo_version = 1`, `(?s)secret.*not a well-formed access token`},
		}),
	})
}

// TestAccAccessTokenWriteOnly_serverRefuses: against a backend with the
// default setting, a token with secret_wo fails the plan (the dry run
// carries the secret) with the setting to change.
func TestAccAccessTokenWriteOnly_serverRefuses(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		CheckDestroy:             testAccCheckOnlyOwnerToken(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + fmt.Sprintf(`
resource "tokensmith_access_token" "wo" {
  name              = "wo"
  role              = "reader"
  all_workspaces    = true
  secret_wo         = %q
  secret_wo_version = 1
}
`, testAccGenerate(t, secret.KindPersonal)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)does not accept client-supplied secrets.*--allow-client-secrets`),
		}},
	})
}

// testAccCheckOnlyOwnerToken checks that the backend holds no token but the
// owner's bootstrap token.
func testAccCheckOnlyOwnerToken(ts *testserver.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: ts.OwnerToken, CACertPEM: ts.CACertPEM})
		if err != nil {
			return err
		}
		l, err := c.ListTokens(context.Background(), true, client.ListOptions{})
		if err != nil {
			return err
		}
		if l.TotalCount != 1 {
			return fmt.Errorf("%d tokens, want the owner's only", l.TotalCount)
		}
		return nil
	}
}

// TestAccExampleWriteOnly applies the documented write-only example against
// a backend that accepts client-supplied secrets: the token has no secret in
// state and shows its last four.
func TestAccExampleWriteOnly(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(testAccAllowClientSecrets))
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + readExample(t, "resources/tokensmith_access_token/write-only.tf"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("tokensmith_access_token.ci", tfjsonpath.New("token"), knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("ci_token_last_four", knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-Za-z]{4}$`))),
			},
		}},
	})
}

// TestAccAccessTokenWriteOnly_reusedSecretRefused: a version bump that hands
// the token a secret it held before fails the apply naming secret_wo, keeps
// the token and its secret, and leaves the version in state as it was, so
// the next plan tries the reset again.
func TestAccAccessTokenWriteOnly_reusedSecretRefused(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(testAccAllowClientSecrets))
	first, second, third := testAccGenerate(t, secret.KindPersonal), testAccGenerate(t, secret.KindPersonal), testAccGenerate(t, secret.KindPersonal)
	config := func(value string, version int) string {
		return testAccProviderConfig(ts) + fmt.Sprintf(`
resource "tokensmith_access_token" "wo" {
  name              = "wo"
  role              = "reader"
  all_workspaces    = true
  secret_wo         = %q
  secret_wo_version = %d
}
`, value, version)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{Config: config(first, 1), Check: testAccCheckSecretAuthenticates(ts, testAccWriteOnlyAddr, first)},
			{Config: config(second, 2), Check: testAccCheckSecretAuthenticates(ts, testAccWriteOnlyAddr, second)},
			{
				Config:      config(first, 3),
				ExpectError: regexp.MustCompile(`(?s)Unable to Reset Access Token.*secret has already been the secret of a\s+token`),
			},
			// The version in state is still 2: bumping to 3 plans a
			// change, staying at 2 plans none.
			{Config: config(first, 3), PlanOnly: true, ExpectNonEmptyPlan: true},
			{Config: config(first, 2), PlanOnly: true},
			{Config: config(third, 3), Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckSecretAuthenticates(ts, testAccWriteOnlyAddr, third),
				testAccCheckSecretRefused(ts, second),
			)},
		},
	})
}
