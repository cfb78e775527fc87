package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

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
// types are 400 naming the field), runs idempotency for POSTs, calls fn,
// maps its error through api.Status and encodes the answer.
func endpoint[In, Out any](s *Server, status int, fn func(*call, In) (Out, error)) http.Handler {
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
		if r.Method != http.MethodPost || key == "" || cl.c == nil {
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
		s.log.Error("request failed", "request_id", ri.id, "route", ri.route, "error", err.Error())
	}
	p := problemFor(e, ri.id)
	b, _ := json.Marshal(p)
	return p.Status, b, true
}

// decodeStrict decodes JSON, turning type errors into 400s naming the field.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
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
		return invalid("", "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return invalid("", "malformed JSON: trailing data after the body")
	}
	return nil
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
