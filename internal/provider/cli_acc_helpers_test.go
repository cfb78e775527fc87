package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The test harness does not show what the CLI prints, and what it prints is
// not always what the provider said: the CLI merges warnings that share a
// summary, for instance. testAccCLI runs the CLI itself (the one the harness
// would use, TF_ACC_TERRAFORM_PATH) in a working directory of its own, with
// the provider served in-process the way the harness serves it.
type testAccCLI struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

// newTestAccCLI serves the provider (with ts's clock) and prepares a working
// directory. Like every acceptance test it runs only with TF_ACC set.
func newTestAccCLI(t *testing.T, ts *testserver.Server) *testAccCLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests run with TF_ACC=1")
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no CLI: set TF_ACC_TERRAFORM_PATH")
		}
	}
	server, err := testAccFactories(ts)["tokensmith"]()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve("registry.terraform.io/tokensmith/tokensmith",
			func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, reattach, closed),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t))
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-reattach:
	case err := <-served:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})

	// One entry per registry the CLIs resolve "tokensmith/tokensmith" to.
	entry := map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": true,
		"Addr": map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
	}
	providers, err := json.Marshal(map[string]any{
		"registry.terraform.io/tokensmith/tokensmith": entry,
		"registry.opentofu.org/tokensmith/tokensmith": entry,
	})
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(providers), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &testAccCLI{t: t, bin: bin, dir: t.TempDir(), env: env}
}

// write replaces the configuration with config (resources and a provider
// block; the required_providers block is added).
func (c *testAccCLI) write(config string) {
	c.t.Helper()
	const header = "terraform {\n  required_providers {\n    tokensmith = {\n      source = \"tokensmith/tokensmith\"\n    }\n  }\n}\n\n"
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(header+config), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs the CLI with args and returns what it printed on stdout and
// stderr; a non-zero exit status fails the test with that output.
func (c *testAccCLI) run(args ...string) string {
	c.t.Helper()
	out, err := c.try(args...)
	if err != nil {
		c.t.Fatalf("%s %v: %v\n%s", filepath.Base(c.bin), args, err, out)
	}
	return out
}

// try is run without failing the test on a non-zero exit status.
func (c *testAccCLI) try(args ...string) (string, error) {
	// Options go between the command and its arguments (import ADDR ID).
	full := append([]string{args[0], "-no-color", "-input=false"}, args[1:]...)
	cmd := exec.Command(c.bin, full...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
