package dev.ra.examples.group;

import dev.ra.ApplyResult;
import dev.ra.BuiltinCommand;
import dev.ra.CommandMeta;
import dev.ra.DownReason;
import dev.ra.Effect;
import dev.ra.InitArgs;
import dev.ra.ProcessRef;
import dev.ra.RaftRole;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.support.ClientSequences;
import dev.ra.examples.support.CommandNumber;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.ForgottenProcesses;
import dev.ra.examples.support.ReleaseCursorPolicy;
import dev.ra.examples.support.RememberedReplies;
import dev.ra.examples.support.StaleCommand;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Group membership: processes join and leave named groups, and a process that ends is removed from every group
 * automatically, like ZooKeeper's ephemeral children under a group node (Curator's {@code GroupMember}).
 *
 * <p><b>Failure handling</b> uses monitors, as the ra-toolbox talk's {@code group_membership} does:
 * <ul>
 *   <li>Joining monitors the process ({@link Effect.Monitor}). When it ends ({@link DownReason#NORMAL},
 *       {@link DownReason#ERROR}) or turns out not to exist ({@link DownReason#NOPROC}) it leaves every group.</li>
 *   <li>{@link DownReason#NOCONNECTION} means its fate is unknown: the member is KEPT and its node is monitored
 *       ({@link Effect.MonitorNode}). On {@link BuiltinCommand.NodeUp} every member on that node is monitored again,
 *       so a process that died meanwhile now yields {@code Down(NOPROC)} and is removed. {@code NodeDown} changes
 *       nothing.</li>
 *   <li>Monitors belong to the leader, so on becoming leader the machine monitors every member again
 *       ({@link #stateEnter}).</li>
 * </ul>
 * Keeping an unreachable member has no time limit: a member on a node that never comes back stays until it leaves or
 * the node returns. That is the behaviour the toolbox issue asks for (Erlang nodes "are assumed to come back"); a
 * deployment where nodes can vanish for good needs a session TTL instead, as ZooKeeper has.
 *
 * <p><b>Versions.</b> Version 1 adds {@link GroupCommand.JoinOnce} and {@link GroupCommand.LeaveOnce}, which carry
 * a request id: the state remembers the replies of the last {@link RememberedReplies#KEPT} of them, and a retry of
 * one gets its first attempt's reply. Version 2 adds {@link GroupCommand.NumberedJoin} and
 * {@link GroupCommand.NumberedLeave}, numbered per client ({@link ClientSequences}): a late attempt of a call its
 * client has since finished (a join overtaken by its retry, then left) is refused as stale and adds nobody, however
 * many other calls came between. {@link #machineFor machineFor(0)} and {@code machineFor(1)} apply the log as those
 * versions did and read and write their snapshots.
 *
 * <p><b>Other choices.</b> Join and leave are idempotent (replies say whether anything changed). Leaving an unknown
 * group is not an error. Members are listed in join order, so the oldest member is first (a common way to pick a
 * coordinator among members). A process that leaves its last group is demonitored, which the Erlang original left as
 * a TODO; from version 2, one that left by a numbered call stays monitored while its calls are remembered, so that its
 * end forgets them.
 */
public final class GroupMachine implements StateMachine<GroupCommand, GroupState>
{
    /** The newest version of the logic ({@link #version()}). */
    private static final int VERSION = 2;
    /** Why a join or leave carrying a request id is refused at version 0. */
    private static final String REFUSAL = "GroupCommand.JoinOnce and LeaveOnce need machine version 1 of " +
        "GroupMachine; the cluster is at version 0 until every member runs a build that has it";
    /** Why a numbered command is refused before version 2. */
    private static final String NUMBERED_REFUSAL = "GroupCommand.NumberedJoin and NumberedLeave need machine " +
        "version 2 of GroupMachine; the cluster is at an older version until every member runs a build that has it";
    /** The command codec of version 1, which did not have the numbered commands. */
    private static final Codec<Object> VERSION_ONE_COMMANDS = Codecs.refusing(GroupCodec.DECLARED,
        command -> command instanceof GroupCommand.NumberedJoin || command instanceof GroupCommand.NumberedLeave,
        NUMBERED_REFUSAL);
    /** The command codec of version 0, which did not have the commands carrying a request id either. */
    private static final Codec<Object> VERSION_ZERO_COMMANDS = Codecs.refusing(VERSION_ONE_COMMANDS,
        command -> command instanceof GroupCommand.JoinOnce || command instanceof GroupCommand.LeaveOnce, REFUSAL);
    /** The snapshots of version 0: the state's first two components, without the replies remembered. */
    private static final Codec<GroupState> VERSION_ZERO_STATE = new FirstComponentsCodec<>(GroupCodec.DECLARED,
        GroupState.class, 2, GroupMachine::versionZeroState, "GroupMachine version 0");
    /** The snapshots of version 1: the state's first three components, without the clients' numbered calls. */
    private static final Codec<GroupState> VERSION_ONE_STATE = new FirstComponentsCodec<>(GroupCodec.DECLARED,
        GroupState.class, 3, GroupMachine::versionOneState, "GroupMachine version 1");

    private final ReleaseCursorPolicy cursorPolicy;
    /** Version 1 and later take the joins and leaves carrying a request id, and remember their replies. */
    private final boolean answersOnce;
    /** Version 2 and later take the numbered commands. */
    private final boolean numbers;

    /**
     * A machine that offers a snapshot point every {@link ReleaseCursorPolicy#DEFAULT_INTERVAL} entries.
     */
    public GroupMachine()
    {
        this(ReleaseCursorPolicy.defaults());
    }

    /**
     * A machine with its own snapshot cadence (the same on every member).
     *
     * @param cursorPolicy deciding when to emit a release cursor.
     */
    public GroupMachine(final ReleaseCursorPolicy cursorPolicy)
    {
        this.cursorPolicy = Objects.requireNonNull(cursorPolicy, "cursorPolicy");
        this.answersOnce = true;
        this.numbers = true;
    }

    private GroupMachine(final GroupMachine newest, final int version)
    {
        this.cursorPolicy = newest.cursorPolicy;
        this.answersOnce = version >= 1;
        this.numbers = version >= 2;
    }

    /**
     * Version 2 takes the numbered commands, version 1 {@link GroupCommand.JoinOnce} and
     * {@link GroupCommand.LeaveOnce}; version 0 knew neither.
     */
    @Override
    public int version()
    {
        return VERSION;
    }

    @Override
    public StateMachine<GroupCommand, GroupState> machineFor(final int version)
    {
        return version >= VERSION ? this : new GroupMachine(this, version);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Codec<GroupCommand> commandCodec()
    {
        if (numbers)
        {
            return (Codec<GroupCommand>)(Codec<?>)GroupCodec.DECLARED;
        }
        return (Codec<GroupCommand>)(Codec<?>)(answersOnce ? VERSION_ONE_COMMANDS : VERSION_ZERO_COMMANDS);
    }

    /**
     * Versions 0 and 1 read and write their snapshots in their own shapes, without what later versions added.
     */
    @Override
    @SuppressWarnings("unchecked")
    public Codec<GroupState> stateCodec()
    {
        if (numbers)
        {
            return (Codec<GroupState>)(Codec<?>)GroupCodec.DECLARED;
        }
        return answersOnce ? VERSION_ONE_STATE : VERSION_ZERO_STATE;
    }

    @SuppressWarnings("unchecked")
    private static GroupState versionOneState(final List<Object> parts)
    {
        return new GroupState((Map<String, List<ProcessRef>>)parts.get(0), (Long)parts.get(1),
            (RememberedReplies)parts.get(2));
    }

    @SuppressWarnings("unchecked")
    private static GroupState versionZeroState(final List<Object> parts)
    {
        return new GroupState((Map<String, List<ProcessRef>>)parts.get(0), (Long)parts.get(1));
    }

    /**
     * A command of any other type is refused before it is appended, with an {@link dev.ra.InvalidCommandException}
     * naming its type, instead of becoming an entry whose apply throws a {@code ClassCastException} on every member.
     */
    @Override
    public Class<GroupCommand> commandType()
    {
        return GroupCommand.class;
    }

    @Override
    public GroupState init(final InitArgs args)
    {
        return GroupState.EMPTY;
    }

    @Override
    public ApplyResult<GroupState> apply(final CommandMeta meta, final GroupCommand command, final GroupState state)
    {
        if (command instanceof GroupCommand.Join join)
        {
            return result(meta, join(state, join.group(), join.member(), null));
        }
        else if (command instanceof GroupCommand.Leave leave)
        {
            return result(meta, leave(state, leave.group(), leave.member(), null));
        }
        else if (!answersOnce)
        {
            // Refused by version 0's codec before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, false, List.of());
        }
        else if (command instanceof GroupCommand.JoinOnce join)
        {
            final Boolean answered = state.replies().of(join.requestId());
            // A retry whose first attempt was applied: its reply again, and the monitor repaired as a join does.
            return null != answered ? cursorPolicy.result(meta, state, answered,
                List.of(new Effect.Monitor(join.member()))) :
                result(meta, join(state, join.group(), join.member(), join.requestId()));
        }
        else if (command instanceof GroupCommand.LeaveOnce leave)
        {
            final Boolean answered = state.replies().of(leave.requestId());
            return null != answered ? cursorPolicy.result(meta, state, answered, List.of()) :
                result(meta, leave(state, leave.group(), leave.member(), leave.requestId()));
        }
        else if (!numbers)
        {
            // Refused by the older versions' codecs before the log; kept out of apply all the same.
            return cursorPolicy.result(meta, state, false, List.of());
        }
        else if (command instanceof GroupCommand.NumberedJoin join)
        {
            final ClientSequences.Earlier earlier = state.sequences().earlier(join.member(), join.number());
            if (null == earlier)
            {
                return numbered(meta, join.member(), join.number(), join(state, join.group(), join.member(), null));
            }
            // A retry whose first attempt was applied repairs the monitor as a join does; a stale attempt does
            // nothing at all (its member may have left, and ended since).
            return cursorPolicy.result(meta, state, earlier.reply(), earlier.reply() instanceof StaleCommand ?
                List.of() : List.of(new Effect.Monitor(join.member())));
        }
        else if (command instanceof GroupCommand.NumberedLeave leave)
        {
            final ClientSequences.Earlier earlier = state.sequences().earlier(leave.member(), leave.number());
            return null != earlier ? cursorPolicy.result(meta, state, earlier.reply(), List.of()) :
                numbered(meta, leave.member(), leave.number(), leave(state, leave.group(), leave.member(), null));
        }
        // Unreachable while GroupCommand is sealed to the records above; GroupMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    /**
     * What a join or leave did, before the release cursor policy looks at the state.
     */
    private record Outcome(GroupState state, boolean reply, List<Effect> effects)
    {
    }

    private ApplyResult<GroupState> result(final CommandMeta meta, final Outcome outcome)
    {
        return cursorPolicy.result(meta, outcome.state(), outcome.reply(), outcome.effects());
    }

    /**
     * A numbered command found new: what it did, with its reply remembered for its client.
     */
    private ApplyResult<GroupState> numbered(final CommandMeta meta, final ProcessRef member,
        final CommandNumber number, final Outcome outcome)
    {
        // A member whose calls are remembered stays monitored after it left its last group: its end is what forgets
        // its calls, rather than the bound on the clients remembered, which members that come and go would otherwise
        // fill, pushing out the long-lived members' calls (one Down per member).
        final List<Effect> effects = outcome.effects().contains(new Effect.Demonitor(member)) ? List.of() :
            outcome.effects();
        final ClientSequences before = outcome.state().sequences();
        final ClientSequences after = before.applied(member, number, outcome.reply(), meta.systemTimeMs());
        final GroupState next = outcome.state().withSequences(after);
        final List<ProcessRef> forgotten = ForgottenProcesses.of(before, after, member);
        if (forgotten.isEmpty())
        {
            return cursorPolicy.result(meta, next, outcome.reply(), effects);
        }
        // Their calls are no longer remembered (the idle time, the bound): in no group, they are demonitored, as a
        // new leader would not monitor them (stateEnter).
        final Set<ProcessRef> inGroups = next.allMembers();
        final List<Effect> withDemonitors = new ArrayList<>(effects);
        for (final ProcessRef process : forgotten)
        {
            if (!inGroups.contains(process))
            {
                withDemonitors.add(new Effect.Demonitor(process));
            }
        }
        return cursorPolicy.result(meta, next, outcome.reply(), withDemonitors);
    }

    /**
     * @param requestId to remember the reply under, or null.
     */
    private static Outcome join(final GroupState state, final String group, final ProcessRef member,
        final String requestId)
    {
        final boolean added = !state.members(group).contains(member);
        final GroupState joined = added ? state.join(group, member) : state;
        final GroupState next = null == requestId ? joined : joined.answered(requestId, added);
        // Monitor even when already a member: a retried join then also repairs a monitor lost in a failover.
        return new Outcome(next, added, List.of(new Effect.Monitor(member)));
    }

    /**
     * @param requestId to remember the reply under, or null.
     */
    private static Outcome leave(final GroupState state, final String group, final ProcessRef member,
        final String requestId)
    {
        if (!state.members(group).contains(member))
        {
            return new Outcome(null == requestId ? state : state.answered(requestId, false), false, List.of());
        }
        final GroupState left = state.leave(group, member);
        final List<Effect> effects = left.allMembers().contains(member) ?
            List.of() : List.of(new Effect.Demonitor(member));
        return new Outcome(null == requestId ? left : left.answered(requestId, true), true, effects);
    }

    @Override
    public ApplyResult<GroupState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final GroupState state)
    {
        if (command instanceof BuiltinCommand.Down down)
        {
            final ProcessRef process = down.process();
            if (down.reason() == DownReason.NOCONNECTION)
            {
                // Kept, numbers included: the member may be alive, and its client may call again. A process in no
                // group whose calls are remembered is watched again too: its end is what forgets them (numbered).
                final boolean watched = state.allMembers().contains(process) ||
                    state.sequences().forget(process) != state.sequences();
                return cursorPolicy.result(meta, state, null, watched ?
                    List.of(new Effect.MonitorNode(process.node())) : List.of());
            }
            // A member that ended makes no more calls: its client's numbers about it go with it.
            final GroupState forgotten = state.withSequences(state.sequences().forget(process));
            return cursorPolicy.result(meta, forgotten.allMembers().contains(process) ? forgotten.leaveAll(process) :
                forgotten, null, List.of());
        }
        else if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            final Set<ProcessRef> onNode = new LinkedHashSet<>();
            for (final ProcessRef member : state.allMembers())
            {
                if (member.node().equals(nodeUp.node()))
                {
                    onNode.add(member);
                }
            }
            // And those in no group whose calls are remembered, as a new leader monitors them (stateEnter).
            for (final ClientSequences.Entry remembered : state.sequences().entries())
            {
                if (remembered.caller().process().node().equals(nodeUp.node()))
                {
                    onNode.add(remembered.caller().process());
                }
            }
            final List<Effect> effects = new ArrayList<>();
            for (final ProcessRef process : onNode)
            {
                effects.add(new Effect.Monitor(process));
            }
            return cursorPolicy.result(meta, state, null, effects);
        }
        // NodeDown: the members' own monitors decide; Timeout: this machine sets no timers.
        return cursorPolicy.result(meta, state, null, List.of());
    }

    @Override
    public List<Effect> stateEnter(final RaftRole role, final GroupState state)
    {
        if (role != RaftRole.LEADER)
        {
            return List.of();
        }
        final Set<ProcessRef> watched = new LinkedHashSet<>(state.allMembers());
        if (numbers)
        {
            // Kept monitored while their calls are remembered, so that their end forgets them (numbered).
            for (final ClientSequences.Entry remembered : state.sequences().entries())
            {
                watched.add(remembered.caller().process());
            }
        }
        final List<Effect> effects = new ArrayList<>();
        for (final ProcessRef member : watched)
        {
            effects.add(new Effect.Monitor(member));
        }
        return effects;
    }

    @Override
    public Map<String, Object> overview(final GroupState state)
    {
        return Map.of("groups", state.groups().size(), "members", state.allMembers().size());
    }

    /**
     * Replies (remembered in the state too), messages and named query values are of the machine's declared types
     * ({@link GroupCodec}).
     */
    @Override
    public Codec<Object> replyCodec()
    {
        return GroupCodec.DECLARED;
    }

    @Override
    public Codec<Object> messageCodec()
    {
        return GroupCodec.DECLARED;
    }

    @Override
    public Codec<Object> queryCodec()
    {
        return GroupCodec.DECLARED;
    }
}
