package dev.ra.examples.lease;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.examples.watch.WatchCommand;

/**
 * The command codec of {@link LeasedKvMachine} versions 0 and 1: the generic codec, refusing
 * {@link WatchCommand.CancelOwn}, which those versions did not have. A leader whose cluster is still at one of them
 * checks every command with it, so such a command is refused to its caller ({@link dev.ra.InvalidCommandException},
 * on which {@link dev.ra.examples.watch.Watcher} sends {@link WatchCommand.Cancel} instead) rather than reaching a
 * log that members of an older build cannot decode.
 */
final class VersionOneCommands implements Codec<Object>
{
    /** The codec. */
    static final VersionOneCommands CODEC = new VersionOneCommands();
    /** Why an owner-checked cancel is refused before version 2. */
    static final String REFUSAL = "WatchCommand.CancelOwn needs machine version 2 of LeasedKvMachine; the cluster is " +
        "at an older version until every member runs a build that has it (send WatchCommand.Cancel meanwhile)";

    private final Codec<Object> generic = Codecs.generic();

    private VersionOneCommands()
    {
    }

    @Override
    public void encode(final Object value, final BufferWriter out)
    {
        if (value instanceof WatchCommand.CancelOwn)
        {
            throw new CodecException(REFUSAL);
        }
        generic.encode(value, out);
    }

    @Override
    public Object decode(final BufferReader in)
    {
        final Object value = generic.decode(in);
        if (value instanceof WatchCommand.CancelOwn)
        {
            throw new CodecException(REFUSAL);
        }
        return value;
    }
}
