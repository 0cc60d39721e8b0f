package dev.ra.runtime;

import dev.ra.InvalidCommandException;
import dev.ra.ServerId;
import dev.ra.StateMachine;
import dev.ra.codec.Bytes;
import dev.ra.codec.CodecException;
import dev.ra.protocol.UserCommand;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks a command passes before anything is appended: on the caller's node, and again on the leader for commands
 * arriving from other nodes. Each check returns null when the command passes, else the message for the caller, naming
 * the cluster, what was wrong and the limit; {@link #encode} throws it as an {@link InvalidCommandException}.
 */
final class CommandCheck
{
    private static final Logger LOG = LoggerFactory.getLogger(CommandCheck.class);

    private CommandCheck()
    {
    }

    /**
     * @param cluster of the command.
     * @param command decoded.
     * @return null, or why the command is not of the machine's declared command type.
     */
    static String wrongType(final ClusterInfo cluster, final Object command)
    {
        return wrongType(cluster, cluster.machine, command);
    }

    /**
     * @param cluster of the command.
     * @param machine whose command type the command must be of.
     * @param command decoded.
     * @return null, or why the command is not of the machine's declared command type.
     */
    private static String wrongType(final ClusterInfo cluster, final StateMachine<Object, Object> machine,
        final Object command)
    {
        final Class<?> type;
        try
        {
            type = machine.commandType();
        }
        catch (final RuntimeException ex)
        {
            // Asked on the leader's loop for commands from other nodes: the machine's failure must refuse the command,
            // not stop the leader (and every leader after it).
            return "cluster '" + cluster.clusterName + "': machine " + machine.getClass().getName() +
                " failed in commandType(): " + ex;
        }
        if (null == type)
        {
            return "cluster '" + cluster.clusterName + "': machine " + machine.getClass().getName() +
                " returned null from commandType(), so no command can be checked; it must return its command type " +
                "(Object.class accepts any)";
        }
        // long.class is a Class<? super Long> to the compiler, yet no command is an instance of it: commands are boxed.
        if (type.isInstance(command) || type.isPrimitive() && MethodType.methodType(type).wrap().returnType()
            .isInstance(command))
        {
            return null;
        }
        return "cluster '" + cluster.clusterName + "': a command of type " +
            (null == command ? "null" : command.getClass().getName()) + " is not a " + type.getName() +
            ", the command type of machine " + machine.getClass().getName();
    }

    /**
     * @param cluster  of the command.
     * @param bytes    of the encoded command.
     * @param maxBytes the limit.
     * @return null, or why the command is too large.
     */
    static String tooLarge(final ClusterInfo cluster, final long bytes, final int maxBytes)
    {
        if (bytes <= maxBytes)
        {
            return null;
        }
        return "cluster '" + cluster.clusterName + "': a command of " + bytes + " bytes (encoded) exceeds the " +
            "maximum command size of " + maxBytes + " bytes (RaSystemBuilder.maxCommandBytes, at most half the " +
            "transport's message limit)";
    }

    /**
     * Check a command on the caller's node and encode it with its machine's command codec, on the caller's thread.
     *
     * @param cluster  of the command.
     * @param command  to encode.
     * @param maxBytes the limit.
     * @return the command with both forms.
     * @throws InvalidCommandException if it is not of the machine's command type, or too large once encoded.
     */
    static UserCommand encode(final ClusterInfo cluster, final Object command, final int maxBytes)
    {
        final String wrongType = wrongType(cluster, command);
        if (null != wrongType)
        {
            throw new InvalidCommandException(wrongType);
        }
        final Bytes data;
        try
        {
            data = Bytes.wrap(cluster.machine.commandCodec().toBytes(command));
        }
        catch (final CodecException ex)
        {
            throw new InvalidCommandException("cluster '" + cluster.clusterName + "': the command cannot be encoded " +
                "with the command codec of machine " + cluster.machine.getClass().getName() + ": " + ex.getMessage());
        }
        final UserCommand encoded = UserCommand.of(command, data);
        final String tooLarge = tooLarge(cluster, encoded.dataIfEncoded().length(), maxBytes);
        if (null != tooLarge)
        {
            throw new InvalidCommandException(tooLarge);
        }
        return encoded;
    }

    /**
     * A leader checks a command BEFORE appending it, as the caller's node did (a caller on another node may run other
     * code): bytes the machine cannot decode, a command of another type than the machine's, or one above the maximum
     * command size would otherwise become an entry every member fails to apply, or one that cannot be replicated.
     *
     * <p>The machine is the one of the version the command is applied with, which every member decodes its bytes
     * with: the version in force, or the newer one a switch appended and not yet applied moves to (the command sits
     * after it in the log). During a rolling upgrade, the command of a caller of the older build is what that version
     * reads, and the command of a caller of this build is what that version's codec makes of its bytes (not the
     * caller's object). The decoded value is cached in the command, so applying it later costs nothing more, only
     * when the machine is this build's newest: a value decoded by an older version's codec must not be applied by a
     * newer one after a switch.
     *
     * @param cluster   of the command.
     * @param appliedBy the machine of the version the command is applied with if appended now.
     * @param version   that version.
     * @param command   as received.
     * @param maxBytes  the limit.
     * @param leader    checking it, for the log.
     * @return null if the command may be appended, else why not.
     */
    static String leaderRefusal(final ClusterInfo cluster, final StateMachine<Object, Object> appliedBy,
        final int version, final UserCommand command, final int maxBytes, final ServerId leader)
    {
        final boolean newest = appliedBy == cluster.machine;
        final Bytes data;
        try
        {
            data = command.data(appliedBy.commandCodec());
        }
        catch (final RuntimeException ex)
        {
            return "cluster '" + cluster.clusterName + "': the command cannot be encoded with " +
                codecName(appliedBy, newest, version) + ": " + ex.getMessage();
        }
        final Object value;
        try
        {
            value = newest ? command.value(appliedBy.commandCodec()) : command.decodedWith(appliedBy.commandCodec());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: refusing a command whose bytes do not decode: {}", leader, ex.toString());
            return "cluster '" + cluster.clusterName + "': the command's bytes do not decode with " +
                codecName(appliedBy, newest, version) + ": " + ex.getMessage();
        }
        final String wrongType = wrongType(cluster, appliedBy, value);
        if (null != wrongType)
        {
            return wrongType;
        }
        return tooLarge(cluster, data.length(), maxBytes);
    }

    /** Named only for a refusal: built for every command, the string would cost the leader's path an allocation. */
    private static String codecName(final StateMachine<Object, Object> appliedBy, final boolean newest,
        final int version)
    {
        return "the command codec of machine " + appliedBy.getClass().getName() +
            (newest ? "" : " (machine version " + version + ", which the cluster applies commands appended now with)");
    }
}
