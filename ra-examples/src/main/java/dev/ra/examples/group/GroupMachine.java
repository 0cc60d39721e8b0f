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
import dev.ra.examples.support.ReleaseCursorPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * <p><b>Other choices.</b> Join and leave are idempotent (replies say whether anything changed). Leaving an unknown
 * group is not an error. Members are listed in join order, so the oldest member is first (a common way to pick a
 * coordinator among members). A process that leaves its last group is demonitored, which the Erlang original left as
 * a TODO.
 */
public final class GroupMachine implements StateMachine<GroupCommand, GroupState>
{
    private final ReleaseCursorPolicy cursorPolicy;

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
            final boolean added = !state.members(join.group()).contains(join.member());
            final GroupState next = added ? state.join(join.group(), join.member()) : state;
            // Monitor even when already a member: a retried join then also repairs a monitor lost in a failover.
            return cursorPolicy.result(meta, next, added, List.of(new Effect.Monitor(join.member())));
        }
        else if (command instanceof GroupCommand.Leave leave)
        {
            if (!state.members(leave.group()).contains(leave.member()))
            {
                return cursorPolicy.result(meta, state, false, List.of());
            }
            final GroupState next = state.leave(leave.group(), leave.member());
            final List<Effect> effects = next.allMembers().contains(leave.member()) ?
                List.of() : List.of(new Effect.Demonitor(leave.member()));
            return cursorPolicy.result(meta, next, true, effects);
        }
        // Unreachable while GroupCommand is sealed to the records above; GroupMachineTest checks every permitted type.
        throw new IllegalStateException("unhandled command " + command);
    }

    @Override
    public ApplyResult<GroupState> applyBuiltin(
        final CommandMeta meta, final BuiltinCommand command, final GroupState state)
    {
        if (command instanceof BuiltinCommand.Down down)
        {
            final ProcessRef process = down.process();
            if (!state.allMembers().contains(process))
            {
                return cursorPolicy.result(meta, state, null, List.of());
            }
            if (down.reason() == DownReason.NOCONNECTION)
            {
                return cursorPolicy.result(meta, state, null, List.of(new Effect.MonitorNode(process.node())));
            }
            return cursorPolicy.result(meta, state.leaveAll(process), null, List.of());
        }
        else if (command instanceof BuiltinCommand.NodeUp nodeUp)
        {
            final List<Effect> effects = new ArrayList<>();
            for (final ProcessRef member : state.allMembers())
            {
                if (member.node().equals(nodeUp.node()))
                {
                    effects.add(new Effect.Monitor(member));
                }
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
        final List<Effect> effects = new ArrayList<>();
        for (final ProcessRef member : state.allMembers())
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
}
