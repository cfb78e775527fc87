package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// clearEnv unsets every variable of tokensmithd for the test.
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TOKENSMITH_") {
			t.Setenv(name, "")
		}
	}
}

// TestParseFlagsRefusesWhatDoesNotParse: a variable or flag whose value does
// not parse, or a limit below 0, stops startup with an error naming it,
// even when a flag overrides the variable.
func TestParseFlagsRefusesWhatDoesNotParse(t *testing.T) {
	for _, tc := range []struct {
		env, value string
		args       []string
		want       string
	}{
		{"TOKENSMITH_TLS_SELF_SIGNED", "yes", nil, "TOKENSMITH_TLS_SELF_SIGNED"},
		{"TOKENSMITH_TLS_SELF_SIGNED", "yes", []string{"--tls-self-signed=false"}, "TOKENSMITH_TLS_SELF_SIGNED"},
		{"TOKENSMITH_MAX_TOKENS_PER_MEMBER", "5x", nil, "TOKENSMITH_MAX_TOKENS_PER_MEMBER"},
		{"TOKENSMITH_MAX_TOKENS_PER_MEMBER", "5x", []string{"--max-tokens-per-member=4"}, "TOKENSMITH_MAX_TOKENS_PER_MEMBER"},
		{"TOKENSMITH_MAX_TOKENS_PER_ORG", "-1", nil, "TOKENSMITH_MAX_TOKENS_PER_ORG"},
		{"TOKENSMITH_RATE_LIMIT", "NaN", nil, "TOKENSMITH_RATE_LIMIT"},
		{"TOKENSMITH_RATE_LIMIT", "-5", nil, "TOKENSMITH_RATE_LIMIT"},
		{"TOKENSMITH_AUTH_FAILURE_LIMIT", "+Inf", nil, "TOKENSMITH_AUTH_FAILURE_LIMIT"},
		{"TOKENSMITH_DRAIN_TIMEOUT", "soon", nil, "TOKENSMITH_DRAIN_TIMEOUT"},
		{"TOKENSMITH_DRAIN_TIMEOUT", "0s", nil, "TOKENSMITH_DRAIN_TIMEOUT"},
		{"", "", []string{"--max-tokens-per-member=-1"}, "--max-tokens-per-member"},
		{"", "", []string{"--rate-limit=-0.5"}, "--rate-limit"},
		{"", "", []string{"--tls-self-signed=yes"}, "tls-self-signed"},
		{"", "", []string{"--drain-timeout=-1s"}, "--drain-timeout"},
		{"", "", []string{"serve"}, `unexpected argument "serve"`},
	} {
		t.Run(tc.env+"="+tc.value+strings.Join(tc.args, " "), func(t *testing.T) {
			clearEnv(t)
			if tc.env != "" {
				t.Setenv(tc.env, tc.value)
			}
			o, err := parseFlags(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %+v, %v; want an error naming %s", o, err, tc.want)
			}
		})
	}
}

