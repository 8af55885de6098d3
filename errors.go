package kafka

import "github.com/zeroalloc/kafka/wire"

// Error is a Kafka error code, the same type as wire.Error: it works with
// errors.Is through any wrapping (errors.Is(err, kafka.NotLeaderForPartition)),
// and has kafka-go's methods Title, Description, Temporary and Timeout.
// Temporary follows Kafka's own table of retriable errors, which differs
// from kafka-go's hand-kept list in a few codes.
//
// When a broker sends a message with the code, calls return a
// *wire.ErrorWithMessage instead, which errors.Is matches against the
// Error and whose text includes the broker's message.
type Error = wire.Error

// Kafka error codes under the names kafka-go gives them. Where Kafka has
// renamed a code since, the comment gives its current name, which wire
// uses; both name the same value.
const (
	Unknown                            = wire.UnknownServerError // Kafka: UnknownServerError
	OffsetOutOfRange                   = wire.OffsetOutOfRange
	InvalidMessage                     = wire.CorruptMessage // Kafka: CorruptMessage
	UnknownTopicOrPartition            = wire.UnknownTopicOrPartition
	InvalidMessageSize                 = wire.InvalidFetchSize // Kafka: InvalidFetchSize
	LeaderNotAvailable                 = wire.LeaderNotAvailable
	NotLeaderForPartition              = wire.NotLeaderOrFollower // Kafka: NotLeaderOrFollower
	RequestTimedOut                    = wire.RequestTimedOut
	BrokerNotAvailable                 = wire.BrokerNotAvailable
	ReplicaNotAvailable                = wire.ReplicaNotAvailable
	MessageSizeTooLarge                = wire.MessageTooLarge // Kafka: MessageTooLarge
	StaleControllerEpoch               = wire.StaleControllerEpoch
	OffsetMetadataTooLarge             = wire.OffsetMetadataTooLarge
	NetworkException                   = wire.NetworkException
	GroupLoadInProgress                = wire.CoordinatorLoadInProgress // Kafka: CoordinatorLoadInProgress
	GroupCoordinatorNotAvailable       = wire.CoordinatorNotAvailable   // Kafka: CoordinatorNotAvailable
	NotCoordinatorForGroup             = wire.NotCoordinator            // Kafka: NotCoordinator
	InvalidTopic                       = wire.InvalidTopicException     // Kafka: InvalidTopicException
	RecordListTooLarge                 = wire.RecordListTooLarge
	NotEnoughReplicas                  = wire.NotEnoughReplicas
	NotEnoughReplicasAfterAppend       = wire.NotEnoughReplicasAfterAppend
	InvalidRequiredAcks                = wire.InvalidRequiredAcks
	IllegalGeneration                  = wire.IllegalGeneration
	InconsistentGroupProtocol          = wire.InconsistentGroupProtocol
	InvalidGroupId                     = wire.InvalidGroupId
	UnknownMemberId                    = wire.UnknownMemberId
	InvalidSessionTimeout              = wire.InvalidSessionTimeout
	RebalanceInProgress                = wire.RebalanceInProgress
	InvalidCommitOffsetSize            = wire.InvalidCommitOffsetSize
	TopicAuthorizationFailed           = wire.TopicAuthorizationFailed
	GroupAuthorizationFailed           = wire.GroupAuthorizationFailed
	ClusterAuthorizationFailed         = wire.ClusterAuthorizationFailed
	InvalidTimestamp                   = wire.InvalidTimestamp
	UnsupportedSASLMechanism           = wire.UnsupportedSaslMechanism // Kafka: UnsupportedSaslMechanism
	IllegalSASLState                   = wire.IllegalSaslState         // Kafka: IllegalSaslState
	UnsupportedVersion                 = wire.UnsupportedVersion
	TopicAlreadyExists                 = wire.TopicAlreadyExists
	InvalidPartitionNumber             = wire.InvalidPartitions // Kafka: InvalidPartitions
	InvalidReplicationFactor           = wire.InvalidReplicationFactor
	InvalidReplicaAssignment           = wire.InvalidReplicaAssignment
	InvalidConfiguration               = wire.InvalidConfig // Kafka: InvalidConfig
	NotController                      = wire.NotController
	InvalidRequest                     = wire.InvalidRequest
	UnsupportedForMessageFormat        = wire.UnsupportedForMessageFormat
	PolicyViolation                    = wire.PolicyViolation
	OutOfOrderSequenceNumber           = wire.OutOfOrderSequenceNumber
	DuplicateSequenceNumber            = wire.DuplicateSequenceNumber
	InvalidProducerEpoch               = wire.InvalidProducerEpoch
	InvalidTransactionState            = wire.InvalidTxnState          // Kafka: InvalidTxnState
	InvalidProducerIDMapping           = wire.InvalidProducerIdMapping // Kafka: InvalidProducerIdMapping
	InvalidTransactionTimeout          = wire.InvalidTransactionTimeout
	ConcurrentTransactions             = wire.ConcurrentTransactions
	TransactionCoordinatorFenced       = wire.TransactionCoordinatorFenced
	TransactionalIDAuthorizationFailed = wire.TransactionalIdAuthorizationFailed // Kafka: TransactionalIdAuthorizationFailed
	SecurityDisabled                   = wire.SecurityDisabled
	BrokerAuthorizationFailed          = wire.OperationNotAttempted // Kafka: OperationNotAttempted
	KafkaStorageError                  = wire.KafkaStorageError
	LogDirNotFound                     = wire.LogDirNotFound
	SASLAuthenticationFailed           = wire.SaslAuthenticationFailed // Kafka: SaslAuthenticationFailed
	UnknownProducerId                  = wire.UnknownProducerId
	ReassignmentInProgress             = wire.ReassignmentInProgress
	DelegationTokenAuthDisabled        = wire.DelegationTokenAuthDisabled
	DelegationTokenNotFound            = wire.DelegationTokenNotFound
	DelegationTokenOwnerMismatch       = wire.DelegationTokenOwnerMismatch
	DelegationTokenRequestNotAllowed   = wire.DelegationTokenRequestNotAllowed
	DelegationTokenAuthorizationFailed = wire.DelegationTokenAuthorizationFailed
	DelegationTokenExpired             = wire.DelegationTokenExpired
	InvalidPrincipalType               = wire.InvalidPrincipalType
	NonEmptyGroup                      = wire.NonEmptyGroup
	GroupIdNotFound                    = wire.GroupIdNotFound
	FetchSessionIDNotFound             = wire.FetchSessionIdNotFound // Kafka: FetchSessionIdNotFound
	InvalidFetchSessionEpoch           = wire.InvalidFetchSessionEpoch
	ListenerNotFound                   = wire.ListenerNotFound
	TopicDeletionDisabled              = wire.TopicDeletionDisabled
	FencedLeaderEpoch                  = wire.FencedLeaderEpoch
	UnknownLeaderEpoch                 = wire.UnknownLeaderEpoch
	UnsupportedCompressionType         = wire.UnsupportedCompressionType
	StaleBrokerEpoch                   = wire.StaleBrokerEpoch
	OffsetNotAvailable                 = wire.OffsetNotAvailable
	MemberIDRequired                   = wire.MemberIdRequired // Kafka: MemberIdRequired
	PreferredLeaderNotAvailable        = wire.PreferredLeaderNotAvailable
	GroupMaxSizeReached                = wire.GroupMaxSizeReached
	FencedInstanceID                   = wire.FencedInstanceId // Kafka: FencedInstanceId
	EligibleLeadersNotAvailable        = wire.EligibleLeadersNotAvailable
	ElectionNotNeeded                  = wire.ElectionNotNeeded
	NoReassignmentInProgress           = wire.NoReassignmentInProgress
	GroupSubscribedToTopic             = wire.GroupSubscribedToTopic
	InvalidRecord                      = wire.InvalidRecord
	UnstableOffsetCommit               = wire.UnstableOffsetCommit
	ThrottlingQuotaExceeded            = wire.ThrottlingQuotaExceeded
	ProducerFenced                     = wire.ProducerFenced
	ResourceNotFound                   = wire.ResourceNotFound
	DuplicateResource                  = wire.DuplicateResource
	UnacceptableCredential             = wire.UnacceptableCredential
	InconsistentVoterSet               = wire.InconsistentVoterSet
	InvalidUpdateVersion               = wire.InvalidUpdateVersion
	FeatureUpdateFailed                = wire.FeatureUpdateFailed
	PrincipalDeserializationFailure    = wire.PrincipalDeserializationFailure
	SnapshotNotFound                   = wire.SnapshotNotFound
	// PositionOutOfRange (99) is a code Kafka has since retired; kept for kafka-go programs.
	PositionOutOfRange          Error = 99
	UnknownTopicID                    = wire.UnknownTopicId // Kafka: UnknownTopicId
	DuplicateBrokerRegistration       = wire.DuplicateBrokerRegistration
	BrokerIDNotRegistered             = wire.BrokerIdNotRegistered    // Kafka: BrokerIdNotRegistered
	InconsistentTopicID               = wire.InconsistentTopicId      // Kafka: InconsistentTopicId
	InconsistentClusterID             = wire.InconsistentClusterId    // Kafka: InconsistentClusterId
	TransactionalIDNotFound           = wire.TransactionalIdNotFound  // Kafka: TransactionalIdNotFound
	FetchSessionTopicIDError          = wire.FetchSessionTopicIdError // Kafka: FetchSessionTopicIdError
)
