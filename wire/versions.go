package wire

import (
	"errors"
	"strconv"
)

// ErrNoVersionOverlap matches every *UnsupportedVersionError.
var ErrNoVersionOverlap = errors.New("kafka: no API version supported by both client and broker")

// UnsupportedVersionError says that the client and a broker share no version
// of an API. BrokerMin and BrokerMax are -1 when the broker lacks the API.
type UnsupportedVersionError struct {
	Key                  int16
	ClientMin, ClientMax int16
	BrokerMin, BrokerMax int16
}

// Error describes both ranges.
func (e *UnsupportedVersionError) Error() string {
	name := "API " + strconv.Itoa(int(e.Key))
	if e.Key >= 0 && int(e.Key) < len(APIs) && APIs[e.Key].Name != "" {
		name = APIs[e.Key].Name
	}
	if e.BrokerMax < 0 {
		return "kafka: the broker does not support " + name
	}
	return "kafka: " + name + ": client supports versions " + strconv.Itoa(int(e.ClientMin)) + "-" + strconv.Itoa(int(e.ClientMax)) +
		", broker " + strconv.Itoa(int(e.BrokerMin)) + "-" + strconv.Itoa(int(e.BrokerMax))
}

// Is makes errors.Is(err, ErrNoVersionOverlap) match.
func (e *UnsupportedVersionError) Is(target error) bool { return target == ErrNoVersionOverlap }

// Versions is a broker's supported version range per API key, as told by its
// ApiVersions response. The zero value knows no API.
type Versions struct {
	known [maxKey + 1]bool
	min   [maxKey + 1]int16
	max   [maxKey + 1]int16
}

// SetFrom records the ranges of an ApiVersions response, for the keys this
// client implements.
func (v *Versions) SetFrom(resp *ApiVersionsResponse) {
	*v = Versions{}
	for _, k := range resp.ApiKeys {
		if k.ApiKey >= 0 && int(k.ApiKey) <= maxKey && k.MinVersion <= k.MaxVersion {
			v.known[k.ApiKey] = true
			v.min[k.ApiKey] = k.MinVersion
			v.max[k.ApiKey] = k.MaxVersion
		}
	}
}

// Broker returns the broker's range for key; ok is false when it lacks it.
func (v *Versions) Broker(key int16) (min, max int16, ok bool) {
	if key < 0 || int(key) > maxKey || !v.known[key] {
		return -1, -1, false
	}
	return v.min[key], v.max[key], true
}

// Negotiate returns the highest version of key that both this client (APIs)
// and the broker support, or an *UnsupportedVersionError.
func (v *Versions) Negotiate(key int16) (int16, error) {
	if key < 0 || int(key) > maxKey || APIs[key].Name == "" {
		return -1, &UnsupportedVersionError{Key: key, ClientMin: -1, ClientMax: -1, BrokerMin: -1, BrokerMax: -1}
	}
	c := APIs[key]
	bmin, bmax, ok := v.Broker(key)
	if !ok || bmax < c.Min || bmin > c.Max {
		return -1, &UnsupportedVersionError{Key: key, ClientMin: c.Min, ClientMax: c.Max, BrokerMin: bmin, BrokerMax: bmax}
	}
	return min(bmax, c.Max), nil
}
