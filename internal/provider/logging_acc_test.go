package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestAccProvider_debugLogHoldsNoSecret runs a create, a refresh and an
// update with debug logging on, then reads the whole log (the CLI's and the
// provider's) and requires the request lines of the client to be there and
// neither the provider's credential nor the created token's secret to be.
// It cannot run in parallel: the log settings are process environment.
func TestAccProvider_debugLogHoldsNoSecret(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "acc.log")
	t.Setenv("TF_LOG", "DEBUG")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	ts := testserver.New(t)
	// The credential comes from the environment: the harness logs the
	// configuration it writes, so a token written into it would be logged
	// by the test itself.
	t.Setenv("TOKENSMITH_ENDPOINT", ts.URL)
	t.Setenv("TOKENSMITH_TOKEN", ts.OwnerToken)

	var created string
	config := func(description string) string {
		return `
provider "tokensmith" {}

resource "tokensmith_access_token" "logged" {
  name           = "logged"
  description    = "` + description + `"
  permissions    = ["API_READ"]
  all_workspaces = true
}
`
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: config("first"),
				Check: func(s *terraform.State) error {
					created = s.RootModule().Resources["tokensmith_access_token.logged"].Primary.Attributes["token"]
					return nil
				},
			},
			{Config: config("second")},
		},
	})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	log := string(raw)
	if created == "" {
		t.Fatal("the test did not capture the created token's secret")
	}
	for _, want := range []string{"POST", "PATCH", "/api/v2/tokens"} {
		if !strings.Contains(log, want) {
			t.Errorf("the debug log has no %q: the client's request lines are missing, so the scan below proves nothing", want)
		}
	}
	for name, secret := range map[string]string{"the provider's token": ts.OwnerToken, "the created token": created} {
		if strings.Contains(log, secret) {
			t.Errorf("the debug log contains %s", name)
		}
		if strings.Contains(log, secret[8:]) {
			t.Errorf("the debug log contains the random part of %s", name)
		}
	}
}
