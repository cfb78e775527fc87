package provider

import (
	"crypto/x509"
	"fmt"
	"os"
)

// envCACertFile names a PEM file of CA certificates to trust, read when
// ca_cert_pem is unset; tokensmithd --env-file writes it for a self-signed
// certificate.
const envCACertFile = "TOKENSMITH_CA_CERT_FILE"

// caCertPEMFromEnv returns the contents of the file envCACertFile names, or
// "" when the variable is unset or empty.
func caCertPEMFromEnv() (string, error) {
	name := os.Getenv(envCACertFile)
	if name == "" {
		return "", nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", envCACertFile, err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return "", fmt.Errorf("%s: %s does not contain any PEM-encoded certificate", envCACertFile, name)
	}
	return string(b), nil
}
