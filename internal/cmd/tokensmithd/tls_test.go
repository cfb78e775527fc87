package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// TestBinarySelfSignedCertificateKept: the certificate made on the first
// start is served again after a restart, so a client that pinned it keeps
// working, and its key is kept readable by the owner only.
func TestBinarySelfSignedCertificateKept(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ts.db")
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot, "TOKENSMITH_TLS_SELF_SIGNED=true"}
	d := startDaemon(t, env, "--data", data, "--listen", "127.0.0.1:0")
	d.waitFor("certificate written to " + data + ".ca.pem")
	d.baseURL("https")
	pinned, err := os.ReadFile(data + ".ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(data + ".tls-key.pem")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if bytes.Contains(pinned, []byte("PRIVATE KEY")) {
		t.Fatal("the certificate PEM holds the key")
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}

	d = startDaemon(t, env, "--data", data, "--listen", "127.0.0.1:0")
	d.waitFor("certificate kept in " + data + ".ca.pem")
	u := d.baseURL("https")
	again, err := os.ReadFile(data + ".ca.pem")
	if err != nil || !bytes.Equal(again, pinned) {
		t.Fatalf("the certificate changed across a restart: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pinned) {
		t.Fatal("no certificate in the PEM")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if res, body := get(t, hc, u, api.PathCallerIdentity, boot); res.StatusCode != http.StatusOK {
		t.Fatalf("HTTPS with the pinned certificate after a restart: %d %s", res.StatusCode, body)
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}

// TestSelfSignedCertRenewal: the kept pair is reused until it nears expiry
// or no longer covers the listen host, and a key file others can read is
// refused.
func TestSelfSignedCertRenewal(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	hosts := certHosts("127.0.0.1:0")
	now := time.Now()
	read := func() []byte {
		b, err := os.ReadFile(certPath)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, made, err := selfSignedCert(certPath, keyPath, hosts, now); err != nil || !made {
		t.Fatalf("first start: made %v, %v", made, err)
	}
	first := read()
	if _, made, err := selfSignedCert(certPath, keyPath, hosts, now.Add(300*24*time.Hour)); err != nil || made || !bytes.Equal(read(), first) {
		t.Fatalf("a certificate with 65 days left was replaced: made %v, %v", made, err)
	}
	if _, made, err := selfSignedCert(certPath, keyPath, hosts, now.Add(340*24*time.Hour)); err != nil || !made || bytes.Equal(read(), first) {
		t.Fatalf("a certificate with 25 days left was kept: made %v, %v", made, err)
	}
	renewed := read()
	if _, made, err := selfSignedCert(certPath, keyPath, certHosts("tokensmith.example:8443"), now.Add(340*24*time.Hour)); err != nil || !made || bytes.Equal(read(), renewed) {
		t.Fatalf("a certificate without the listen host was kept: made %v, %v", made, err)
	}
	if err := os.Chmod(keyPath, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := selfSignedCert(certPath, keyPath, hosts, now); err == nil || !strings.Contains(err.Error(), "chmod 600 "+keyPath) {
		t.Fatalf("a readable key file: %v", err)
	}
}
