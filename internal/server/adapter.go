package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// call is what a handler gets besides its decoded body.
type call struct {
	ctx    context.Context
	r      *http.Request
	c      *caller
	now    time.Time
	dryRun bool
	// status overrides the endpoint's success status (dry runs answer 200).
	status int
	// secret marks a response holding a whole token value: its idempotency
	// record is encrypted under the client's key.
	secret bool
}

// noBody is the input of endpoints that take no body.
type noBody struct{}

// noContent is the output of endpoints answering 204.
type noContent struct{}

// endpoint is the one JSON adapter: it reads and decodes the body (wrong
// types and unknown fields are 400 naming the field), runs idempotency for
// POSTs, calls fn, maps its error through api.StatusOf and encodes the answer.
// It refuses ?dryRun=true: only endpoints built with dryRunEndpoint can
// promise to write nothing.
func endpoint[In, Out any](s *Server, status int, fn func(*call, In) (Out, error)) http.Handler {
	return adapt(s, status, false, fn)
}

// dryRunEndpoint is endpoint for operations that honour ?dryRun=true: every
// check runs, nothing is written (no idempotency record either) and a
// would-be 201 answers 200.
func dryRunEndpoint[In, Out any](s *Server, status int, fn func(*call, In) (Out, error)) http.Handler {
	return adapt(s, status, true, fn)
}

func adapt[In, Out any](s *Server, status int, dryRunnable bool, fn func(*call, In) (Out, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.writeError(w, r, tooLarge())
				return
			}
			s.writeError(w, r, invalid("", "unable to read the request body"))
			return
		}
		cl := &call{ctx: r.Context(), r: r, c: info(r.Context()).caller, now: s.now().UTC().Truncate(time.Millisecond), status: status}
		if v := r.URL.Query().Get("dryRun"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				s.writeError(w, r, invalid("dryRun", "dryRun must be true or false"))
				return
			}
			if b && !dryRunnable {
				s.writeError(w, r, invalid("dryRun", "dryRun is supported only when creating, updating or resetting tokens and creating or updating custom roles"))
				return
			}
			cl.dryRun = b
		}

		run := func() (int, []byte, bool) {
			var in In
			if _, skip := any(in).(noBody); !skip && len(bytes.TrimSpace(body)) > 0 {
				if err := decodeStrict(body, &in); err != nil {
					return s.errorBody(r, err)
				}
			}
			out, err := fn(cl, in)
			if err != nil {
				return s.errorBody(r, err)
			}
			if _, empty := any(out).(noContent); empty {
				return http.StatusNoContent, nil, false
			}
			b, err := json.Marshal(out)
			if err != nil {
				return s.errorBody(r, err)
			}
			st := cl.status
			if cl.dryRun && st == http.StatusCreated {
				st = http.StatusOK
			}
			return st, b, false
		}

		key := r.Header.Get(api.HeaderIdempotencyKey)
		if r.Method != http.MethodPost || key == "" || cl.c == nil || cl.dryRun {
			st, b, problem := run()
			writeResponse(w, st, b, problem)
			return
		}
		s.idempotent(w, r, cl, key, body, run)
	})
}

func writeResponse(w http.ResponseWriter, status int, body []byte, problem bool) {
	if problem {
		w.Header().Set("Content-Type", api.ProblemContentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	writeJSON(w, status, body)
}

// errorBody renders err as a problem document.
func (s *Server) errorBody(r *http.Request, err error) (int, []byte, bool) {
	e, known := asError(err)
	ri := info(r.Context())
	if !known {
		s.log.Error("request failed", "request_id", ri.id, "route", ri.route, "error", redact(err.Error()))
	}
	if e.Code == api.CodeQuotaExceeded {
		s.metrics.refused(refusedQuota)
	}
	p := problemFor(e, ri.id)
	b, _ := json.Marshal(p)
	return p.Status, b, true
}

// decodeStrict decodes JSON, turning type errors into 400s naming the field
// and refusing fields the API does not define, so a typo in an optional
// field is reported instead of silently ignored.
//
// Two things encoding/json lets through are refused too: invalid UTF-8,
// which it would store as U+FFFD, and field names that match only when case
// is ignored ("NAME"), which strict clients of the same API would reject.
func decodeStrict(body []byte, v any) error {
	if !utf8.Valid(body) {
		return invalidUTF8(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return e
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return invalid(field, "%s must be %s, not %s", field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return invalid("", "malformed JSON at byte %d", se.Offset)
		}
		if e := unknownFieldError(body, reflect.TypeOf(v)); e != nil {
			return e
		}
		return invalid("", "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return invalid("", "malformed JSON: trailing data after the body")
	}
	if e := unknownFieldError(body, reflect.TypeOf(v)); e != nil {
		return e
	}
	return nil
}

// unknownFieldError finds the first field of body that t does not define and
// names it with its path ("inlineRole[0].efect") and the fields allowed there.
func unknownFieldError(body []byte, t reflect.Type) *Error {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil
	}
	if path, allowed, ok := findUnknown(doc, t, ""); ok {
		key := path[strings.LastIndexAny(path, ".]")+1:]
		for _, a := range allowed {
			if strings.EqualFold(a, key) {
				return invalid(path, "%s is not a field of this request: field names are case-sensitive (did you mean %s?)", path, a)
			}
		}
		return invalid(path, "%s is not a field of this request; allowed here: %s", path, strings.Join(allowed, ", "))
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// findUnknown walks doc alongside t and reports the first key that is not
// exactly the name of a field.
func findUnknown(doc any, t reflect.Type, path string) (string, []string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return "", nil, false
	}
	switch n := doc.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for _, k := range slices.Sorted(maps.Keys(n)) {
				if p, a, ok := findUnknown(n[k], t.Elem(), join(path, k)); ok {
					return p, a, true
				}
			}
		case reflect.Struct:
			fields := jsonFields(t)
			names := slices.Sorted(maps.Keys(fields))
			for _, k := range slices.Sorted(maps.Keys(n)) {
				ft, ok := fields[k]
				if !ok {
					return join(path, k), names, true
				}
				if p, a, ok := findUnknown(n[k], ft, join(path, k)); ok {
					return p, a, true
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range n {
				if p, a, ok := findUnknown(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); ok {
					return p, a, true
				}
			}
		}
	}
	return "", nil, false
}

func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return fmt.Sprintf("of type %s", goKind)
}
