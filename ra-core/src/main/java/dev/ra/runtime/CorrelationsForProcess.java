package dev.ra.runtime;

import dev.ra.ProcessRef;
import dev.ra.RaEvent;
import dev.ra.codec.CodecException;
import dev.ra.protocol.EncodedCorrelation;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the correlations a transport carried as bytes ({@link EncodedCorrelation}) when, and only when, an event
 * holding them reaches a process that exists on this node: the leader's node, which only sends them back, and a node
 * given an event for a process it does not have never build what bytes from another node name.
 */
final class CorrelationsForProcess
{
    private static final Logger LOG = LoggerFactory.getLogger(CorrelationsForProcess.class);

    private CorrelationsForProcess()
    {
    }

    /**
     * @param to      the process, which exists.
     * @param message for it.
     * @return the message with its correlations built; one that does not decode here stays as its bytes (the
     *     process is told of its command rather than left waiting), with a warning.
     */
    static Object built(final ProcessRef to, final Object message)
    {
        if (message instanceof RaEvent.Applied applied && holdsEncoded(applied))
        {
            final List<RaEvent.Correlated> built = new ArrayList<>(applied.applied().size());
            for (final RaEvent.Correlated c : applied.applied())
            {
                built.add(new RaEvent.Correlated(correlation(to, c.correlation()), c.reply()));
            }
            return new RaEvent.Applied(applied.leader(), built);
        }
        if (message instanceof RaEvent.Rejected rejected && rejected.correlation() instanceof EncodedCorrelation)
        {
            return new RaEvent.Rejected(rejected.from(), rejected.leaderHint(),
                correlation(to, rejected.correlation()));
        }
        return message;
    }

    private static boolean holdsEncoded(final RaEvent.Applied applied)
    {
        for (final RaEvent.Correlated c : applied.applied())
        {
            if (c.correlation() instanceof EncodedCorrelation)
            {
                return true;
            }
        }
        return false;
    }

    private static Object correlation(final ProcessRef to, final Object correlation)
    {
        if (!(correlation instanceof EncodedCorrelation encoded))
        {
            return correlation;
        }
        try
        {
            return encoded.decode();
        }
        catch (final CodecException ex)
        {
            LOG.warn("a correlation for process {} does not decode on this node, so it is given as its bytes {}: {}",
                to, encoded.encoded(), ex.getMessage());
            return encoded;
        }
    }
}
