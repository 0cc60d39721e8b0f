package dev.ra;

/**
 * The role a Raft member is in, as seen by {@link StateMachine#stateEnter} and in {@link ServerOverview}.
 */
public enum RaftRole
{
    /** Replaying its log after a start; effects are discarded. */
    RECOVERING,
    /** Following a leader (or waiting for one). */
    FOLLOWER,
    /** Asking the other voters whether an election could succeed, without bumping the term (thesis §9.6). */
    PRE_VOTE,
    /** Campaigning in a new term. */
    CANDIDATE,
    /** Leading the cluster: the only member that runs leader-only effects. */
    LEADER,
    /** Receiving a snapshot from the leader in chunks. */
    RECEIVE_SNAPSHOT,
    /** Stopped; the machine will not be called again until the server is restarted. */
    STOPPED,
    /** The cluster was deleted; this is the member's last state. */
    EOL
}
