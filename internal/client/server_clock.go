package client

import (
	"net/http"
	"sync"
	"time"
)

// serverClock estimates the server's time from the Date header of its
// answers, so that decisions about expiry and rotation are made by the
// server's clock: a client on a machine whose clock is off decides as the
// server would, and a test that moves the server's clock moves them too.
type serverClock struct {
	mu     sync.Mutex
	offset time.Duration // server time minus local time
}

// dateSlack is how far the Date header may trail the local clock without
// meaning anything: it has whole seconds and is stamped before the answer
// travels. Within it the local clock, which is more precise, is used.
const dateSlack = 2 * time.Second

// observe records the Date header of an answer received at local.
func (sc *serverClock) observe(date string, local time.Time) {
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	offset := t.Sub(local)
	if offset > -dateSlack && offset < time.Second {
		offset = 0
	}
	sc.mu.Lock()
	sc.offset = offset
	sc.mu.Unlock()
}

// Now is the server's time as of its last answer's Date header, to within
// a second or so; before the first answer, the local clock.
func (c *Client) Now() time.Time {
	c.clock.mu.Lock()
	defer c.clock.mu.Unlock()
	return time.Now().Add(c.clock.offset)
}
