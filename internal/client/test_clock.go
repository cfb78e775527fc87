package client

import (
	"context"
	"net/http"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// SetTestClock sets or advances the clock of a tokensmithd started with
// --test-clock; other servers answer not found.
func (c *Client) SetTestClock(ctx context.Context, in api.TestClockUpdate) (*api.TestClock, error) {
	var out api.TestClock
	err := c.do(ctx, request{method: http.MethodPost, path: api.PathTestClock, body: in}, &out)
	return result(&out, err)
}
