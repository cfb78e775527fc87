package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The test harness does not expose the warnings of a plan, so these tests
// record what the provider answers the CLI's PlanResourceChange calls: the
// diagnostics the CLI prints under the plan, word for word.

// planDiagnostics collects the diagnostics of every plan the provider makes.
type planDiagnostics struct {
	mu    sync.Mutex
	diags []*tfprotov6.Diagnostic
}

func (p *planDiagnostics) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.diags = nil
}

// details returns the distinct details of the diagnostics with the summary
// and severity given, in the order first seen. The CLI plans a resource
// again during apply, so the same diagnostic usually arrives twice.
func (p *planDiagnostics) details(severity tfprotov6.DiagnosticSeverity, summary string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, d := range p.diags {
		if d.Severity == severity && d.Summary == summary && !slices.Contains(out, d.Detail) {
			out = append(out, d.Detail)
		}
	}
	return out
}

// expect checks that the review said exactly want (nil: nothing) as
// diagnostics of the severity given, and nothing of the other severity.
func (p *planDiagnostics) expect(severity tfprotov6.DiagnosticSeverity, want ...string) error {
	other := tfprotov6.DiagnosticSeverityError
	if severity == other {
		other = tfprotov6.DiagnosticSeverityWarning
	}
	got := p.details(severity, review.Summary)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s diagnostics %q:\n got %q\nwant %q", severity, review.Summary, got, want)
	}
	if extra := p.details(other, review.Summary); len(extra) > 0 {
		return fmt.Errorf("unexpected %s diagnostics %q: %q", other, review.Summary, extra)
	}
	return nil
}

type recordingServer struct {
	tfprotov6.ProviderServer
	rec *planDiagnostics
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.rec.mu.Lock()
		s.rec.diags = append(s.rec.diags, resp.Diagnostics...)
		s.rec.mu.Unlock()
	}
	return resp, err
}

// testAccRecordingFactories is testAccFactories with the plan diagnostics
// recorded in rec.
func testAccRecordingFactories(ts *testserver.Server, rec *planDiagnostics) map[string]func() (tfprotov6.ProviderServer, error) {
	inner := testAccFactories(ts)["tokensmith"]
	return map[string]func() (tfprotov6.ProviderServer, error){
		"tokensmith": func() (tfprotov6.ProviderServer, error) {
			s, err := inner()
			if err != nil {
				return nil, err
			}
			return recordingServer{ProviderServer: s, rec: rec}, nil
		},
	}
}

// testAccReviewProviderConfig is the provider block with permission_review
// set to mode ("" leaves it unset).
func testAccReviewProviderConfig(ts *testserver.Server, mode string) string {
	cfg := testAccProviderConfig(ts)
	if mode == "" {
		return cfg
	}
	return strings.Replace(cfg, "provider \"tokensmith\" {\n", fmt.Sprintf("provider \"tokensmith\" {\n  permission_review = %q\n", mode), 1)
}

// wordsRegexp matches text as the CLI prints it: the same words in the same
// order, whatever the line wrapping and the box-drawing margin.
func wordsRegexp(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `[\s│]+`))
}

func testAccReviewToken(body string) string {
	return "resource \"tokensmith_access_token\" \"test\" {\n  name = \"ci\"\n" + body + "}\n"
}

func checkRecorded(rec *planDiagnostics, severity tfprotov6.DiagnosticSeverity, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error { return rec.expect(severity, want...) }
}

const testAccTokenWidening = "tokensmith_access_token with name \"ci\" widens access:\n" +
	"  + role: reader -> writer (adds API_WRITE, APPLICATION_WRITE, SUBSCRIPTIONS_WRITE)\n" +
	"  + workspaces: all (every current and future workspace)"

