// Package httpapi is vetted's HTTP surface: routes, middleware (request ids, access log,
// metrics), content negotiation, and the one function that maps errors to HTTP statuses.
// Handlers are thin: decode the request, make one registry call, encode the answer.
//
// It must not reach storage, policy or upstreams except through the registry.
package httpapi
