package kafka

import (
	"fmt"

	"github.com/zeroalloc/kafka/internal/group"
)

// ErrBadAssignment is matched (errors.Is) by the error a read call of a
// group Reader returns when the assignment the group's leader sent it does
// not decode as a consumer-protocol assignment (a broken assignor of
// another client): the Reader cannot tell which partitions are its own, so
// it takes none from that assignment, joins the group again after
// JoinGroupBackoff, and reads on once an assignment decodes. The error
// also wraps the decoder's (wire.ErrTruncated, ...).
var ErrBadAssignment = group.ErrBadAssignment

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

// notify hands err to the next read call that waits for a message (one
// already waiting returns it at once), for a failure the Reader recovers
// from on its own but that the application must hear of: a group
// assignment that does not decode (ErrBadAssignment). Reading goes on
// after it; while no read call takes it, newer errors are dropped.
func (r *Reader) notify(err error) {
	r.errorf("kafka: reader of group %s: %v", r.config.GroupID, err)
	select {
	case r.notices <- fmt.Errorf("kafka: reader of group %s: %w", r.config.GroupID, err):
	default:
	}
}
