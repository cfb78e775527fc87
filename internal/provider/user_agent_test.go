package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// versionRecordingProvider is the provider, recording the CLI version the
// CLI tells it in ConfigureProvider.
type versionRecordingProvider struct {
	*tokensmithProvider
	mu      sync.Mutex
	version string
}

func (p *versionRecordingProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.mu.Lock()
	p.version = req.TerraformVersion
	p.mu.Unlock()
	p.tokensmithProvider.Configure(ctx, req, resp)
}

func (p *versionRecordingProvider) told() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.version
}

// userAgents records the User-Agent of every request passing through.
type userAgents struct {
	mu   sync.Mutex
	seen []string
}

func (u *userAgents) list() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.seen)
}

// TestAccProvider_userAgent puts a recording proxy in front of the backend
// and requires every request of the provider to name the provider's version
// and the CLI version the CLI reported when it configured the provider.
// Terraform reports its own version; OpenTofu reports the Terraform version
// it is compatible with, which is all a provider can learn.
func TestAccProvider_userAgent(t *testing.T) {
	ts := testserver.New(t)
	backend, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	agents := &userAgents{}
	proxy := httputil.NewSingleHostReverseProxy(backend)
	recorder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents.mu.Lock()
		agents.seen = append(agents.seen, r.Header.Get("User-Agent"))
		agents.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(recorder.Close)

	p := &versionRecordingProvider{tokensmithProvider: &tokensmithProvider{version: "test"}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"tokensmith": providerserver.NewProtocol6WithError(p),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"tokensmith\" {\n  endpoint = %q\n  token    = %q\n}\n", recorder.URL, ts.OwnerToken) +
				testAccCallerIdentityConfig,
			Check: func(*terraform.State) error {
				cli := p.told()
				if _, err := version.NewSemver(cli); err != nil {
					return fmt.Errorf("the CLI reported the version %q: %v", cli, err)
				}
				want := "terraform-provider-tokensmith/test (+https://registry.terraform.io/providers/tokensmith/tokensmith) Terraform/" + cli
				seen := agents.list()
				if len(seen) == 0 {
					return fmt.Errorf("no request reached the backend through the proxy")
				}
				for _, got := range seen {
					if got != want {
						return fmt.Errorf("User-Agent %q, want %q", got, want)
					}
				}
				return nil
			},
		}},
	})
}