func TestAccPlanReview_tokenWidening(t *testing.T) {
	ts := testserver.New(t)
	rec := &planDiagnostics{}
	narrow := testAccReviewToken(fmt.Sprintf("  role = \"reader\"\n  workspace_ids = [%q]\n", ts.DefaultWorkspaceID))
	wide := testAccReviewToken("  role = \"writer\"\n  all_workspaces = true\n")
	var wideningRefused []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				// A create is not reviewed, even under "error".
				PreConfig: rec.reset,
				Config:    testAccReviewProviderConfig(ts, "error") + narrow,
				Check:     checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
			},
			{
				PreConfig: rec.reset,
				Config:    testAccReviewProviderConfig(ts, "error") + wide,
				ExpectError: regexp.MustCompile(`(?s)` + review.Summary + `.*with tokensmith_access_token\.test.*` +
					wordsRegexp(testAccTokenWidening+" "+wideningRefusedHint).String()),
			},
			{
				// Under the default ("warn") the same change is applied with
				// a warning listing exactly what is added.
				PreConfig: func() {
					wideningRefused = rec.details(tfprotov6.DiagnosticSeverityError, review.Summary)
					rec.reset()
				},
				Config:           testAccReviewProviderConfig(ts, "") + wide,
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, testAccTokenWidening),
					func(*terraform.State) error {
						want := []string{testAccTokenWidening + "\n\n" + wideningRefusedHint}
						if !slices.Equal(wideningRefused, want) {
							return fmt.Errorf("refusal under \"error\":\n got %q\nwant %q", wideningRefused, want)
						}
						return nil
					},
				),
			},
			{
				// Narrowing says nothing, even under "error".
				PreConfig:        rec.reset,
				Config:           testAccReviewProviderConfig(ts, "error") + narrow,
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				Check:            checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
			},
			{
				// allow_widening lets the widening through "error", still
				// shown as a warning.
				PreConfig:        rec.reset,
				Config:           testAccReviewProviderConfig(ts, "error") + testAccReviewToken("  role = \"writer\"\n  all_workspaces = true\n  allow_widening = true\n"),
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				Check:            checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, testAccTokenWidening),
			},
			{
				PreConfig: rec.reset,
				Config:    testAccReviewProviderConfig(ts, "error") + narrow,
				Check:     checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
			},
			{
				// "off" says nothing about the same widening.
				PreConfig:        rec.reset,
				Config:           testAccReviewProviderConfig(ts, "off") + wide,
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				Check:            checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
			},
		},
	})
}

func TestAccPlanReview_tokenGrantKinds(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	platform, err := c.CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ops", "release"} {
		_, err := c.CreateCustomRole(context.Background(), api.CustomRoleCreate{
			Key: key, Name: key, Permissions: []string{"WORKSPACE_READ"}, Policy: []api.Statement{},
		}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	rec := &planDiagnostics{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				Config: testAccReviewProviderConfig(ts, "") + testAccReviewToken(`  all_workspaces = true
  inline_role = [
    { effect = "allow", actions = ["WORKSPACE_READ", "MEMBER_READ"], resources = ["*"] },
    { effect = "deny", actions = ["MEMBER_READ"], resources = ["org"] },
  ]
`),
			},
			{
				PreConfig: rec.reset,
				Config: testAccReviewProviderConfig(ts, "") + testAccReviewToken(`  all_workspaces = true
  inline_role = [
    { effect = "allow", actions = ["WORKSPACE_READ", "MEMBER_READ", "ACCESS_TOKEN_*"], resources = ["*"] },
  ]
`),
				Check: checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, "tokensmith_access_token with name \"ci\" widens access:\n"+
					"  + allow: ACCESS_TOKEN_* on *\n"+
					"  - deny: MEMBER_READ on org"),
			},
			{
				PreConfig: rec.reset,
				Config:    testAccReviewProviderConfig(ts, "") + testAccReviewToken("  all_workspaces = true\n  permissions = [\"WORKSPACE_READ\", \"MEMBER_WRITE\"]\n"),
				Check: checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, "tokensmith_access_token with name \"ci\" widens access:\n"+
					"  + permissions: MEMBER_WRITE"),
			},
			{
				Config: testAccReviewProviderConfig(ts, "") + testAccReviewToken(fmt.Sprintf(
					"  custom_roles = [\"ops\"]\n  workspace_ids = [%q]\n", ts.DefaultWorkspaceID)),
			},
			{
				PreConfig: rec.reset,
				Config: testAccReviewProviderConfig(ts, "") + testAccReviewToken(fmt.Sprintf(
					"  custom_roles = [\"release\", \"ops\"]\n  workspace_ids = [%q, %q]\n", platform.ID, ts.DefaultWorkspaceID)),
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				Check: checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, "tokensmith_access_token with name \"ci\" widens access:\n"+
					"  + custom roles: release\n"+
					"  + workspaces: "+platform.ID),
			},
			{
				// Removing a custom role and a workspace narrows: nothing said.
				PreConfig: rec.reset,
				Config: testAccReviewProviderConfig(ts, "") + testAccReviewToken(fmt.Sprintf(
					"  custom_roles = [\"ops\"]\n  workspace_ids = [%q]\n", platform.ID)),
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				Check:            checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
			},
		},
	})
}

