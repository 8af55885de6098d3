package broker

import (
	"errors"

	"github.com/zeroalloc/kafka/wire"
)

// SoftwareName and SoftwareVersion identify the client in ApiVersions v3+
// requests (brokers expose them in their metrics). Both must match
// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?, or the broker rejects the
// request with INVALID_REQUEST.
const (
	SoftwareName    = "zeroalloc-kafka"
	SoftwareVersion = "0.1.0"
)

// ErrNotNegotiated is returned by Version before Negotiate has succeeded.
var ErrNotNegotiated = errors.New("kafka: API versions not negotiated on this connection")

// Negotiate asks the broker which API versions it supports and records them
// for Version. It sends ApiVersions at the highest version this client
// implements; a broker that does not know that version answers with a v0
// UNSUPPORTED_VERSION body listing its own range, and Negotiate then asks
// once more at the highest version both sides share.
//
// As after Exchange, a Conn that is not Usable after an error must be
// closed.
func (c *Conn) Negotiate() error {
	req := wire.ApiVersionsRequest{ClientSoftwareName: SoftwareName, ClientSoftwareVersion: SoftwareVersion}
	version := wire.APIs[wire.KeyApiVersions].Max
	for attempt := 0; ; attempt++ {
		if err := c.Exchange(version, &req, &c.apiResp); err != nil {
			return err
		}
		code := wire.Error(c.apiResp.ErrorCode)
		if code == 0 {
			break
		}
		if code != wire.UnsupportedVersion || attempt > 0 {
			return code
		}
		// The v0 answer lists the broker's ApiVersions range.
		fallback := int16(-1)
		for _, k := range c.apiResp.ApiKeys {
			if k.ApiKey == wire.KeyApiVersions {
				fallback = min(k.MaxVersion, version-1)
			}
		}
		if fallback < wire.APIs[wire.KeyApiVersions].Min {
			return code
		}
		version = fallback
	}
	c.versions.SetFrom(&c.apiResp)
	c.negotiated = true
	return nil
}

// Negotiated reports whether Negotiate has succeeded on this Conn.
func (c *Conn) Negotiated() bool { return c.negotiated }

// Version returns the highest version of the API key that both this client
// and the broker support, or an error wrapping wire.ErrNoVersionOverlap
// (or ErrNotNegotiated).
func (c *Conn) Version(key int16) (int16, error) {
	if !c.negotiated {
		return -1, ErrNotNegotiated
	}
	return c.versions.Negotiate(key)
}

// APIVersions returns the broker's last ApiVersions answer. The response
// and its slices belong to the Conn and stay valid until the next Negotiate;
// copy what must outlive that.
func (c *Conn) APIVersions() *wire.ApiVersionsResponse { return &c.apiResp }
