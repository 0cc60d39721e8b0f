package dev.ra.examples.txn;

import dev.ra.codec.Codec;
import dev.ra.codec.Codecs;

/**
 * The codecs of {@link CoordinatorMachine}'s and {@link ParticipantMachine}'s commands, replies, messages, named
 * queries and snapshots: the generic codec declared to each machine's types ({@link Codecs#generic(Class[])}), which
 * reads and writes the same bytes as the unrestricted one for them and refuses any other enum or record class, before
 * loading it, with a {@link dev.ra.codec.CodecException} naming it. A command naming another class is so refused to
 * its caller by the leader, and never reaches the log.
 */
final class TxnCodecs
{
    /** The coordinator's; made once: the runtime asks for a machine's codecs with every command. */
    static final Codec<Object> COORDINATOR = Codecs.generic(CoordinatorCommand.class, CoordinatorState.class,
        TxStatus.class, TransferResult.class, TransferFinished.class, DriverSignal.class, Refused.class);
    /** The participants'. */
    static final Codec<Object> PARTICIPANT = Codecs.generic(ParticipantCommand.class, ParticipantState.class,
        Vote.class, Refused.class, Account.class, Change.class);

    private TxnCodecs()
    {
    }
}
