package dev.ra;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import java.util.List;
import java.util.Map;

/**
 * A replicated state machine: the application's logic, applied in log order on every member of a cluster.
 *
 * <p>{@link #apply} MUST be a pure, deterministic function of its arguments: no clocks (use
 * {@link CommandMeta#systemTimeMs()}), no randomness, no I/O, no mutation of the previous state that is still
 * referenced. Side effects are returned as {@link Effect} data and run by the runtime. It runs on every member, once
 * per committed entry, and again during replay after a restart. An exception it throws is part of that function: with
 * the default {@link ApplyFailureMode#FAIL_COMMAND} it becomes the command's outcome on every member (the state is
 * left unchanged), so it too must depend on nothing but the arguments.
 *
 * <p><b>Note:</b> determinism includes iteration order. {@code Map.of}, {@code Set.of} (and {@code HashMap} and
 * {@code HashSet} of keys without a stable hash) iterate in an order that varies from one JVM to another, because
 * {@code Map.of}/{@code Set.of} salt their layout per JVM run. Members run in different JVMs, and a restarted member
 * in a new one, so such iteration MUST NOT decide the order of effects, replies or any state derived from it: keep
 * insertion-ordered collections ({@code LinkedHashMap}, {@code List}) in the state, or sort before iterating.
 *
 * <p>Commands, replies, messages and the state cross the network and go to disk, so the machine declares their
 * {@link Codec}s. The defaults use {@link Codecs#generic()}, which handles strings, numbers, booleans, byte arrays,
 * lists, maps, sets, {@link ProcessRef}s, {@link ServerId}s, enums, and records made of these; machines with other
 * types override them. It finds an enum or record by the class name the bytes hold, any on the class path; a machine
 * whose commands come from nodes it does not fully trust can limit them with {@link Codecs#generic(Class[])}.
 *
 * <p>A command MUST be an immutable value that its codec decodes to an equal one: the leader's node applies the object
 * its caller passed (it does not decode what it encoded, which would cost every command a decode), while the other
 * members, and the leader itself when it replays after a restart, apply what the codec makes of the bytes. A command
 * the caller changes after the call (a mutable list in it), or whose codec drops or alters a part, would make the
 * leader's state differ from its followers'.
 *
 * <p>A machine instance is shared by the members of its cluster that live on one node and may be called from
 * several event loops at once, so it must be stateless (all state lives in {@code S}).
 *
 * @param <C> the command type.
 * @param <S> the state type; treat it as immutable.
 */
public interface StateMachine<C, S>
{
    /**
     * The initial state, used when the server has no snapshot.
     *
     * @param args naming the cluster and server the state is for.
     * @return the initial state.
     */
    S init(InitArgs args);

    /**
     * Apply a committed command.
     *
     * @param meta    of the entry: index, term and leader time.
     * @param command to apply.
     * @param state   before the command.
     * @return the new state, the reply and the effects.
     */
    ApplyResult<S> apply(CommandMeta meta, C command, S state);

    /**
     * Apply a command Ra appended on the machine's behalf ({@link BuiltinCommand.Down}, {@link BuiltinCommand.NodeUp},
     * {@link BuiltinCommand.NodeDown}, {@link BuiltinCommand.Timeout}), or the switch to a new machine version
     * ({@link BuiltinCommand.MachineVersionChanged}, seen by the new version's machine). The default ignores it.
     *
     * @param meta    of the entry.
     * @param command that happened.
     * @param state   before the command.
     * @return the new state and effects (the reply is ignored).
     */
    default ApplyResult<S> applyBuiltin(final CommandMeta meta, final BuiltinCommand command, final S state)
    {
        return ApplyResult.of(state);
    }

    /**
     * Called on every member each time it enters a role other than {@link RaftRole#RECOVERING} (whose effects would be
     * discarded), with the current state. The canonical use is to re-issue
     * monitors and timers on entering {@link RaftRole#LEADER}. Always tolerate roles you do not care about.
     *
     * @param role  just entered.
     * @param state of the machine.
     * @return effects to run (leader-only effects are dropped unless {@code role} is LEADER).
     */
    default List<Effect> stateEnter(final RaftRole role, final S state)
    {
        return List.of();
    }

    /**
     * Called periodically on the LEADER only, every {@link RaSystemBuilder#tickInterval tick interval} of its node.
     *
     * @param nowMs wall-clock milliseconds on the leader.
     * @param state of the machine.
     * @return effects to run.
     */
    default List<Effect> tick(final long nowMs, final S state)
    {
        return List.of();
    }