func TestAccPlanReview_customRoleWidening(t *testing.T) {
	ts := testserver.New(t)
	rec := &planDiagnostics{}
	role := func(extra string) string {
		return "resource \"tokensmith_custom_role\" \"test\" {\n  key = \"deployer\"\n  name = \"Deployer\"\n" + extra + "}\n"
	}
	const wider = `  permissions = ["WORKSPACE_READ", "MEMBER_READ"]
  policy_statements = [
    { effect = "allow", actions = ["ACCESS_TOKEN_READ"], resources = ["workspace/*"] },
  ]
`
	widening := "tokensmith_custom_role with key \"deployer\" widens access:\n" +
		"  + permissions: MEMBER_READ\n" +
		"  + allow: ACCESS_TOKEN_READ on workspace/*\n" +
		"  1 access token uses this role and gains this access."
	var outside *api.Token
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				Config: testAccReviewProviderConfig(ts, "error") + role("  permissions = [\"WORKSPACE_READ\"]\n"),
			},
			{
				PreConfig: func() {
					rec.reset()
					var err error
					outside, err = testAccClient(t, ts).CreateToken(context.Background(), api.TokenCreate{
						Name: "uses deployer", CustomRoleIDs: []string{"deployer"}, AllWorkspaces: true,
					}, client.WriteOptions{})
					if err != nil {
						t.Fatalf("create token outside Terraform: %v", err)
					}
				},
				Config: testAccReviewProviderConfig(ts, "error") + role(wider),
				ExpectError: regexp.MustCompile(`(?s)` + review.Summary + `.*with tokensmith_custom_role\.test.*` +
					wordsRegexp(widening+" "+wideningRefusedHint).String()),
			},
			{
				PreConfig:        rec.reset,
				Config:           testAccReviewProviderConfig(ts, "error") + role(wider+"  allow_widening = true\n"),
				ConfigPlanChecks: expectAction(testAccRoleAddr, plancheck.ResourceActionUpdate),
				Check:            checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, widening),
			},
			{
				// Back to the narrower role: no warning. The token outside
				// Terraform goes, so that the role can be destroyed.
				PreConfig: func() {
					rec.reset()
					if err := testAccClient(t, ts).DeleteToken(context.Background(), outside.ID); err != nil {
						t.Fatalf("delete token outside Terraform: %v", err)
					}
				},
				Config: testAccReviewProviderConfig(ts, "error") + role("  permissions = [\"WORKSPACE_READ\"]\n"),
				Check:  checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
			},
		},
	})
}

// testAccTokenCount is how many tokens the backend holds, every member's.
func testAccTokenCount(t *testing.T, ts *testserver.Server) int {
	t.Helper()
	list, err := testAccClient(t, ts).ListTokens(context.Background(), true, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return list.TotalCount
}

func TestAccPlanReview_quotaFailsThePlan(t *testing.T) {
	// The owner's bootstrap token already uses the quota of one.
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) { c.Quota.PerMember = 1 }))
	before := testAccTokenCount(t, ts)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config:   testAccProviderConfig(ts) + testAccReviewToken("  role = \"reader\"\n  all_workspaces = true\n"),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*` +
				wordsRegexp(`The backend refuses to create access token "ci" (checked with a dry run): `+
					`token quota exceeded: at most 1 tokens per member`).String()),
		}},
	})
	if after := testAccTokenCount(t, ts); after != before {
		t.Errorf("the backend holds %d tokens after the refused plan, %d before", after, before)
	}
}

func TestAccPlanReview_escalationFailsThePlan(t *testing.T) {
	ts := testserver.New(t)
	reader := testAccMemberToken(t, ts, api.RoleReader, ts.DefaultWorkspaceID)
	before := testAccTokenCount(t, ts)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config:   testAccProviderConfigWithToken(ts, reader) + testAccReviewToken(fmt.Sprintf("  role = \"admin\"\n  workspace_ids = [%q]\n", ts.DefaultWorkspaceID)),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*in resource.*role.*` +
				wordsRegexp(`The backend refuses to create access token "ci" (checked with a dry run): `+
					`the grant includes permissions the caller does not hold:`).String() + `.*WORKSPACE_WRITE`),
		}},
	})
	if after := testAccTokenCount(t, ts); after != before {
		t.Errorf("the backend holds %d tokens after the refused plan, %d before", after, before)
	}
}

