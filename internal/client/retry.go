package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// checkRetry replaces retryablehttp's default policy, which retries every
// transport error whatever the method and so sends a create twice when only
// its response was lost. Here a transport error is retried only when the
// request cannot have reached the server (the connection was never made) or
// when it carries an Idempotency-Key, so the server answers a replay with the
// first response instead of acting again.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		if isCertError(err) {
			return false, nil
		}
		if isDialError(err) {
			return true, nil
		}
		st := stateOf(ctx)
		return st != nil && st.idempotencyKey != "", nil
	}
	if resp.StatusCode == http.StatusConflict {
		return inProgress(ctx, resp), nil
	}
	if !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	// A wait that would outlast the deadline cannot lead to an answer; give
	// the caller the server's own error now instead of a deadline error later.
	if deadline, ok := ctx.Deadline(); ok {
		if wait, ok := serverWait(resp, time.Now()); ok && time.Now().Add(wait).After(deadline) {
			return false, nil
		}
	}
	return true, nil
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func isDialError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect")
}

func isCertError(err error) bool {
	var (
		verifyErr    *tls.CertificateVerificationError
		unknownErr   x509.UnknownAuthorityError
		hostErr      x509.HostnameError
		invalidErr   x509.CertificateInvalidError
		recordHeader tls.RecordHeaderError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &unknownErr) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidErr) || errors.As(err, &recordHeader)
}

// backoff waits as long as the server asked (Retry-After, else
// X-Ratelimit-Reset) up to maxServerWait, and otherwise backs off
// exponentially between min and max with jitter.
func backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && retryableStatus(resp.StatusCode) {
		if wait, ok := serverWait(resp, time.Now()); ok {
			return wait
		}
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max || d <= 0 {
		d = max
	}
	if half := d / 2; half > 0 {
		d = half + rand.N(half+1)
	}
	return d
}

// serverWait reads the wait the server asked for, capped at maxServerWait.
func serverWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	var wait time.Duration
	found := false
	if v := resp.Header.Get(api.HeaderRetryAfter); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
			if secs > int64(maxServerWait/time.Second) {
				secs = int64(maxServerWait / time.Second)
			}
			wait, found = time.Duration(secs)*time.Second, true
		} else if at, err := http.ParseTime(v); err == nil {
			wait, found = at.Sub(now), true
		}
	}
	if !found {
		if v := resp.Header.Get(api.HeaderRateLimitReset); v != "" {
			if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
				wait, found = time.UnixMilli(ms).Sub(now), true
			}
		}
	}
	if !found {
		return 0, false
	}
	if wait < 0 {
		wait = 0
	}
	if wait > maxServerWait {
		wait = maxServerWait
	}
	return wait, true
}

// inProgress reports the answer to a retry that reached the server while the
// first attempt of the same call is still running there (its response was
// lost to a timeout, say). Waiting and asking again then yields the first
// attempt's response.
func inProgress(ctx context.Context, resp *http.Response) bool {
	st := stateOf(ctx)
	if st == nil || st.idempotencyKey == "" || resp.Body == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProblemPeek))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	if err != nil {
		return false
	}
	var p api.Problem
	return json.Unmarshal(body, &p) == nil && p.Code == api.CodeInProgress
}

// maxProblemPeek bounds what inProgress reads; a problem document is small.
const maxProblemPeek = 64 << 10
