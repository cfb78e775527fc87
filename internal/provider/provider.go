package provider

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

// Environment variables read when the matching attribute is not set.
const (
	envEndpoint = "TOKENSMITH_ENDPOINT"
	envToken    = "TOKENSMITH_TOKEN"
)

// Values used when the configuration leaves an attribute unset.
const (
	defaultMaxRetries     = 3
	defaultRequestTimeout = 30 * time.Second
)

var (
	_ provider.Provider                       = (*tokensmithProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*tokensmithProvider)(nil)
	_ provider.ProviderWithFunctions          = (*tokensmithProvider)(nil)
	_ provider.ProviderWithActions            = (*tokensmithProvider)(nil)
	_ provider.ProviderWithListResources      = (*tokensmithProvider)(nil)
)

// tokensmithProvider is the provider; version is the release it was built as
// ("dev" for local builds, "test" in acceptance tests). clock is the clock
// injected with NewWithClock; nil for the backend's (see providerData).
type tokensmithProvider struct {
	version string
	clock   Clock
}

// Clock tells the time expiry and rotation are judged by.
type Clock func() time.Time

// tokensmithProviderModel is the provider configuration block.
type tokensmithProviderModel struct {
	Endpoint         types.String `tfsdk:"endpoint"`
	Token            types.String `tfsdk:"token"`
	CACertPEM        types.String `tfsdk:"ca_cert_pem"`
	MaxRetries       types.Int64  `tfsdk:"max_retries"`
	RequestTimeout   types.String `tfsdk:"request_timeout"`
	PermissionReview types.String `tfsdk:"permission_review"`
}

// providerData is what resources, data sources and ephemeral resources
// receive in their Configure. Now is the clock all time-based plan logic
// uses: the backend's, as its answers' Date header tells (client.Now), so
// expiry and rotation are judged by the clock the backend judges them by,
// unless the provider was built with another (NewWithClock). PermissionReview
// is one of permissionReviewModes.
type providerData struct {
	Client           *client.Client
	Now              func() time.Time
	PermissionReview string

	catalogue catalogueCache
	roleKeys  sync.Map // custom role id -> key
}

// New returns the constructor providerserver expects, for a provider that
// judges time by the backend's clock.
func New(version string) func() provider.Provider {
	return NewWithClock(version, nil)
}

// NewWithClock is New for a provider that judges time by clock instead of
// the backend's clock; a nil clock is the backend's. Tests pass the clock
// of the backend they run against, which they move at will.
func NewWithClock(version string, clock Clock) func() provider.Provider {
	return func() provider.Provider {
		return &tokensmithProvider{version: version, clock: clock}
	}
}

func (p *tokensmithProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "tokensmith"
	resp.Version = p.version
}

func (p *tokensmithProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages access tokens and custom roles of a Tokensmith backend.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the Tokensmith API, for example `https://tokens.example.com`. " +
					"May also be set with the `" + envEndpoint + "` environment variable.",
				Optional: true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Access token the provider authenticates with. " +
					"May also be set with the `" + envToken + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificates to trust in addition to the system pool, " +
					"for backends whose certificate is issued by a private CA: the certificates themselves, " +
					"for example `file(\"tokensmith.db.ca.pem\")`, not a path. When unset, the file named by " +
					"the `" + envCACertFile + "` environment variable is read, if it is set.",
				Optional: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a failed request (connection error, "+
					"`429` or `5xx`) is retried. Defaults to `%d`.", defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Time limit for one HTTP request, as a duration such as "+
					"`30s` or `2m`. Defaults to `%s`.", defaultRequestTimeout),
				Optional:   true,
				Validators: []validator.String{positiveDuration},
			},
			"permission_review": schema.StringAttribute{
				MarkdownDescription: "What a plan does with an update that widens the access of a token or " +
					"custom role (permissions, a higher role, custom roles, allow statements added or deny " +
					"statements removed, workspaces): " + oneOfMarkdown(permissionReviewModes) + ". `" +
					permissionReviewWarn + "` shows a warning listing what is added, `" + permissionReviewError +
					"` fails the plan with that listing unless the resource sets `allow_widening = true`, `" +
					permissionReviewOff + "` says nothing. Defaults to `" + permissionReviewModes[0] + "`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(permissionReviewModes...)},
			},
		},
	}
}

