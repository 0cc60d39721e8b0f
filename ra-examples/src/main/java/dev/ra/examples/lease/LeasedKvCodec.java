package dev.ra.examples.lease;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.support.StaleCommand;
import dev.ra.examples.watch.EventType;
import dev.ra.examples.watch.WatchCommand;
import dev.ra.examples.watch.WatchNotification;
import dev.ra.examples.watch.WatchReply;

/**
 * The codec of {@link LeasedKvMachine}'s commands, replies, messages, named queries and snapshots, at every machine
 * version: the generic codec declared to the machine's types ({@link Codecs#generic(Class[])}), which reads and writes
 * the same bytes as the unrestricted one for them and refuses any other enum or record class, before loading it, with
 * a {@link dev.ra.codec.CodecException} naming it. A command naming another class is so refused to its caller by the
 * leader, and never reaches the log. Every type the log and the snapshots of every version hold is reachable from
 * these (the golden transcripts of the older versions prove it).
 */
final class LeasedKvCodec
{
    /** Made once: the runtime asks for a machine's codecs with every command. */
    static final Codec<Object> DECLARED = Codecs.generic(LeasedKvCommand.class, SessionCommand.class,
        WatchCommand.class, LeasedKvReply.class, SessionReply.class, WatchReply.class, WatchNotification.class,
        LeasedKvState.class, EventType.class, KeepAliveMessage.class, LessorCall.class, StaleCommand.class);

    private LeasedKvCodec()
    {
    }
}
