package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// sourceEnvFile loads path the way the guide tells CI to (set -a; . FILE)
// in a POSIX shell and returns the TOKENSMITH_ variables it sets.
func sourceEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell on this machine")
	}
	cmd := exec.Command(sh, "-c", `set -a; . "$1"; set +a; env`, "sh", path)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sourcing %s: %v", path, err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "TOKENSMITH_") {
			vars[k] = v
		}
	}
	return vars
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func post(t *testing.T, hc *http.Client, u *url.URL, path, token string, body any) (*http.Response, []byte) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", u.String()+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := checked(t, hc).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res, b.Bytes()
}

// TestBinaryInMemoryForTests runs tokensmithd as a module test would: in
// memory, on a free port, seeded from a fixture with a known secret, on a
// test clock, reporting itself in an env file. Nothing but the env file is
// written, and that is gone once the daemon stops.
func TestBinaryInMemoryForTests(t *testing.T) {
	known, err := secret.Generate(secret.KindService)
	if err != nil {
		t.Fatal(err)
	}
	fixtureDir, envDir := t.TempDir(), t.TempDir()
	fx := filepath.Join(fixtureDir, "fixture.json")
	doc := `{"members":[{"email":"ci@example.com","role":"writer"}],
	  "tokens":[{"name":"ci","member":"ci@example.com","serviceToken":true,"role":"writer","allWorkspaces":true,"expiresInDays":30,"secret":"` + known + `"}]}`
	if err := os.WriteFile(fx, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(envDir, "tokensmith.env")
	d := startDaemon(t, nil, "--in-memory", "--listen", "127.0.0.1:0", "--env-file", envFile, "--fixture", fx, "--test-clock")
	d.waitFor("IN MEMORY: nothing is written to disk")
	u := d.baseURL("http")
	d.waitFor("ready in ")
	d.waitFor("wrote " + envFile)

	fi, err := os.Stat(envFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("env file: %v %v", fi, err)
	}
	vars := sourceEnvFile(t, envFile)
	if vars["TOKENSMITH_ENDPOINT"] != u.String() {
		t.Fatalf("TOKENSMITH_ENDPOINT %q, want the listening address %s", vars["TOKENSMITH_ENDPOINT"], u)
	}
	if _, port, _ := net.SplitHostPort(u.Host); port == "0" {
		t.Fatal("the env file reports port 0")
	}
	if _, ok := vars["TOKENSMITH_CA_CERT_FILE"]; ok {
		t.Error("TOKENSMITH_CA_CERT_FILE without TLS")
	}
	owner := vars["TOKENSMITH_TOKEN"]
	res, body := get(t, http.DefaultClient, u, api.PathCallerIdentity, "Bearer "+owner)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"memberRole":"owner"`) {
		t.Fatalf("the env file's token: %d %s", res.StatusCode, body)
	}
	res, body = get(t, http.DefaultClient, u, api.PathCallerIdentity, "Bearer "+known)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"memberEmail":"ci@example.com"`) {
		t.Fatalf("the fixture's secret: %d %s", res.StatusCode, body)
	}

	res, body = post(t, http.DefaultClient, u, api.PathTestClock, "Bearer "+owner, api.TestClockUpdate{Advance: (31 * 24 * time.Hour).String()})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("advance the clock: %d %s", res.StatusCode, body)
	}
	if res, body = get(t, http.DefaultClient, u, api.PathCallerIdentity, "Bearer "+known); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the fixture's 30-day token still works 31 days later: %d %s", res.StatusCode, body)
	}
	d.waitFor(`"msg":"test clock in use`)

	if names := dirEntries(t, d.cmd.Dir); len(names) != 0 {
		t.Errorf("files written to the working directory: %v", names)
	}
	if names := dirEntries(t, envDir); len(names) != 1 {
		t.Errorf("files beside the env file: %v", names)
	}

	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, d.output())
	}
	if names := dirEntries(t, envDir); len(names) != 0 {
		t.Errorf("left after shutdown: %v", names)
	}
	if strings.Contains(d.output(), core(known)) {
		t.Error("the fixture's secret appears on stderr")
	}
}

// TestBinaryInMemoryTLSEnvFile: with a self-signed certificate the env file
// names the certificate, written next to it, and both go on shutdown.
func TestBinaryInMemoryTLSEnvFile(t *testing.T) {
	envDir := t.TempDir()
	envFile := filepath.Join(envDir, "ci.env")
	d := startDaemon(t, []string{"TOKENSMITH_IN_MEMORY=true", "TOKENSMITH_ENV_FILE=" + envFile}, "--listen", "127.0.0.1:0", "--tls-self-signed")
	u := d.baseURL("https")
	d.waitFor("wrote " + envFile)
	vars := sourceEnvFile(t, envFile)
	if vars["TOKENSMITH_ENDPOINT"] != u.String() || vars["TOKENSMITH_CA_CERT_FILE"] != envFile+".ca.pem" {
		t.Fatalf("env file %v, listening on %s", vars, u)
	}
	pem, err := os.ReadFile(vars["TOKENSMITH_CA_CERT_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in TOKENSMITH_CA_CERT_FILE")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if res, body := get(t, hc, u, api.PathCallerIdentity, "Bearer "+vars["TOKENSMITH_TOKEN"]); res.StatusCode != http.StatusOK {
		t.Fatalf("HTTPS with the env file's values: %d %s", res.StatusCode, body)
	}
	if names := dirEntries(t, d.cmd.Dir); len(names) != 0 {
		t.Errorf("files written to the working directory: %v", names)
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, d.output())
	}
	if names := dirEntries(t, envDir); len(names) != 0 {
		t.Errorf("left after shutdown: %v", names)
	}
}

// TestBinaryFixtureRefusalStopsStartup: a fixture breaking a rule stops
// tokensmithd before it listens, naming the entry; no env file appears.
func TestBinaryFixtureRefusalStopsStartup(t *testing.T) {
	dir := t.TempDir()
	fx := filepath.Join(dir, "fixture.json")
	doc := `{"members":[{"email":"rita@example.com","role":"reader"}],
	  "tokens":[{"name":"too-much","member":"rita@example.com","permissions":["WORKSPACE_WRITE"],"allWorkspaces":true}]}`
	if err := os.WriteFile(fx, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(dir, "tokensmith.env")
	d := startDaemon(t, nil, "--in-memory", "--listen", "127.0.0.1:0", "--env-file", envFile, "--fixture", fx)
	err := d.wait()
	if err == nil {
		t.Fatalf("tokensmithd started with a rule-breaking fixture:\n%s", d.output())
	}
	out := d.output()
	if !strings.Contains(out, `tokens[0] "too-much" (member rita@example.com, reader)`) || !strings.Contains(out, "WORKSPACE_WRITE") {
		t.Errorf("the error does not name the entry and the permission:\n%s", out)
	}
	if strings.Contains(out, "listening on") {
		t.Errorf("tokensmithd listened before the fixture was applied:\n%s", out)
	}
	if _, err := os.Stat(envFile); !os.IsNotExist(err) {
		t.Errorf("env file written by a daemon that did not start: %v", err)
	}
}