// TestParseFlagsAcceptsWhatParses: the values each form is documented to take.
func TestParseFlagsAcceptsWhatParses(t *testing.T) {
	clearEnv(t)
	t.Setenv("TOKENSMITH_TLS_SELF_SIGNED", "1")
	t.Setenv("TOKENSMITH_MAX_TOKENS_PER_MEMBER", "0")
	t.Setenv("TOKENSMITH_RATE_LIMIT", "2.5")
	t.Setenv("TOKENSMITH_DRAIN_TIMEOUT", "250ms")
	o, err := parseFlags([]string{"--max-tokens-per-org", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.tlsSelfSigned || o.maxPerMember != 0 || o.maxPerOrg != 7 || o.rateLimit != 2.5 || o.drainTimeout.Milliseconds() != 250 {
		t.Fatalf("parsed %+v", o)
	}
	for _, name := range []string{"tls-self-signed", "max-tokens-per-member", "max-tokens-per-org", "rate-limit", "drain-timeout"} {
		if !o.set[name] {
			t.Errorf("%s not marked as given", name)
		}
	}
}

// TestServerConfigRateLimitFromFile: a rate limit set only in the config
// file is the one in force, with its own burst or twice its rate.
func TestServerConfigRateLimitFromFile(t *testing.T) {
	clearEnv(t)
	read := func(t *testing.T, body string, args ...string) (*options, fileConfig) {
		t.Helper()
		conf := filepath.Join(t.TempDir(), "c.json")
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		o, err := parseFlags(append([]string{"--config", conf}, args...))
		if err != nil {
			t.Fatal(err)
		}
		fc, err := readFileConfig(conf)
		if err != nil {
			t.Fatal(err)
		}
		return o, fc
	}
	for _, tc := range []struct {
		body  string
		args  []string
		rate  float64
		burst int
	}{
		{`{"rateLimit":{"perSecond":5}}`, nil, 5, 10},
		{`{"rateLimit":{"perSecond":0.2}}`, nil, 0.2, 1},
		{`{"rateLimit":{"perSecond":5,"burst":3}}`, nil, 5, 3},
		{`{"rateLimit":{"burst":3}}`, nil, 1000, 3},
		{`{"rateLimit":{"perSecond":5,"burst":3}}`, []string{"--rate-limit=4"}, 4, 3},
		{`{"rateLimit":{"perSecond":5}}`, []string{"--rate-limit=4"}, 4, 8},
		{`{"rateLimit":{"perSecond":0}}`, nil, 0, 0},
	} {
		o, fc := read(t, tc.body, tc.args...)
		cfg, err := serverConfig(o, fc)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.RateLimit != tc.rate || cfg.RateBurst != tc.burst {
			t.Errorf("%s %v: rate %v burst %d, want %v and %d", tc.body, tc.args, cfg.RateLimit, cfg.RateBurst, tc.rate, tc.burst)
		}
	}
	for body, want := range map[string]string{
		`{"rateLimit":{"perSecond":-1}}`:          "rateLimit.perSecond",
		`{"rateLimit":{"perSecond":1,"burst":0}}`: "rateLimit.burst",
		`{"quotas":{"perMember":-1}}`:             "quotas.perMember",
		`{"quotas":{"perOrg":-3}}`:                "quotas.perOrg",
	} {
		o, fc := read(t, body)
		if _, err := serverConfig(o, fc); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", body, err, want)
		}
	}
}

// TestBinaryRefusesUnparsableVariable: TOKENSMITH_TLS_SELF_SIGNED=yes stops
// tokensmithd with an error naming the variable; it never serves plain HTTP.
func TestBinaryRefusesUnparsableVariable(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ts.db")
	d := startDaemon(t, []string{"TOKENSMITH_TLS_SELF_SIGNED=yes"}, "--data", data, "--listen", "127.0.0.1:0")
	err := d.wait()
	out := d.output()
	if err == nil || strings.Contains(out, "listening on") || !strings.Contains(out, "TOKENSMITH_TLS_SELF_SIGNED") {
		t.Fatalf("exit %v:\n%s", err, out)
	}
	if _, err := os.Stat(data); err == nil {
		t.Fatal("the database was created before the configuration was checked")
	}
}

// TestBinaryRateLimitFromConfigFile: a rate limit set only in the config
// file is enforced, its burst being twice the rate (at least 1).
func TestBinaryRateLimitFromConfigFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.json")
	// One request per thousand seconds, so a burst of 1: nothing refills
	// during the test.
	if err := os.WriteFile(conf, []byte(`{"rateLimit":{"perSecond":0.001}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot},
		"--data", filepath.Join(dir, "ts.db"), "--listen", "127.0.0.1:0", "--config", conf)
	u := d.baseURL("http")
	for i := range 1 {
		if res, body := get(t, http.DefaultClient, u, api.PathCallerIdentity, boot); res.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d %s", i, res.StatusCode, body)
		}
	}
	res, body := get(t, http.DefaultClient, u, api.PathCallerIdentity, boot)
	if res.StatusCode != 429 || res.Header.Get(api.HeaderRetryAfter) == "" {
		t.Fatalf("request beyond the burst of the config file: %d %s", res.StatusCode, body)
	}
	d.signal(syscall.SIGTERM)
	if err := d.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}
