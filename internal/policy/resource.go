package policy

import (
	"fmt"
	"strings"
)

// ParseResource checks that r is one resource of this backend that a
// request acts on ("org" or "workspace/<id>", never a pattern) and returns
// its kind and id ("" and "" for "org"). Other kinds are the wider service's
// and name nothing here (see specifier.go), so no request can act on them.
func ParseResource(r string) (kind, id string, err error) {
	if r == ResourceOrg {
		return "", "", nil
	}
	kind, id, ok := strings.Cut(r, "/")
	switch {
	case !ok:
		return "", "", fmt.Errorf("invalid resource %q: want \"org\" or \"workspace/<id>\"", r)
	case kind != KindWorkspace:
		return "", "", fmt.Errorf("invalid resource %q: unknown kind %q (want \"org\" or \"workspace/<id>\")", r, kind)
	case id == "" || !validID(id):
		return "", "", fmt.Errorf("invalid resource %q: the id must be one or more letters, digits, \"_\", \".\" or \"-\" (no patterns)", r)
	}
	return kind, id, nil
}

// validID reports whether id is a plain resource name: the name characters
// of the specifier grammar, with no wildcard, tag or placeholder.
func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		if !isNameChar(id[i]) {
			return false
		}
	}
	return true
}
