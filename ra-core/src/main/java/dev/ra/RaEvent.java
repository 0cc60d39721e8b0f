package dev.ra;

import java.util.List;
import java.util.Objects;

/**
 * Notifications Ra sends to a {@link RaProcess} about commands submitted with
 * {@link RaSystem#pipelineCommand(ServerId, Object, Object, ProcessRef)}: Ra's {@code ra_event} messages.
 */
public sealed interface RaEvent
{
    /**
     * One command's correlation and the machine's reply, or how it failed.
     *
     * @param correlation chosen by the caller; one that came from another node and does not build on this one (its
     *                    class of another version here) is its bytes, a
     *                    {@code dev.ra.protocol.EncodedCorrelation} whose {@code decode()} says why.
     * @param reply       from the machine, may be null; or, for a command that failed, a
     *                    {@link CommandFailedException} (the machine's {@code apply} threw), an
     *                    {@link InvalidCommandException} (the leader refused it) or a
     *                    {@link ServerOverloadedException} (the leader held too much not yet applied to take it),
     *                    on any node.
     */
    record Correlated(Object correlation, Object reply)
    {
    }

    /**
     * Commands were applied by the leader. Notifications are batched: one event carries every command a leader
     * applied for the process in one processing round, in log order. A process on another node may get them as
     * several events, still in log order (each notice between nodes is bounded, and failures travel apart).
     *
     * @param leader  that applied the commands.
     * @param applied the correlations and replies, in log order.
     */
    record Applied(ServerId leader, List<Correlated> applied) implements RaEvent
    {
        /**
         * Requires the leader (not null) and copies the applied commands into an unmodifiable list (a null list or
         * element throws {@link NullPointerException}).
         */
        public Applied
        {
            Objects.requireNonNull(leader, "leader");
            applied = List.copyOf(applied);
        }
    }

    /**
     * The addressed member is not the leader, so it did not take the command (Ra's
     * {@code {rejected, {not_leader, Leader, Corr}}}); resubmit it to {@code leaderHint} if known.
     *
     * @param from        the member that rejected the command.
     * @param leaderHint  the leader it knows, or null; from a member removed from its cluster (it no longer runs), a
     *                    member of its last configuration to send the command to instead.
     * @param correlation of the rejected command (its bytes if it does not build on this node, as in
     *                    {@link Correlated}).
     */
    record Rejected(ServerId from, ServerId leaderHint, Object correlation) implements RaEvent
    {
        /**
         * Requires the member that rejected the command (not null); the leader hint may be null.
         */
        public Rejected
        {
            Objects.requireNonNull(from, "from");
        }
    }
}
