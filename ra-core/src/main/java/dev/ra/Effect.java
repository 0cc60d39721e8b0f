package dev.ra;

import java.util.Objects;

/**
 * Side effects a machine asks for, returned as data from {@link StateMachine#apply}, {@link StateMachine#applyBuiltin},
 * {@link StateMachine#stateEnter} and {@link StateMachine#tick}, and executed by the runtime.
 *
 * <p><b>Who runs them.</b> Unless stated otherwise an effect is run only by the LEADER that first applies the entry;
 * followers drop it. Effects produced while a server replays its log after a restart are discarded. Monitors and
 * timers belong to the leader that set them and are dropped when it stops being leader: a machine re-issues them in
 * {@code stateEnter(LEADER, state)}.
 *
 * <p><b>Delivery.</b> Effects are at-least-once at best: a leader change or the failure of every member may run an
 * effect twice, and a message to an unreachable process is silently dropped. Design effects and the machines that
 * emit them with idempotency in mind (correlation ids, re-sends).
 */
public sealed interface Effect
{
    /**
     * Send a message to a process, without blocking; dropped silently if it cannot be delivered. Leader only.
     *
     * @param to      the process to send to.
     * @param message to send; encoded with the machine's {@link StateMachine#messageCodec()} when it crosses nodes.
     */
    record SendMsg(ProcessRef to, Object message) implements Effect
    {
        /**
         * Requires the process and the message (not null).
         */
        public SendMsg
        {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Watch a process: when it ends, or its node becomes unreachable, the leader appends
     * {@link BuiltinCommand.Down}. Monitoring a process that does not exist yields {@link DownReason#NOPROC}.
     * Monitoring a process twice is the same as once. Leader only; dropped on loss of leadership.
     *
     * @param process to watch.
     */
    record Monitor(ProcessRef process) implements Effect
    {
        /**
         * Requires the process (not null).
         */
        public Monitor
        {
            Objects.requireNonNull(process, "process");
        }
    }

    /**
     * Stop watching a process. Run by any member (a no-op where there is no such monitor).
     *
     * @param process to stop watching.
     */
    record Demonitor(ProcessRef process) implements Effect
    {
        /**
         * Requires the process (not null).
         */
        public Demonitor
        {
            Objects.requireNonNull(process, "process");
        }
    }

    /**
     * Watch a node: its state when the watch is set, then each change of its reachability, is appended as
     * {@link BuiltinCommand.NodeUp} or {@link BuiltinCommand.NodeDown}. Watching a node already watched adds nothing.
     * Leader only; dropped on loss of leadership.
     *
     * @param node to watch.
     */
    record MonitorNode(String node) implements Effect
    {
        /**
         * Requires a node id of 1 to 255 characters without whitespace, control characters or {@code @}.
         */
        public MonitorNode
        {
            Names.requireValid(node, "node id");
        }
    }

    /**
     * Stop watching a node. Run by any member.
     *
     * @param node to stop watching.
     */
    record DemonitorNode(String node) implements Effect
    {
        /**
         * Requires a node id of 1 to 255 characters without whitespace, control characters or {@code @}.
         */
        public DemonitorNode
        {
            Names.requireValid(node, "node id");
        }
    }

    /**
     * Start, or restart, a named timer on the leader; when it expires the leader appends
     * {@link BuiltinCommand.Timeout}. Setting a timer with a name already in use resets it. Leader only; lost when the
     * leader changes, so machines re-arm timers in {@code stateEnter(LEADER, state)}.
     *
     * @param name    of the timer.
     * @param delayMs until it expires, at least 0.
     */
    record Timer(String name, long delayMs) implements Effect
    {
        /**
         * Requires the name (not null, and one UTF-8 carries: it is appended with the timeout) and a delay of at
         * least 0.
         */
        public Timer
        {
            Names.requireEncodable(name, "timer name");
            if (delayMs < 0)
            {
                throw new IllegalArgumentException("timer delay must be >= 0, got " + delayMs);
            }
        }
    }

    /**
     * Cancel a named timer; a no-op if it is not running. Leader only.
     *
     * @param name of the timer.
     */
    record CancelTimer(String name) implements Effect
    {
        /**
         * Requires the name (not null, and one UTF-8 carries).
         */
        public CancelTimer
        {
            Names.requireEncodable(name, "timer name");
        }
    }

    /**
     * Run application code on the leader's node: the handler registered under {@code handler} with
     * {@link RaSystemBuilder#modCallHandler} is called with the argument, on the server's event loop. It must not
     * block; an exception it throws is logged and does not affect the server. Leader only. This is Ra's
     * {@code mod_call}, expressed as data so effects stay comparable and printable.
     *
     * @param handler  name of the registered handler.
     * @param argument passed to the handler.
     */
    record ModCall(String handler, Object argument) implements Effect
    {
        /**
         * Requires the handler name (not null); the argument may be null.
         */
        public ModCall
        {
            Objects.requireNonNull(handler, "handler");
        }
    }

    /**
     * A hint that the machine state at {@code index} is a snapshot point: the server may write {@code state} as a
     * snapshot and drop the log at and below {@code index}. Run by EVERY member. Taken only when it is far enough
     * above the previous snapshot ({@code minSnapshotInterval}).
     *
     * @param index up to which the state includes every command.
     * @param state of the machine right after applying {@code index}; must not be mutated afterwards.
     */
    record ReleaseCursor(long index, Object state) implements Effect
    {
        /**
         * Requires a positive index and a state (not null).
         */
        public ReleaseCursor
        {
            if (index <= 0)
            {
                throw new IllegalArgumentException("release cursor index must be positive, got " + index);
            }
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * Append a new command to the log, as if a client had sent it (no reply). Leader only.
     *
     * @param command to append.
     */
    record Append(Object command) implements Effect
    {
        /**
         * Requires the command (not null).
         */
        public Append
        {
            Objects.requireNonNull(command, "command");
        }
    }
}
