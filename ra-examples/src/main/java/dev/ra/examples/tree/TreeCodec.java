package dev.ra.examples.tree;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;
import dev.ra.examples.lease.KeepAliveMessage;
import dev.ra.examples.lease.LessorCall;
import dev.ra.examples.lease.SessionCommand;
import dev.ra.examples.lease.SessionReply;
import dev.ra.examples.support.StaleCommand;

/**
 * The codec of {@link TreeMachine}'s commands, replies, messages, named queries and snapshots, at every machine
 * version: the generic codec declared to the machine's types ({@link Codecs#generic(Class[])}), which reads and writes
 * the same bytes as the unrestricted one for them and refuses any other enum or record class, before loading it, with
 * a {@link dev.ra.codec.CodecException} naming it. A command naming another class is so refused to its caller by the
 * leader, and never reaches the log. Every type the log and the snapshots of every version hold is reachable from
 * these (the golden transcripts of the older versions prove it).
 */
final class TreeCodec
{
    /** Made once: the runtime asks for a machine's codecs with every command. */
    static final Codec<Object> DECLARED = Codecs.generic(TreeCommand.class, NumberedWrite.class, SessionCommand.class,
        TreeReply.class, SessionReply.class, TreeState.class, TreeWatchMessage.class, TreeEventType.class,
        KeepAliveMessage.class, LessorCall.class, StaleCommand.class);

    private TreeCodec()
    {
    }
}
