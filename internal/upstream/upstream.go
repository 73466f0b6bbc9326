// Package upstream is vetted's HTTP client for upstream indexes and files: conditional
// GETs with ETag and Last-Modified validators, bounded page sizes, an idle timeout for
// streaming downloads, and errors that name the upstream URL.
//
// It knows nothing of any ecosystem's formats, of storage or of policy.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Validators are the HTTP cache validators of a fetched page.
type Validators struct {
	ETag         string
	LastModified string
}

// Page is the answer to a page request.
type Page struct {
	URL         string // final URL, after redirects
	ContentType string
	Body        []byte // nil when NotModified
	Validators  Validators
	NotModified bool // upstream answered 304: the caller's copy is still good
}

// Error is an upstream failure. Status is the HTTP status, or 0 when no answer came.
type Error struct {
	URL     string
	Status  int
	Timeout bool
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Timeout:
		return fmt.Sprintf("upstream %s did not answer in time: %v", e.URL, e.Err)
	case e.Status != 0:
		return fmt.Sprintf("upstream %s answered %d %s", e.URL, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("upstream %s unreachable: %v", e.URL, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// NotFound reports whether upstream said the resource does not exist.
func (e *Error) NotFound() bool {
	return e.Status == http.StatusNotFound || e.Status == http.StatusGone
}

// Client fetches from upstreams.
type Client struct {
	http      *http.Client
	userAgent string
	timeout   time.Duration
}

// New returns a client. timeout bounds a page request, and the idle time of a download.
func New(hc *http.Client, userAgent string, timeout time.Duration) *Client {
	return &Client{http: hc, userAgent: userAgent, timeout: timeout}
}

// MaxPageBytes bounds an index page (pypi.org's largest project pages are a few MB;
// the full project list is about 30 MB in HTML).
const MaxPageBytes = 256 << 20

// GetPage fetches an index page. With prev validators it sends a conditional request and
// returns NotModified when upstream confirms the caller's copy.
func (c *Client) GetPage(ctx context.Context, url, accept string, prev Validators) (*Page, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &Error{URL: url, Err: err}
	}
	req.Header.Set("User-Agent", c.userAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.wrap(url, err)
	}
	defer resp.Body.Close()
	page := &Page{
		URL:         resp.Request.URL.String(),
		ContentType: resp.Header.Get("Content-Type"),
		Validators:  Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		page.NotModified = true
		if page.Validators == (Validators{}) {
			page.Validators = prev
		}
		return page, nil
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &Error{URL: url, Status: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPageBytes+1))
	if err != nil {
		return nil, c.wrap(url, err)
	}
	if len(body) > MaxPageBytes {
		return nil, &Error{URL: url, Err: fmt.Errorf("page larger than %d MiB", MaxPageBytes>>20)}
	}
	page.Body = body
	return page, nil
}

// Open starts downloading a file. The body fails if no byte arrives for the client's
// timeout. The caller closes it.
func (c *Client) Open(ctx context.Context, url string) (io.ReadCloser, int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, 0, &Error{URL: url, Err: err}
	}
	req.Header.Set("User-Agent", c.userAgent)
	idle := time.AfterFunc(c.timeout, cancel)
	resp, err := c.http.Do(req)
	if err != nil {
		timedOut := !idle.Stop()
		cancel()
		if timedOut {
			return nil, 0, &Error{URL: url, Timeout: true, Err: fmt.Errorf("no answer within %s", c.timeout)}
		}
		return nil, 0, c.wrap(url, err)
	}
	if resp.StatusCode != http.StatusOK {
		idle.Stop()
		resp.Body.Close()
		cancel()
		return nil, 0, &Error{URL: url, Status: resp.StatusCode}
	}
	return &idleReader{url: url, body: resp.Body, idle: idle, timeout: c.timeout, cancel: cancel}, resp.ContentLength, nil
}

// idleReader cancels the download when no byte arrives for timeout.
type idleReader struct {
	url     string
	body    io.ReadCloser
	idle    *time.Timer
	timeout time.Duration
	cancel  context.CancelFunc
	once    sync.Once
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	if n > 0 {
		r.idle.Reset(r.timeout)
	}
	if err != nil && err != io.EOF {
		if errors.Is(err, context.Canceled) {
			return n, &Error{URL: r.url, Timeout: true, Err: fmt.Errorf("no data for %s", r.timeout)}
		}
		return n, &Error{URL: r.url, Err: err}
	}
	return n, err
}

func (r *idleReader) Close() error {
	r.once.Do(func() { r.idle.Stop(); r.cancel() })
	return r.body.Close()
}

func (c *Client) wrap(url string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{URL: url, Timeout: true, Err: fmt.Errorf("no answer within %s", c.timeout)}
	}
	// Drop Go's "Get \"url\": " prefix: the URL is already in the message.
	if ue, ok := err.(interface{ Unwrap() error }); ok && strings.HasPrefix(err.Error(), "Get ") {
		err = ue.Unwrap()
	}
	return &Error{URL: url, Err: err}
}
