// Package registry holds vetted's use-cases: serving a repository's index pages and files
// under its policy, pulling them through from upstream (cached, revalidated, verified) and
// explaining decisions.
//
// It composes the catalog and blob stores, the upstream client, the policy engine and the
// ecosystem packages. It must not import net/http handlers (httpapi) or any concrete
// store implementation: internal/app wires those in.
package registry
