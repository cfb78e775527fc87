package server_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestResetGrace(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	old := c.with(tok.Token)

	grace := ts.Clock.Now().Add(time.Hour).UnixMilli()
	var reset api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry="+strconv.FormatInt(grace, 10), nil).into(t, &reset)
	if reset.ID != tok.ID || reset.Token == tok.Token || !strings.HasPrefix(reset.Token, "tsm_pat_") {
		t.Fatalf("reset %+v", reset)
	}
	fresh := c.with(reset.Token)
	old.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	fresh.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	ts.Clock.Advance(time.Hour)
	old.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	fresh.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	// expiry in a JSON body; then a reset without expiry stops the old secret at once.
	var second api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Expiry: ts.Clock.Now().Add(time.Minute).UnixMilli()}).into(t, &second)
	fresh.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	var third api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", nil).into(t, &third)
	c.with(second.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.with(third.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	// dry run: nothing changes
	r := c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true", nil)
	if r.Obj["token"] != third.Token[len(third.Token)-4:] {
		t.Fatalf("dry-run reset shows %v", r.Obj["token"])
	}
	c.with(third.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

// TestSecretsNeverStored creates and resets tokens (with and without
// Idempotency-Key), then scans the data directory and the logs for every
// secret value it has seen.
func TestSecretsNeverStored(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	secrets := []string{ts.OwnerToken}
	for i := range 5 {
		var tok api.Token
		c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: fmt.Sprint("t", i), Role: "reader", ServiceToken: i%2 == 0},
			api.HeaderIdempotencyKey, fmt.Sprint("create-", i)).into(t, &tok)
		secrets = append(secrets, tok.Token)
		var reset api.Token
		c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", api.TokenReset{Expiry: ts.Clock.Now().Add(time.Hour).UnixMilli()},
			api.HeaderIdempotencyKey, fmt.Sprint("reset-", i)).into(t, &reset)
		secrets = append(secrets, reset.Token)
		c.with(reset.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
		c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
		c.with("Bearer "+tok.Token).must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	}
	c.with(secrets[1]+"x").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	var audit api.List[api.AuditEntry]
	auditRaw := c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil)
	auditRaw.into(t, &audit)
	if audit.TotalCount < 10 {
		t.Fatalf("audit has %d entries", audit.TotalCount)
	}

	files := dataDirFiles(t, ts)
	haystacks := map[string][]byte{"logs": []byte(ts.Logs()), "audit": auditRaw.Body}
	maps.Copy(haystacks, files)
	if _, ok := haystacks[filepath.Base(ts.DataPath)+"-wal"]; !ok {
		t.Logf("no WAL file present; scanned %d files", len(files))
	}
	if len(haystacks["logs"]) == 0 {
		t.Fatal("no logs captured")
	}
	for name, hay := range haystacks {
		for _, s := range secrets {
			if len(s) < 20 {
				t.Fatalf("implausible secret %q", s)
			}
			// the random body without the prefix, to catch partial copies
			if bytes.Contains(hay, []byte(s[8:len(s)-6])) {
				t.Errorf("%s holds a secret", name)
			}
		}
	}
}

// core is the random part of a token: a copy of it anywhere is a leak, even
// without the prefix or the checksum.
func core(tok string) string { return tok[len(secret.PrefixPersonal) : len(tok)-secret.ChecksumLength] }

