package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// openAPIJSON is api.OpenAPIDocument() converted once from YAML to JSON.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid YAML: %w", err)
	}
	doc, err := jsonCompatible(doc)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// jsonCompatible turns the maps YAML decodes into maps JSON can encode,
// refusing keys that are not strings (an unquoted 200 must be "200").
func jsonCompatible(v any) (any, error) {
	switch n := v.(type) {
	case map[string]any:
		for k, e := range n {
			c, err := jsonCompatible(e)
			if err != nil {
				return nil, err
			}
			n[k] = c
		}
		return n, nil
	case map[any]any:
		out := make(map[string]any, len(n))
		for k, e := range n {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("the OpenAPI document has a key that is not a string: %v", k)
			}
			c, err := jsonCompatible(e)
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	case []any:
		for i, e := range n {
			c, err := jsonCompatible(e)
			if err != nil {
				return nil, err
			}
			n[i] = c
		}
		return n, nil
	}
	return v, nil
}

// openAPIDocument serves the published API document. It needs no token:
// a client reads it before it has one.
func (s *Server) openAPIDocument(w http.ResponseWriter, r *http.Request) {
	b, err := openAPIJSON()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// Routes lists the pattern of every route, "METHOD /path/{param}", in the
// order they are registered; "/" is the fallback that answers 404 and 405.
func (s *Server) Routes() []string { return slices.Clone(s.patterns) }
