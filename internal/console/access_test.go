package console_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// accessLevels are the objects as the API lists them, object -> level ->
// the member roles that may hold it.
func (e *env) accessLevels() map[string]map[string][]string {
	e.t.Helper()
	var list api.List[api.AccessObject]
	e.mustAPI(http.StatusOK, e.ts.OwnerToken, "GET", api.PathObjects+"?limit=1000", nil, &list)
	out := map[string]map[string][]string{}
	for _, o := range list.Items {
		out[o.Name] = map[string][]string{}
		for _, l := range o.Levels {
			out[o.Name][l.Level] = l.Roles
		}
	}
	return out
}

// objectWhere returns an object, other than those in not, whose levels the
// role may or may not hold as asked, failing the test when there is none.
func objectWhere(t *testing.T, levels map[string]map[string][]string, role string, readOnly, readWrite bool, not ...string) string {
	t.Helper()
	var names []string
	for name := range levels {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ro := slices.Contains(levels[name]["read_only"], role)
		rw := slices.Contains(levels[name]["read_write"], role)
		if ro == readOnly && rw == readWrite && !slices.Contains(not, name) {
			return name
		}
	}
	t.Fatalf("the catalogue has no object where %s may hold read_only=%v read_write=%v", role, readOnly, readWrite)
	return ""
}

// accessRadio selects the choice of level on object.
func accessRadio(object, level string) string {
	return `input[name="access.` + object + `"][value="` + level + `"]`
}

// tokenNamed returns the member's token called name, as the API shows it.
func (e *env) tokenNamed(name string) api.Token {
	e.t.Helper()
	var list api.List[api.Token]
	e.mustAPI(http.StatusOK, e.ts.OwnerToken, "GET", api.PathTokens+"?showAll=true&limit=1000", nil, &list)
	for _, tok := range list.Items {
		if tok.Name == name {
			return tok
		}
	}
	e.t.Fatalf("no token called %q", name)
	return api.Token{}
}

