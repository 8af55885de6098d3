package kafka

import "fmt"

// GroupError is what the read calls of a group Reader return once its
// group membership cannot go on: the member met an error that no retry
// fixes, such as GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED,
// INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID,
// GROUP_MAX_SIZE_REACHED or UNSUPPORTED_VERSION. errors.Is matches it
// against the Kafka error code (errors.Is(err, kafka.GroupAuthorizationFailed)).
// The Reader then delivers nothing more; every later read call returns the
// same error, until Close (after which they return io.EOF). Errors that a
// retry or a rejoin can fix never end up here: the Reader retries them on
// its own.
type GroupError struct {
	// GroupID is the Reader's group.
	GroupID string
	// Err is the error that stopped the membership.
	Err error
}

// Error names the group and the error.
func (e *GroupError) Error() string {
	return fmt.Sprintf("kafka: reader of group %s stopped: %v", e.GroupID, e.Err)
}

// Unwrap returns Err.
func (e *GroupError) Unwrap() error { return e.Err }

// fail makes the read calls return err from now on, instead of waiting for
// messages; the first error sticks.
func (r *Reader) fail(err error) {
	r.failOnce.Do(func() {
		r.failErr = err
		close(r.failed)
	})
}

// failure returns the error fail was given, or nil.
func (r *Reader) failure() error {
	select {
	case <-r.failed:
		return r.failErr
	default:
		return nil
	}
}
