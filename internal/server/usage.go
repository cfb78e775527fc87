package server

import (
	"context"
	"sync"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// usage counts each token's uses per UTC day in memory; like lastUsed, the
// counts are written in one batch periodically and on Close, so a request
// costs no write.
type usage struct {
	mu      sync.Mutex
	pending map[usageKey]int64

	// flushing serialises flushes, so a reader that flushes first sees
	// every use counted before it, even while another flush is writing.
	flushing  sync.Mutex
	lastPurge time.Time
}

type usageKey struct {
	id  string
	day time.Time
}

func newUsage() *usage { return &usage{pending: map[usageKey]int64{}} }

// dayOf is the midnight UTC that starts t's day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// firstUsageDay is the oldest day whose counts are kept at now.
func firstUsageDay(now time.Time) time.Time { return dayOf(now).AddDate(0, 0, -(api.UsageDays - 1)) }

func (u *usage) count(id string, now time.Time) {
	k := usageKey{id: id, day: dayOf(now)}
	u.mu.Lock()
	u.pending[k]++
	u.mu.Unlock()
}

func (u *usage) take() []store.UsageCount {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]store.UsageCount, 0, len(u.pending))
	for k, n := range u.pending {
		out = append(out, store.UsageCount{TokenID: k.id, Day: k.day, Count: n})
	}
	clear(u.pending)
	return out
}

func (u *usage) restore(counts []store.UsageCount) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range counts {
		u.pending[usageKey{id: c.TokenID, day: c.Day}] += c.Count
	}
}

// used records one use of a token: its lastUsed time and its count for the
// day. Authentication calls it for the caller's token, introspection and
// authorize for the token presented to a relying service.
func (s *Server) used(id string, now time.Time) {
	s.lastUsed.touch(id, now)
	s.usage.count(id, now)
}

// flushUsage writes the counts collected in memory and, once an hour,
// drops the counts that have left the window. The caller holds
// s.usage.flushing.
func (s *Server) flushUsage(ctx context.Context) error {
	if counts := s.usage.take(); len(counts) > 0 {
		if err := s.store.RecordUsage(ctx, counts); err != nil {
			s.usage.restore(counts)
			s.log.Error("flush usage counts", "error", err)
			return err
		}
	}
	now := s.now()
	if now.Sub(s.usage.lastPurge) >= time.Hour {
		if err := s.store.PurgeUsage(ctx, firstUsageDay(now)); err != nil {
			s.log.Error("purge usage counts", "error", err)
			return err
		}
		s.usage.lastPurge = now
	}
	return nil
}

// tokenUsage serves GET /api/v2/tokens/{id}/usage to whoever may read the
// token itself.
func (s *Server) tokenUsage(cl *call, _ noBody) (api.TokenUsage, error) {
	if err := s.FlushLastUsed(); err != nil {
		return api.TokenUsage{}, err
	}
	t, m, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenRead)
	if err != nil {
		return api.TokenUsage{}, err
	}
	first := firstUsageDay(cl.now)
	counts, err := s.store.TokenUsage(cl.ctx, t.ID, first)
	if err != nil {
		return api.TokenUsage{}, err
	}
	byDay := make(map[time.Time]int64, len(counts))
	for _, c := range counts {
		byDay[c.Day] += c.Count
	}
	out := api.TokenUsage{TokenID: t.ID, LastUsed: s.apiToken(t, m, "", cl.now).LastUsed, Days: make([]api.UsageDay, api.UsageDays)}
	for i := range out.Days {
		d := first.AddDate(0, 0, i)
		out.Days[i] = api.UsageDay{Date: d.Format(api.UsageDateFormat), Count: byDay[d]}
		out.Total += byDay[d]
	}
	return out, nil
}

// maxUnusedForDays bounds ?unusedFor: ten years.
const maxUnusedForDays = 3650

// unusedSince reads ?unusedFor=<N>d: tokens neither used nor created in the
// last N days. It flushes first, so a token used a moment ago is not listed.
func (s *Server) unusedSince(cl *call) (time.Time, error) {
	n, ok, err := queryInt(cl, "unusedFor")
	if !ok {
		return time.Time{}, err
	}
	if err := s.FlushLastUsed(); err != nil {
		return time.Time{}, err
	}
	return cl.now.AddDate(0, 0, -int(n)), nil
}
