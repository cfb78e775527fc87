package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Error is a non-2xx answer of the server. Problem holds the decoded problem
// document; for answers that were not one (a proxy's error page, or Go's
// answer to plain HTTP sent to a TLS port), Problem.Code stays empty, as the
// server sent none, and Problem.Detail is the body's first line, shortened
// and redacted. The Is* predicates still classify such answers by status.
type Error struct {
	StatusCode int
	Problem    api.Problem
}

// Error gives the problem detail, its code and the status, for example
// "token not found (code not_found, HTTP 404)". It never includes a secret.
func (e *Error) Error() string {
	msg := e.Problem.Detail
	if msg == "" {
		msg = e.Problem.Message
	}
	if msg == "" {
		msg = e.Problem.Title
	}
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if msg == "" {
		msg = "unexpected response"
	}
	if e.Problem.Code == "" {
		return fmt.Sprintf("%s (HTTP %d)", redactText(msg, ""), e.StatusCode)
	}
	return fmt.Sprintf("%s (code %s, HTTP %d)", redactText(msg, ""), e.Problem.Code, e.StatusCode)
}

// Code is the problem's code, or for an answer that carried none, the code
// its status stands for.
func (e *Error) Code() api.Code {
	if e.Problem.Code != "" {
		return e.Problem.Code
	}
	return codeForStatus(e.StatusCode)
}

// AsError returns the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

func hasCode(err error, code api.Code) bool {
	e, ok := AsError(err)
	return ok && e.Code() == code
}

// plainHTTPToTLS is the body Go's TLS servers answer a plain HTTP request
// with.
const plainHTTPToTLS = "Client sent an HTTP request to an HTTPS server."

// IsPlainHTTPToTLS reports the answer of a TLS server to a request sent over
// plain HTTP: the endpoint should use https://.
func IsPlainHTTPToTLS(err error) bool {
	e, ok := AsError(err)
	return ok && e.StatusCode == http.StatusBadRequest && e.Problem.Code == "" &&
		strings.HasPrefix(e.Problem.Detail, plainHTTPToTLS)
}

// IsNotFound reports a 404 answer: the object does not exist or the caller
// may not know that it does.
func IsNotFound(err error) bool { return hasCode(err, api.CodeNotFound) }

// IsPermissionDenied reports a 403 answer, including refused escalations
// (Problem.Missing lists what the caller lacks).
func IsPermissionDenied(err error) bool { return hasCode(err, api.CodePermissionDenied) }

// IsUnauthorized reports a 401 answer: the token is missing, malformed,
// unknown, revoked or expired.
func IsUnauthorized(err error) bool { return hasCode(err, api.CodeUnauthorized) }

// IsQuotaExceeded reports a refused create because a token quota is reached;
// Problem.Limit holds the quota.
func IsQuotaExceeded(err error) bool { return hasCode(err, api.CodeQuotaExceeded) }

// IsConflict reports a conflict with the current state, such as a name or
// key already taken or a role still in use.
func IsConflict(err error) bool { return hasCode(err, api.CodeConflict) }

// IsInvalidRequest reports a request the server refused as malformed or
// against a rule; Problem.Field names the field at fault when there is one.
func IsInvalidRequest(err error) bool { return hasCode(err, api.CodeInvalidRequest) }

// IsRateLimited reports a 429 answer that outlasted the client's retries or
// the context's deadline.
func IsRateLimited(err error) bool {
	e, ok := AsError(err)
	return ok && (e.Code() == api.CodeRateLimited || e.StatusCode == http.StatusTooManyRequests)
}

// codeForStatus derives a code for answers that carry none, from the one
// table that maps codes to statuses. Statuses shared by several codes map to
// the general one.
func codeForStatus(status int) api.Code {
	switch status {
	case http.StatusConflict:
		return api.CodeConflict
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return api.CodeInvalidRequest
	}
	for _, code := range api.Codes() {
		if api.StatusOf(code) == status {
			return code
		}
	}
	if status >= 500 {
		return api.CodeInternal
	}
	return ""
}

// maxFallbackMessage bounds the text kept from a body that is not a problem.
const maxFallbackMessage = 200

func newError(resp *http.Response, body []byte) *Error {
	e := &Error{StatusCode: resp.StatusCode}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	decoded := false
	if mediaType == api.ProblemContentType || mediaType == "application/json" || strings.HasSuffix(mediaType, "+json") {
		var p api.Problem
		if err := json.Unmarshal(body, &p); err == nil {
			e.Problem = p
			decoded = p.Detail != "" || p.Message != "" || p.Title != "" || p.Code != ""
		}
	}
	if !decoded {
		e.Problem = api.Problem{}
		if mediaType != "text/html" {
			e.Problem.Detail = fallbackMessage(body)
		}
	}
	if e.Problem.Status == 0 {
		e.Problem.Status = resp.StatusCode
	}
	if e.Problem.RequestID == "" {
		e.Problem.RequestID = resp.Header.Get(api.HeaderRequestID)
	}
	e.Problem.Detail = redactText(e.Problem.Detail, "")
	e.Problem.Message = redactText(e.Problem.Message, "")
	return e
}

// fallbackMessage keeps the first line of a plain-text body, shortened and
// with anything shaped like a token masked.
func fallbackMessage(body []byte) string {
	s := string(body)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return ""
	}
	if len(s) > maxFallbackMessage {
		cut := maxFallbackMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return redactText(s, "")
}
