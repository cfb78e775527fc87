package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// readyTimeout bounds a readiness check, so a database that hangs reads as
// not ready instead of holding the prober.
const readyTimeout = 2 * time.Second

// ready is GET /readyz: 200 once the store answers (and, for a shared
// database, its schema is the one this program knows), 503 otherwise, so a
// load balancer sends requests only to replicas that can serve them.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	err := s.checkReady(ctx)
	if err == nil {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
		return
	}
	s.log.Warn("not ready", "error", err.Error())
	body, _ := json.Marshal(map[string]string{"status": "not_ready", "detail": err.Error()})
	writeJSON(w, http.StatusServiceUnavailable, body)
}

func (s *Server) checkReady(ctx context.Context) error {
	if s.cfg.Ready != nil {
		return s.cfg.Ready(ctx)
	}
	if _, err := s.store.Organization(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
		return errors.New("the store does not answer")
	}
	return nil
}
