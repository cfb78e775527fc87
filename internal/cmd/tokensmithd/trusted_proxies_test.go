package main

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

func TestTrustedProxiesParsed(t *testing.T) {
	t.Setenv("TOKENSMITH_TRUSTED_PROXIES", "")
	o, err := parseFlags(nil)
	if err != nil || len(o.trustedProxies) != 0 || o.set["trusted-proxies"] {
		t.Fatalf("default: %v %v", o.trustedProxies, err)
	}
	t.Setenv("TOKENSMITH_TRUSTED_PROXIES", "10.1.2.3/8, 192.0.2.7,fd00::/8,::ffff:198.51.100.1")
	o, err = parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("198.51.100.1/32")}
	if !slices.Equal(o.trustedProxies, want) || !o.set["trusted-proxies"] {
		t.Fatalf("from the environment: %v, want %v", o.trustedProxies, want)
	}
	// The flag wins over the variable.
	o, err = parseFlags([]string{"--trusted-proxies", "172.16.0.0/12"})
	if err != nil || !slices.Equal(o.trustedProxies, []netip.Prefix{netip.MustParsePrefix("172.16.0.0/12")}) {
		t.Fatalf("from the flag: %v %v", o.trustedProxies, err)
	}
}

func TestTrustedProxiesMalformedRefused(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.0/8;192.0.2.1", "fe80::1%eth0"} {
		t.Setenv("TOKENSMITH_TRUSTED_PROXIES", "")
		if _, err := parseFlags([]string{"--trusted-proxies", bad}); err == nil || !strings.Contains(err.Error(), "trusted-proxies") {
			t.Errorf("--trusted-proxies %q: %v, want an error naming the flag", bad, err)
		}
		t.Setenv("TOKENSMITH_TRUSTED_PROXIES", bad)
		if _, err := parseFlags(nil); err == nil || !strings.Contains(err.Error(), "TOKENSMITH_TRUSTED_PROXIES") {
			t.Errorf("TOKENSMITH_TRUSTED_PROXIES=%q: %v, want an error naming the variable", bad, err)
		}
	}
}

// tokensmithd started with trusted proxies limits failed authentications
// per forwarded client; a malformed setting stops it at startup.
func TestBinaryTrustedProxies(t *testing.T) {
	d := startDaemon(t, []string{"TOKENSMITH_TRUSTED_PROXIES=127.0.0.0/8,::1"},
		"--data", t.TempDir()+"/ts.db", "--listen", "127.0.0.1:0", "--auth-failure-limit", "0.1")
	u := d.baseURL("http")
	fail := func(xff string) int {
		t.Helper()
		bogus, err := secret.Generate(secret.KindPersonal)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest("GET", u.String()+api.PathCallerIdentity, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", bogus)
		req.Header.Set("X-Forwarded-For", xff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := fail("203.0.113.7"); st != http.StatusUnauthorized {
		t.Fatalf("first failure: %d", st)
	}
	if st := fail("203.0.113.7"); st != http.StatusTooManyRequests {
		t.Fatalf("second failure of the same client: %d, want 429", st)
	}
	if st := fail("203.0.113.8"); st != http.StatusUnauthorized {
		t.Fatalf("another client behind the proxy: %d, want 401", st)
	}

	bad := startDaemon(t, nil, "--data", t.TempDir()+"/ts.db", "--listen", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/40")
	if err := bad.wait(); err == nil || !strings.Contains(bad.output(), "trusted-proxies") {
		t.Fatalf("a malformed --trusted-proxies: exit %v, output:\n%s", err, bad.output())
	}
}
