package dev.ra.examples.leader;

import dev.ra.ApplyResult;
import dev.ra.CommandMeta;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.RaftRole;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Follow-the-leader, the talk's leader-election recipe: application code (the "companion") runs on the node of the
 * Raft leader, and only there, so a Ra cluster doubles as a leader elector for a singleton task.
 *
 * <p><b>Protocol.</b>
 * <ol>
 *   <li>On becoming leader ({@link #stateEnter}), a member appends {@link LeaderCommand.Claim} naming itself. This
 *       machine instance is per node and knows its local member, which is why it takes a {@link ServerId}.</li>
 *   <li>When the claim is applied, the state records the claimant and the claim's log index as the EPOCH, and the
 *       applying leader runs a {@link Effect.ModCall} with {@link StartCompanion}. Only a node that hosts the
 *       claimant acts on it, so a stale claim applied by a later leader starts nothing; that leader's own claim
 *       follows. Applying the claim needs a quorum, so a leader cut off from the majority never starts a
 *       companion.</li>
 *   <li>The node waits the grace period, then starts the companion with the epoch as its fencing token.</li>
 *   <li>While it runs, the node checks its leadership periodically with a consistent query
 *       ({@link LeadershipState#isCurrent}); when the query fails, times out or shows a newer claim, the companion is
 *       stopped. The grace period must be longer than the query period plus its timeout, so the previous leader's
 *       companion has stopped before the next one starts (the talk's rule). A stopped Raft leader cannot run the
 *       check, and its node stops its companion too.</li>
 * </ol>
 * Raft allows two members to believe they lead at the same time for a while (only one can commit), and time-based
 * checks are never exact, so two companions may overlap in pathological timing (GC pauses longer than the grace). The
 * epoch lets the resources the companion uses reject the older one, exactly like a lock's fencing token
 * ({@link dev.ra.examples.lock.FencingTokenValidator}).
 *
 * <p>Compared with etcd's {@code Election} or Curator's {@code LeaderLatch}, the candidates here are the Raft members
 * themselves rather than arbitrary clients: there is no campaign command, and leadership follows the Raft leader.
 * Every new claim gets a new epoch, even when the same member is re-elected, because another leader may have run in
 * between.
 */
public final class FollowTheLeaderMachine implements StateMachine<LeaderCommand, LeadershipState>
{
    /** The default name of the {@link Effect.ModCall} handler that starts companions. */
    public static final String DEFAULT_HANDLER = "dev.ra.examples.leader.companion";

    private final ServerId localServer;
    private final String handler;
    private final long graceMs;
    private final ReleaseCursorPolicy cursorPolicy;

    /**
     * A machine for the member {@code localServer}, with the {@link #DEFAULT_HANDLER} and a default cursor policy.
     *
     * @param localServer the member of this cluster hosted on this node.
     * @param gracePeriod before a new leader's companion starts; the same on every member.
     */
    public FollowTheLeaderMachine(final ServerId localServer, final Duration gracePeriod)
    {
        this(localServer, DEFAULT_HANDLER, gracePeriod, ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with every setting explicit.
     *
     * @param localServer  the member of this cluster hosted on this node.
     * @param handler      name under which the companion host is registered for {@link Effect.ModCall}.
     * @param gracePeriod  before a new leader's companion starts; the same on every member.
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public FollowTheLeaderMachine(
        final ServerId localServer,
        final String handler,
        final Duration gracePeriod,
        final ReleaseCursorPolicy cursorPolicy)
    {
        this.localServer = Objects.requireNonNull(localServer, "localServer");
        this.handler = Objects.requireNonNull(handler, "handler");
        if (gracePeriod.isNegative())
        {
            throw new IllegalArgumentException("grace period must be >= 0, got " + gracePeriod);
        }
        this.graceMs = gracePeriod.toMillis();
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<LeaderCommand> commandType()
    {
        return LeaderCommand.class;
    }

    @Override
    public LeadershipState init(final InitArgs args)
    {
        return LeadershipState.NONE;
    }

    @Override
    public ApplyResult<LeadershipState> apply(
        final CommandMeta meta, final LeaderCommand command, final LeadershipState state)
    {
        if (command instanceof LeaderCommand.Claim claim)
        {
            final LeadershipState next =
                new LeadershipState(claim.leader(), meta.index(), meta.systemTimeMs(), state.cursorIndex());
            final Effect start = new Effect.ModCall(handler, new StartCompanion(claim.leader(), meta.index(), graceMs));
            return cursorPolicy.result(meta, next, meta.index(), List.of(start));
        }
        // Unreachable while LeaderCommand is sealed; FollowTheLeaderMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final LeadershipState state)
    {
        return role == RaftRole.LEADER ? List.of(new Effect.Append(new LeaderCommand.Claim(localServer))) : List.of();
    }

    @Override
    public Map<String, Object> overview(final LeadershipState state)
    {
        return Map.of("leader", String.valueOf(state.leader()), "epoch", state.epoch());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<LeaderCommand> commandCodec()
    {
        return (Codec<LeaderCommand>)(Codec<?>)LeaderCodec.DECLARED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<LeadershipState> stateCodec()
    {
        return (Codec<LeadershipState>)(Codec<?>)LeaderCodec.DECLARED;
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link LeaderCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return LeaderCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return LeaderCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return LeaderCodec.DECLARED;
    }
}
