package server_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func allowClientSecrets(cfg *server.Config) { cfg.AllowClientSecrets = true }

func mustGenerate(t *testing.T, k secret.Kind) string {
	t.Helper()
	v, err := secret.Generate(k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// breakChecksum changes the last character, keeping the alphabet.
func breakChecksum(v string) string {
	last := v[len(v)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return v[:len(v)-1] + string(repl)
}

// TestClientSecretsOffByDefault: a server with the default configuration
// refuses a supplied secret on create and on reset, naming the field and the
// setting, and changes nothing.
func TestClientSecretsOffByDefault(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	value := mustGenerate(t, secret.KindPersonal)
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens,
		api.TokenCreate{Name: "wo", Role: "reader", Secret: value})
	if p.Field != "secret" || !strings.Contains(p.Detail, "does not accept client-supplied secrets") || !strings.Contains(p.Detail, "--allow-client-secrets") {
		t.Fatalf("problem = %+v", p)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 1 {
		t.Fatalf("%d tokens after a refused create, want the owner's only", list.TotalCount)
	}
	tok := c.createToken(api.TokenCreate{Name: "plain", Role: "reader"})
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Secret: value})
	if p.Field != "secret" {
		t.Fatalf("problem = %+v", p)
	}
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.with(value).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

// TestClientSecretCreateAndReset: with the setting on, a supplied secret
// becomes the token's secret on create and on reset; the answer holds only
// its last four characters; a reset with a supplied secret keeps the grace
// period rule for the old one.
func TestClientSecretCreateAndReset(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(allowClientSecrets))
	c := newClient(t, ts, ts.OwnerToken)
	first := mustGenerate(t, secret.KindService)
	r := c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "wo", Role: "reader", ServiceToken: true, Secret: first})
	var tok api.Token
	r.into(t, &tok)
	if tok.Token != api.LastFour(first) {
		t.Fatalf("token field = %q, want the last four characters %q", tok.Token, api.LastFour(first))
	}
	var id api.CallerIdentity
	c.with(first).must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	if id.TokenID != tok.ID {
		t.Fatalf("the supplied secret authenticates as %q, want %q", id.TokenID, tok.ID)
	}

	second := mustGenerate(t, secret.KindService)
	var reset api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Secret: second}).into(t, &reset)
	if reset.Token != api.LastFour(second) {
		t.Fatalf("reset token field = %q, want %q", reset.Token, api.LastFour(second))
	}
	c.with(second).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.with(first).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)

	// A dry run checks a supplied secret and consumes nothing.
	third := mustGenerate(t, secret.KindPersonal)
	c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "dry", Role: "reader", Secret: third})
	c.with(third).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.createToken(api.TokenCreate{Name: "after dry run", Role: "reader", Secret: third})
	c.with(third).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

// TestClientSecretRules: every rule a supplied secret must meet, on create,
// reset and dry runs; each refusal names the field and the rule and changes
// nothing.
func TestClientSecretRules(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(allowClientSecrets))
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "target", Role: "reader"})
	resetAway := mustGenerate(t, secret.KindPersonal)
	held := c.createToken(api.TokenCreate{Name: "held", Role: "reader", Secret: resetAway})
	current := mustGenerate(t, secret.KindPersonal)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+held.ID+"/reset", api.TokenReset{Secret: current})
	deletedSecret := mustGenerate(t, secret.KindPersonal)
	gone := c.createToken(api.TokenCreate{Name: "gone", Role: "reader", Secret: deletedSecret})
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+gone.ID, nil)

	personal := mustGenerate(t, secret.KindPersonal)
	for _, tc := range []struct {
		name, value, want string
	}{
		{"unknown prefix", "xyz_pat_" + personal[len(secret.PrefixPersonal):], "unknown prefix"},
		{"short", personal[:len(personal)-1], "wrong length"},
		{"bad checksum", breakChecksum(personal), "checksum mismatch"},
		{"wrong kind", mustGenerate(t, secret.KindService), "is a service token secret but the token is a personal token"},
		{"the caller's own secret", ts.OwnerToken, "already been the secret of a token"},
		{"another token's current secret", current, "already been the secret of a token"},
		{"a secret reset away", resetAway, "already been the secret of a token"},
		{"a deleted token's secret", deletedSecret, "already been the secret of a token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, req := range []struct {
				method, path string
				body         any
			}{
				{"POST", api.PathTokens, api.TokenCreate{Name: "new", Role: "reader", Secret: tc.value}},
				{"POST", api.PathTokens + "/" + tok.ID + "/reset", api.TokenReset{Secret: tc.value}},
			} {
				p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, req.method, req.path, req.body)
				if p.Field != "secret" || !strings.Contains(p.Detail, tc.want) {
					t.Fatalf("%s %s: problem = %+v, want field secret and %q", req.method, req.path, p, tc.want)
				}
				if strings.Contains(p.Detail, core(personal)) || strings.Contains(p.Detail, tc.value[8:20]) {
					t.Fatalf("the problem echoes the secret: %+v", p)
				}
			}
		})
	}
	// Format and kind are checked in dry runs too.
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?dryRun=true",
		api.TokenCreate{Name: "dry", Role: "reader", Secret: breakChecksum(personal)})
	if p.Field != "secret" {
		t.Fatalf("dry run problem = %+v", p)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 3 {
		t.Fatalf("%d tokens after refused creates, want 3", list.TotalCount)
	}
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

// TestClientSecretNeverKept: a supplied secret appears in no response, log
// line, audit record or file of the server, and the audit log says the
// secret was client-supplied.
func TestClientSecretNeverKept(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(allowClientSecrets))
	c := newClient(t, ts, ts.OwnerToken)
	created, reset := mustGenerate(t, secret.KindPersonal), mustGenerate(t, secret.KindPersonal)
	var responses bytes.Buffer
	r := c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "wo", Role: "reader", Secret: created}, api.HeaderIdempotencyKey, "k1")
	responses.Write(r.Body)
	var tok api.Token
	r.into(t, &tok)
	r = c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "wo", Role: "reader", Secret: created}, api.HeaderIdempotencyKey, "k1")
	responses.Write(r.Body)
	r = c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Secret: reset}, api.HeaderIdempotencyKey, "k2")
	responses.Write(r.Body)
	r = c.do("POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Secret: created})
	responses.Write(r.Body)
	for _, v := range []string{created, reset} {
		responses.Write(c.with(v).do("GET", api.PathCallerIdentity, nil).Body)
	}
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	audit := c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil)
	if !bytes.Contains(audit.Body, []byte("secret=client-supplied")) {
		t.Errorf("the audit log does not say the secret was client-supplied: %s", audit.Body)
	}
	haystacks := map[string][]byte{"responses": responses.Bytes(), "logs": []byte(ts.Logs()), "audit": audit.Body}
	dir := filepath.Dir(ts.DataPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		haystacks[e.Name()] = b
	}
	if len(haystacks) < 4 {
		t.Fatalf("only %d haystacks: the database file was not read", len(haystacks))
	}
	for name, hay := range haystacks {
		for what, v := range map[string]string{"created": created, "reset": reset} {
			if bytes.Contains(hay, []byte(core(v))) {
				t.Errorf("%s holds the %s secret", name, what)
			}
		}
	}
}
