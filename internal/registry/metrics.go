package registry

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the registry does upstream and what policy refuses. A nil
// *Metrics records nothing.
type Metrics struct {
	upstream *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	blocked  *prometheus.CounterVec
}

// NewMetrics registers the registry's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vetted_upstream_requests_total",
			Help: "Requests to upstreams by repository, kind (page, file) and result (ok, not_modified, verify_failed, error).",
		}, []string{"repo", "kind", "result"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vetted_upstream_file_bytes_total",
			Help: "Bytes of files fetched from upstream, verified and stored, by repository.",
		}, []string{"repo"}),
		blocked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vetted_blocked_downloads_total",
			Help: "Downloads refused by policy, by repository.",
		}, []string{"repo"}),
	}
	reg.MustRegister(m.upstream, m.bytes, m.blocked)
	return m
}

func (m *Metrics) upstreamRequest(repo, kind, result string) {
	if m != nil {
		m.upstream.WithLabelValues(repo, kind, result).Inc()
	}
}

func (m *Metrics) fileBytes(repo string, n int64) {
	if m != nil {
		m.bytes.WithLabelValues(repo).Add(float64(n))
	}
}

func (m *Metrics) blockedDownload(repo string) {
	if m != nil {
		m.blocked.WithLabelValues(repo).Inc()
	}
}

// resultOf classifies an upstream outcome for the metrics.
func resultOf(err error, notModified bool) string {
	switch {
	case err == nil && notModified:
		return "not_modified"
	case err == nil:
		return "ok"
	}
	var ve *VerifyError
	if errors.As(err, &ve) {
		return "verify_failed"
	}
	return "error"
}
