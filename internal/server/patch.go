package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// patchBody accepts a JSON Patch array or {"patch": [...], "comment": ""}.
type patchBody struct {
	Ops     []api.PatchOperation
	Comment string
}

// patchOp is one operation as sent. From belongs to RFC 6902's move and
// copy, which are refused by name rather than as an unknown field.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
	From  string `json:"from"`
}

type patchWithComment struct {
	Patch   []patchOp `json:"patch"`
	Comment string    `json:"comment"`
}

func (p *patchBody) UnmarshalJSON(b []byte) error {
	var ops []patchOp
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' {
		var w patchWithComment
		if err := decodeStrict(b, &w); err != nil {
			return err
		}
		ops, p.Comment = w.Patch, w.Comment
	} else if err := decodeStrict(b, &ops); err != nil {
		return err
	}
	p.Ops = make([]api.PatchOperation, len(ops))
	for i, op := range ops {
		if op.From != "" && op.Op != "move" && op.Op != "copy" {
			return invalid(fmt.Sprintf("patch[%d].from", i), "from belongs only to move and copy operations")
		}
		p.Ops[i] = api.PatchOperation{Op: op.Op, Path: op.Path, Value: op.Value}
	}
	return nil
}

// patchRules names the fields a PATCH may touch and those fixed at creation.
type patchRules struct {
	mutable map[string]bool
	fixed   map[string]bool
}

func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// applyPatch applies RFC 6902 operations (add, remove, replace, test) to the
// JSON form of doc and decodes the result into out. It returns the top-level
// fields the operations touched.
func applyPatch(doc any, ops []api.PatchOperation, rules patchRules, out any) (map[string]bool, error) {
	if len(ops) == 0 {
		return nil, invalid("patch", "the patch holds no operation")
	}
	if err := capLists(listCap{"patch", len(ops), maxPatchOps}); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var root any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, err
	}
	touched := map[string]bool{}
	for i, op := range ops {
		field := fmt.Sprintf("patch[%d]", i)
		tokens, err := pointer(op.Path)
		if err != nil || len(tokens) == 0 {
			return nil, invalid(field+".path", "%q is not a JSON pointer to a field", op.Path)
		}
		top := tokens[0]
		if rules.fixed[top] {
			return nil, invalid(top, "%s is fixed at creation and cannot be changed", top)
		}
		if !rules.mutable[top] {
			return nil, invalid(top, "%s is not a field that can be patched", top)
		}
		value, err := normalise(op.Value)
		if err != nil {
			return nil, invalid(field+".value", "unusable value")
		}
		switch op.Op {
		case "add", "replace", "remove":
			root, err = patchAt(root, tokens, op.Op, value)
			if err != nil {
				return nil, invalid(top, "%s %s: %v", op.Op, op.Path, err)
			}
			touched[top] = true
		case "test":
			got, ok := lookup(root, tokens)
			if !ok || !reflect.DeepEqual(got, value) {
				return nil, &Error{Code: api.CodeConflict, Field: top, Detail: fmt.Sprintf("test failed: %s does not hold the expected value", op.Path)}
			}
		default:
			return nil, invalid(field+".op", "unsupported operation %q (use add, remove, replace or test)", op.Op)
		}
	}
	b, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	if err := decodeStrict(b, out); err != nil {
		return nil, err
	}
	return touched, nil
}

func normalise(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func pointer(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("must start with /")
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

func lookup(node any, tokens []string) (any, bool) {
	for _, t := range tokens {
		switch n := node.(type) {
		case map[string]any:
			v, ok := n[t]
			if !ok {
				return nil, false
			}
			node = v
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			node = n[i]
		default:
			return nil, false
		}
	}
	return node, true
}

// patchAt returns node with op applied at tokens. Replacing a missing object
// member adds it, because omitted empty fields are absent from the documents
// clients read.
func patchAt(node any, tokens []string, op string, value any) (any, error) {
	t := tokens[0]
	last := len(tokens) == 1
	switch n := node.(type) {
	case map[string]any:
		if last {
			switch op {
			case "add", "replace":
				n[t] = value
			case "remove":
				if _, ok := n[t]; !ok {
					return nil, fmt.Errorf("path does not exist")
				}
				delete(n, t)
			}
			return n, nil
		}
		child, ok := n[t]
		if !ok {
			return nil, fmt.Errorf("path does not exist")
		}
		v, err := patchAt(child, tokens[1:], op, value)
		if err != nil {
			return nil, err
		}
		n[t] = v
		return n, nil
	case []any:
		if last && op == "add" && t == "-" {
			return append(n, value), nil
		}
		i, err := strconv.Atoi(t)
		if err != nil || i < 0 || i > len(n) || (i == len(n) && !(last && op == "add")) {
			return nil, fmt.Errorf("index %q out of range", t)
		}
		if last {
			switch op {
			case "add":
				n = append(n, nil)
				copy(n[i+1:], n[i:])
				n[i] = value
			case "replace":
				n[i] = value
			case "remove":
				n = append(n[:i], n[i+1:]...)
			}
			return n, nil
		}
		v, err := patchAt(n[i], tokens[1:], op, value)
		if err != nil {
			return nil, err
		}
		n[i] = v
		return n, nil
	}
	return nil, fmt.Errorf("path does not exist")
}
