package api

// PathTestClock is the endpoint that moves the clock of a tokensmithd
// started with --test-clock. It does not exist on any other server.
const PathTestClock = "/api/v2/test/clock"

// TestClockUpdate is the body of POST /api/v2/test/clock: exactly one of
// Set (an RFC 3339 time) and Advance (a positive Go duration such as
// "696h") is given.
type TestClockUpdate struct {
	Set     string `json:"set,omitempty"`
	Advance string `json:"advance,omitempty"`
}

// TestClock is the answer of POST /api/v2/test/clock: the server's time
// after the change, in RFC 3339 with milliseconds and in Unix milliseconds.
type TestClock struct {
	Now       string `json:"now"`
	NowMillis int64  `json:"nowMillis"`
}
