package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// proxyList is the value of --trusted-proxies: comma-separated CIDR
// prefixes or single addresses of the reverse proxies whose
// X-Forwarded-For tokensmithd believes.
type proxyList []netip.Prefix

func (l *proxyList) String() string {
	parts := make([]string, len(*l))
	for i, p := range *l {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// Set replaces the list; a malformed entry refuses the whole value.
func (l *proxyList) Set(v string) error {
	var out proxyList
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return fmt.Errorf("%q is neither a CIDR prefix (10.0.0.0/8, fd00::/8) nor an IP address", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	*l = out
	return nil
}

// trustedProxiesFlag registers --trusted-proxies on fs, starting from
// TOKENSMITH_TRUSTED_PROXIES, which must parse too.
func trustedProxiesFlag(fs *flag.FlagSet, l *proxyList, set map[string]bool) error {
	if v, ok := os.LookupEnv("TOKENSMITH_TRUSTED_PROXIES"); ok && v != "" {
		if err := l.Set(v); err != nil {
			return fmt.Errorf("TOKENSMITH_TRUSTED_PROXIES: %w", err)
		}
		set["trusted-proxies"] = true
	}
	fs.Var(l, "trusted-proxies", "comma-separated CIDR prefixes of reverse proxies whose X-Forwarded-For is trusted "+
		"for the failed-authentication limit; empty = none (TOKENSMITH_TRUSTED_PROXIES)")
	return nil
}
