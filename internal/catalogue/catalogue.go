// Package catalogue holds the permission catalogue: the names a token may be
// granted, what each means, and which member roles may hold it.
//
// The default catalogue is the permission table described in
// docs/guides/backend-rules.md, "Permission catalogue" (each name with
// its description and the source roles Global_Admin, Admin and Basic_User
// that may hold it) plus the backend's own permissions (tokens, custom roles,
// workspaces, members, audit log, introspection).
//
// Member roles are derived from the source roles; roles are cumulative, so
// owner ⊇ admin ⊇ writer ⊇ reader:
//
//	owner  <- Global_Admin (and everything admin holds)
//	admin  <- Admin        (and everything writer holds)
//	writer <- Basic_User   (and everything reader holds)
//	reader <- Basic_User permissions whose name ends in _READ, plus
//	          ACCESS_TOKEN_WRITE so every member can manage their own tokens
//
// The backend's read permissions (ACCESS_TOKEN_READ, CUSTOM_ROLE_READ,
// WORKSPACE_READ, MEMBER_READ) are Basic_User permissions ending in _READ, so
// every role holds them; their write counterparts (except ACCESS_TOKEN_WRITE),
// ACCESS_TOKEN_MANAGE, AUDIT_LOG_READ and TOKEN_INTROSPECT are Global_Admin
// and Admin permissions, held by owner and admin only.
//
// The built-in token roles reader, writer and admin grant exactly the
// permissions of the member role of the same name.
package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// rolesStrongestFirst lists the member roles of api.MemberRoles, strongest
// first: the order of Permission.Roles and of LevelRoles.
func rolesStrongestFirst() []string {
	roles := api.MemberRoles()
	slices.Reverse(roles)
	return roles
}

// Permission is one catalogue entry.
type Permission struct {
	Name        string
	Description string
	// Roles are the member roles (owner, admin, writer, reader) that hold it.
	Roles []string
	// CatalogueRoles are the source roles (Global_Admin, Admin, Basic_User) that may hold it.
	CatalogueRoles []string
	// Object is the object the permission belongs to, or empty for a plain
	// permission; Level is then LevelRead or LevelWrite.
	Object string
	Level  string
}

// Catalogue is an immutable set of permissions, safe for concurrent use.
type Catalogue struct {
	perms  []Permission
	index  map[string]int
	sorted []string
	byRole map[string][]string

	objects     []Object
	objectIndex map[string]int
	objectNames []string
}

// ValidationError names the field of a catalogue document at fault.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

var namePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// MaxNameLength and MaxDescriptionLength bound catalogue entries.
const (
	MaxNameLength        = 64
	MaxDescriptionLength = 1000
)

type document struct {
	Objects     []json.RawMessage `json:"objects"`
	Permissions []json.RawMessage `json:"permissions"`
}

type documentPermission struct {
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	CatalogueRoles []string `json:"catalogueRoles"`
	Object         string   `json:"object"`
	Level          string   `json:"level"`
}

