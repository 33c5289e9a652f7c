// Command client is a service-account client built on golang.org/x/oauth2/clientcredentials,
// the package the Atlas Go SDK builds on, used the way a typical user of the library would:
// conf.Client(ctx) hands out an *http.Client that gets, caches and renews the token itself.
// x/oauth2 has no 401 handling, so neither has this client: any non-200 answer is an error.
//
// Build: examples/clients/go-clientcredentials/build.sh [output path]
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	if err := run(); err != nil {
		// x/oauth2's errors quote the token endpoint's answer (over two lines), never the
		// request's credentials.
		fmt.Fprintln(os.Stderr, "error:", strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}

func run() error {
	calls, err := envInt("CALLS", 1)
	if err != nil {
		return err
	}
	interval, err := envInt("CALL_INTERVAL_MS", 0)
	if err != nil {
		return err
	}
	id := os.Getenv("MONGODB_ATLAS_CLIENT_ID")
	secret := os.Getenv("MONGODB_ATLAS_CLIENT_SECRET")

	ctx := context.Background()
	conf := &clientcredentials.Config{
		ClientID:     id,
		ClientSecret: secret,
		TokenURL:     os.Getenv("OAUTH_TOKEN_URL"),
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	// Same as conf.Client(ctx), but keeps the TokenSource so the token can be revoked at the end.
	ts := conf.TokenSource(ctx)
	httpClient := oauth2.NewClient(ctx, ts)

	for i := 1; i <= calls; i++ {
		status, err := get(httpClient, os.Getenv("RESOURCE_URL"))
		if err != nil {
			return fmt.Errorf("call %d/%d: %w", i, calls, err)
		}
		fmt.Printf("call %d/%d: %d\n", i, calls, status)
		if status != http.StatusOK {
			return fmt.Errorf("call %d/%d answered %d", i, calls, status)
		}
		if i < calls {
			time.Sleep(time.Duration(interval) * time.Millisecond)
		}
	}

	if os.Getenv("REVOKE_AT_END") == "1" {
		tok, err := ts.Token()
		if err != nil {
			return fmt.Errorf("revocation: %w", err)
		}
		if err := revoke(ctx, os.Getenv("OAUTH_REVOKE_URL"), id, secret, tok.AccessToken); err != nil {
			return fmt.Errorf("revocation: %w", err)
		}
		fmt.Println("revoked")
	}
	return nil
}

func get(c *http.Client, resourceURL string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, resourceURL, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/vnd.atlas.2023-01-01+json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func revoke(ctx context.Context, revokeURL, id, secret, token string) error {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, revokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// Encoded the way x/oauth2 encodes them for AuthStyleInHeader.
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("answered %d", resp.StatusCode)
	}
	return nil
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s must be a non-negative integer", name)
	}
	return n, nil
}
