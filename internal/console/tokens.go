package console

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
)

// expiringWithin marks a token as expiring soon in the list.
const expiringWithin = 7 * 24 * time.Hour

type tokenRow struct {
	api.Token
	LastFour   string
	Owner      string
	Workspaces string
	Grant      string
	Expiring   bool
}

type listData struct {
	Rows    []tokenRow
	All     bool
	Notice  string
	Errors  map[string]string
	NowMs   int64
	Members bool
}

var notices = map[string]string{
	"deleted":     "The token was deleted.",
	"deleted-all": "All your tokens were deleted.",
	"edited":      "The token was saved.",
}

func (c *Console) tokenList(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	c.showList(w, r, se, me, http.StatusOK, nil)
}

func (c *Console) showList(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity, status int, errs map[string]string) {
	all := r.URL.Query().Get("all") == "1" && isAdmin(me)
	path := api.PathTokens + "?limit=1000"
	if all {
		path += "&showAll=true"
	}
	var list api.List[api.Token]
	if e := c.call(r, se, "GET", path, nil, &list); e != nil {
		c.fail(w, r, e)
		return
	}
	names := c.workspaceNames(r, se)
	now := c.srv.Now()
	d := listData{All: all, Notice: notices[r.URL.Query().Get("done")], Errors: errs, NowMs: now.UnixMilli(), Members: all}
	for _, t := range list.Items {
		row := tokenRow{Token: t, LastFour: api.LastFour(t.Token), Grant: grantSummary(t), Workspaces: "all, current and future"}
		if t.Member != nil {
			row.Owner = t.Member.Email
		}
		if !t.AllWorkspaces {
			var ws []string
			for _, id := range t.WorkspaceIDs {
				ws = append(ws, cmpOr(names[id], id))
			}
			row.Workspaces = strings.Join(ws, ", ")
		}
		row.Expiring = !t.Expired && t.ExpirationDate != 0 && time.UnixMilli(t.ExpirationDate).Sub(now) < expiringWithin
		d.Rows = append(d.Rows, row)
	}
	c.page(w, status, "tokens", se, me, "My tokens", d)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func grantSummary(t api.Token) string {
	switch {
	case len(t.Permissions) > 0:
		return strings.Join(t.Permissions, ", ")
	case t.Role != "":
		return "role " + t.Role
	case len(t.CustomRoleIDs) > 0:
		return "custom roles " + strings.Join(t.CustomRoleIDs, ", ")
	case len(t.InlineRole) > 0:
		return "inline policy (" + strconv.Itoa(len(t.InlineRole)) + " statements)"
	case len(t.Access) > 0:
		var parts []string
		for _, o := range slices.Sorted(maps.Keys(t.Access)) {
			parts = append(parts, o+" "+t.Access[o])
		}
		return "access: " + strings.Join(parts, ", ")
	}
	return ""
}

func (c *Console) workspaceNames(r *http.Request, se *session) map[string]string {
	var list api.List[api.Workspace]
	names := map[string]string{}
	if c.call(r, se, "GET", api.PathWorkspaces+"?limit=1000", nil, &list) == nil {
		for _, ws := range list.Items {
			names[ws.ID] = ws.Name
		}
	}
	return names
}

// tokenForm is the create and edit form: what was entered, the choices the
// API offers this member, and the API's messages by form field.
type tokenForm struct {
	Token       *api.Token
	Name        string
	Description string
	Validity    string
	Custom      string
	Scope       string
	Workspaces  []string
	Permissions []string
	// Access holds the objects set above none, object -> level; an object
	// it does not name is inaccessible.
	Access map[string]string
	Errors map[string]string

	Choices grantChoices
	// AllowNoExpiry and the dates bound the validity the form offers; the
	// API still checks the date.
	AllowNoExpiry bool
	Today, MaxDay string
}

// grantChoices is what the member may grant, as the API reports it: the
// catalogue's objects with the levels the member's role may hold, the
// plain permissions (those of no object) their role holds, and the
// workspaces they can reach. templates/_grant.html draws them.
type grantChoices struct {
	Objects     []objectChoice
	Permissions []api.Permission
	Workspaces  []api.Workspace
}

// objectChoice is one catalogue object of the form's access choice.
type objectChoice struct {
	api.AccessObject
	Levels []levelChoice
}

// levelChoice is a level of an object; Allowed says whether the API lists
// the member's role among those that may hold it.
type levelChoice struct {
	api.AccessObjectLevel
	Allowed bool
}

// choices asks the API what the member may grant: the catalogue's objects
// and the roles each level allows, the plain permissions bounded by the
// effective permissions of the member's own role, and the workspaces they
// see. Permissions in keep (what the token or the refused form already
// holds) stay offered even when they belong to an object, so that saving
// an edit never drops a permission the member could not see.
func (c *Console) choices(r *http.Request, se *session, me *api.CallerIdentity, keep []string) (grantChoices, *apiError) {
	var objects api.List[api.AccessObject]
	if e := c.call(r, se, "GET", api.PathObjects+"?limit=1000", nil, &objects); e != nil {
		return grantChoices{}, e
	}
	var ch grantChoices
	for _, o := range objects.Items {
		oc := objectChoice{AccessObject: o}
		for _, l := range o.Levels {
			oc.Levels = append(oc.Levels, levelChoice{AccessObjectLevel: l, Allowed: slices.Contains(l.Roles, me.MemberRole)})
		}
		ch.Objects = append(ch.Objects, oc)
	}
	var cat api.List[api.Permission]
	if e := c.call(r, se, "GET", api.PathPermissions+"?limit=1000", nil, &cat); e != nil {
		return grantChoices{}, e
	}
	for _, p := range cat.Items {
		if slices.Contains(me.EffectivePermissions, p.Name) && (p.Object == "" || slices.Contains(keep, p.Name)) {
			ch.Permissions = append(ch.Permissions, p)
		}
	}
	var ws api.List[api.Workspace]
	if e := c.call(r, se, "GET", api.PathWorkspaces+"?limit=1000", nil, &ws); e != nil {
		return grantChoices{}, e
	}
	ch.Workspaces = ws.Items
	return ch, nil
}

func (c *Console) showForm(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity, status int, f tokenForm) {
	ch, e := c.choices(r, se, me, f.Permissions)
	if e != nil {
		c.fail(w, r, e)
		return
	}
	f.Choices = ch
	now := c.srv.Now().UTC()
	maxLife, noExpiry := c.srv.ExpiryPolicy()
	f.AllowNoExpiry = noExpiry
	f.Today = now.Format(time.DateOnly)
	if maxLife > 0 {
		f.MaxDay = now.Add(maxLife).Format(time.DateOnly)
	}
	page, title := "token_new", "New token"
	if f.Token != nil {
		page, title = "token_edit", "Token "+f.Token.Name
	}
	c.page(w, status, page, se, me, title, f)
}

func (c *Console) newTokenPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	c.showForm(w, r, se, me, http.StatusOK, tokenForm{Validity: "30", Scope: "some"})
}

