package catalogue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Levels of a permission inside its object.
const (
	LevelRead  = "read"
	LevelWrite = "write"
)

// levels lists the levels a permission of an object may have.
func levels() []string { return []string{LevelRead, LevelWrite} }

// Access levels an `access` grant sets on an object: inaccessible,
// read-only and read/write. See docs/guides/backend-rules.md, "Access levels".
const (
	AccessNone      = "none"
	AccessReadOnly  = "read_only"
	AccessReadWrite = "read_write"
)

// accessLevels is the one definition of the access levels' order.
var accessLevels = [...]string{AccessNone, AccessReadOnly, AccessReadWrite}

// AccessLevels returns the access levels, narrowest first, in a slice of
// the caller's own.
func AccessLevels() []string { return slices.Clone(accessLevels[:]) }

// AccessRank orders access levels: none < read_only < read_write. It is -1
// for anything else.
func AccessRank(level string) int { return slices.Index(accessLevels[:], level) }

// Object is a thing a grant may reach object by object: the permissions at
// level read stand for read_only, those at both levels for read_write.
type Object struct {
	Name        string
	Description string
	// Read and Write are the sorted names of the object's permissions at
	// each level. Read is never empty; Write is empty for an object that
	// can only be read.
	Read  []string
	Write []string
}

// Offers lists the access levels the object offers, narrowest first:
// read_write only when it has write permissions.
func (o Object) Offers() []string {
	if len(o.Write) == 0 {
		return slices.Clone(accessLevels[:2])
	}
	return AccessLevels()
}

// Permissions returns the sorted names the access level stands for on o.
func (o Object) Permissions(level string) []string {
	switch level {
	case AccessReadOnly:
		return slices.Clone(o.Read)
	case AccessReadWrite:
		return slices.Sorted(slices.Values(append(slices.Clone(o.Read), o.Write...)))
	}
	return nil
}

func cloneObject(o Object) Object {
	o.Read, o.Write = slices.Clone(o.Read), slices.Clone(o.Write)
	return o
}

var objectNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

type documentObject struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// loadObjects reads the "objects" of a catalogue document: names of lower
// case letters, digits and underscores, unique, each with a description.
func loadObjects(raws []json.RawMessage) ([]Object, error) {
	objects := make([]Object, 0, len(raws))
	seen := map[string]int{}
	for i, raw := range raws {
		field := fmt.Sprintf("objects[%d]", i)
		var do documentObject
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&do); err != nil {
			return nil, jsonError(field, err)
		}
		switch {
		case do.Name == "":
			return nil, &ValidationError{Field: field + ".name", Message: "required"}
		case len(do.Name) > MaxNameLength:
			return nil, &ValidationError{Field: field + ".name", Message: fmt.Sprintf("longer than %d characters", MaxNameLength)}
		case !objectNamePattern.MatchString(do.Name):
			return nil, &ValidationError{Field: field + ".name", Message: fmt.Sprintf("%q must match %s", do.Name, objectNamePattern)}
		}
		if j, dup := seen[do.Name]; dup {
			return nil, &ValidationError{Field: field + ".name", Message: fmt.Sprintf("duplicate %q (first at objects[%d])", do.Name, j)}
		}
		seen[do.Name] = i
		if len([]rune(do.Description)) > MaxDescriptionLength {
			return nil, &ValidationError{Field: field + ".description", Message: fmt.Sprintf("longer than %d characters", MaxDescriptionLength)}
		}
		objects = append(objects, Object{Name: do.Name, Description: do.Description})
	}
	return objects, nil
}

// placeInObject checks a permission's object and level: both or neither;
// the object declared; the level read or write; a read permission named
// like one (…_READ), so read_only never grants more than reading.
func placeInObject(field string, dp documentPermission, objects []Object) error {
	if dp.Object == "" && dp.Level == "" {
		return nil
	}
	if dp.Object == "" {
		return &ValidationError{Field: field + ".object", Message: "required when level is set"}
	}
	if !slices.ContainsFunc(objects, func(o Object) bool { return o.Name == dp.Object }) {
		msg := fmt.Sprintf("unknown object %q: declare it in objects", dp.Object)
		if sug := suggest(objectNamesOf(objects), dp.Object, 3); len(sug) > 0 {
			msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(sug, ", "))
		}
		return &ValidationError{Field: field + ".object", Message: msg}
	}
	if !slices.Contains(levels(), dp.Level) {
		return &ValidationError{Field: field + ".level", Message: fmt.Sprintf("want one of %s, got %q", strings.Join(levels(), ", "), dp.Level)}
	}
	if dp.Level == LevelRead && !IsRead(dp.Name) {
		return &ValidationError{Field: field + ".level", Message: fmt.Sprintf("%q is not a read permission (its name does not end in _READ), so it cannot be at level read", dp.Name)}
	}
	return nil
}

