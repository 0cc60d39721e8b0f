package dev.ra.protocol;

import dev.ra.ServerId;
import java.util.Objects;

/**
 * What a {@link NodeMessage.ServerCall} asks of a server. Calls that need the leader are answered with a redirect by
 * other members.
 */
public sealed interface ServerRequest
{
    /**
     * Apply a command and reply once it is committed and applied on the leader ({@code processCommand}).
     *
     * @param command encoded on the caller's thread.
     */
    record Command(UserCommand command) implements ServerRequest
    {
        /** Checks that {@code command} is not null. */
        public Command
        {
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * Add a member to the cluster.
     *
     * @param member     to add.
     * @param membership it starts with.
     */
    record AddMember(ServerId member, Membership membership) implements ServerRequest
    {
        /** Checks that {@code member} and {@code membership} are not null. */
        public AddMember
        {
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(membership, "membership");
        }
    }

    /**
     * Remove a member from the cluster.
     *
     * @param member to remove.
     */
    record RemoveMember(ServerId member) implements ServerRequest
    {
        /** Checks that {@code member} is not null. */
        public RemoveMember
        {
            Objects.requireNonNull(member, "member");
        }
    }

    /**
     * Hand leadership to another member.
     *
     * @param target to become leader.
     */
    record TransferLeadership(ServerId target) implements ServerRequest
    {
        /** Checks that {@code target} is not null. */
        public TransferLeadership
        {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * Start an election on the addressed member (not redirected).
     */
    record TriggerElection() implements ServerRequest
    {
    }

    /**
     * Delete the cluster through its leader.
     */
    record DeleteCluster() implements ServerRequest
    {
    }

    /**
     * The members of the cluster, as the leader sees them.
     */
    record Members() implements ServerRequest
    {
    }

    /**
     * The leader's applied index once it is safe to read: with {@code confirmLeadership}, after a heartbeat round
     * confirmed it is still leader (ReadIndex, thesis §6.4); without, at once ({@code leaderQuery}). The caller then
     * runs its query on a member of its own node once that member has applied the index (follower read, §6.4.1).
     *
     * @param confirmLeadership whether to confirm leadership with a quorum first.
     */
    record ReadIndex(boolean confirmLeadership) implements ServerRequest
    {
    }

    /**
     * Stop the addressed server (not redirected; a server that does not run counts as stopped).
     */
    record Stop() implements ServerRequest
    {
    }

    /**
     * Stop the addressed server and delete its data, without any membership change.
     *
     * @param removedAt for the retirement of a removed member, the index of a committed configuration without it: a
     *                  server of that id that joined or was named again after it is not the one removed and refuses
     *                  (the request may arrive late, after the member was deleted and added back); 0 to delete
     *                  whatever runs under the id ({@link dev.ra.RaSystem#forceDeleteServer}).
     * @param removedInTerm for a retirement, the term of that configuration: a server of the id whose log begins in
     *                  a later term belongs to a cluster created again under the same ids since, and refuses; 0 when
     *                  not known (a node of an older protocol version), and for a plain forced delete.
     */
    record ForceDelete(long removedAt, long removedInTerm) implements ServerRequest
    {
        /** Delete whatever runs under the id. */
        public ForceDelete()
        {
            this(0, 0);
        }

        /**
         * A retirement that names no term.
         *
         * @param removedAt index of a committed configuration without the member, or 0.
         */
        public ForceDelete(final long removedAt)
        {
            this(removedAt, 0);
        }

        /**
         * Requires a non-negative index and term, and no term without an index.
         */
        public ForceDelete
        {
            if (removedAt < 0)
            {
                throw new IllegalArgumentException("removedAt must be 0 or an index, got " + removedAt);
            }
            if (removedInTerm < 0 || removedInTerm > 0 && removedAt == 0)
            {
                throw new IllegalArgumentException("removedInTerm must be 0 or the term of the configuration at " +
                    "removedAt " + removedAt + ", got " + removedInTerm);
            }
        }
    }

    /**
     * Run a query the machine declares by name ({@link dev.ra.StateMachine#query}) on the addressed member once it has
     * applied {@code minIndex} (not redirected). The caller first obtains {@code minIndex} from the leader with a
     * {@link ReadIndex} when it needs a linearizable or leader-fresh answer.
     *
     * <p>The answer's value is {@code [true, appliedIndex, term, result]} with the result encoded by the machine's
     * query codec, or {@code [false, 0, 0, message, kind]} when it failed: {@code "refused"} by the machine (or its
     * codec), {@code "timeout"} waiting for {@code minIndex}, {@code "failed"} when the member cannot answer (older
     * releases send no kind: a refusal). A member that stops while the query waits answers as a stopped server.
     *
     * @param name     of the query.
     * @param argument encoded with the machine's query codec.
     * @param minIndex applied index to wait for, 0 for none.
     */
    record NamedQuery(String name, dev.ra.codec.Bytes argument, long minIndex) implements ServerRequest
    {
        /** Checks that {@code name} and {@code argument} are not null and that {@code minIndex} is not negative. */
        public NamedQuery
        {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(argument, "argument");
            if (minIndex < 0)
            {
                throw new IllegalArgumentException("negative index " + minIndex);
            }
        }
    }

    /**
     * A linearizable {@link NamedQuery} in one call: the addressed member, if it leads, takes a read index as a
     * {@link ReadIndex} with {@code confirmLeadership} does (a heartbeat round sent after the call arrived confirms
     * it), waits until it has applied that index, runs the query and answers as {@link NamedQuery} answers; a member
     * that does not lead redirects, as for a {@link ReadIndex}. Saves the caller the round trip of a separate
     * read-index call. Only sent to a node whose transport says it takes it
     * ({@link dev.ra.spi.PeerFeature#CONFIRMED_NAMED_QUERY}); otherwise the caller makes the two calls.
     *
     * @param name     of the query.
     * @param argument encoded with the machine's query codec.
     */
    record ConfirmedNamedQuery(String name, dev.ra.codec.Bytes argument) implements ServerRequest
    {
        /** Checks that {@code name} and {@code argument} are not null. */
        public ConfirmedNamedQuery
        {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(argument, "argument");
        }
    }
}
