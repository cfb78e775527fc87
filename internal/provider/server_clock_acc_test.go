package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestAccAccessToken_serverClockDrivesRotation runs the provider as a
// module test does: configured from the environment tokensmithd --env-file
// writes (endpoint, token, CA certificate file), with no clock injected.
// Moving the backend's clock through its test endpoint moves the provider's
// expiry and rotation decisions, because the provider takes "now" from the
// backend's Date header.
func TestAccAccessToken_serverClockDrivesRotation(t *testing.T) {
	ts := testserver.New(t, testserver.WithTLS(), testserver.WithTestClockEndpoint())
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte(ts.CACertPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envEndpoint, ts.URL)
	t.Setenv(envToken, ts.OwnerToken)
	t.Setenv(envCACertFile, ca)
	c := testAccClient(t, ts)
	advance := func(d time.Duration) func() {
		return func() {
			if _, err := c.SetTestClock(context.Background(), api.TestClockUpdate{Advance: d.String()}); err != nil {
				t.Fatalf("advance the backend's clock: %v", err)
			}
		}
	}
	const cfg = `
resource "tokensmith_access_token" "test" {
  name               = "rotating"
  role               = "reader"
  all_workspaces     = true
  expires_in_days    = 30
  rotate_before_days = 7
}
`
	var first time.Time
	expiry := func(s *terraform.State) (time.Time, error) {
		return time.Parse(time.RFC3339, s.RootModule().Resources[testAccTokenAddr].Primary.Attributes["expires_at"])
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"tokensmith": providerserver.NewProtocol6WithError(New("test")()),
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) (err error) {
					first, err = expiry(s)
					return err
				},
			},
			{
				// 24 days on, by the backend's clock only: inside the window.
				PreConfig: advance(24 * 24 * time.Hour),
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				}},
				Check: func(s *terraform.State) error {
					// expires_in_days counted from the backend's time too.
					second, err := expiry(s)
					if err != nil {
						return err
					}
					if d := second.Sub(first); d < 23*24*time.Hour || d > 25*24*time.Hour {
						return fmt.Errorf("the replacement expires %s after the first token, want about 24 days", d)
					}
					return nil
				},
			},
			{
				// Past the expiry by the backend's clock.
				PreConfig:        advance(31 * 24 * time.Hour),
				Config:           cfg,
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
			},
		},
	})
}
