package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// reqInfo travels in the request context; middleware and handlers fill it
// in and the access log reads it at the end.
type reqInfo struct {
	id     string
	route  string
	caller *caller
	// query is what the route declares it takes (routes.go).
	query []queryParam
}

type ctxKey struct{}

func info(ctx context.Context) *reqInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// middleware wraps every request: request id, panic recovery, the body
// limit and the access log. The log line never holds a header or a body.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: newID()}
		w.Header().Set(api.HeaderRequestID, ri.id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "request_id", ri.id, "route", ri.route, "panic", redact(fmt.Sprint(v)))
				if sw.status == 0 {
					s.writeError(sw, r, &Error{Code: api.CodeInternal, Detail: "internal error"})
				}
			}
			attrs := []slog.Attr{
				slog.String("request_id", ri.id),
				slog.String("method", r.Method),
				slog.String("route", ri.route),
				slog.String("path", redact(r.URL.Path)),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Duration("latency", time.Since(start)),
			}
			if ri.caller != nil {
				attrs = append(attrs, slog.String("token_id", ri.caller.Token.ID), slog.String("member_id", ri.caller.Member.ID))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
			s.metrics.request(ri.route, r.Method, sw.status, time.Since(start))
		}()
		if n := headerBytes(r); n > MaxHeaderBytes {
			s.writeError(sw, r, &Error{Code: api.CodeHeadersTooLarge,
				Detail: fmt.Sprintf("the request line and headers take %d bytes; at most %d are accepted", n, MaxHeaderBytes)})
			return
		}
		if r.ContentLength > MaxBodyBytes {
			s.writeError(sw, r, tooLarge())
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, MaxBodyBytes)
		}
		next.ServeHTTP(sw, r)
	})
}

// headerBytes is about what the request line and headers took on the wire.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

func tooLarge() *Error {
	return &Error{Code: api.CodeTooLarge, Detail: fmt.Sprintf("request body exceeds %d bytes", MaxBodyBytes)}
}

// authenticated wraps a route that needs a token: authentication, then the
// per-token rate limit.
func (s *Server) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, session, err := s.sessionCaller(r)
		if !session {
			c, err = s.authenticate(r)
		}
		var limited *rateLimitedError
		if errors.As(err, &limited) {
			s.metrics.refused(refusedAuthFailures)
			s.writeRateLimited(w, r, limited.wait, "too many failed authentications from this address")
			return
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
		info(r.Context()).caller = c
		if ok, wait := s.limiter.allow(c.Token.ID, s.now()); !ok {
			s.metrics.refused(refusedRateLimit)
			s.writeRateLimited(w, r, wait, "rate limit exceeded")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) writeRateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration, why string) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set(api.HeaderRetryAfter, strconv.Itoa(secs))
	w.Header().Set(api.HeaderRateLimitReset, strconv.FormatInt(s.now().Add(wait).UnixMilli(), 10))
	s.writeError(w, r, &Error{Code: api.CodeRateLimited, Detail: fmt.Sprintf("%s; retry after %d second(s)", why, secs)})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body, _ := s.errorBody(r, err)
	writeResponse(w, status, body, true)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
