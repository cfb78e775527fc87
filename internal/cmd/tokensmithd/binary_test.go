package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/apicheck"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres/pgtest"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// waitLimit bounds every wait on the daemon so a broken build fails the
// test instead of hanging it; nothing waits for a fixed time.
const waitLimit = 60 * time.Second

var (
	buildMu  sync.Mutex
	buildDir string
	builds   = map[string]string{} // build tags -> binary
)

// TestMain removes the binaries built by daemonBinary and the PostgreSQL
// cluster of the replica tests.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// daemonBinary builds tokensmithd once for every test of the package.
func daemonBinary(t *testing.T) string { return taggedDaemonBinary(t, "") }

// taggedDaemonBinary builds tokensmithd with the given build tags, once per
// set of tags.
func taggedDaemonBinary(t *testing.T, tags string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if path, ok := builds[tags]; ok {
		return path
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	if buildDir == "" {
		if buildDir, err = os.MkdirTemp("", "tokensmithd-test-"); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(buildDir, "tokensmithd"+strings.ReplaceAll(tags, ",", "-"))
	if out, err := exec.Command(goTool, "build", "-tags", tags, "-o", path, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	builds[tags] = path
	return path
}

// daemon is a running tokensmithd whose stderr is read line by line.
type daemon struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	out   bytes.Buffer
	exit  chan error
}

func startDaemon(t *testing.T, env []string, args ...string) *daemon {
	t.Helper()
	return startBinary(t, daemonBinary(t), env, args...)
}

func startBinary(t *testing.T, binary string, env []string, args ...string) *daemon {
	t.Helper()
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOKENSMITH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, cmd: cmd, lines: make(chan string, 1024), exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.mu.Lock()
			d.out.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
			d.lines <- sc.Text()
		}
		close(d.lines)
		d.exit <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	return d
}

// waitFor returns the first line from now on that contains s.
func (d *daemon) waitFor(s string) string {
	d.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case line, ok := <-d.lines:
			if !ok {
				d.t.Fatalf("tokensmithd exited before printing %q:\n%s", s, d.output())
			}
			if strings.Contains(line, s) {
				return line
			}
		case <-deadline:
			d.t.Fatalf("tokensmithd did not print %q:\n%s", s, d.output())
		}
	}
}

// baseURL waits for the listening line and returns its URL.
func (d *daemon) baseURL(scheme string) *url.URL {
	d.t.Helper()
	line := d.waitFor("listening on ")
	u, err := url.Parse(strings.TrimSpace(line[strings.Index(line, "listening on ")+len("listening on "):]))
	if err != nil || u.Scheme != scheme {
		d.t.Fatalf("listening line %q", line)
	}
	if _, port, _ := net.SplitHostPort(u.Host); port == "" || port == "0" {
		d.t.Fatalf("listening line %q does not show the real port", line)
	}
	return u
}

// wait drains stderr and returns the exit error.
func (d *daemon) wait() error {
	d.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case _, ok := <-d.lines:
			if ok {
				continue
			}
			select {
			case err := <-d.exit:
				return err
			case <-deadline:
			}
		case <-deadline:
		}
		d.t.Fatalf("tokensmithd did not exit:\n%s", d.output())
	}
}

func (d *daemon) output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.String()
}

func (d *daemon) signal(sig os.Signal) {
	d.t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.t.Fatal(err)
	}
}

func core(tok string) string { return tok[len(secret.PrefixPersonal) : len(tok)-secret.ChecksumLength] }

