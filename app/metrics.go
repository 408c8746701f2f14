package app

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"guanai/domain"
	"guanai/repository"
)

// metrics are served at /metrics in Prometheus format: requests and latency by route and status, and the
// database pool. Each App has its own registry so tests can build many.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(store *repository.Store) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guanai_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "guanai_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewDBStatsCollector(store.SQL(), "guanai"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status, _ = classify(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched" // keeps scanners' random paths from making a series each
		}
		labels := prometheus.Labels{"route": route, "method": c.Request().Method, "status": strconv.Itoa(status)}
		m.requests.With(labels).Inc()
		m.latency.With(labels).Observe(time.Since(start).Seconds())
		return err
	}
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}

// metricsNetworks lets /metrics answer only clients in GUANAI_METRICS_NETWORKS (this machine by default): its
// figures tell an outsider how busy the fund is and which pages fail. The client's address is the one the
// IPExtractor trusts, so a forged X-Forwarded-For cannot get in.
func (a *App) metricsNetworks(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// A request that names a client but does not come from a trusted proxy came through a proxy nobody
		// configured (say, one on this machine): its peer's loopback address says nothing about who is asking.
		h := c.Request().Header
		if (h.Get("X-Forwarded-For") != "" || h.Get("Forwarded") != "" || h.Get("X-Real-IP") != "") && !a.fromTrustedProxy(c) {
			return domain.ErrForbidden
		}
		ip, err := netip.ParseAddr(c.RealIP())
		if err == nil {
			ip = ip.Unmap()
			for _, n := range a.cfg.MetricsNetworks {
				if n.Contains(ip) {
					return next(c)
				}
			}
		}
		return domain.ErrForbidden
	}
}

// fromTrustedProxy reports whether the request's direct peer is one of GUANAI_TRUSTED_PROXIES.
func (a *App) fromTrustedProxy(c echo.Context) bool {
	peer, err := netip.ParseAddrPort(c.Request().RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(peer.Addr().Unmap()) {
			return true
		}
	}
	return false
}
