package dev.ra.examples.latch;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The codec of {@link LatchMachine}'s commands, replies, messages, named queries and snapshots, at every machine
 * version: the generic codec declared to the machine's types ({@link Codecs#generic(Class[])}), which reads and writes
 * the same bytes as the unrestricted one for them and refuses any other enum or record class, before loading it, with
 * a {@link dev.ra.codec.CodecException} naming it. A command naming another class is so refused to its caller by the
 * leader, and never reaches the log. Every type the log and the snapshots of every version hold is reachable from
 * these (the golden transcripts of the older versions prove it).
 */
final class LatchCodec
{
    /** Made once: the runtime asks for a machine's codecs with every command. */
    static final Codec<Object> DECLARED = Codecs.generic(LatchCommand.class, LatchReply.class, BarrierReply.class,
        LatchState.class, LatchOpened.class, BarrierTripped.class, BarrierBroken.class, EndedGeneration.class);

    private LatchCodec()
    {
    }
}
