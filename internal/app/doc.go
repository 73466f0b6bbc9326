// Package app wires vetted together: it turns a config.Config into concrete stores
// (SQLite catalog, local blob store), the upstream client, compiled policies, the
// registry and the HTTP handler, and runs the server. It is the only package that names
// concrete implementations.
package app
