package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The recipe of the docs: rotate_before_days with create_before_destroy.
func TestAccAccessToken_rotateBeforeDays(t *testing.T) {
	ts := testserver.New(t)
	cfg := testAccTokenConfig(ts, `
  name               = "rotating"
  role               = "reader"
  all_workspaces     = true
  expires_in_days    = 30
  rotate_before_days = 7

  lifecycle {
    create_before_destroy = true
  }
`)
	// The first two steps keep the token, the third replaces it.
	kept := statecheck.CompareValue(compare.ValuesSame())
	replaced := statecheck.CompareValue(compare.ValuesDiffer())
	expiresIn30Days := func() string {
		return ts.Clock.Now().UTC().Add(30 * 24 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	}
	var firstExpiry, secondExpiry string
	// The plan says why the token is replaced, in a warning.
	rec := &planDiagnostics{}
	// dueWarnings checks the warnings; verb and expiry (read when the check
	// runs) give the one expected, none when verb is "".
	dueWarnings := func(verb string, expiry *string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			var want []string
			if verb != "" {
				want = append(want, fmt.Sprintf(`tokensmith_access_token "rotating" %s at %s, within `+
					`rotate_before_days = 7: it will be replaced by a new token with a new id and a new secret.`, verb, *expiry))
			}
			got := rec.details(tfprotov6.DiagnosticSeverityWarning, "Access Token Due for Rotation")
			if !slices.Equal(got, want) {
				return fmt.Errorf("rotation warnings:\n got %q\nwant %q", got, want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					kept.AddStateValue(testAccTokenAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("rotate_before_days"), knownvalue.Int64Exact(7)),
				},
				Check: func(s *terraform.State) error {
					firstExpiry = s.RootModule().Resources[testAccTokenAddr].Primary.Attributes["expires_at"]
					return nil
				},
			},
			{
				// Eight days before the expiry: outside the window.
				PreConfig: func() {
					rec.reset()
					ts.Clock.Advance(22 * 24 * time.Hour)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					kept.AddStateValue(testAccTokenAddr, tfjsonpath.New("id")),
					replaced.AddStateValue(testAccTokenAddr, tfjsonpath.New("id")),
				},
				Check: dueWarnings("", nil),
			},
			{
				// Just under seven days before the expiry: inside the window.
				PreConfig: func() {
					rec.reset()
					ts.Clock.Advance(24*time.Hour + time.Minute)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionCreateBeforeDestroy),
					plancheck.ExpectUnknownValue(testAccTokenAddr, tfjsonpath.New("expires_at")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					replaced.AddStateValue(testAccTokenAddr, tfjsonpath.New("id")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					dueWarnings("expires", &firstExpiry),
					func(s *terraform.State) error {
						secondExpiry = s.RootModule().Resources[testAccTokenAddr].Primary.Attributes["expires_at"]
						if want := expiresIn30Days(); secondExpiry != want || secondExpiry == firstExpiry {
							return fmt.Errorf("expires_at after rotation = %s, want %s (first token: %s)", secondExpiry, want, firstExpiry)
						}
						return nil
					},
				),
			},
			{
				// The new token is outside the window again.
				PreConfig:        rec.reset,
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            dueWarnings("", nil),
			},
			{
				// Past the expiry, likewise.
				PreConfig: func() {
					rec.reset()
					ts.Clock.Advance(31 * 24 * time.Hour)
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					dueWarnings("expired", &secondExpiry),
				),
			},
		},
	})
}

