package api

// Code is a stable, machine-readable error code. Clients branch on it; the
// human-readable detail may change between releases.
type Code string

const (
	CodeInvalidRequest   Code = "invalid_request"
	CodeUnauthorized     Code = "unauthorized"
	CodePermissionDenied Code = "permission_denied"
	CodeNotFound         Code = "not_found"
	// CodeMethodNotAllowed: the path exists but not with this method; the
	// Allow header lists the methods it takes.
	CodeMethodNotAllowed Code = "method_not_allowed"
	CodeConflict         Code = "conflict"
	CodeQuotaExceeded    Code = "quota_exceeded"
	CodeRateLimited      Code = "rate_limited"
	CodeTooLarge         Code = "request_too_large"
	// CodeHeadersTooLarge: the request line and headers exceed the limit.
	CodeHeadersTooLarge  Code = "request_headers_too_large"
	CodeIdempotencyReuse Code = "idempotency_key_reused"
	CodeInProgress       Code = "request_in_progress"
	CodeInternal         Code = "internal"
)

// PermissionDeniedNumber is the numeric code of a call the token lacks
// permission for (see docs/guides/backend-rules.md, "Permission denied").
// Problems with CodePermissionDenied
// carry it in ErrorNumber.
const PermissionDeniedNumber = 4101

// statuses maps every code to its HTTP status, in the order the codes are
// declared. It is the one table that does so; StatusOf and Codes read it.
// The statuses are numbers rather than net/http's names so that the
// contract, and the packages that decide on it without HTTP (authz, store),
// do not depend on an HTTP implementation; TestStatusesAreHTTPs checks each
// against net/http.
var statuses = [...]struct {
	code   Code
	status int
}{
	{CodeInvalidRequest, 400},   // Bad Request
	{CodeUnauthorized, 401},     // Unauthorized
	{CodePermissionDenied, 403}, // Forbidden
	{CodeNotFound, 404},         // Not Found
	{CodeMethodNotAllowed, 405}, // Method Not Allowed
	{CodeConflict, 409},         // Conflict
	{CodeQuotaExceeded, 409},    // Conflict; not 429: retrying cannot help
	{CodeRateLimited, 429},      // Too Many Requests
	{CodeTooLarge, 413},         // Content Too Large
	{CodeHeadersTooLarge, 431},  // Request Header Fields Too Large
	{CodeIdempotencyReuse, 422}, // Unprocessable Content
	{CodeInProgress, 409},       // Conflict
	{CodeInternal, 500},         // Internal Server Error
}

// StatusOf returns the HTTP status of code. A code this package does not
// define is an internal error (500).
func StatusOf(code Code) int {
	for _, e := range statuses {
		if e.code == code {
			return e.status
		}
	}
	return 500 // Internal Server Error
}

// Codes returns every error code, in the order they are declared, in a
// slice of the caller's own.
func Codes() []Code {
	out := make([]Code, len(statuses))
	for i, e := range statuses {
		out[i] = e.code
	}
	return out
}

// ProblemContentType is the media type of every error response.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document with this API's extensions.
// Message repeats Detail because existing clients of the API read `message`.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`

	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Field is the JSON field at fault, when there is one ("name",
	// "inlineRole[0].actions[1]").
	Field string `json:"field,omitempty"`
	// ErrorNumber is PermissionDeniedNumber on permission errors.
	ErrorNumber int `json:"errorNumber,omitempty"`
	// Missing lists the permissions the caller lacks (escalation refusals).
	Missing []string `json:"missing,omitempty"`
	// Limit is the quota that was reached (quota_exceeded).
	Limit int `json:"limit,omitempty"`
	// RequestID identifies the request in the server's logs.
	RequestID string `json:"requestId,omitempty"`
}
