package policy

import (
	"fmt"
	"slices"
	"strings"
)

// ParseResource checks that r is one resource a request acts on ("org" or
// "<kind>/<id>", never a pattern) and returns its kind and id ("" and "" for
// "org").
func ParseResource(r string) (kind, id string, err error) {
	if r == ResourceOrg {
		return "", "", nil
	}
	kind, id, ok := strings.Cut(r, "/")
	switch {
	case !ok:
		return "", "", fmt.Errorf("invalid resource %q: want \"org\" or \"<kind>/<id>\" with kind workspace, token, role or member", r)
	case !slices.Contains(ResourceKinds, kind):
		return "", "", fmt.Errorf("invalid resource %q: unknown kind %q (want workspace, token, role or member)", r, kind)
	case id == "" || !validID(id):
		return "", "", fmt.Errorf("invalid resource %q: the id must be one or more letters, digits, \"_\", \".\", \"-\" or \":\" (no patterns)", r)
	}
	return kind, id, nil
}
