package api

// UsageDays is how many days of per-token usage counts the backend keeps
// and reports: today (UTC) and the 29 days before it.
const UsageDays = 30

// TokenUsage is the answer of GET /api/v2/tokens/{id}/usage.
type TokenUsage struct {
	TokenID string `json:"tokenId"`
	// LastUsed is Unix milliseconds; absent when the token was never used.
	LastUsed int64 `json:"lastUsed,omitempty"`
	// Days holds UsageDays entries, oldest first, today (UTC) last, days
	// without use included with a zero count.
	Days []UsageDay `json:"days"`
	// Total is the sum of Days.
	Total int64 `json:"total"`
}

// UsageDay is how many requests a token made, or how often it was
// presented to a relying service, on one UTC day.
type UsageDay struct {
	// Date is the day, YYYY-MM-DD (UTC).
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// UsageDateFormat is the layout of UsageDay.Date.
const UsageDateFormat = "2006-01-02"
