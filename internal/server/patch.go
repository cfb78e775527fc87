package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"

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

// patchOptions make the library follow RFC 6902 to the letter: no negative
// array indices, no parents created by add, no silent remove of a missing
// member (and replace of a missing member fails, as it always does there).
var patchOptions = func() *jsonpatch.ApplyOptions {
	o := jsonpatch.NewApplyOptions()
	o.SupportNegativeIndices = false
	o.EnsurePathExistsOnAdd = false
	o.AllowMissingPathOnRemove = false
	return o
}()

// applyPatch applies RFC 6902 operations (add, remove, replace, test) to the
// JSON form of doc and decodes the result into out. Each operation must
// address a field of rules.mutable; rules.fixed are refused by name. It
// returns the top-level fields the operations touched.
func applyPatch(doc any, ops []api.PatchOperation, rules patchRules, out any) (map[string]bool, error) {
	if len(ops) == 0 {
		return nil, invalid("patch", "the patch holds no operation")
	}
	if err := capLists(listCap{"patch", len(ops), maxPatchOps}); err != nil {
		return nil, err
	}
	cur, err := json.Marshal(doc)
	if err != nil {
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
		one := map[string]any{"op": op.Op, "path": op.Path}
		switch op.Op {
		case "add", "replace", "test":
			one["value"] = op.Value
		case "remove":
		default:
			return nil, invalid(field+".op", "unsupported operation %q (use add, remove, replace or test)", op.Op)
		}
		raw, err := json.Marshal([]any{one})
		if err != nil {
			return nil, invalid(field+".value", "unusable value")
		}
		p, err := jsonpatch.DecodePatch(raw)
		if err != nil {
			return nil, invalid(field, "%v", err)
		}
		next, err := p.ApplyWithOptions(cur, patchOptions)
		switch {
		case err != nil && op.Op == "test":
			return nil, &Error{Code: api.CodeConflict, Field: top, Detail: fmt.Sprintf("test failed: %s does not hold the expected value", op.Path)}
		case err != nil:
			return nil, invalid(top, "%s %s: %s", op.Op, op.Path, patchReason(err))
		}
		cur = next
		if op.Op != "test" {
			touched[top] = true
		}
	}
	if err := decodeStrict(cur, out); err != nil {
		return nil, err
	}
	return touched, nil
}

// patchReason says why an operation does not apply, in RFC 6902's terms.
func patchReason(err error) string {
	switch {
	case errors.Is(err, jsonpatch.ErrMissing):
		return "the path does not exist (replace and remove need an existing member; add creates one)"
	case errors.Is(err, jsonpatch.ErrInvalidIndex):
		return "array index out of range"
	}
	return err.Error()
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