// Load reads a catalogue from JSON of the form
//
//	{"permissions": [{"name": "...", "description": "...", "catalogueRoles": ["Global_Admin", ...]}, ...]}
//
// Names are upper case letters, digits and underscores and unique;
// catalogueRoles is a non-empty set of Global_Admin, Admin and Basic_User.
// The document may also declare objects, {"objects": [{"name": "...",
// "description": "..."}]}, and place permissions in them with "object" and
// "level" (see loadObjects). Unknown fields are refused. The backend's own permissions are appended when
// absent. Errors are *ValidationError naming the field, for example
// `permissions[3].name: duplicate "API_READ"`.
func Load(r io.Reader) (*Catalogue, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("catalogue: reading: %w", err)
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError("catalogue", err)
	}
	if dec.More() {
		return nil, &ValidationError{Field: "catalogue", Message: "unexpected data after the JSON object"}
	}
	if len(doc.Permissions) == 0 {
		return nil, &ValidationError{Field: "permissions", Message: "at least one permission is required"}
	}
	objects, err := loadObjects(doc.Objects)
	if err != nil {
		return nil, err
	}
	perms := make([]Permission, 0, len(doc.Permissions)+len(backendPermissions))
	seen := map[string]int{}
	for i, raw := range doc.Permissions {
		field := fmt.Sprintf("permissions[%d]", i)
		var dp documentPermission
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&dp); err != nil {
			return nil, jsonError(field, err)
		}
		switch {
		case dp.Name == "":
			return nil, &ValidationError{Field: field + ".name", Message: "required"}
		case len(dp.Name) > MaxNameLength:
			return nil, &ValidationError{Field: field + ".name", Message: fmt.Sprintf("longer than %d characters", MaxNameLength)}
		case !namePattern.MatchString(dp.Name):
			return nil, &ValidationError{Field: field + ".name", Message: fmt.Sprintf("%q must match %s", dp.Name, namePattern)}
		}
		if j, dup := seen[dp.Name]; dup {
			return nil, &ValidationError{Field: field + ".name", Message: fmt.Sprintf("duplicate %q (first at permissions[%d])", dp.Name, j)}
		}
		seen[dp.Name] = i
		if len([]rune(dp.Description)) > MaxDescriptionLength {
			return nil, &ValidationError{Field: field + ".description", Message: fmt.Sprintf("longer than %d characters", MaxDescriptionLength)}
		}
		if len(dp.CatalogueRoles) == 0 {
			return nil, &ValidationError{Field: field + ".catalogueRoles", Message: fmt.Sprintf("at least one of %s is required", strings.Join(sourceRoles(), ", "))}
		}
		roleSeen := map[string]bool{}
		for j, r := range dp.CatalogueRoles {
			rf := fmt.Sprintf("%s.catalogueRoles[%d]", field, j)
			if !slices.Contains(sourceRoles(), r) {
				return nil, &ValidationError{Field: rf, Message: fmt.Sprintf("unknown role %q (want one of %s)", r, strings.Join(sourceRoles(), ", "))}
			}
			if roleSeen[r] {
				return nil, &ValidationError{Field: rf, Message: fmt.Sprintf("duplicate %q", r)}
			}
			roleSeen[r] = true
		}
		if err := placeInObject(field, dp, objects); err != nil {
			return nil, err
		}
		perms = append(perms, Permission{Name: dp.Name, Description: dp.Description, CatalogueRoles: dp.CatalogueRoles, Object: dp.Object, Level: dp.Level})
	}
	if err := objectsComplete(objects, perms); err != nil {
		return nil, err
	}
	return build(perms, objects)
}

// jsonError turns a decoding error into a ValidationError under field.
func jsonError(field string, err error) *ValidationError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := field
		if te.Field != "" {
			if field == "catalogue" {
				f = te.Field
			} else {
				f = field + "." + te.Field
			}
		}
		return &ValidationError{Field: f, Message: fmt.Sprintf("want %s, got %s", jsonType(te.Type.Kind().String()), te.Value)}
	}
	return &ValidationError{Field: field, Message: strings.TrimPrefix(err.Error(), "json: ")}
}

