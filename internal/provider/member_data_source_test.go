package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

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

// testAccServiceAccount adds a reader member, a member of the default
// workspace, for tokens created on their behalf.
func testAccServiceAccount(t *testing.T, ts *testserver.Server, email string) *api.Member {
	t.Helper()
	c := testAccClient(t, ts)
	m, err := c.CreateMember(context.Background(), api.MemberCreate{Email: email, FirstName: "Build", LastName: "Bot", Role: api.RoleReader})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddWorkspaceMember(context.Background(), ts.DefaultWorkspaceID, m.ID); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAccMemberDataSource reads a member by email (in another case) and by
// id; an unknown email or id, or both arguments, fail with a clear error.
func TestAccMemberDataSource(t *testing.T) {
	ts := testserver.New(t)
	m := testAccServiceAccount(t, ts, "build-bot@example.com")
	byEmail, byID := "data.tokensmith_member.by_email", "data.tokensmith_member.by_id"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_member" "x" { email = "nobody@example.com" }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Member Not Found.*No member has the email "nobody@example.com"`),
			},
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_member" "x" { id = "000000000000000000000000" }`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Member Not Found.*No member has the id`),
			},
			{
				Config: testAccProviderConfig(ts) + fmt.Sprintf(`
data "tokensmith_member" "x" {
  id    = %q
  email = "build-bot@example.com"
}
`, m.ID),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			{
				Config: testAccProviderConfig(ts) + fmt.Sprintf(`
data "tokensmith_member" "by_email" {
  email = "Build-Bot@Example.com"
}

data "tokensmith_member" "by_id" {
  id = %q
}
`, m.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(byEmail, tfjsonpath.New("id"), knownvalue.StringExact(m.ID)),
					statecheck.ExpectKnownValue(byEmail, tfjsonpath.New("email"), knownvalue.StringExact("build-bot@example.com")),
					statecheck.ExpectKnownValue(byEmail, tfjsonpath.New("role"), knownvalue.StringExact("reader")),
					statecheck.ExpectKnownValue(byEmail, tfjsonpath.New("first_name"), knownvalue.StringExact("Build")),
					statecheck.ExpectKnownValue(byEmail, tfjsonpath.New("workspace_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(ts.DefaultWorkspaceID)})),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("email"), knownvalue.StringExact("build-bot@example.com")),
				},
			},
		},
	})
}

// TestAccAccessTokenForMember: the owner creates a token owned by a service
// account found by email. The token acts as that member; a grant above the
// member's role fails the plan (dry run) and changes nothing; changing
// member_id plans a replacement. A writer, lacking ACCESS_TOKEN_MANAGE,
// cannot create a token for someone else: the plan says so.
func TestAccAccessTokenForMember(t *testing.T) {
	ts := testserver.New(t)
	bot := testAccServiceAccount(t, ts, "bot@example.com")
	addr := "tokensmith_access_token.bot"
	config := func(role, member string) string {
		return testAccProviderConfig(ts) + fmt.Sprintf(`
data "tokensmith_member" "bot" {
  email = "bot@example.com"
}

resource "tokensmith_access_token" "bot" {
  name          = "bot"
  role          = %q
  service_token = true
  workspace_ids = [%q]
  member_id     = %s
}
`, role, ts.DefaultWorkspaceID, member)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: config("reader", "data.tokensmith_member.bot.id"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("member_id"), knownvalue.StringExact(bot.ID)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckTokenAuthenticates(ts, addr),
					testAccCheckTokenActsAs(ts, addr, bot.ID),
				),
			},
			{
				Config:      config("writer", "data.tokensmith_member.bot.id"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unable to Update Access Token.*role\s+reader\s+does\s+not\s+hold:\s+API_WRITE`),
			},
			{
				Config: config("reader", fmt.Sprintf("%q", ts.OwnerID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: testAccCheckTokenActsAs(ts, addr, ts.OwnerID),
			},
		},
	})
}

// TestAccAccessTokenForMember_needsManage: a writer, lacking
// ACCESS_TOKEN_MANAGE, cannot create a token for someone else; the plan's
// dry run says so.
func TestAccAccessTokenForMember_needsManage(t *testing.T) {
	ts := testserver.New(t)
	bot := testAccServiceAccount(t, ts, "bot@example.com")
	writer := testAccMemberToken(t, ts, "writer", ts.DefaultWorkspaceID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfigWithToken(ts, writer) + fmt.Sprintf(`
resource "tokensmith_access_token" "bot" {
  name          = "bot"
  role          = "reader"
  workspace_ids = [%q]
  member_id     = %q
}
`, ts.DefaultWorkspaceID, bot.ID),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)ACCESS_TOKEN_MANAGE`),
		}},
	})
}

// testAccCheckTokenActsAs checks, with the secret in state, that the token
// at addr authenticates as member memberID.
func testAccCheckTokenActsAs(ts *testserver.Server, addr, memberID string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: rs.Primary.Attributes["token"], CACertPEM: ts.CACertPEM, MaxRetries: 0})
		if err != nil {
			return err
		}
		ci, err := c.CallerIdentity(context.Background())
		if err != nil {
			return err
		}
		if ci.MemberID != memberID {
			return fmt.Errorf("%s acts as member %s, want %s", addr, ci.MemberID, memberID)
		}
		return nil
	}
}