// readForm reads the fields the create and edit forms share. Each object's
// choice is the field access.<object>; the objects left inaccessible are
// left out of Access.
func readForm(r *http.Request) tokenForm {
	_ = r.ParseForm()
	f := tokenForm{
		Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Validity: r.PostFormValue("validity"), Custom: r.PostFormValue("customDate"),
		Scope: r.PostFormValue("scope"), Workspaces: r.PostForm["workspaces"], Permissions: r.PostForm["permissions"],
		Errors: map[string]string{},
	}
	for k := range r.PostForm {
		if object, ok := strings.CutPrefix(k, "access."); ok && object != "" {
			if level := r.PostFormValue(k); level != "" && level != catalogue.AccessNone {
				if f.Access == nil {
					f.Access = map[string]string{}
				}
				f.Access[object] = level
			}
		}
	}
	return f
}

// formField is the form field an API error names: access is the object
// choice, the other grant fields are the permission checklist (so the
// API's "exactly one of" shows there), the scope fields the workspace
// choice.
func formField(apiField string) string {
	f, _, _ := strings.Cut(apiField, "[")
	f, _, _ = strings.Cut(f, ".")
	switch f {
	case "name", "description":
		return f
	case "role", "customRoleIds", "inlineRole", "permissions":
		return "permissions"
	case "access":
		return "access"
	case "workspaceIds", "allWorkspaces":
		return "workspaces"
	case "expirationDate":
		return "validity"
	}
	return "form"
}

