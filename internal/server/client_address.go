package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress is the address failed authentications are counted against.
// It is the connection's peer, unless the peer is a trusted proxy: then
// X-Forwarded-For is read from right to left, skipping trusted proxies, and
// the first address that is not one is the client. Entries further left
// were written by the client itself and are never believed, so a client
// cannot pick its own bucket. A malformed entry stops the walk at the last
// trusted proxy, which is then the address counted.
func (s *Server) clientAddress(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	addr, err := netip.ParseAddr(peer)
	if err != nil || !s.trustedProxy(addr) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := parseHop(hops[i])
		if err != nil {
			break
		}
		addr = hop
		if !s.trustedProxy(hop) {
			break
		}
	}
	return addr.String()
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(v string) (netip.Addr, error) {
	v = strings.TrimSpace(v)
	if ap, err := netip.ParseAddrPort(v); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(v)
	return a.Unmap(), err
}
