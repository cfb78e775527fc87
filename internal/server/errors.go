package server

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Error is a domain error with a stable code; the adapter turns it into a
// problem document whose status comes from api.StatusOf.
type Error struct {
	Code    api.Code
	Detail  string
	Field   string
	Missing []string
	Limit   int
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Detail }

// invalid reports a bad field; the detail always names it.
func invalid(field, format string, args ...any) *Error {
	detail := fmt.Sprintf(format, args...)
	if field != "" && !strings.Contains(detail, field) {
		detail = field + ": " + detail
	}
	return &Error{Code: api.CodeInvalidRequest, Field: field, Detail: detail}
}

func notFound(format string, args ...any) *Error {
	return &Error{Code: api.CodeNotFound, Detail: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) *Error {
	return &Error{Code: api.CodeConflict, Detail: fmt.Sprintf(format, args...)}
}

var titles = map[api.Code]string{
	api.CodeInvalidRequest:   "Invalid Request",
	api.CodeUnauthorized:     "Unauthorized",
	api.CodePermissionDenied: "Permission Denied",
	api.CodeNotFound:         "Not Found",
	api.CodeMethodNotAllowed: "Method Not Allowed",
	api.CodeConflict:         "Conflict",
	api.CodeQuotaExceeded:    "Quota Exceeded",
	api.CodeRateLimited:      "Rate Limited",
	api.CodeTooLarge:         "Request Too Large",
	api.CodeHeadersTooLarge:  "Request Headers Too Large",
	api.CodeIdempotencyReuse: "Idempotency Key Reused",
	api.CodeInProgress:       "Request In Progress",
	api.CodeInternal:         "Internal Error",
}

// domainError is err as an *Error when it is a refusal of the server's own
// or of package authz, whose typed refusals map to the problem documents
// the server has always sent.
func domainError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var d *authz.Denied
	if errors.As(err, &d) {
		return &Error{Code: api.CodePermissionDenied, Missing: d.Missing, Field: d.Field, Detail: d.Detail}, true
	}
	var iv *authz.Invalid
	if errors.As(err, &iv) {
		return invalid(iv.Field, "%s", iv.Detail), true
	}
	var nf *authz.NotFound
	if errors.As(err, &nf) {
		return &Error{Code: api.CodeNotFound, Detail: nf.Detail}, true
	}
	return nil, false
}

// asError maps any error to an *Error. Unknown errors become internal ones
// whose detail reveals nothing; the caller logs the original.
func asError(err error) (*Error, bool) {
	if e, ok := domainError(err); ok {
		return e, true
	}
	var qe *store.QuotaError
	if errors.As(err, &qe) {
		return &Error{Code: api.CodeQuotaExceeded, Limit: qe.Limit, Detail: qe.Error()}, true
	}
	var iu *store.InUseError
	if errors.As(err, &iu) {
		return &Error{Code: api.CodeConflict, Detail: iu.Error()}, true
	}
	var fe *policy.FieldError
	if errors.As(err, &fe) {
		return &Error{Code: api.CodeInvalidRequest, Field: fe.Field, Detail: fe.Error()}, true
	}
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: api.CodeNotFound, Detail: "not found"}, true
	}
	if errors.Is(err, store.ErrConflict) {
		return &Error{Code: api.CodeConflict, Detail: "conflict: the record already exists or changed"}, true
	}
	return &Error{Code: api.CodeInternal, Detail: "internal error"}, false
}

func problemFor(e *Error, requestID string) api.Problem {
	status := api.StatusOf(e.Code)
	detail := redact(e.Detail)
	p := api.Problem{
		Type:      "https://tokensmith.dev/problems/" + strings.ReplaceAll(string(e.Code), "_", "-"),
		Title:     titles[e.Code],
		Status:    status,
		Detail:    detail,
		Code:      e.Code,
		Message:   detail,
		Field:     redact(e.Field),
		Missing:   e.Missing,
		Limit:     e.Limit,
		RequestID: requestID,
	}
	if e.Code == api.CodePermissionDenied {
		p.ErrorNumber = api.PermissionDeniedNumber
	}
	return p
}