func TestAccAccessToken_rotationTriggers(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	cfg := func(version, grace string) string {
		body := "  name = \"ci\"\n  role = \"reader\"\n  all_workspaces = true\n" +
			"  rotation_triggers = { version = \"" + version + "\" }\n"
		if grace != "" {
			body += "  reset_grace_period = \"" + grace + "\"\n"
		}
		return testAccTokenConfig(ts, body)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newSecret := statecheck.CompareValue(compare.ValuesDiffer())
	stateChecks := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{
			sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id")),
			newSecret.AddStateValue(testAccTokenAddr, tfjsonpath.New("token")),
		}
	}
	resetPlan := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
		plancheck.ExpectUnknownValue(testAccTokenAddr, tfjsonpath.New("token")),
		plancheck.ExpectUnknownValue(testAccTokenAddr, tfjsonpath.New("token_last_four")),
		plancheck.ExpectSensitiveValue(testAccTokenAddr, tfjsonpath.New("token")),
	}}
	var id, first, second string
	// The plan says that the secret will be reset, and what becomes of the
	// old one.
	rec := &planDiagnostics{}
	resetWarning := func(old string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			want := []string{fmt.Sprintf(`tokensmith_access_token "ci" (%s): rotation_triggers changed, so its secret `+
				`will be reset in place: the token keeps its id and gets a new secret; %s.`, id, old)}
			if got := rec.details(tfprotov6.DiagnosticSeverityWarning, "Access Token Secret Will Be Reset"); !slices.Equal(got, want) {
				return fmt.Errorf("reset warnings:\n got %q\nwant %q", got, want)
			}
			return nil
		}
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				Config:            cfg("1", "1h"),
				ConfigStateChecks: stateChecks(),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					testAccCaptureSecret(&id, &first),
				),
			},
			{
				// A change of the triggers resets the secret in place; the old
				// one keeps working for the grace period.
				PreConfig:         rec.reset,
				Config:            cfg("2", "1h"),
				ConfigPlanChecks:  resetPlan,
				ConfigStateChecks: stateChecks(),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					testAccCaptureSecret(&id, &second),
					func(*terraform.State) error { return testAccSecretAuthenticatesAs(c, first, id) },
					resetWarning("the old secret keeps working for 1h after the apply (reset_grace_period)"),
				),
			},
			{
				// The grace period is over.
				PreConfig:        func() { ts.Clock.Advance(time.Hour + time.Minute) },
				Config:           cfg("2", "1h"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					func(*terraform.State) error { return testAccSecretRefused(c, first) },
				),
			},
			{
				// Without a grace period the old secret stops at once.
				PreConfig:         rec.reset,
				Config:            cfg("3", ""),
				ConfigPlanChecks:  resetPlan,
				ConfigStateChecks: stateChecks(),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					func(*terraform.State) error { return testAccSecretRefused(c, second) },
					resetWarning("the old secret stops working at once"),
				),
			},
			{
				// Changing only the grace period resets nothing.
				Config:            cfg("3", "10m"),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					resource.TestCheckResourceAttr(testAccTokenAddr, "reset_grace_period", "10m"),
				),
			},
		},
	})
}

