package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"vetted/internal/catalog"
	"vetted/internal/vuln"
)

// Triage statuses (VEX).
var triageStatuses = map[string]bool{"affected": true, "not_affected": true, "fixed": true, "under_investigation": true}

// OpenVEX justifications for not_affected.
var vexJustifications = map[string]bool{
	"component_not_present":                             true,
	"vulnerable_code_not_present":                       true,
	"vulnerable_code_not_in_execute_path":               true,
	"vulnerable_code_cannot_be_controlled_by_adversary": true,
	"inline_mitigations_already_exist":                  true,
}

// SaveTriage validates and stores a triage record (ID 0 creates one), then re-evaluates
// the project's cached releases. Errors wrap ErrInvalid and say which field is wrong.
func (s *PyPI) SaveTriage(ctx context.Context, t catalog.Triage) (catalog.Triage, Reevaluation, error) {
	in := s.deps.Intel
	if in == nil {
		return t, Reevaluation{}, errors.New("vulnerability facts are not enabled")
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("triage: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
	}
	switch {
	case t.AdvisoryID == "":
		return t, Reevaluation{}, bad("advisory_id is required (an OSV id or an alias such as a CVE id)")
	case !triageStatuses[t.Status]:
		return t, Reevaluation{}, bad("status %q is not one of affected, not_affected, fixed, under_investigation", t.Status)
	case t.Status == "not_affected" && !vexJustifications[t.Justification]:
		return t, Reevaluation{}, bad("not_affected needs an OpenVEX justification: component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary or inline_mitigations_already_exist")
	case t.Owner == "":
		return t, Reevaluation{}, bad("owner is required: who answers for this assessment")
	}
	sch, ok := in.schemes[t.Ecosystem]
	if !ok {
		return t, Reevaluation{}, bad("ecosystem %q is not one of %s", t.Ecosystem, strings.Join(in.ecosystemNames(), ", "))
	}
	if sch.Normalize != nil {
		t.Project = sch.Normalize(t.Project)
	}
	if t.Project == "" {
		return t, Reevaluation{}, bad("project is required")
	}
	if t.Versions != "" {
		if _, err := sch.Versions.ParseConstraint(t.Versions); err != nil {
			return t, Reevaluation{}, bad("versions: %v", err)
		}
	}
	now := s.deps.Clock().UTC()
	if t.ID == 0 {
		t.CreatedAt = now
	}
	t.UpdatedAt = now
	stored, err := in.cat.PutTriage(ctx, t)
	if err != nil {
		return t, Reevaluation{}, err
	}
	res, err := s.TriageChanged(ctx, stored.Ecosystem, stored.Project, fmt.Sprintf("triage %d (%s %s by %s)", stored.ID, stored.AdvisoryID, stored.Status, stored.Owner))
	return stored, res, err
}

// DeleteTriage removes a triage record and re-evaluates its project.
func (s *PyPI) DeleteTriage(ctx context.Context, id int64) (Reevaluation, error) {
	in := s.deps.Intel
	if in == nil {
		return Reevaluation{}, errors.New("vulnerability facts are not enabled")
	}
	var target *catalog.Triage
	all, err := in.cat.ListTriage(ctx)
	if err != nil {
		return Reevaluation{}, err
	}
	for i := range all {
		if all[i].ID == id {
			target = &all[i]
		}
	}
	if target == nil {
		return Reevaluation{}, fmt.Errorf("triage %d: %w", id, ErrNotFound)
	}
	if err := in.cat.DeleteTriage(ctx, id); err != nil {
		return Reevaluation{}, err
	}
	return s.TriageChanged(ctx, target.Ecosystem, target.Project, fmt.Sprintf("triage %d deleted", id))
}

// ListTriage returns every triage record, with whether it has expired.
func (s *PyPI) ListTriage(ctx context.Context) ([]TriageView, error) {
	in := s.deps.Intel
	if in == nil {
		return nil, nil
	}
	rows, err := in.cat.ListTriage(ctx)
	if err != nil {
		return nil, err
	}
	now := s.deps.Clock()
	out := make([]TriageView, len(rows))
	for i, t := range rows {
		out[i] = TriageView{Triage: t, Expired: !t.Expires.IsZero() && !now.Before(t.Expires)}
	}
	return out, nil
}

// TriageView is a triage record as the API shows it.
type TriageView struct {
	catalog.Triage
	Expired bool // an expired triage no longer applies
}

func (in *Intel) ecosystemNames() []string {
	var out []string
	for name := range in.schemes {
		out = append(out, name)
	}
	return out
}

// OpenVEX returns every triage record that still applies as an OpenVEX document.
func (s *PyPI) OpenVEX(ctx context.Context, author string) (map[string]any, error) {
	rows, err := s.ListTriage(ctx)
	if err != nil {
		return nil, err
	}
	now := s.deps.Clock().UTC()
	var statements []map[string]any
	latest := time.Time{}
	for _, t := range rows {
		if t.Expired {
			continue
		}
		product := fmt.Sprintf("pkg:%s/%s", strings.ToLower(t.Ecosystem), t.Project)
		st := map[string]any{
			"vulnerability": map[string]any{"name": t.AdvisoryID},
			"products":      []map[string]any{{"@id": product}},
			"status":        t.Status,
			"timestamp":     t.UpdatedAt.UTC().Format(time.RFC3339),
		}
		if t.Versions != "" {
			st["status_notes"] = fmt.Sprintf("applies to versions %s; owner %s; %s", t.Versions, t.Owner, t.Note)
		} else if t.Note != "" {
			st["status_notes"] = fmt.Sprintf("owner %s; %s", t.Owner, t.Note)
		}
		if t.Justification != "" {
			st["justification"] = t.Justification
		}
		if t.Status == "affected" {
			st["action_statement"] = "blocked by repository policy until fixed or triaged"
		}
		statements = append(statements, st)
		if t.UpdatedAt.After(latest) {
			latest = t.UpdatedAt
		}
	}
	if statements == nil {
		statements = []map[string]any{}
	}
	if latest.IsZero() {
		latest = now
	}
	return map[string]any{
		"@context":   "https://openvex.dev/ns/v0.2.0",
		"@id":        fmt.Sprintf("urn:vetted:vex:%d", latest.UnixNano()),
		"author":     author,
		"timestamp":  latest.UTC().Format(time.RFC3339),
		"version":    1,
		"statements": statements,
	}, nil
}

// Events returns decision changes with ID > after, oldest first.
func (s *PyPI) Events(ctx context.Context, after int64, limit int) ([]catalog.DecisionEvent, error) {
	return s.deps.Catalog.ListEvents(ctx, after, limit)
}

// Advisory returns a stored advisory by id.
func (s *PyPI) Advisory(ctx context.Context, id string) (*vuln.Advisory, error) {
	row, err := s.deps.Catalog.GetAdvisory(ctx, id)
	if errors.Is(err, catalog.ErrNotFound) {
		return nil, fmt.Errorf("advisory %q: %w (import feeds with `vetted feeds update`)", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return vuln.Decode(row.Body)
}
