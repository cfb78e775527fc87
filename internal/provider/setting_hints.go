package provider

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

// settingHint says which provider setting to check for an error that comes
// from how the provider reaches the backend or who it is there, rather than
// from what it asked: the endpoint, the CA, or the provider's own token. It
// is "" for any other error.
func settingHint(err error) string {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		notTLS    tls.RecordHeaderError
		dns       *net.DNSError
		opErr     *net.OpError
	)
	switch {
	case err == nil:
		return ""
	case client.IsPlainHTTPToTLS(err):
		return "The endpoint serves HTTPS: use https:// in the provider's endpoint (or " + envEndpoint + ")."
	case client.IsUnauthorized(err):
		return "The backend refused the provider's own credential: check the provider's token (or " + envToken +
			"), which may be mistyped, revoked or expired."
	case errors.As(err, &unknownCA):
		return "The backend's certificate is signed by a CA the provider does not trust: give that CA to the " +
			"provider's ca_cert_pem (for example ca_cert_pem = file(\"tokensmith.db.ca.pem\")) or name its file in " +
			envCACertFile + "."
	case errors.As(err, &hostname):
		return "The backend's certificate is not valid for the host of the provider's endpoint (or " + envEndpoint +
			"): use a host name the certificate lists."
	case errors.As(err, &notTLS):
		return "The endpoint does not answer HTTPS: check the scheme and port of the provider's endpoint (or " +
			envEndpoint + ")."
	case errors.As(err, &dns):
		return "The host of the provider's endpoint (or " + envEndpoint + ") does not resolve: check its spelling."
	case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &opErr) && opErr.Op == "dial":
		return "Nothing answers at the provider's endpoint (or " + envEndpoint + "): check its host and port, " +
			"and that tokensmithd is running there."
	}
	return ""
}

// withSettingHint is err's text followed by its settingHint, if any.
func withSettingHint(err error) string {
	if hint := settingHint(err); hint != "" {
		return err.Error() + "\n\n" + hint
	}
	return err.Error()
}

// plainHTTPWarning describes the risk of an endpoint that would send the
// provider's credential unencrypted to another machine, or is "".
func plainHTTPWarning(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "http" || isLoopback(u.Hostname()) {
		return ""
	}
	return "The endpoint " + endpoint + " uses plain http:// to a host that is not this machine, so the " +
		"provider's token travels unencrypted and anyone on the way can read and use it. Use https:// " +
		"(tokensmithd serves TLS with --tls-cert and --tls-key, or --tls-self-signed)."
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