func (c *Console) createToken(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	f := readForm(r)
	// Both grant forms go to the API as entered: when both are set it
	// refuses them with its own "exactly one of" message.
	in := api.TokenCreate{Name: f.Name, Description: f.Description, Permissions: f.Permissions, Access: f.Access}
	if f.Scope == "all" {
		in.AllWorkspaces = true
	} else {
		in.WorkspaceIDs = f.Workspaces
		if len(in.WorkspaceIDs) == 0 {
			// The API reads no scope as every workspace: say so instead.
			f.Errors["workspaces"] = "Choose at least one workspace, or all workspaces."
		}
	}
	now := c.srv.Now().UTC()
	switch f.Validity {
	case "1", "7", "30":
		days, _ := strconv.Atoi(f.Validity)
		in.ExpirationDate = now.AddDate(0, 0, days).UnixMilli()
	case "custom":
		d, err := time.Parse(time.DateOnly, f.Custom)
		if err != nil {
			f.Errors["validity"] = "Enter the expiry date as YYYY-MM-DD."
		}
		in.ExpirationDate = d.UnixMilli()
	case "none":
	default:
		f.Errors["validity"] = "Choose how long the token is valid."
	}
	if len(f.Errors) > 0 {
		c.showForm(w, r, se, me, http.StatusBadRequest, f)
		return
	}
	var tok api.Token
	if e := c.call(r, se, "POST", api.PathTokens, in, &tok); e != nil {
		f.Errors[formField(e.Field)] = e.Detail
		c.showForm(w, r, se, me, e.Status, f)
		return
	}
	c.showSecret(w, r, se, flash{TokenID: tok.ID, Name: tok.Name, Secret: tok.Token, Action: "created"})
}

// showSecret hands a new secret to the page that shows it once. The secret
// goes into no URL: it waits, sealed, in the session.
func (c *Console) showSecret(w http.ResponseWriter, r *http.Request, se *session, f flash) {
	if err := c.putFlash(r, se, f); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/tokens/secret", http.StatusSeeOther)
}

func (c *Console) secretPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	f, err := c.takeFlash(r, se)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if f != nil {
		markSecretShown(w, r)
	}
	c.page(w, http.StatusOK, "secret", se, me, "Your new secret", f)
}

func (c *Console) loadToken(r *http.Request, se *session) (api.Token, *apiError) {
	var t api.Token
	e := c.call(r, se, "GET", api.PathTokens+"/"+url.PathEscape(r.PathValue("id")), nil, &t)
	return t, e
}

func formOf(t api.Token) tokenForm {
	f := tokenForm{Token: &t, Name: t.Name, Description: t.Description, Permissions: t.Permissions,
		Access: maps.Clone(t.Access), Workspaces: t.WorkspaceIDs, Scope: "some", Errors: map[string]string{}}
	if t.AllWorkspaces {
		f.Scope = "all"
	}
	return f
}

func (c *Console) editTokenPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	t, e := c.loadToken(r, se)
	if e != nil {
		c.fail(w, r, e)
		return
	}
	c.showForm(w, r, se, me, http.StatusOK, formOf(t))
}

// grantOf is a token's grant as review.Compare reads it.
func grantOf(t api.Token) review.Grant {
	return review.Grant{Role: t.Role, CustomRoles: t.CustomRoleIDs, Permissions: t.Permissions, Access: t.Access,
		Statements: t.InlineRole, WorkspaceIDs: t.WorkspaceIDs, AllWorkspaces: t.AllWorkspaces}
}

