package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"slices"
	"time"
)

func tlsListener(ln net.Listener, certFile, keyFile string) (net.Listener, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

const (
	// selfSignedLifetime is how long a generated certificate is valid.
	selfSignedLifetime = 365 * 24 * time.Hour
	// selfSignedRenewal is how long before its expiry a kept certificate
	// is replaced at startup.
	selfSignedRenewal = 30 * 24 * time.Hour
)

// selfSignedListener serves TLS with the certificate in certPath (the PEM
// clients pin) and its key in keyPath, made on the first start and kept
// across restarts, so a pinned certificate stays valid. It says whether
// it made a new pair.
func selfSignedListener(ln net.Listener, listen, certPath, keyPath string) (net.Listener, bool, error) {
	cert, made, err := selfSignedCert(certPath, keyPath, certHosts(listen), time.Now())
	if err != nil {
		ln.Close()
		return nil, false, err
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), made, nil
}

// certHosts are the names a self-signed certificate is made for: the
// listen host plus localhost and the loopback addresses.
func certHosts(listen string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if ip := net.ParseIP(host); (ip == nil || !ip.IsUnspecified()) && !slices.Contains(hosts, host) {
			hosts = append(hosts, host)
		}
	}
	return hosts
}

// selfSignedCert returns the kept pair when both files exist, belong
// together, cover every host and are not within selfSignedRenewal of
// expiry; otherwise it makes a new pair and writes it, each file
// atomically and the key (mode 0600) first. A key file that others may
// read is refused rather than used or replaced.
func selfSignedCert(certPath, keyPath string, hosts []string, now time.Time) (tls.Certificate, bool, error) {
	if fi, err := os.Stat(keyPath); err == nil {
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return tls.Certificate{}, false, fmt.Errorf("TLS key file %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", keyPath, perm, keyPath)
		}
		if cert, ok := keptCert(certPath, keyPath, hosts, now); ok {
			return cert, false, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return tls.Certificate{}, false, err
	}
	certPEM, keyPEM, err := newSelfSigned(hosts, now)
	if err != nil {
		return tls.Certificate{}, false, err
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600, true); err != nil {
		return tls.Certificate{}, false, fmt.Errorf("write TLS key %s: %w", keyPath, err)
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644, true); err != nil {
		return tls.Certificate{}, false, fmt.Errorf("write certificate %s: %w", certPath, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, true, err
}

// keptCert loads the kept pair if it is still fit for use.
func keptCert(certPath, keyPath string, hosts []string, now time.Time) (tls.Certificate, bool) {
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return cert, false
	}
	leaf := cert.Leaf
	if leaf == nil || now.Before(leaf.NotBefore) || leaf.NotAfter.Sub(now) < selfSignedRenewal {
		return cert, false
	}
	for _, h := range hosts {
		if leaf.VerifyHostname(h) != nil {
			return cert, false
		}
	}
	return cert, true
}

// newSelfSigned makes an ECDSA P-256 certificate for hosts, valid for
// selfSignedLifetime from now, and returns it and its key as PEM.
func newSelfSigned(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "tokensmithd", Organization: []string{"tokensmithd self-signed"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}
