package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"vetted/internal/ecosystem/conda/repodata"
	"vetted/internal/upstream"
)

// channeldataKey is the catalog key of a channel's channeldata.json.
const channeldataKey = "channeldata.json"

// Channeldata serves GET /conda/<repo>/channeldata.json: upstream's, without the
// packages that policy blocks whole (by name). A hosted channel or an upstream without
// one has an empty channeldata.
func (s *Conda) Channeldata(ctx context.Context, repo string) (*Page, error) {
	r, err := s.repo(repo)
	if err != nil {
		return nil, err
	}
	st, warning, err := r.channeldata.get(ctx, channeldataKey)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := repodata.RenderChanneldata(&buf, st.value, func(name string, _ *repodata.ChannelPackage) bool {
		return r.policy.ProjectVisible(name)
	}); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return &Page{Rendered: &Rendered{Body: buf.Bytes(), ContentType: ContentTypeJSON, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`, LastModified: st.changedAt}, Warning: warning}, nil
}

func (s *Conda) fetchChanneldata(ctx context.Context, r *condaRepo, prev upstream.Validators) (*repodata.Channeldata, upstream.Validators, bool, error) {
	empty := &repodata.Channeldata{Version: 1, Packages: map[string]repodata.ChannelPackage{}}
	switch {
	case r.hosted:
		return empty, upstream.Validators{}, false, nil
	case r.local:
		data, err := os.ReadFile(filepath.Join(r.upstream, channeldataKey))
		if errors.Is(err, os.ErrNotExist) {
			return empty, upstream.Validators{}, false, nil
		}
		if err != nil {
			return nil, upstream.Validators{}, false, &upstream.Error{URL: r.upstream, Err: err}
		}
		cd, err := repodata.ParseChanneldata(data, filepath.Join(r.upstream, channeldataKey))
		if err != nil {
			return nil, upstream.Validators{}, false, &BadUpstreamError{URL: r.upstream, Err: err}
		}
		return cd, upstream.Validators{}, false, nil
	}
	u := r.upstream + channeldataKey
	page, err := s.deps.Upstream.GetPage(ctx, u, "application/json", prev)
	var ue *upstream.Error
	if errors.As(err, &ue) && ue.NotFound() {
		return empty, upstream.Validators{}, false, nil // many channels have none
	}
	if err != nil {
		return nil, upstream.Validators{}, false, err
	}
	if page.NotModified {
		return nil, page.Validators, true, nil
	}
	cd, err := repodata.ParseChanneldata(page.Body, u)
	if err != nil {
		return nil, upstream.Validators{}, false, &BadUpstreamError{URL: u, Err: fmt.Errorf("channeldata.json: %w", err)}
	}
	return cd, page.Validators, false, nil
}
