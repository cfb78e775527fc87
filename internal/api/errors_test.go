package api

import (
	"net/http"
	"testing"
)

// TestStatusesAreHTTPs checks the status table, written in numbers so that
// the contract does not import net/http, against net/http's names.
func TestStatusesAreHTTPs(t *testing.T) {
	want := map[Code]int{
		CodeInvalidRequest:   http.StatusBadRequest,
		CodeUnauthorized:     http.StatusUnauthorized,
		CodePermissionDenied: http.StatusForbidden,
		CodeNotFound:         http.StatusNotFound,
		CodeMethodNotAllowed: http.StatusMethodNotAllowed,
		CodeConflict:         http.StatusConflict,
		CodeQuotaExceeded:    http.StatusConflict,
		CodeRateLimited:      http.StatusTooManyRequests,
		CodeTooLarge:         http.StatusRequestEntityTooLarge,
		CodeHeadersTooLarge:  http.StatusRequestHeaderFieldsTooLarge,
		CodeIdempotencyReuse: http.StatusUnprocessableEntity,
		CodeInProgress:       http.StatusConflict,
		CodeInternal:         http.StatusInternalServerError,
	}
	codes := Codes()
	if len(codes) != len(want) {
		t.Errorf("Codes() has %d codes, want %d", len(codes), len(want))
	}
	for _, c := range codes {
		if got := StatusOf(c); got != want[c] {
			t.Errorf("StatusOf(%s) = %d, want %d (%s)", c, got, want[c], http.StatusText(want[c]))
		}
	}
	if got := StatusOf("no_such_code"); got != http.StatusInternalServerError {
		t.Errorf("StatusOf of an unknown code = %d, want 500", got)
	}
}