// TestSecretsNeverEchoed sends a well-formed token nobody issued, and a
// real token, everywhere a client could misplace them: the Authorization
// header, JSON fields, the path and the query. No response (body or
// headers), log line, audit record or database file may hold either.
func TestSecretsNeverEchoed(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	real := c.createToken(api.TokenCreate{Name: "real", Role: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	bogus, err := secret.Generate(secret.KindService)
	if err != nil {
		t.Fatal(err)
	}

	var responses bytes.Buffer
	record := func(r resp) {
		for k, v := range r.Header {
			fmt.Fprintf(&responses, "%s: %s\n", k, strings.Join(v, ","))
		}
		responses.Write(r.Body)
	}
	for _, leaked := range []string{bogus, real.Token} {
		for _, auth := range []string{leaked, "Bearer " + leaked, leaked + "x", leaked[:len(leaked)-1], "Basic " + leaked} {
			if auth == real.Token || auth == "Bearer "+real.Token {
				continue
			}
			r := c.with(auth).do("GET", api.PathTokens, nil)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("Authorization %q...: status %d", auth[:12], r.Status)
			}
			record(r)
		}
		bad := []struct{ method, path, body string }{
			{"POST", api.PathTokens, `{"name":"x","role":"` + leaked + `"}`},
			{"POST", api.PathTokens, `{"name":"x","customRoleIds":["` + leaked + `"]}`},
			{"POST", api.PathTokens, `{"name":"x","permissions":["` + leaked + `"]}`},
			{"POST", api.PathTokens, `{"name":"x","role":"reader","workspaceIds":["` + leaked + `"]}`},
			{"POST", api.PathTokens, `{"name":"x","role":"reader","memberId":"` + leaked + `"}`},
			{"POST", api.PathTokens, `{"name":"` + leaked + `","role":"reader"}`},
			{"POST", api.PathTokens, `{"name":"x","description":"my token is ` + leaked + `","role":"reader"}`},
			{"POST", api.PathTokens, `{"name":"x","role":"reader","` + leaked + `":1}`},
			{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["` + leaked + `"],"resources":["org"]}]}`},
			{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"effect":"allow","actions":["API_READ"],"resources":["` + leaked + `"]}]}`},
			{"PATCH", api.PathTokens + "/" + real.ID, `[{"op":"replace","path":"/` + leaked + `","value":1}]`},
			{"PATCH", api.PathTokens + "/" + real.ID, `[{"op":"` + leaked + `","path":"/name","value":1}]`},
			{"PATCH", api.PathTokens + "/" + real.ID, `[{"op":"replace","path":"/name","value":"` + leaked + `"}]`},
			{"POST", api.PathTokens + "/" + real.ID + "/reset?expiry=" + leaked, ``},
			{"GET", api.PathTokens + "/" + leaked, ``},
			{"DELETE", api.PathTokens + "?memberId=" + leaked, ``},
			{"GET", api.PathRoles + "/" + leaked, ``},
			{"POST", api.PathRoles, `{"key":"` + leaked + `x-","name":"x","permissions":["API_READ"]}`},
			{"POST", api.PathRoles, `{"key":"k","name":"x","permissions":["` + leaked + `"]}`},
			{"PATCH", api.PathRoles + "/r", `{"patch":[{"op":"replace","path":"/name","value":"y"}],"comment":"` + leaked + `"}`},
			{"GET", api.PathWorkspaces + "/" + leaked, ``},
			{"POST", api.PathWorkspaces, `{"name":"w","ownerId":"` + leaked + `"}`},
			{"POST", api.PathMembers, `{"email":"` + leaked + `@example.com","role":"` + leaked + `"}`},
			{"GET", api.PathTokens + "?showAll=" + leaked, ``},
			{"GET", api.PathTokens + "?limit=" + leaked, ``},
			{"PUT", "/api/v2/" + leaked, ``},
		}
		for _, b := range bad {
			var body any
			if b.body != "" {
				body = b.body
			}
			r := c.do(b.method, b.path, body)
			if r.Status < 400 {
				t.Errorf("%s %s accepted: %d %s", b.method, strings.ReplaceAll(b.path, leaked, "<secret>"), r.Status, strings.ReplaceAll(string(r.Body), leaked, "<secret>"))
			}
			record(r)
		}
	}
	if err := ts.Flush(); err != nil {
		t.Fatal(err)
	}
	audit := c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil)
	haystacks := map[string][]byte{"responses": responses.Bytes(), "logs": []byte(ts.Logs()), "audit": audit.Body}
	maps.Copy(haystacks, dataDirFiles(t, ts))
	if !bytes.Contains(responses.Bytes(), []byte("[redacted]")) {
		t.Error("no detail mentions a redacted value; the test does not exercise echoing")
	}
	for name, hay := range haystacks {
		for what, s := range map[string]string{"unissued token": bogus, "real token": real.Token} {
			if bytes.Contains(hay, []byte(core(s))) {
				t.Errorf("%s holds the %s", name, what)
			}
		}
	}
}