// objectsComplete refuses a declared object without a read permission:
// read_only on it would grant nothing.
func objectsComplete(objects []Object, perms []Permission) error {
	for i, o := range objects {
		if !slices.ContainsFunc(perms, func(p Permission) bool { return p.Object == o.Name && p.Level == LevelRead }) {
			return &ValidationError{Field: fmt.Sprintf("objects[%d]", i), Message: fmt.Sprintf("object %q has no permission at level read", o.Name)}
		}
	}
	return nil
}

func objectNamesOf(objects []Object) []string {
	names := make([]string, len(objects))
	for i, o := range objects {
		names[i] = o.Name
	}
	sort.Strings(names)
	return names
}

// indexObjects fills each object's permissions from the catalogue.
func (c *Catalogue) indexObjects(objects []Object) {
	c.objectIndex = map[string]int{}
	for _, o := range objects {
		o.Read, o.Write = nil, nil
		for _, n := range c.sorted {
			p := c.perms[c.index[n]]
			if p.Object != o.Name {
				continue
			}
			if p.Level == LevelRead {
				o.Read = append(o.Read, n)
			} else {
				o.Write = append(o.Write, n)
			}
		}
		c.objectIndex[o.Name] = len(c.objects)
		c.objects = append(c.objects, o)
	}
	c.objectNames = objectNamesOf(c.objects)
}

// Objects returns every object in catalogue order.
func (c *Catalogue) Objects() []Object {
	out := make([]Object, len(c.objects))
	for i, o := range c.objects {
		out[i] = cloneObject(o)
	}
	return out
}

// LookupObject returns the object called name (case-sensitive).
func (c *Catalogue) LookupObject(name string) (Object, bool) {
	i, ok := c.objectIndex[name]
	if !ok {
		return Object{}, false
	}
	return cloneObject(c.objects[i]), true
}

// SuggestObject is Suggest for object names.
func (c *Catalogue) SuggestObject(name string, n int) []string {
	return suggest(c.objectNames, name, n)
}

// LevelRoles returns the member roles, strongest first, that may hold the
// access level on o: those holding every permission it stands for.
func (c *Catalogue) LevelRoles(o Object, level string) []string {
	perms := o.Permissions(level)
	var out []string
	for _, r := range rolesStrongestFirst() {
		held := c.byRole[r]
		if !slices.ContainsFunc(perms, func(p string) bool { return !slices.Contains(held, p) }) {
			out = append(out, r)
		}
	}
	return out
}

// MaxAccess returns the widest access level memberRole may hold on o.
func (c *Catalogue) MaxAccess(o Object, memberRole string) string {
	best := AccessNone
	for _, l := range o.Offers()[1:] {
		if slices.Contains(c.LevelRoles(o, l), memberRole) {
			best = l
		}
	}
	return best
}

// AccessPermissions checks an access grant (object -> access level) and
// returns the sorted permissions it stands for. field names the grant in
// errors ("access"), which are *ValidationError naming the entry at fault
// ("access.knowledge_bases").
func (c *Catalogue) AccessPermissions(field string, access map[string]string) ([]string, error) {
	for _, name := range slices.Sorted(maps.Keys(access)) {
		level := access[name]
		f := field + "." + name
		o, ok := c.LookupObject(name)
		if !ok {
			msg := fmt.Sprintf("unknown object %q", name)
			if sug := c.SuggestObject(name, 3); len(sug) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(sug, ", "))
			}
			return nil, &ValidationError{Field: f, Message: msg}
		}
		if !slices.Contains(accessLevels[:], level) {
			return nil, &ValidationError{Field: f, Message: fmt.Sprintf("access level must be one of %s, got %q", strings.Join(accessLevels[:], ", "), level)}
		}
		if !slices.Contains(o.Offers(), level) {
			return nil, &ValidationError{Field: f, Message: fmt.Sprintf("object %q can only be read: access level must be one of %s, got %q", name, strings.Join(o.Offers(), ", "), level)}
		}
	}
	return c.AccessGrants(access), nil
}

// AccessGrants returns the sorted permissions an access grant stands for,
// skipping objects and levels this catalogue does not know: a grant stored
// under an older catalogue grants only what still exists.
func (c *Catalogue) AccessGrants(access map[string]string) []string {
	var out []string
	for name, level := range access {
		o, ok := c.LookupObject(name)
		if !ok {
			continue
		}
		for _, p := range o.Permissions(level) {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// AccessCeiling refuses an access level that memberRole may not hold,
// naming the object and the widest level that role may hold on it.
func (c *Catalogue) AccessCeiling(field string, access map[string]string, memberRole string) error {
	for _, name := range slices.Sorted(maps.Keys(access)) {
		o, ok := c.LookupObject(name)
		if !ok {
			continue
		}
		if limit := c.MaxAccess(o, memberRole); AccessRank(access[name]) > AccessRank(limit) {
			return &ValidationError{Field: field + "." + name, Message: fmt.Sprintf("role %s may hold at most %s on object %q, not %s", memberRole, limit, name, access[name])}
		}
	}
	return nil
}
