package store

import (
	"encoding/json"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// storedStatement is how a policy statement is kept in a column of either
// engine (text in sqlite, jsonb in postgres). The rows already stored fix
// the format, so it is spelled out here rather than borrowed from
// api.Statement, whose key order differs and which may grow with the API.
type storedStatement struct {
	Effect       string   `json:"effect"`
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"notActions,omitempty"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
}

// EncodeStatements renders statements in their column format, in order;
// no statements give "[]".
func EncodeStatements(stmts []api.Statement) []byte {
	out := make([]storedStatement, len(stmts))
	for i, s := range stmts {
		out[i] = storedStatement{Effect: s.Effect, Actions: s.Actions, NotActions: s.NotActions,
			Resources: s.Resources, NotResources: s.NotResources}
	}
	b, _ := json.Marshal(out)
	return b
}

// DecodeStatements reads what EncodeStatements wrote. An empty column or
// an empty array reads as nil.
func DecodeStatements(b []byte) ([]api.Statement, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var in []storedStatement
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]api.Statement, len(in))
	for i, st := range in {
		out[i] = api.Statement{Effect: st.Effect, Actions: st.Actions, NotActions: st.NotActions,
			Resources: st.Resources, NotResources: st.NotResources}
	}
	return out, nil
}