    /**
     * A cheap summary of the state, shown in {@link ServerOverview}.
     *
     * @param state of the machine.
     * @return a small map of facts; a null key or value is left out (a fact not known).
     */
    default Map<String, Object> overview(final S state)
    {
        return Map.of();
    }

    /**
     * The highest version of the machine's logic this build supports (Ra's machine version). A cluster runs one
     * EFFECTIVE version at a time, the same on every member at every index: it starts at 0 (or the version of the
     * snapshot a member starts from) and changes only when a leader's noop entry carrying a higher version is applied,
     * so all members switch at the same index. A leader appends such a noop once every voter runs a build that
     * supports the version (see docs/UPGRADES.md, "Machine versions"). Each entry is applied through
     * {@link #machineFor} of the effective version, which {@link CommandMeta#machineVersion()} reports; at the switch
     * the new version's machine sees {@link BuiltinCommand.MachineVersionChanged} and may migrate its state.
     *
     * <p>A member whose log (or an incoming snapshot) needs a version above this one stops applying with a clear error,
     * shown in its {@link ServerOverview#machineVersion()}, and keeps its log until a newer build is started on it.
     *
     * @return the highest supported version, 0 by default (an unversioned machine never switches).
     */
    default int version()
    {
        return 0;
    }

    /**
     * The logic of an older version this build still supports (Ra's {@code which_module/1}): the machine through
     * which the core applies entries, enters roles, ticks, overviews and encodes and decodes the state while
     * {@code version} is the cluster's effective version. Called with every version from 0 to {@link #version()}; the
     * default answers this machine for all of them (the same logic whatever the version). A machine whose logic
     * changed returns an instance of its previous implementation for the versions before the change; its
     * {@link #stateCodec()} decodes the snapshots written at that version.
     *
     * @param version from 0 to {@link #version()}.
     * @return the machine that runs that version; never null.
     */
    default StateMachine<C, S> machineFor(final int version)
    {
        return this;
    }

    /**
     * The type every command must have. Callers check it before a command is encoded or sent, and a leader checks it
     * again for commands arriving from other nodes, so a command of another type is refused with an
     * {@link InvalidCommandException} instead of reaching {@link #apply} as a {@code ClassCastException}. The default
     * accepts any object; machines should return their command type (a sealed interface, say).
     *
     * @return the command type.
     */
    default Class<? super C> commandType()
    {
        return Object.class;
    }

    /**
     * How commands are encoded for the log and the network.
     *
     * @return the command codec.
     */
    @SuppressWarnings("unchecked")
    default Codec<C> commandCodec()
    {
        return (Codec<C>)Codecs.generic();
    }

    /**
     * How the state is encoded in snapshots.
     *
     * @return the state codec.
     */
    @SuppressWarnings("unchecked")
    default Codec<S> stateCodec()
    {
        return (Codec<S>)Codecs.generic();
    }

    /**
     * How replies are encoded when the caller is on another node.
     *
     * @return the reply codec.
     */
    default Codec<Object> replyCodec()
    {
        return Codecs.generic();
    }

    /**
     * How {@link Effect.SendMsg} messages are encoded when the process is on another node.
     *
     * @return the message codec.
     */
    default Codec<Object> messageCodec()
    {
        return Codecs.generic();
    }

    /**
     * Answer a query declared by name: the form of query that works from any node, including one that hosts no member
     * of the cluster, because only the name and an encoded argument travel ({@link RaSystem#namedQuery}). Query
     * functions ({@code localQuery}, {@code consistentQuery}) are code and run on a member of the caller's node only.
     * Must not modify the state. The default knows no query.
     *
     * @param name     of the query, as the machine documents it.
     * @param argument decoded with {@link #queryCodec()}, possibly null.
     * @param state    to read.
     * @return the result, encoded with {@link #queryCodec()} when the caller is on another node.
     * @throws IllegalArgumentException for an unknown name or a bad argument.
     */
    default Object query(final String name, final Object argument, final S state)
    {
        throw new IllegalArgumentException("machine " + getClass().getName() + " declares no query named '" + name +
            "'");
    }

    /**
     * How the arguments and results of {@link #query named queries} are encoded between nodes.
     *
     * @return the query codec.
     */
    default Codec<Object> queryCodec()
    {
        return Codecs.generic();
    }
}