// A writer grants access object by object: a level their role may not
// hold is disabled, mixing the two grant forms shows the API's message, the
// token gets exactly the levels chosen, and raising a level on edit asks
// for the password while lowering one does not.
func TestConsoleAccessByObject(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	levels := e.accessLevels()
	writable := objectWhere(t, levels, api.RoleWriter, true, true)
	readable := objectWhere(t, levels, api.RoleWriter, true, false)
	closed := objectWhere(t, levels, api.RoleWriter, false, false)
	other := objectWhere(t, levels, api.RoleWriter, true, true, writable)
	ctx := newBrowser(t)
	base := e.ts.URL
	signIn(t, ctx, base, writerEmail, writerPass)

	run(t, ctx, "open the create form", chromedp.Click(chromedp.ID("new-token")), chromedp.WaitVisible(chromedp.ID("access-field")))
	disabled := func(object, level string) bool {
		t.Helper()
		return get(t, ctx, "read "+object+" "+level, chromedp.Evaluate[bool](`document.querySelector('`+accessRadio(object, level)+`').disabled`))
	}
	for _, c := range []struct {
		object, level string
		want          bool
	}{
		{writable, "read_write", false}, {readable, "read_only", false}, {readable, "read_write", true},
		{closed, "read_only", true}, {closed, "read_write", true}, {closed, "none", false},
	} {
		if got := disabled(c.object, c.level); got != c.want {
			t.Errorf("%s %s: disabled is %v, want %v", c.object, c.level, got, c.want)
		}
	}
	if legend := text(t, ctx, "#access-"+writable+" legend"); legend != writable {
		t.Errorf("the object's legend is %q", legend)
	}
	if rule := text(t, ctx, "#grant-rule"); !strings.Contains(rule, "one way") {
		t.Errorf("the form does not say how it maps to a grant: %q", rule)
	}

	// Both grant forms at once: the API's own message beside the checklist.
	run(t, ctx, "mix access and permissions",
		chromedp.SetValue(chromedp.ID("name"), "objects"),
		chromedp.Click(chromedp.CSS(`input[name=workspaces][value="`+e.ts.DefaultWorkspaceID+`"]`)),
		chromedp.Click(chromedp.CSS(accessRadio(writable, "read_write"))),
		chromedp.Click(chromedp.CSS(accessRadio(readable, "read_only"))),
		chromedp.Click(chromedp.CSS(`input[name=permissions]`)),
		chromedp.Click(chromedp.ID("create")))
	if got := text(t, ctx, "#permissions-error"); !strings.Contains(got, "exactly one of") {
		t.Fatalf("mixing the grant forms: %q", got)
	}
	// The refused form keeps the levels chosen; unchecking the permission
	// is all it takes.
	run(t, ctx, "create with access only",
		chromedp.Click(chromedp.CSS(`input[name=permissions]:checked`)),
		chromedp.Click(chromedp.ID("create")),
		chromedp.WaitVisible(chromedp.ID("secret")))
	tok := e.tokenNamed("objects")
	if want := (api.AccessGrant{writable: "read_write", readable: "read_only"}); !maps.Equal(tok.Access, want) || len(tok.Permissions) > 0 {
		t.Fatalf("the token's access is %v (permissions %v), want %v", tok.Access, tok.Permissions, want)
	}

	// Edit shows the current levels.
	run(t, ctx, "open the edit form", chromedp.Navigate(base+"/console/tokens/"+url.PathEscape(tok.ID)), chromedp.WaitVisible(chromedp.ID("save")))
	checked := get(t, ctx, "read the levels", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('input[name^="access."]:checked')].filter(e => e.value !== 'none').map(e => e.name + '=' + e.value)`))
	if !sameSet(checked, []string{"access." + writable + "=read_write", "access." + readable + "=read_only"}) {
		t.Fatalf("the edit form shows %v", checked)
	}
	// Lowering a level needs no password.
	run(t, ctx, "lower a level",
		chromedp.Click(chromedp.CSS(accessRadio(writable, "read_only"))),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("notice")))
	if got := e.tokenNamed("objects").Access; !maps.Equal(got, api.AccessGrant{writable: "read_only", readable: "read_only"}) {
		t.Fatalf("after lowering, the token's access is %v", got)
	}
	// Raising one asks for the password, and changes nothing without it.
	run(t, ctx, "raise a level without the password",
		chromedp.Navigate(base+"/console/tokens/"+url.PathEscape(tok.ID)),
		chromedp.WaitVisible(chromedp.ID("save")),
		chromedp.Click(chromedp.CSS(accessRadio(other, "read_write"))),
		chromedp.Click(chromedp.ID("save")))
	if got := text(t, ctx, "#edit-password-error"); !strings.Contains(got, "widens") {
		t.Fatalf("raising a level without the password: %q", got)
	}
	if got := e.tokenNamed("objects").Access; got[other] != "" {
		t.Fatalf("a refused raise changed the token: %v", got)
	}
	run(t, ctx, "raise a level with the password",
		chromedp.SetValue(chromedp.ID("edit-password"), writerPass),
		chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.ID("notice")))
	if got := e.tokenNamed("objects").Access; !maps.Equal(got, api.AccessGrant{writable: "read_only", readable: "read_only", other: "read_write"}) {
		t.Fatalf("after raising, the token's access is %v", got)
	}
}

// Without a browser's scripts the form is plain HTML: an object's level is
// a form field of its own, and a level the role may not hold is sent only
// by a forged form, which the API refuses with its message beside the
// object choice.
func TestAccessByObjectWithoutScript(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	levels := e.accessLevels()
	writable := objectWhere(t, levels, api.RoleWriter, true, true)
	readable := objectWhere(t, levels, api.RoleWriter, true, false)
	b := signedIn(t, e, writerEmail, writerPass)
	_, form := b.get("/console/tokens/new")
	if !strings.Contains(form, `name="access.`+readable+`" value="read_write" disabled`) {
		t.Fatalf("the form does not disable read_write on %s", readable)
	}
	v := url.Values{"csrf": {b.csrf("/console/tokens/new")}, "name": {"forged"}, "validity": {"7"}, "scope": {"all"},
		"access." + readable: {"read_write"}}
	if status, page := b.post("/console/tokens/new", v); status < 400 || !strings.Contains(page, `id="access-error"`) {
		t.Fatalf("a level beyond the role: %d", status)
	}
	v.Set("csrf", b.csrf("/console/tokens/new"))
	v.Set("name", "plain")
	v.Set("access."+readable, "read_only")
	v.Set("access."+writable, "read_write")
	if status, _ := b.post("/console/tokens/new", v); status != http.StatusSeeOther {
		t.Fatalf("create with access: %d", status)
	}
	if got := e.tokenNamed("plain").Access; !maps.Equal(got, api.AccessGrant{writable: "read_write", readable: "read_only"}) {
		t.Fatalf("the token's access is %v", got)
	}
}
