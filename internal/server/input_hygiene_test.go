package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// refused sends body and expects a 400 naming field whose detail says rule.
func refused(t *testing.T, c *client, method, path, body, field, rule string) {
	t.Helper()
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, method, path, body)
	if p.Field != field || !strings.Contains(p.Detail, rule) {
		t.Errorf("%s %s %q: field %q, detail %q; want field %q and %q", method, path, body, p.Field, p.Detail, field, rule)
	}
}

// tokenCount is how many tokens the caller's member holds.
func tokenCount(t *testing.T, c *client) int {
	t.Helper()
	var l api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &l)
	return l.TotalCount
}

// Invalid UTF-8 is refused naming the field, instead of being stored as
// U+FFFD, wherever it is in the body.
func TestInvalidUTF8Refused(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "reader"})
	before := tokenCount(t, c)
	const rule = "valid UTF-8"
	for _, rq := range []struct{ method, path, body, field string }{
		{"POST", api.PathTokens, "{\"name\":\"a\xffb\",\"role\":\"reader\"}", "name"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"description\":\"caf\xe9\",\"role\":\"reader\"}", "description"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"inlineRole\":[{\"effect\":\"allow\",\"actions\":[\"API_READ\"],\"resources\":[\"org\",\"workspace/\xc3\"]}]}", "inlineRole[0].resources[1]"},
		{"POST", api.PathTokens + "?dryRun=true", "{\"name\":\"\xed\xa0\x80\",\"role\":\"reader\"}", "name"},
		{"PATCH", api.PathTokens + "/" + tok.ID, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"n\xff\"}]", "[0].value"},
		{"PATCH", api.PathTokens + "/" + tok.ID, "{\"patch\":[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"n\"}],\"comment\":\"\xfe\"}", "comment"},
		{"POST", api.PathRoles, "{\"key\":\"k\",\"name\":\"R\xff\",\"permissions\":[\"API_READ\"]}", "name"},
		{"POST", api.PathWorkspaces, "{\"name\":\"w\",\"description\":\"\x80\"}", "description"},
		{"POST", api.PathMembers, "{\"email\":\"a@example.com\",\"firstName\":\"J\xf8rgen\",\"role\":\"reader\"}", "firstName"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"inlineRole\":[{\"effect\":\"allow\",\"\xffactions\":[\"API_READ\"]}]}", "inlineRole[0]"},
		{"POST", api.PathTokens, "{\"name\":\"x\",\"r\xf6le\":\"reader\"}", "body"},
	} {
		refused(t, c, rq.method, rq.path, rq.body, rq.field, rule)
	}
	if n := tokenCount(t, c); n != before {
		t.Fatalf("%d tokens after refused requests, want %d", n, before)
	}
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "t" {
		t.Fatalf("token renamed to %q", got.Name)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathRoles+"/k", nil)
}

// Field names are matched exactly: encoding/json would take "NAME" for
// "name", which other strict clients of the API reject.
func TestFieldNamesAreCaseSensitive(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "t", Role: "reader"})
	before := tokenCount(t, c)
	const rule = "case-sensitive"
	for _, rq := range []struct{ method, path, body, field string }{
		{"POST", api.PathTokens, `{"NAME":"x","ROLE":"reader"}`, "NAME"},
		{"POST", api.PathTokens, `{"name":"x","Role":"reader"}`, "Role"},
		{"POST", api.PathTokens + "?dryRun=true", `{"name":"x","role":"reader","ServiceToken":true}`, "ServiceToken"},
		{"POST", api.PathTokens, `{"name":"x","inlineRole":[{"Effect":"allow","actions":["API_READ"],"resources":["org"]}]}`, "inlineRole[0].Effect"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `[{"OP":"replace","path":"/name","value":"n"}]`, "[0].OP"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `{"Patch":[{"op":"replace","path":"/name","value":"n"}]}`, "Patch"},
		{"PATCH", api.PathTokens + "/" + tok.ID, `[{"op":"replace","path":"/inlineRole","value":[{"EFFECT":"allow","actions":["API_READ"],"resources":["org"]}]}]`, "inlineRole[0].EFFECT"},
		{"POST", api.PathTokens + "/" + tok.ID + "/reset", `{"EXPIRY":1}`, "EXPIRY"},
		{"POST", api.PathRoles, `{"Key":"k","name":"R","permissions":["API_READ"]}`, "Key"},
		{"POST", api.PathWorkspaces, `{"Name":"w"}`, "Name"},
		{"POST", api.PathWorkspaces + "/" + ts.DefaultWorkspaceID + "/transfer", `{"OwnerId":"x"}`, "OwnerId"},
		{"POST", api.PathMembers, `{"email":"a@example.com","ROLE":"reader"}`, "ROLE"},
	} {
		refused(t, c, rq.method, rq.path, rq.body, rq.field, rule)
	}
	if n := tokenCount(t, c); n != before {
		t.Fatalf("%d tokens after refused requests, want %d", n, before)
	}
}

// Zero-width characters and the line and paragraph separators make two
// names that look the same differ; names refuse them like the other
// invisible characters.
func TestNamesRefuseInvisibleCharacters(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	before := tokenCount(t, c)
	for _, name := range []string{"admin\u200b", "ad\u200cmin", "ad\u200dmin", "admin\u2060", "\ufeffadmin", "ad\u00admin", "line\u2028break", "para\u2029graph"} {
		q := name
		refused(t, c, "POST", api.PathTokens, `{"name":"`+q+`","role":"reader"}`, "name", "invisible")
		refused(t, c, "POST", api.PathRoles, `{"key":"k","name":"`+q+`","permissions":["API_READ"]}`, "name", "invisible")
		refused(t, c, "POST", api.PathWorkspaces, `{"name":"`+q+`"}`, "name", "invisible")
		refused(t, c, "POST", api.PathMembers, `{"email":"a@example.com","lastName":"`+q+`","role":"reader"}`, "lastName", "invisible")
		refused(t, c, "POST", api.PathMembers, `{"email":"a`+q+`@example.com","role":"reader"}`, "email", "email")
	}
	if n := tokenCount(t, c); n != before {
		t.Fatalf("%d tokens after refused requests, want %d", n, before)
	}
	// Visible text, accents and emoji included, is still a name.
	c.createToken(api.TokenCreate{Name: "Jürgen's CI 🚀", Role: "reader"})
}
