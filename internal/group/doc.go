// Package group is the consumer-group membership engine the Reader drives:
// one Member per Reader joins a group under the classic protocol
// (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup), tells the
// application which partitions it owns, and commits and fetches the group's
// offsets. It knows nothing of fetching records.
//
// # Goroutines and connections
//
// A Member runs two goroutines from New until Close: the join goroutine,
// which owns the state machine below and calls every callback, in order,
// never two at once; and the heartbeat goroutine, which heartbeats while a
// generation is complete, also while a callback runs. It talks to brokers
// over three connections of its own, so that a JoinGroup parked for a whole
// rebalance delays neither heartbeats nor commits: one to a bootstrap
// broker for FindCoordinator, one to the coordinator for JoinGroup and
// SyncGroup (and the leader's Metadata request), one to the coordinator for
// Heartbeat, OffsetCommit, OffsetFetch and LeaveGroup. Any exchange is cut
// short by closing its connection when its context ends, which is how Close
// interrupts a JoinGroup at once.
//
// # States
//
//	finding ──▶ joining ──▶ syncing ──▶ stable ──(trigger)──▶ joining ...
//
// Finding looks the coordinator up through the bootstrap brokers (v4+
// batched FindCoordinator when the broker has it), retrying with backoff on
// COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS
// and network errors; any exchange that meets NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE or a broken connection forgets the coordinator so
// the next one looks it up again. Joining sends JoinGroup; MEMBER_ID_REQUIRED
// is answered by joining again at once with the member id it carries. The
// member the coordinator names leader decodes every member's subscription,
// runs the Assignor the coordinator chose (unless told to skip it, KIP-814)
// and sends the assignments in SyncGroup; followers send an empty one.
// After SyncGroup the generation is stable: heartbeats start and the
// callbacks run. A trigger ends stability:
//
//   - REBALANCE_IN_PROGRESS from a heartbeat, or the second round the
//     cooperative protocol asks for: rejoin with the same member id.
//   - ILLEGAL_GENERATION: the group moved on without the member; its
//     partitions are lost (OnLost) and it rejoins without a generation.
//   - UNKNOWN_MEMBER_ID: the same, and it rejoins as a new member.
//   - No heartbeat answered for a whole session timeout (the coordinator is
//     unreachable): the coordinator has expelled the member by then, so the
//     partitions are reported lost rather than kept on a guess; the member
//     keeps trying to rejoin.
//   - FENCED_INSTANCE_ID: another process took the static instance id. The
//     partitions are lost and the member stops (Err, Done): rejoining would
//     fence the other one in turn.
//
// The same errors met by JoinGroup or SyncGroup are handled the same way.
// An assignment from SyncGroup that does not decode (ErrBadAssignment: the
// leader is another client, or its assignor is broken) is reported to
// Config.OnError, and the member joins again after JoinBackoff, taking no
// partition from it.
// Errors that retrying cannot fix stop the member (Err, Done) wherever they
// are met (the coordinator lookup, JoinGroup, SyncGroup, a heartbeat, the
// leader's Metadata request): GROUP_AUTHORIZATION_FAILED,
// TOPIC_AUTHORIZATION_FAILED, INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT,
// INCONSISTENT_GROUP_PROTOCOL, GROUP_MAX_SIZE_REACHED, FENCED_INSTANCE_ID,
// UNSUPPORTED_VERSION, a broker without the versions needed (IsFatal).
// Kafka marks none of them retriable and the Java consumer throws them out
// of poll; retrying would only repeat them until the configuration, the
// ACLs or the other members change. Everything else is retried.
//
// # The revocation handshake
//
// OnRevoked is synchronous: the member does not go on until it returns, so
// the Reader must, inside it, stop delivering the partitions and commit what
// it has delivered of them, naming the Generation it is given, which is
// still valid at the coordinator while the callback runs. Under the eager
// protocol the member revokes every partition it owns when a rebalance
// starts, before sending JoinGroup (the coordinator waits up to the
// rebalance timeout for it). Under the cooperative protocol (KIP-429, used
// when every assignor is cooperative) the member keeps its partitions across
// JoinGroup and SyncGroup, and revokes only those the new assignment takes
// away, after SyncGroup, with the new generation; if there were any it
// rejoins at once, and the second round gives them to their new owners.
// OnAssigned follows each SyncGroup with the whole assignment and the
// partitions new to the member. OnLost reports partitions that were taken
// without a revocation: committing them is pointless (the generation is
// gone) and delivering more of them would duplicate another member's work.
// The context OnRevoked gets ends only CloseTimeout after Close begins, so a
// revocation that Close interrupts can still commit. Close calls OnRevoked
// for whatever is still owned, then sends LeaveGroup
// (dynamic members only; a static member keeps its place for a restart within
// the session timeout, which then gets the same partitions back in the same
// generation without a rebalance).
//
// # Commits
//
// CommitOffsets sends exactly the generation the caller names, with the
// member id of that generation and the static instance id. When the member
// already knows the generation is over it sends nothing and returns a
// StaleGenerationError; when the coordinator refuses it (ILLEGAL_GENERATION,
// REBALANCE_IN_PROGRESS, ...) the error is returned. Neither is retried
// under a newer generation: by then another member may own the partition,
// and an old offset committed in its name would rewind it. Only retriable
// failures (coordinator moves and loads, broken connections) are retried,
// with the same generation, and only while that generation lasts: when the
// member learns it is over (a rejoin, or a loss such as a session that ran
// out), a commit still in progress is abandoned with a
// StaleGenerationError, so that a callback waiting behind it, OnLost
// included, is not held up by a coordinator that stopped answering. For
// the same reason waiting for a connection or a coordinator lookup that
// another exchange holds honours the waiter's context: a heartbeat gives
// up at its deadline even while a commit is stuck on a silent connection. FetchOffsets uses OffsetFetch v8+ (group
// batching) when the broker has it and always asks for stable offsets.
package group
