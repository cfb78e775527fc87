package provider

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// What the CLI prints when the provider cannot reach the backend or is
// refused by it: one error, naming the provider setting to check. These run
// the CLI itself to count the errors it prints.

// testAccTwoLookups is a configuration with two data sources, each of
// which would report its own error if the provider did not first.
const testAccTwoLookups = `
data "tokensmith_caller_identity" "one" {}

data "tokensmith_workspaces" "two" {}
`

// testAccPlanOutput runs init and plan of config and returns what the CLI
// printed, and whether the plan failed.
func testAccPlanOutput(t *testing.T, ts *testserver.Server, config string) (string, bool) {
	t.Helper()
	cli := newTestAccCLI(t, ts)
	cli.write(config)
	cli.run("init")
	out, err := cli.try("plan")
	return out, err != nil
}

// checkOneError checks that out holds exactly one error, with every want.
func checkOneError(t *testing.T, out string, want ...string) {
	t.Helper()
	if n := strings.Count(out, "Error: "); n != 1 {
		t.Errorf("%d errors, want 1:\n%s", n, out)
	}
	for _, w := range want {
		if !wordsRegexp(w).MatchString(out) {
			t.Errorf("the output does not say %q:\n%s", w, out)
		}
	}
}

func testAccProviderBlock(endpoint, token, extra string) string {
	return fmt.Sprintf("provider \"tokensmith\" {\n  endpoint = %q\n  token    = %q\n%s}\n", endpoint, token, extra)
}

// closedPort is an address on this machine where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Plain HTTP sent to the TLS port: the server's own answer, no made-up code,
// and what to change.
func TestAccProviderErrors_plainHTTPToTLS(t *testing.T) {
	ts := testserver.New(t, testserver.WithTLS())
	endpoint := strings.Replace(ts.URL, "https://", "http://", 1)
	out, failed := testAccPlanOutput(t, ts, testAccProviderBlock(endpoint, ts.OwnerToken, "")+testAccTwoLookups)
	if !failed {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	checkOneError(t, out, "Unable to Reach Tokensmith",
		"Client sent an HTTP request to an HTTPS server. (HTTP 400",
		"The endpoint serves HTTPS: use https:// in the provider's endpoint (or TOKENSMITH_ENDPOINT).")
	if strings.Contains(out, "code invalid_request") {
		t.Errorf("a code the server never sent:\n%s", out)
	}
}

// Nothing listening: one error, the URL once, the setting to check. An
// endpoint that is not this machine over plain HTTP also warns.
func TestAccProviderErrors_connectionRefused(t *testing.T) {
	ts := testserver.New(t)
	_, port, _ := net.SplitHostPort(closedPort(t))
	endpoint := "http://0.0.0.0:" + port
	out, failed := testAccPlanOutput(t, ts, testAccProviderBlock(endpoint, ts.OwnerToken, "")+testAccTwoLookups)
	if !failed {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	checkOneError(t, out, "Unable to Reach Tokensmith", "connection refused",
		"Nothing answers at the provider's endpoint (or TOKENSMITH_ENDPOINT): check its host and port",
		"Warning: Credential Sent Over Plain HTTP", "the provider's token travels unencrypted")
	if n := strings.Count(out, endpoint+"/api"); n != 1 {
		t.Errorf("the URL is printed %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, ts.OwnerToken) {
		t.Error("the output holds the token")
	}
}

// A certificate from a CA the provider was not given names ca_cert_pem and
// TOKENSMITH_CA_CERT_FILE; with the file in TOKENSMITH_CA_CERT_FILE the plan
// works.
func TestAccProviderErrors_unknownAuthority(t *testing.T) {
	ts := testserver.New(t, testserver.WithTLS())
	config := testAccProviderBlock(ts.URL, ts.OwnerToken, "") + testAccTwoLookups
	t.Setenv(envCACertFile, "")
	out, failed := testAccPlanOutput(t, ts, config)
	if !failed {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	checkOneError(t, out, "Unable to Reach Tokensmith", "certificate signed by unknown authority",
		`give that CA to the provider's ca_cert_pem (for example ca_cert_pem = file("tokensmith.db.ca.pem")) or name its file in TOKENSMITH_CA_CERT_FILE`)

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, []byte(ts.CACertPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envCACertFile, caFile)
	if out, failed := testAccPlanOutput(t, ts, config); failed {
		t.Fatalf("the plan with %s failed:\n%s", envCACertFile, out)
	}
}

// A revoked credential is named as the provider's own.
func TestAccProviderErrors_revokedCredential(t *testing.T) {
	ts := testserver.New(t)
	secret := testAccMemberToken(t, ts, api.RoleWriter)
	c := testAccClient(t, ts)
	ctx := context.Background()
	list := testAccTokenIDsByName(t, ts)
	if err := c.DeleteToken(ctx, list["member token"]); err != nil {
		t.Fatal(err)
	}
	out, failed := testAccPlanOutput(t, ts, testAccProviderBlock(ts.URL, secret, "")+testAccTwoLookups)
	if !failed {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	checkOneError(t, out, "Tokensmith Credential Refused",
		"The backend refused the provider's own credential: check the provider's token (or TOKENSMITH_TOKEN)")
	if strings.Contains(out, secret) || strings.Contains(out, secret[len(secret)-8:]) {
		t.Error("the output holds the revoked secret")
	}
}

// A workspace the credential cannot see is reported without saying whether
// it exists, with what would make it visible.
func TestAccProviderErrors_workspaceNotVisible(t *testing.T) {
	ts := testserver.New(t)
	if _, err := testAccClient(t, ts).CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"}); err != nil {
		t.Fatal(err)
	}
	reader := testAccMemberToken(t, ts, api.RoleReader, ts.DefaultWorkspaceID)
	out, failed := testAccPlanOutput(t, ts, testAccProviderBlock(ts.URL, reader, "")+
		"data \"tokensmith_workspace\" \"platform\" {\n  name = \"platform\"\n}\n")
	if !failed {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	checkOneError(t, out, "Workspace Not Found",
		`No workspace named "platform" is visible to the provider's credential.`,
		"add the credential's member to the workspace")
}

// A workspace id that does not exist is named by its value, not by its
// position in the request the provider sorted.
func TestAccProviderErrors_unknownWorkspaceID(t *testing.T) {
	ts := testserver.New(t)
	out, failed := testAccPlanOutput(t, ts, testAccTokenConfig(ts, fmt.Sprintf(
		"  name = \"ci\"\n  role = \"reader\"\n  workspace_ids = [%q, \"0-nope\"]\n", ts.DefaultWorkspaceID)))
	if !failed {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	checkOneError(t, out, "Unable to Create Access Token", `workspace_ids: no workspace with id "0-nope"`)
	if strings.Contains(out, "workspaceIds[") {
		t.Errorf("the error names a position:\n%s", out)
	}
}
