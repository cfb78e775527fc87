package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// testAccFactories serves the provider with the testserver's clock, so that
// expires_in_days counts from the same "now" the backend judges expiry by.
func testAccFactories(ts *testserver.Server) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"tokensmith": providerserver.NewProtocol6WithError(NewWithClock("test", ts.Clock.Now)()),
	}
}

// testAccClient is a client acting as ts's owner, for arranging and
// checking things outside Terraform.
func testAccClient(t *testing.T, ts *testserver.Server) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: ts.URL, Token: ts.OwnerToken, CACertPEM: ts.CACertPEM})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// testAccMemberToken creates a member with the given role, adds it to the
// workspaces and returns the secret of a token of theirs with the same role.
func testAccMemberToken(t *testing.T, ts *testserver.Server, role string, workspaceIDs ...string) string {
	t.Helper()
	ctx := context.Background()
	c := testAccClient(t, ts)
	m, err := c.CreateMember(ctx, apiMemberCreate(role))
	if err != nil {
		t.Fatalf("create member: %v", err)
	}
	for _, ws := range workspaceIDs {
		if _, err := c.AddWorkspaceMember(ctx, ws, m.ID); err != nil {
			t.Fatalf("add member to workspace: %v", err)
		}
	}
	tokenRole := role
	if role == "owner" {
		tokenRole = "admin"
	}
	tok, err := c.CreateToken(ctx, apiTokenCreate(m.ID, tokenRole, workspaceIDs), client.WriteOptions{})
	if err != nil {
		t.Fatalf("create member token: %v", err)
	}
	return tok.Token
}

// testAccCheckTokenAuthenticates checks that the secret in state
// authenticates against the backend as the token of the same id.
func testAccCheckTokenAuthenticates(ts *testserver.Server, addr string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		secret := rs.Primary.Attributes["token"]
		if secret == "" {
			return fmt.Errorf("%s has no token in state", addr)
		}
		c, err := client.New(client.Config{Endpoint: ts.URL, Token: secret, CACertPEM: ts.CACertPEM, MaxRetries: 0})
		if err != nil {
			return err
		}
		ci, err := c.CallerIdentity(context.Background())
		if err != nil {
			return fmt.Errorf("the token in state of %s does not authenticate: %w", addr, err)
		}
		if ci.TokenID != rs.Primary.ID {
			return fmt.Errorf("the token in state authenticates as %s, want %s", ci.TokenID, rs.Primary.ID)
		}
		if want := secret[len(secret)-4:]; rs.Primary.Attributes["token_last_four"] != want {
			return fmt.Errorf("token_last_four is %q, want %q", rs.Primary.Attributes["token_last_four"], want)
		}
		return nil
	}
}

// testAccStateID is the id in state of the resource at addr.
func testAccStateID(s *terraform.State, addr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.ID, nil
}

func apiMemberCreate(role string) api.MemberCreate {
	return api.MemberCreate{Email: fmt.Sprintf("%s-%d@example.com", role, time.Now().UnixNano()), Role: role}
}

func apiTokenCreate(memberID, role string, workspaceIDs []string) api.TokenCreate {
	in := api.TokenCreate{Name: "member token", Role: role, MemberID: memberID, WorkspaceIDs: workspaceIDs}
	if len(workspaceIDs) == 0 {
		in.AllWorkspaces = true
	}
	return in
}

// testAccPlanError is a configuration mistake (the body of a block) and a
// regular expression for the error it must give.
type testAccPlanError struct{ body, want string }

// testAccPlanErrorSteps is one plan-only step per case, config turning a
// block body into the whole configuration. The case's name goes into the
// body as a comment, so a failing step says which case it is.
func testAccPlanErrorSteps(config func(body string) string, cases map[string]testAccPlanError) []resource.TestStep {
	steps := make([]resource.TestStep, 0, len(cases))
	for name, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      config("  # " + name + "\n" + tc.body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	return steps
}
