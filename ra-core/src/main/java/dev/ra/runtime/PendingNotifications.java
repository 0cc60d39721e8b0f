package dev.ra.runtime;

import dev.ra.CommandFailedException;
import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.core.MachineFailure;
import dev.ra.core.RaftAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The "applied" notifications a server owes pipelining processes for the batch in progress, sent together at the
 * batch's end: one {@link RaEvent.Applied} per process and machine version (its replies are encoded with the reply
 * codec of the version that applied them), in the order applied, as versions only go up. Confined to the server's
 * loop.
 */
final class PendingNotifications
{
    private final ServerId server;
    private final MessageRouter router;
    /** The machine of a version this member applied with, whose codecs write what the builds of that version read. */
    private final IntFunction<StateMachine<Object, Object>> machineOf;
    private final Map<Notified, List<RaEvent.Correlated>> pending = new LinkedHashMap<>();

    /** A process to notify of commands applied with one machine version. */
    private record Notified(ProcessRef to, int machineVersion)
    {
    }

    /**
     * @param server    that owes them.
     * @param router    sends them.
     * @param machineOf the machine of a version the server applied with.
     */
    PendingNotifications(final ServerId server, final MessageRouter router,
        final IntFunction<StateMachine<Object, Object>> machineOf)
    {
        this.server = server;
        this.router = router;
        this.machineOf = machineOf;
    }

    /**
     * A command was applied (or {@code apply} threw) for a process that asked to hear of it.
     */
    void applied(final RaftAction.NotifyApplied notify)
    {
        final Object reply = notify.reply() instanceof MachineFailure failure ?
            new CommandFailedException(failure.exceptionClass(), failure.message(), failure.index()) : notify.reply();
        add(notify.to(), notify.machineVersion(), new RaEvent.Correlated(notify.correlation(), reply));
    }

    /**
     * @param to             the process to tell.
     * @param machineVersion the version in force.
     * @param outcome        of its command (a reply, or the failure in its place).
     */
    void add(final ProcessRef to, final int machineVersion, final RaEvent.Correlated outcome)
    {
        pending.computeIfAbsent(new Notified(to, machineVersion), k -> new ArrayList<>()).add(outcome);
    }

    /**
     * The batch ended: send what it owes.
     */
    void send()
    {
        if (pending.isEmpty())
        {
            return;
        }
        for (final Map.Entry<Notified, List<RaEvent.Correlated>> e : pending.entrySet())
        {
            router.notifyApplied(e.getKey().to(), server, machineOf.apply(e.getKey().machineVersion()), e.getValue());
        }
        pending.clear();
    }
}