// A reset the backend would refuse fails the plan, and nothing is reset.
func TestAccAccessToken_resetRefusedAtPlan(t *testing.T) {
	ts := testserver.New(t)
	ctx := context.Background()
	c := testAccClient(t, ts)
	admin := testAccMemberToken(t, ts, api.RoleAdmin)
	ci, err := c.WithToken(admin).CallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := func(version string) string {
		return testAccProviderConfigWithToken(ts, admin) + fmt.Sprintf(`
resource "tokensmith_access_token" "test" {
  name              = "admin work"
  role              = "admin"
  all_workspaces    = true
  rotation_triggers = { version = %q }
}
`, version)
	}
	var id, secret string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: cfg("1"),
				Check:  testAccCaptureSecret(&id, &secret),
			},
			{
				// The member is demoted, so resetting an admin token would be
				// an escalation.
				PreConfig: func() {
					_, err := c.PatchMember(ctx, ci.MemberID, []api.PatchOperation{
						{Op: "replace", Path: "/role", Value: api.RoleReader},
					})
					if err != nil {
						t.Fatalf("demote member: %v", err)
					}
				},
				Config:      cfg("2"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unable to Reset Access Token.*"admin work".*does\s+not\s+hold`),
			},
			{
				Config:           cfg("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					return testAccSecretAuthenticatesAs(c, secret, id)
				},
			},
		},
	})
}

func TestAccAccessToken_rotationValidation(t *testing.T) {
	ts := testserver.New(t)
	base := "  name = \"bad\"\n  role = \"reader\"\n  all_workspaces = true\n"
	cases := map[string]testAccPlanError{
		"window without lifetime":    {base + "  rotate_before_days = 7\n", `(?s)Invalid Rotation Window.*needs\s+expires_in_days`},
		"window with fixed expiry":   {base + "  rotate_before_days = 7\n  expires_at = \"2099-01-01T00:00:00Z\"\n", `(?s)Invalid Rotation Window.*needs\s+expires_in_days`},
		"window as long as lifetime": {base + "  rotate_before_days = 30\n  expires_in_days = 30\n", `(?s)rotate_before_days\s+\(30\)\s+must\s+be\s+smaller\s+than\s+expires_in_days\s+\(30\)`},
		"window of zero days":        {base + "  rotate_before_days = 0\n  expires_in_days = 30\n", `(?s)rotate_before_days\s+must\s+be\s+at\s+least\s+1`},
		"malformed grace period":     {base + "  reset_grace_period = \"an hour\"\n", `(?s)Invalid Duration.*"an hour"`},
		"negative grace period":      {base + "  reset_grace_period = \"-1h\"\n", `(?s)Invalid Duration.*"-1h"`},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps:                    testAccPlanErrorSteps(func(body string) string { return testAccTokenConfig(ts, body) }, cases),
	})
}

func TestRotationDue(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	state := accessTokenModel{
		Name:      types.StringValue("ci"),
		ExpiresAt: types.StringValue("2026-03-08T12:00:00Z"),
	}
	for name, tc := range map[string]struct {
		days    types.Int64
		now     time.Time
		due     bool
		message string
	}{
		"unset":              {types.Int64Null(), now, false, ""},
		"outside the window": {types.Int64Value(6), now, false, ""},
		"at the window's start": {types.Int64Value(7), now, true,
			`tokensmith_access_token "ci" expires at 2026-03-08T12:00:00Z, within rotate_before_days = 7: it will be replaced by a new token with a new id and a new secret.`},
		"past expiry": {types.Int64Value(7), now.Add(8 * 24 * time.Hour), true,
			`tokensmith_access_token "ci" expired at 2026-03-08T12:00:00Z, within rotate_before_days = 7: it will be replaced by a new token with a new id and a new secret.`},
	} {
		t.Run(name, func(t *testing.T) {
			due, msg := rotationDue(state, tc.days, tc.now)
			if due != tc.due || msg != tc.message {
				t.Errorf("rotationDue = %v, %q; want %v, %q", due, msg, tc.due, tc.message)
			}
		})
	}
	if due, _ := rotationDue(accessTokenModel{ExpiresAt: types.StringNull()}, types.Int64Value(7), now); due {
		t.Error("a token without expiry is never due")
	}
}

func TestTriggersEqual(t *testing.T) {
	m := func(kv ...string) types.Map {
		elems := map[string]attr.Value{}
		for i := 0; i+1 < len(kv); i += 2 {
			elems[kv[i]] = types.StringValue(kv[i+1])
		}
		v, _ := types.MapValue(types.StringType, elems)
		return v
	}
	null := types.MapNull(types.StringType)
	for name, tc := range map[string]struct {
		a, b types.Map
		want bool
	}{
		"both null":      {null, null, true},
		"null and empty": {null, m(), true},
		"same":           {m("v", "1"), m("v", "1"), true},
		"changed value":  {m("v", "1"), m("v", "2"), false},
		"added":          {null, m("v", "1"), false},
		"unknown":        {types.MapUnknown(types.StringType), m("v", "1"), false},
		"removed":        {m("v", "1"), null, false},
		"key renamed":    {m("v", "1"), m("w", "1"), false},
	} {
		if got := triggersEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: triggersEqual = %v, want %v", name, got, tc.want)
		}
	}
}

// testAccCaptureSecret records the id and the secret in state of the token
// under test.
func testAccCaptureSecret(id, secret *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[testAccTokenAddr]
		if !ok {
			return fmt.Errorf("%s not in state", testAccTokenAddr)
		}
		*id, *secret = rs.Primary.ID, rs.Primary.Attributes["token"]
		if *secret == "" {
			return fmt.Errorf("%s has no secret in state", testAccTokenAddr)
		}
		return nil
	}
}

// testAccSecretAuthenticatesAs checks that secret authenticates as the token
// with the given id.
func testAccSecretAuthenticatesAs(c *client.Client, secret, id string) error {
	ci, err := c.WithToken(secret).CallerIdentity(context.Background())
	if err != nil {
		return fmt.Errorf("the secret does not authenticate: %w", err)
	}
	if ci.TokenID != id {
		return fmt.Errorf("the secret authenticates as token %s, want %s", ci.TokenID, id)
	}
	return nil
}

// testAccSecretRefused checks that the backend refuses secret as unknown.
func testAccSecretRefused(c *client.Client, secret string) error {
	_, err := c.WithToken(secret).CallerIdentity(context.Background())
	if !client.IsUnauthorized(err) {
		return fmt.Errorf("the old secret: got %v, want it refused as unauthorized", err)
	}
	return nil
}
