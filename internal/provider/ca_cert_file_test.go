package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestConfigure_caCertFileFromEnvironment(t *testing.T) {
	unsetEnv(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(good, []byte(testserver.New(t, testserver.WithTLS()).CACertPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]tftypes.Value{"endpoint": str("https://tokens.example.com"), "token": str("x")}

	t.Setenv(envCACertFile, good)
	if resp := configure(t, base); resp.Diagnostics.HasError() || resp.ResourceData == nil {
		t.Fatalf("a readable certificate file: %v", resp.Diagnostics)
	}

	for name, file := range map[string]string{"no certificate": bad, "missing": filepath.Join(dir, "none.pem")} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envCACertFile, file)
			resp := configure(t, base)
			if resp.Diagnostics.ErrorsCount() != 1 || resp.ResourceData != nil {
				t.Fatalf("want one error and no provider data, got %v", resp.Diagnostics)
			}
			d := resp.Diagnostics.Errors()[0]
			if withPath, ok := d.(interface{ Path() path.Path }); !ok || !withPath.Path().Equal(path.Root("ca_cert_pem")) {
				t.Errorf("error not attached to ca_cert_pem: %v", d)
			}
			if !strings.Contains(d.Detail(), envCACertFile) || !strings.Contains(d.Detail(), file) {
				t.Errorf("detail %q names neither %s nor the file", d.Detail(), envCACertFile)
			}
		})
	}

	// ca_cert_pem, when set, wins: the variable is not even read.
	t.Setenv(envCACertFile, bad)
	vals := map[string]tftypes.Value{"endpoint": str("https://tokens.example.com"), "token": str("x"),
		"ca_cert_pem": str(testserver.New(t, testserver.WithTLS()).CACertPEM)}
	if resp := configure(t, vals); resp.Diagnostics.HasError() {
		t.Fatalf("ca_cert_pem set, variable ignored: %v", resp.Diagnostics)
	}
}
