package dev.ra.examples.support;

import dev.ra.CommandOutcomeUnknownException;
import dev.ra.InvalidCommandException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a toolbox client makes a numbered call ({@link ClientSequences}): it takes a number of the JVM's shared
 * {@link CommandNumbering} for the whole call, sends the numbered command with it as
 * {@link ClusterClient#newerCommand} does (retried when an attempt's outcome is unknown), and reads the reply with
 * {@link CommandNumbering#replyOf}. A cluster at a machine version older than the numbered command refuses it before
 * the log; the call then does what the client did before that version, once the number is given back (so that the
 * client's later calls do not wait on it). Thread-safe.
 */
public final class NumberedCalls
{
    private final ClusterClient cluster;
    private final CommandNumbering numbering;

    /**
     * Calls numbered by the JVM's {@link CommandNumbering#shared() shared numbering}.
     *
     * @param cluster to send the calls to.
     */
    public NumberedCalls(final ClusterClient cluster)
    {
        this(cluster, CommandNumbering.shared());
    }

    /**
     * @param cluster   to send the calls to.
     * @param numbering to number them with.
     */
    public NumberedCalls(final ClusterClient cluster, final CommandNumbering numbering)
    {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.numbering = Objects.requireNonNull(numbering, "numbering");
    }

    /**
     * Make one numbered call.
     *
     * @param what         the call is, for the error when the cluster no longer knew it ("lock call").
     * @param numbered     the numbered command, made from the call's number; made once, and every attempt sends it.
     * @param olderCluster the call on a cluster that refused the numbered command before the log (at a machine
     *                     version without it): the command that version takes, sent as before it.
     * @param <R>          the reply type.
     * @return the reply.
     * @throws CommandOutcomeUnknownException when the cluster no longer knew the call when an attempt of it came (the
     *                                        reply was {@link StaleCommand}), or refused it after an attempt whose
     *                                        outcome is unknown ({@link ClusterClient#newerCommand}).
     */
    public <R> R send(final String what, final Function<CommandNumber, ?> numbered, final Supplier<R> olderCluster)
    {
        return send(what, numbered, olderCluster, cluster.deadline());
    }

    /**
     * Make one numbered call within a deadline the caller already holds (see
     * {@link ClusterClient#command(Object, boolean, long)}).
     *
     * @param what         the call is, for the error when the cluster no longer knew it ("lock call").
     * @param numbered     the numbered command, made from the call's number; made once, and every attempt sends it.
     * @param olderCluster the call on a cluster that refused the numbered command before the log (at a machine
     *                     version without it): the command that version takes, sent as before it.
     * @param deadline     in {@link System#nanoTime()} terms, as {@link ClusterClient#deadline()} gives.
     * @param <R>          the reply type.
     * @return the reply.
     * @throws CommandOutcomeUnknownException as {@link #send(String, Function, Supplier)} says.
     */
    public <R> R send(final String what, final Function<CommandNumber, ?> numbered, final Supplier<R> olderCluster,
        final long deadline)
    {
        try (CommandNumbering.Call call = numbering.start())
        {
            return CommandNumbering.replyOf(cluster.newerCommand(numbered.apply(call.number()), deadline), what,
                cluster.lastKnownLeader());
        }
        catch (final InvalidCommandException olderMachineVersion)
        {
            return olderCluster.get();
        }
    }
}