func jsonType(kind string) string {
	switch kind {
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return kind
}

// build appends the missing backend permissions, normalises the source
// roles, derives the member roles and indexes the result.
func build(perms []Permission, objects []Object) (*Catalogue, error) {
	c := &Catalogue{index: map[string]int{}, byRole: map[string][]string{}}
	for _, p := range perms {
		if _, dup := c.index[p.Name]; dup {
			return nil, fmt.Errorf("catalogue: duplicate permission %q", p.Name)
		}
		c.add(p)
	}
	for _, e := range backendPermissions {
		if _, ok := c.index[e.name]; !ok {
			c.add(Permission{Name: e.name, Description: e.description, CatalogueRoles: append([]string(nil), e.roles...)})
		}
	}
	for _, p := range c.perms {
		c.sorted = append(c.sorted, p.Name)
		for _, r := range p.Roles {
			c.byRole[r] = append(c.byRole[r], p.Name)
		}
	}
	sort.Strings(c.sorted)
	for _, names := range c.byRole {
		sort.Strings(names)
	}
	c.indexObjects(objects)
	return c, nil
}

func (c *Catalogue) add(p Permission) {
	var cr []string
	for _, r := range sourceRoles() { // canonical order
		if slices.Contains(p.CatalogueRoles, r) {
			cr = append(cr, r)
		}
	}
	p.CatalogueRoles = cr
	p.Roles = memberRoles(p.Name, cr)
	c.index[p.Name] = len(c.perms)
	c.perms = append(c.perms, p)
}

// memberRoles applies the cumulative mapping described in the package doc.
func memberRoles(name string, catalogueRoles []string) []string {
	has := func(r string) bool { return slices.Contains(catalogueRoles, r) }
	reader := has(BasicUser) && (IsRead(name) || name == AccessTokenWrite)
	writer := reader || has(BasicUser)
	admin := writer || has(Admin)
	owner := admin || has(GlobalAdmin)
	var roles []string
	for _, r := range []struct {
		name string
		ok   bool
	}{{api.RoleOwner, owner}, {api.RoleAdmin, admin}, {api.RoleWriter, writer}, {api.RoleReader, reader}} {
		if r.ok {
			roles = append(roles, r.name)
		}
	}
	return roles
}

func clonePermission(p Permission) Permission {
	p.Roles = slices.Clone(p.Roles)
	p.CatalogueRoles = slices.Clone(p.CatalogueRoles)
	return p
}

// All returns every permission in catalogue order: the document's order,
// then any backend permissions that were added.
func (c *Catalogue) All() []Permission {
	out := make([]Permission, len(c.perms))
	for i, p := range c.perms {
		out[i] = clonePermission(p)
	}
	return out
}

// Lookup returns the permission called name (case-sensitive).
func (c *Catalogue) Lookup(name string) (Permission, bool) {
	i, ok := c.index[name]
	if !ok {
		return Permission{}, false
	}
	return clonePermission(c.perms[i]), true
}

// IsRead reports whether a permission only reads: its name ends in _READ.
func IsRead(name string) bool { return strings.HasSuffix(name, "_READ") }

// ReadPermissions returns the sorted names of every read permission: what a
// custom role with the base permissions "reader" grants, before the holder's
// member role bounds it.
func (c *Catalogue) ReadPermissions() []string {
	var out []string
	for _, n := range c.sorted {
		if IsRead(n) {
			out = append(out, n)
		}
	}
	return out
}

// Names returns every permission name, sorted.
func (c *Catalogue) Names() []string { return slices.Clone(c.sorted) }

// ForRole returns the sorted names of the permissions memberRole holds, or
// nil for an unknown role.
func (c *Catalogue) ForRole(memberRole string) []string {
	return slices.Clone(c.byRole[memberRole])
}

// Expand returns the sorted names a pattern denotes: "*" is every name,
// "PREFIX*" every name starting with PREFIX, anything else the exact name if
// it exists. It returns nil when nothing matches or the pattern has a "*"
// anywhere but at the end.
func (c *Catalogue) Expand(pattern string) []string {
	if pattern == "" {
		return nil
	}
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		if strings.Contains(prefix, "*") {
			return nil
		}
		var out []string
		for _, n := range c.sorted {
			if strings.HasPrefix(n, prefix) {
				out = append(out, n)
			}
		}
		return out
	}
	if _, ok := c.index[pattern]; ok {
		return []string{pattern}
	}
	return nil
}

// Suggest returns up to n names closest to name by case-insensitive
// Levenshtein distance, closest first (ties by name), for "did you mean"
// hints. Names further than max(2, len(name)/2) edits away are not
// suggested; an exact (case-insensitive) match is suggested first.
func (c *Catalogue) Suggest(name string, n int) []string {
	return suggest(c.sorted, name, n)
}

// suggest is Suggest over any sorted list of names.
func suggest(names []string, name string, n int) []string {
	return closest(name, names, n, max(2, len([]rune(name))/2))
}

// SuggestPattern is Suggest for a pattern ("ACCES_TOKEN_*") that matches no
// name: up to n patterns, closest first, whose prefix ends where a word of
// some name ends ("ACCESS_TOKEN_*"). Prefixes are short and alike, so fewer
// edits are allowed: one per four characters.
func (c *Catalogue) SuggestPattern(pattern string, n int) []string {
	prefix, ok := strings.CutSuffix(pattern, "*")
	if !ok || prefix == "" {
		return nil
	}
	seen := map[string]bool{}
	var prefixes []string
	for _, name := range c.sorted {
		for i, r := range name {
			if r == '_' && !seen[name[:i+1]] {
				seen[name[:i+1]] = true
				prefixes = append(prefixes, name[:i+1])
			}
		}
	}
	out := closest(prefix, prefixes, n, max(1, len([]rune(prefix))/4))
	for i := range out {
		out[i] += "*"
	}
	return out
}

// closest returns up to n of candidates (sorted) at most limit edits away
// from name, closest first.
func closest(name string, candidates []string, n, limit int) []string {
	if n <= 0 || name == "" {
		return nil
	}
	q := []rune(strings.ToUpper(name))
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	for _, candidate := range candidates {
		if d := levenshtein(q, []rune(strings.ToUpper(candidate))); d <= limit {
			cands = append(cands, cand{candidate, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].d != cands[j].d {
			return cands[i].d < cands[j].d
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