// After a reset with a grace period, the old secret S0 keeps working for
// what its token may do, but it cannot take the token over (reset it and
// lock out the new secret S1, change or delete it) nor create or reset any
// token. S1 keeps working throughout.
func TestOldSecretCannotTakeOverItsToken(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "ci@example.com", "admin", "admin")
	s0 := c.with(tok.Token)
	other := s0.createToken(api.TokenCreate{Name: "other", Role: "reader"})

	grace := strconv.FormatInt(ts.Clock.Now().Add(time.Minute).UnixMilli(), 10)
	var reset api.Token
	s0.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry="+grace, nil).into(t, &reset)
	s1 := c.with(reset.Token)

	own := api.PathTokens + "/" + tok.ID
	rename := []api.PatchOperation{{Op: "replace", Path: "/name", Value: "taken"}}
	refused := []struct{ method, path string }{
		{"POST", own + "/reset"},
		{"POST", own + "/reset?dryRun=true"},
		{"POST", own + "/reset?expiry=" + grace},
		{"POST", api.PathTokens + "/" + other.ID + "/reset"},
		{"PATCH", own},
		{"PATCH", own + "?dryRun=true"},
		{"DELETE", own},
		{"DELETE", api.PathTokens + "?memberId=" + m.ID},
		{"POST", api.PathTokens},
		{"POST", api.PathTokens + "?dryRun=true"},
	}
	for _, rq := range refused {
		var body any
		switch {
		case rq.method == "PATCH":
			body = rename
		case rq.path == api.PathTokens || rq.path == api.PathTokens+"?dryRun=true":
			body = api.TokenCreate{Name: "minted", Role: "admin"}
		}
		p := s0.fail(http.StatusForbidden, api.CodePermissionDenied, rq.method, rq.path, body)
		if p.Detail == "" {
			t.Errorf("%s %s: refusal without a reason", rq.method, rq.path)
		}
	}

	// Nothing changed: S1 works, the token keeps its name, nothing was minted.
	var got api.Token
	s1.must(http.StatusOK, "GET", own, nil).into(t, &got)
	if got.Name != tok.Name {
		t.Errorf("token renamed to %q by its old secret", got.Name)
	}
	var list api.List[api.Token]
	s1.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Errorf("the member holds %d tokens, want 2 (nothing minted or deleted)", list.TotalCount)
	}

	// S0 keeps working for everything else.
	s0.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	s0.must(http.StatusOK, "GET", own, nil)
	s0.must(http.StatusOK, "PATCH", api.PathTokens+"/"+other.ID, rename)
	s0.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "made-with-s0"})
	s0.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+other.ID, nil)

	// S1 may do all of it, and its reset ends S0 at once.
	s1.must(http.StatusOK, "PATCH", own, rename)
	s1.createToken(api.TokenCreate{Name: "minted", Role: "reader"})
	s1.must(http.StatusOK, "POST", own+"/reset", nil)
	s0.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

func TestResetExpiryQueryOrBody(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	path := api.PathTokens + "/" + tok.ID + "/reset"
	at := ts.Clock.Now().Add(time.Hour).UnixMilli()
	q := "?expiry=" + strconv.FormatInt(at, 10)

	// Query and body agreeing is fine; disagreeing is refused, and nothing changes.
	var first api.Token
	c.must(http.StatusOK, "POST", path+q, api.TokenReset{Expiry: at}).into(t, &first)
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path+q, api.TokenReset{Expiry: at + 1})
	if p.Field != "expiry" {
		t.Fatalf("field %q", p.Field)
	}
	c.with(first.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path+"?expiry=soon", nil)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path, `{"expiry":"soon"}`)
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", path, api.TokenReset{Expiry: ts.Clock.Now().Add(-time.Minute).UnixMilli()})

	// Each form gives the old secret its grace period.
	current := first.Token
	for _, form := range []string{"query", "body"} {
		at := ts.Clock.Now().Add(time.Minute).UnixMilli()
		var r resp
		if form == "query" {
			r = c.must(http.StatusOK, "POST", path+"?expiry="+strconv.FormatInt(at, 10), nil)
		} else {
			r = c.must(http.StatusOK, "POST", path, api.TokenReset{Expiry: at})
		}
		var next api.Token
		r.into(t, &next)
		c.with(current).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
		ts.Clock.Advance(time.Minute)
		c.with(current).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
		c.with(next.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
		current = next.Token
	}
}

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
	maps.Copy(haystacks, dataDirFiles(t, ts))
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

// dataDirFiles reads every file of the directory holding ts's database (the
// database, its WAL, the pepper), by name, for tests that prove a secret
// was never written anywhere.
func dataDirFiles(t *testing.T, ts *testserver.Server) map[string][]byte {
	t.Helper()
	dir := filepath.Dir(ts.DataPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte, len(entries))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}