// checked is hc with every exchange checked against the published API
// document.
func checked(t *testing.T, hc *http.Client) *http.Client {
	t.Helper()
	c, err := apicheck.New()
	if err != nil {
		t.Fatal(err)
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	cp := *hc
	cp.Transport = c.RoundTripper(rt, func(err error) { t.Errorf("API document: %v", err) })
	return &cp
}

func get(t *testing.T, hc *http.Client, u *url.URL, path, token string) (*http.Response, []byte) {
	t.Helper()
	return getWith(t, checked(t, hc), u, path, token)
}

// getWith is get without the API document check, for listeners that do not
// serve the API (the separate metrics listener).
func getWith(t *testing.T, hc *http.Client, u *url.URL, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u.String()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestBinaryGracefulShutdown starts tokensmithd on port 0 with a known
// bootstrap token, holds a request in flight across SIGTERM, and checks the
// request completes, the process exits 0 and the store was closed cleanly
// (lastUsed flushed, WAL checkpointed).
func TestBinaryGracefulShutdown(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ts.db")
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot}, "--data", data, "--listen", "127.0.0.1:0")
	d.waitFor("is the value of TOKENSMITH_BOOTSTRAP_TOKEN")
	u := d.baseURL("http")

	res, body := get(t, http.DefaultClient, u, api.PathCallerIdentity, boot)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the bootstrap token is not honoured: %d %s", res.StatusCode, body)
	}
	var id api.CallerIdentity
	if err := json.Unmarshal(body, &id); err != nil || id.MemberRole != "owner" {
		t.Fatalf("identity %s", body)
	}

	// A create whose body is held back: with Expect: 100-continue the
	// server answers "100 Continue" only once the handler reads the body, so
	// the request is provably in flight when the signal is sent.
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	payload := `{"name":"in-flight","role":"reader"}`
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n",
		api.PathTokens, u.Host, boot, len(payload))
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 100 ") {
		t.Fatalf("no 100 Continue: %q %v", status, err)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}

	d.signal(syscall.SIGTERM)
	d.waitFor("shutting down")
	if _, err := io.WriteString(conn, payload); err != nil {
		t.Fatal(err)
	}
	res, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the in-flight request got no answer: %v", err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight create: %d %s", res.StatusCode, body)
	}
	var created api.Token
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, d.output())
	}
	if _, err := net.Dial("tcp", u.Host); err == nil {
		t.Fatal("still accepting connections after exit")
	}

	logs := d.output()
	for _, s := range []string{boot, created.Token} {
		if strings.Contains(logs, core(s)) {
			t.Fatalf("stderr holds a secret:\n%s", logs)
		}
	}
	if !strings.Contains(logs, `"route":"POST /api/v2/tokens"`) || !strings.Contains(logs, `"status":201`) || !strings.Contains(logs, `"request_id"`) || !strings.Contains(logs, `"latency"`) {
		t.Fatalf("no structured access log for the request:\n%s", logs)
	}
	if fi, err := os.Stat(data + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("the WAL holds %d bytes after exit: the store was not closed", fi.Size())
	}
	st, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := st.Organization(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GetToken(context.Background(), org.ID, created.ID)
	if err != nil {
		t.Fatalf("the in-flight token was not stored: %v", err)
	}
	if got.Name != "in-flight" {
		t.Fatalf("stored %+v", got)
	}
	toks, _, err := st.ListTokens(context.Background(), store.TokenFilter{OrgID: org.ID, MemberID: id.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	flushed := false
	for _, tok := range toks {
		if tok.ID == id.TokenID {
			flushed = tok.LastUsedAt != nil
		}
	}
	if !flushed {
		t.Fatal("lastUsed of the bootstrap token was not written on shutdown")
	}
	// Two requests were made with it: the caller identity and the create.
	usage, err := st.TokenUsage(context.Background(), id.TokenID, time.Time{})
	var uses int64
	for _, u := range usage {
		uses += u.Count
	}
	if err != nil || uses != 2 {
		t.Fatalf("usage counts of the bootstrap token after shutdown: %+v %v", usage, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// A second start keeps the data: no new bootstrap, the tokens work.
	d = startDaemon(t, nil, "--data", data, "--listen", "127.0.0.1:0")
	u = d.baseURL("http")
	if strings.Contains(d.output(), "created the organisation") {
		t.Fatalf("bootstrapped twice:\n%s", d.output())
	}
	for _, tok := range []string{boot, created.Token} {
		if res, body := get(t, http.DefaultClient, u, api.PathCallerIdentity, tok); res.StatusCode != http.StatusOK {
			t.Fatalf("after restart: %d %s", res.StatusCode, body)
		}
	}
	d.signal(syscall.SIGINT)
	if err := d.wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v\n%s", err, d.output())
	}
}

// TestBinarySelfSignedTLS starts tokensmithd with --tls-self-signed and the
// listen address from the environment, and calls it over HTTPS trusting
// only the certificate it wrote.
func TestBinarySelfSignedTLS(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ts.db")
	d := startDaemon(t, []string{"TOKENSMITH_LISTEN=127.0.0.1:0", "TOKENSMITH_DATA=" + data}, "--tls-self-signed")
	line := d.waitFor("owner access token (shown once): ")
	owner := strings.TrimSpace(line[strings.LastIndex(line, ": ")+2:])
	if _, err := secret.Parse(owner); err != nil {
		t.Fatalf("printed owner token: %v", err)
	}
	caLine := d.waitFor("certificate written to ")
	caPath := strings.TrimSpace(caLine[strings.Index(caLine, "written to ")+len("written to "):])
	if caPath != data+".ca.pem" {
		t.Fatalf("certificate path %q", caPath)
	}
	u := d.baseURL("https")

	pem, err := os.ReadFile(caPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(pem, []byte("PRIVATE KEY")) {
		t.Fatal("the written PEM holds the private key")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in the written PEM")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, body := get(t, hc, u, api.PathCallerIdentity, "Bearer "+owner)
	if res.StatusCode != http.StatusOK || res.TLS == nil {
		t.Fatalf("HTTPS: %d %s", res.StatusCode, body)
	}
	// The name the certificate is made for, besides the IP.
	local := *u
	local.Host = strings.Replace(u.Host, "127.0.0.1", "localhost", 1)
	if res, body := get(t, hc, &local, api.PathCallerIdentity, owner); res.StatusCode != http.StatusOK {
		t.Fatalf("HTTPS via localhost: %d %s", res.StatusCode, body)
	}
	// An untrusting client refuses the certificate.
	if _, err := http.Get(u.String() + "/healthz"); err == nil {
		t.Fatal("a client without the certificate connected")
	}
	if fi, err := os.Stat(data + ".pepper"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("pepper file: %v %v", fi, err)
	}

	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, d.output())
	}
	if n := strings.Count(d.output(), core(owner)); n != 1 {
		t.Fatalf("the owner token appears %d times on stderr, want once (the bootstrap line)", n)
	}
}

// TestBinaryConfigFile: the config file sets the expiration policy and a
// quota, an environment variable overrides the quota, and a misspelt key
// stops the daemon instead of being ignored.
func TestBinaryConfigFile(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "ts.db")
	conf := filepath.Join(dir, "config.json")
	if err := os.WriteFile(conf, []byte(`{"quotas":{"perMember":2,"perOrg":100},"expiration":{"maxLifetimeDays":30,"allowNoExpiry":false}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot, "TOKENSMITH_MAX_TOKENS_PER_MEMBER=3"},
		"--data", data, "--listen", "127.0.0.1:0", "--config", conf)
	u := d.baseURL("http")
	post := func(body string) (int, api.Problem) {
		t.Helper()
		req, _ := http.NewRequest("POST", u.String()+api.PathTokens, strings.NewReader(body))
		req.Header.Set("Authorization", boot)
		req.Header.Set("Content-Type", "application/json")
		res, err := checked(t, http.DefaultClient).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p api.Problem
		_ = json.NewDecoder(res.Body).Decode(&p)
		return res.StatusCode, p
	}
	if st, p := post(`{"name":"forever","role":"reader"}`); st != http.StatusBadRequest || p.Field != "expirationDate" {
		t.Fatalf("no expiry: %d %+v", st, p)
	}
	in31 := time.Now().Add(31 * 24 * time.Hour).UnixMilli()
	if st, p := post(fmt.Sprintf(`{"name":"long","role":"reader","expirationDate":%d}`, in31)); st != http.StatusBadRequest || p.Field != "expirationDate" {
		t.Fatalf("beyond maxLifetimeDays: %d %+v", st, p)
	}
	in1 := time.Now().Add(24 * time.Hour).UnixMilli()
	for i := range 2 { // the bootstrap token is the first of three
		if st, p := post(fmt.Sprintf(`{"name":"t%d","role":"reader","expirationDate":%d}`, i, in1)); st != http.StatusCreated {
			t.Fatalf("create %d: %d %+v", i, st, p)
		}
	}
	if st, p := post(fmt.Sprintf(`{"name":"over","role":"reader","expirationDate":%d}`, in1)); st != http.StatusConflict || p.Code != api.CodeQuotaExceeded || p.Limit != 3 {
		t.Fatalf("quota: %d %+v", st, p)
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}

	if err := os.WriteFile(conf, []byte(`{"quota":{"perMember":2}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d = startDaemon(t, nil, "--data", data, "--listen", "127.0.0.1:0", "--config", conf)
	err = d.wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(d.output(), `unknown field "quota"`) {
		t.Fatalf("a misspelt config key: exit %v\n%s", err, d.output())
	}
}

// --metrics-listen serves the metrics without a token on its own address,
// and nothing else there.
func TestBinaryMetricsListen(t *testing.T) {
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot},
		"--data", filepath.Join(t.TempDir(), "ts.db"), "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0")
	base := d.baseURL("http")
	line := d.waitFor("metrics at ")
	m, err := url.Parse(strings.TrimSpace(line[strings.Index(line, "metrics at ")+len("metrics at "):]))
	if err != nil {
		t.Fatalf("metrics line %q", line)
	}
	if res, body := get(t, http.DefaultClient, base, api.PathCallerIdentity, boot); res.StatusCode != http.StatusOK {
		t.Fatalf("caller identity: %d %s", res.StatusCode, body)
	}
	res, body := getWith(t, http.DefaultClient, m, "", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `tokensmith_http_requests_total{code="2xx",method="GET",route="GET /api/v2/caller-identity"} 1`) {
		t.Fatalf("metrics: %d\n%s", res.StatusCode, body)
	}
	m.Path = ""
	if res, _ := getWith(t, http.DefaultClient, m, api.PathCallerIdentity, boot); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the metrics listener serves the API: %d", res.StatusCode)
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, d.output())
	}
}