func TestAccPlanReview_misspeltPermission(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:   testAccProviderConfig(ts) + testAccReviewToken("  permissions = [\"ENVIROMENT_READ\"]\n  all_workspaces = true\n"),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Unknown Permission.*with tokensmith_access_token\.test.*permissions.*` +
					wordsRegexp(`"ENVIROMENT_READ" in permissions of access token "ci" is not a permission of the `+
						`backend's catalogue; did you mean "ENVIRONMENT_READ" or "ENVIRONMENT_WRITE"?`).String()),
			},
			{
				Config: testAccProviderConfig(ts) + `
resource "tokensmith_custom_role" "test" {
  key  = "typo"
  name = "Typo"
  policy_statements = [
    { effect = "allow", actions = ["ENVIRONMENT_*", "NOPE_*"], resources = ["*"] },
  ]
}
`,
				PlanOnly:    true,
				ExpectError: wordsRegexp(`"NOPE_*" in policy_statements actions of custom role "typo" matches no permission of the backend's catalogue.`),
			},
		},
	})
}

// Values unknown during plan are not checked: the token's permission comes
// from another resource, its custom role is created by the same apply.
func TestAccPlanReview_unknownValuesAreNotChecked(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccReviewProviderConfig(ts, "error") + `
resource "terraform_data" "permission" {
  input = "WORKSPACE_READ"
}

resource "tokensmith_access_token" "computed" {
  name           = "computed"
  permissions    = [terraform_data.permission.output]
  all_workspaces = true
}

resource "tokensmith_custom_role" "new" {
  key              = "new-role"
  name             = "New role"
  permissions = ["WORKSPACE_READ"]
}

resource "tokensmith_access_token" "with_new_role" {
  name           = "with new role"
  custom_roles   = [tokensmith_custom_role.new.key]
  all_workspaces = true
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemAttr("tokensmith_access_token.computed", "permissions.*", "WORKSPACE_READ"),
				resource.TestCheckTypeSetElemAttr("tokensmith_access_token.with_new_role", "custom_roles.*", "new-role"),
			),
		}},
	})
}

// An update the backend would refuse fails the plan, and the token is left
// as it was.
func TestAccPlanReview_updateRefusedAtPlan(t *testing.T) {
	ts := testserver.New(t)
	platform, err := testAccClient(t, ts).CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	writer := testAccMemberToken(t, ts, api.RoleWriter, ts.DefaultWorkspaceID)
	cfg := func(ws string) string {
		return testAccProviderConfigWithToken(ts, writer) + testAccReviewToken(fmt.Sprintf("  role = \"reader\"\n  workspace_ids = [%q]\n", ws))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{Config: cfg(ts.DefaultWorkspaceID)},
			{
				Config:   cfg(platform.ID),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Unable to Update Access Token.*workspace_ids.*` +
					wordsRegexp(`The backend refuses to update access token "ci" (checked with a dry run):`).String() +
					`.*not\s+a\s+member\s+of\s+` + platform.ID),
			},
			{
				Config: cfg(ts.DefaultWorkspaceID),
				Check: func(s *terraform.State) error {
					id, err := testAccStateID(s, testAccTokenAddr)
					if err != nil {
						return err
					}
					tok, err := testAccClient(t, ts).GetToken(context.Background(), id)
					if err != nil {
						return err
					}
					if !slices.Equal(tok.WorkspaceIDs, []string{ts.DefaultWorkspaceID}) {
						return fmt.Errorf("the refused plan changed the token's workspaces to %v", tok.WorkspaceIDs)
					}
					return nil
				},
			},
		},
	})
}

// A custom role whose key is taken fails the plan, not the apply.
func TestAccPlanReview_customRoleKeyTaken(t *testing.T) {
	ts := testserver.New(t)
	_, err := testAccClient(t, ts).CreateCustomRole(context.Background(), api.CustomRoleCreate{
		Key: "taken", Name: "Taken", Permissions: []string{"WORKSPACE_READ"}, Policy: []api.Statement{},
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config:   testAccRoleConfig(ts, "  key = \"taken\"\n  name = \"Again\"\n  permissions = [\"WORKSPACE_READ\"]\n"),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Custom Role.*key.*` +
				wordsRegexp(`The backend refuses to create custom role "taken" (checked with a dry run): a custom role with key "taken" already exists`).String()),
		}},
	})
}
