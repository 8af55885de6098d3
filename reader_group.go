package kafka

import (
	"context"
	"errors"
)

// readerGroup is the Reader's consumer-group side.
type readerGroup struct{}

var errGroupNotYet = errors.New("kafka: Reader: group mode (GroupID) is not implemented yet")

// startGroup joins the group.
func (r *Reader) startGroup() {
	r.group = &readerGroup{}
	r.msgs <- &chunk{err: errGroupNotYet}
}

func (g *readerGroup) close() error { return nil }

func (g *readerGroup) commit(ctx context.Context, sync bool, msgs ...Message) error {
	return errGroupNotYet
}

// CommitMessages commits, for each partition, the offset after the last of
// msgs, synchronously, in the generation that delivered them. It is only
// available in group mode.
func (r *Reader) CommitMessages(ctx context.Context, msgs ...Message) error {
	if r.group == nil {
		return errOnlyAvailableWithGroup
	}
	return r.group.commit(ctx, true, msgs...)
}