// editToken saves name, description, the grant (object access or
// permissions) and workspaces. A change that widens the token, as the
// provider's plan review reckons it, needs the member's password.
func (c *Console) editToken(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	t, e := c.loadToken(r, se)
	if e != nil {
		c.fail(w, r, e)
		return
	}
	f := readForm(r)
	f.Token = &t
	ops := []api.PatchOperation{
		{Op: "replace", Path: "/name", Value: f.Name},
		{Op: "replace", Path: "/description", Value: f.Description},
	}
	// The form's grant replaces the token's when the token was granted by
	// permissions or access, or when the form sets either; setting both is
	// left to the API to refuse.
	next := grantOf(t)
	sendPermissions := len(t.Permissions) > 0 || len(f.Permissions) > 0
	sendAccess := len(t.Access) > 0 || len(f.Access) > 0
	if sendPermissions {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/permissions", Value: nonNil(f.Permissions)})
	}
	if sendAccess {
		access := f.Access
		if access == nil {
			access = map[string]string{}
		}
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/access", Value: access})
	}
	if sendPermissions || sendAccess {
		next = review.Grant{Permissions: f.Permissions, Access: f.Access}
	}
	next.WorkspaceIDs, next.AllWorkspaces = nil, false
	if f.Scope == "all" {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/allWorkspaces", Value: true})
		next.AllWorkspaces = true
	} else {
		if len(f.Workspaces) == 0 {
			f.Errors["workspaces"] = "Choose at least one workspace, or all workspaces."
			c.showForm(w, r, se, me, http.StatusBadRequest, f)
			return
		}
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/workspaceIds", Value: f.Workspaces})
		next.WorkspaceIDs = f.Workspaces
	}
	prev := grantOf(t)
	if !review.Compare(c.srv.Catalogue(), &prev, &next).Empty() {
		msg, err := c.confirmPassword(r, me)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if msg != "" {
			f.Errors["confirmPassword"] = "This change widens the token. " + msg
			c.showForm(w, r, se, me, http.StatusForbidden, f)
			return
		}
	}
	if e := c.call(r, se, "PATCH", api.PathTokens+"/"+url.PathEscape(t.ID), ops, nil); e != nil {
		f.Errors[formField(e.Field)] = e.Detail
		c.showForm(w, r, se, me, e.Status, f)
		return
	}
	seeOther(w, r, "/console/tokens", url.Values{"done": {"edited"}})
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// graces are the grace periods the regenerate form offers for the old secret.
var graces = map[string]time.Duration{"0": 0, "1h": time.Hour, "1d": 24 * time.Hour, "7d": 7 * 24 * time.Hour}

func (c *Console) regenerate(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	t, e := c.loadToken(r, se)
	if e != nil {
		c.fail(w, r, e)
		return
	}
	f := formOf(t)
	grace, ok := graces[r.PostFormValue("grace")]
	if !ok {
		f.Errors["grace"] = "Choose how long the old secret keeps working."
		c.showForm(w, r, se, me, http.StatusBadRequest, f)
		return
	}
	msg, err := c.confirmPassword(r, me)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if msg != "" {
		f.Errors["regeneratePassword"] = msg
		c.showForm(w, r, se, me, http.StatusForbidden, f)
		return
	}
	var in api.TokenReset
	if grace > 0 {
		in.Expiry = c.srv.Now().Add(grace).UnixMilli()
	}
	var out api.Token
	if e := c.call(r, se, "POST", api.PathTokens+"/"+url.PathEscape(t.ID)+"/reset", in, &out); e != nil {
		f.Errors["grace"] = e.Detail
		c.showForm(w, r, se, me, e.Status, f)
		return
	}
	c.showSecret(w, r, se, flash{TokenID: out.ID, Name: out.Name, Secret: out.Token, Action: "regenerated"})
}

func (c *Console) deleteToken(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	if e := c.call(r, se, "DELETE", api.PathTokens+"/"+url.PathEscape(r.PathValue("id")), nil, nil); e != nil {
		c.fail(w, r, e)
		return
	}
	seeOther(w, r, "/console/tokens", url.Values{"done": {"deleted"}})
}

func (c *Console) deleteAll(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	msg, err := c.confirmPassword(r, me)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if msg != "" {
		c.showList(w, r, se, me, http.StatusForbidden, map[string]string{"deleteAll": msg})
		return
	}
	if e := c.call(r, se, "DELETE", api.PathTokens+"?memberId="+url.QueryEscape(me.MemberID), nil, nil); e != nil {
		c.showList(w, r, se, me, e.Status, map[string]string{"deleteAll": e.Detail})
		return
	}
	seeOther(w, r, "/console/tokens", url.Values{"done": {"deleted-all"}})
}

func (c *Console) rolesPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	listPage[api.CustomRole](c, w, r, se, me, api.PathRoles+"?limit=1000", "roles", "Custom roles")
}

func (c *Console) workspacesPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	listPage[api.Workspace](c, w, r, se, me, api.PathWorkspaces+"?limit=1000", "workspaces", "Workspaces")
}

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity) {
	listPage[api.AuditEntry](c, w, r, se, me, api.PathAuditLog+"?limit=200", "audit", "Audit log")
}

// listPage shows one page of an API list, read-only, with the template
// named tmpl.
func listPage[T any](c *Console, w http.ResponseWriter, r *http.Request, se *session, me *api.CallerIdentity, path, tmpl, title string) {
	var list api.List[T]
	if e := c.call(r, se, "GET", path, nil, &list); e != nil {
		c.fail(w, r, e)
		return
	}
	c.page(w, http.StatusOK, tmpl, se, me, title, list.Items)
}