func (p *tokensmithProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg tokensmithProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// During plan the configuration may depend on values not known yet. The
	// provider then stays unconfigured; Terraform configures it again with
	// known values before anything is applied.
	if cfg.Endpoint.IsUnknown() || cfg.Token.IsUnknown() || cfg.CACertPEM.IsUnknown() ||
		cfg.MaxRetries.IsUnknown() || cfg.RequestTimeout.IsUnknown() || cfg.PermissionReview.IsUnknown() {
		return
	}

	endpoint := stringOrEnv(cfg.Endpoint, envEndpoint)
	token := stringOrEnv(cfg.Token, envToken)

	if endpoint == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing Tokensmith Endpoint",
			"The provider needs the base URL of the Tokensmith API. Set the endpoint attribute in the "+
				"provider configuration or the "+envEndpoint+" environment variable.")
	} else if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Tokensmith Endpoint",
			fmt.Sprintf("The endpoint %q is not an absolute http or https URL.", endpoint))
	}
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing Tokensmith Token",
			"The provider needs an access token to authenticate with. Set the token attribute in the "+
				"provider configuration or the "+envToken+" environment variable.")
	}

	caCertPEM := caCertificates(cfg.CACertPEM, &resp.Diagnostics)
	if warning := plainHTTPWarning(endpoint); warning != "" && token != "" {
		resp.Diagnostics.AddAttributeWarning(path.Root("endpoint"), "Credential Sent Over Plain HTTP", warning)
	}

	maxRetries := int64(defaultMaxRetries)
	if !cfg.MaxRetries.IsNull() {
		maxRetries = cfg.MaxRetries.ValueInt64()
	}
	timeout := defaultRequestTimeout
	if !cfg.RequestTimeout.IsNull() {
		// The schema validator has already rejected anything unparsable.
		timeout, _ = time.ParseDuration(cfg.RequestTimeout.ValueString())
	}
	if resp.Diagnostics.HasError() {
		return
	}

	c, err := client.New(client.Config{
		Endpoint:   endpoint,
		Token:      token,
		CACertPEM:  caCertPEM,
		MaxRetries: int(maxRetries),
		Timeout:    timeout,
		UserAgent: fmt.Sprintf("terraform-provider-tokensmith/%s (+https://registry.terraform.io/providers/tokensmith/tokensmith) Terraform/%s",
			p.version, req.TerraformVersion),
		Logger: func(ctx context.Context, msg string, fields map[string]any) {
			// The client redacts secrets itself; masking the configured
			// credential here as well keeps it out of the log even if a
			// field the client does not know about carries it.
			ctx = tflog.MaskMessageStrings(ctx, token)
			ctx = tflog.MaskAllFieldValuesStrings(ctx, token)
			tflog.Debug(ctx, msg, fields)
		},
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Tokensmith API Client", err.Error())
		return
	}
	if !checkConnection(ctx, c, endpoint, &resp.Diagnostics) {
		return
	}

	review := permissionReviewModes[0]
	if !cfg.PermissionReview.IsNull() {
		review = cfg.PermissionReview.ValueString()
	}
	now := c.Now
	if p.clock != nil {
		now = p.clock
	}
	data := &providerData{Client: c, Now: now, PermissionReview: review}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func (p *tokensmithProvider) Resources(context.Context) []func() resource.Resource {
	return providerResources()
}

func (p *tokensmithProvider) DataSources(context.Context) []func() datasource.DataSource {
	return providerDataSources()
}

func (p *tokensmithProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return providerEphemeralResources()
}

func (p *tokensmithProvider) Functions(context.Context) []func() function.Function {
	return providerFunctions()
}

func (p *tokensmithProvider) Actions(context.Context) []func() action.Action {
	return providerActions()
}

func (p *tokensmithProvider) ListResources(context.Context) []func() list.ListResource {
	return providerListResources()
}

// caCertificates is the PEM text of the CAs to trust: ca_cert_pem, or the
// file TOKENSMITH_CA_CERT_FILE names (caCertPEMFromEnv). A path given to
// ca_cert_pem is answered with the file() call that reads it.
func caCertificates(attr types.String, diags *diag.Diagnostics) string {
	text := attr.ValueString()
	if text == "" {
		fromEnv, err := caCertPEMFromEnv()
		if err != nil {
			diags.AddAttributeError(path.Root("ca_cert_pem"), "Invalid CA Certificate File", err.Error())
		}
		return fromEnv
	}
	if x509.NewCertPool().AppendCertsFromPEM([]byte(text)) {
		return text
	}
	detail := "ca_cert_pem does not contain any PEM-encoded certificate."
	if t := strings.TrimSpace(text); !strings.ContainsAny(t, "\n") && !strings.Contains(t, "-----") {
		detail = fmt.Sprintf("ca_cert_pem takes the certificates themselves, and %q looks like a path: use "+
			"ca_cert_pem = file(%q), or set %s to the path instead.", t, t, envCACertFile)
	}
	diags.AddAttributeError(path.Root("ca_cert_pem"), "Invalid CA Certificate", detail)
	return ""
}

// checkConnection asks the backend who the provider's credential is, once
// per configuration, so that an unreachable endpoint, an untrusted
// certificate or a refused credential is reported once, naming the setting
// to check, instead of by every resource and data source.
func checkConnection(ctx context.Context, c *client.Client, endpoint string, diags *diag.Diagnostics) bool {
	_, err := c.CallerIdentity(ctx)
	if err == nil {
		return true
	}
	var unknownCA x509.UnknownAuthorityError
	switch {
	case client.IsUnauthorized(err):
		// Not attached to the token attribute: the CLI would print its line
		// of the configuration, which may hold the secret.
		diags.AddError("Tokensmith Credential Refused",
			fmt.Sprintf("The backend at %s refused the provider's credential: %s", endpoint, withSettingHint(err)))
	case errors.As(err, &unknownCA):
		diags.AddAttributeError(path.Root("ca_cert_pem"), "Unable to Reach Tokensmith",
			fmt.Sprintf("Could not reach the backend at %s: %s", endpoint, withSettingHint(err)))
	default:
		diags.AddAttributeError(path.Root("endpoint"), "Unable to Reach Tokensmith",
			fmt.Sprintf("Could not reach the backend at %s: %s", endpoint, withSettingHint(err)))
	}
	return false
}
