package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// NVDFetch downloads CVE records from the NVD CVE API 2.0 into dir, one file per page,
// for Import to read as one feed. With a non-zero since (the start of the previous
// NVD import) it asks only for CVEs modified after it, as the API allows for ranges up
// to 120 days; otherwise it fetches everything. delay separates requests (NVD asks for
// 6 s without an API key).
type NVDFetch struct {
	Client  *http.Client
	URL     string // e.g. the API's /rest/json/cves/2.0 endpoint
	APIKey  string // optional, sent as the apiKey header
	Delay   time.Duration
	PerPage int // default 2000, the API's maximum
	Clock   func() time.Time
}

// maxNVDRange is the longest lastModified range the API accepts.
const maxNVDRange = 120 * 24 * time.Hour

// Fetch writes the pages and returns how many CVEs they hold.
func (f *NVDFetch) Fetch(ctx context.Context, dir string, since time.Time, progress Progress) (int, error) {
	perPage := f.PerPage
	if perPage <= 0 {
		perPage = 2000
	}
	now := f.Clock().UTC()
	q := url.Values{}
	if !since.IsZero() && now.Sub(since) < maxNVDRange {
		q.Set("lastModStartDate", since.UTC().Format("2006-01-02T15:04:05.000Z"))
		q.Set("lastModEndDate", now.Format("2006-01-02T15:04:05.000Z"))
	}
	q.Set("resultsPerPage", strconv.Itoa(perPage))
	start, total, got := 0, -1, 0
	for page := 0; total < 0 || start < total; page++ {
		if page > 0 && f.Delay > 0 {
			select {
			case <-ctx.Done():
				return got, ctx.Err()
			case <-time.After(f.Delay):
			}
		}
		q.Set("startIndex", strconv.Itoa(start))
		body, err := f.get(ctx, f.URL+"?"+q.Encode())
		if err != nil {
			return got, err
		}
		var env struct {
			TotalResults    int               `json:"totalResults"`
			Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return got, fmt.Errorf("NVD %s: page at %d is not CVE API 2.0 JSON: %v", f.URL, start, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("nvd-page-%05d.json", page)), body, 0o644); err != nil {
			return got, err
		}
		total = env.TotalResults
		got += len(env.Vulnerabilities)
		if progress != nil {
			progress(got, total)
		}
		if len(env.Vulnerabilities) == 0 {
			break // the API said there is more but sent nothing: stop rather than loop
		}
		start += len(env.Vulnerabilities)
	}
	return got, nil
}

func (f *NVDFetch) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if f.APIKey != "" {
		req.Header.Set("apiKey", f.APIKey)
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("NVD %s: %w (for an air-gapped site, import NVD JSON files with `vetted feeds import`)", f.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests {
			hint = " (rate limited: set feeds.nvd_api_key, or retry later)"
		}
		return nil, fmt.Errorf("NVD %s answered %s%s", f.URL, resp.Status, hint)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 512<<20))
}
