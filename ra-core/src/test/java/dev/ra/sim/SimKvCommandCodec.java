package dev.ra.sim;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;

/**
 * The command codec of one machine version of a versioned {@link SimKv}: each version writes its number first and
 * reads nothing another version wrote. Real machines keep their versions' codecs compatible; this one is the
 * strictest on purpose, so that bytes applied with another version's codec than the one that wrote them (a leader
 * encoding a command with the version in force while a switch it appended puts the command after it) fail to decode
 * on every member that decodes them, which the simulation reports, while a leader that applies the caller's object
 * would go on: either way the run fails.
 *
 * @param version whose bytes it writes and reads.
 */
record SimKvCommandCodec(int version) implements Codec<SimKv.Command>
{
    private static final int PUT = 1;
    private static final int CAS = 2;
    private static final int AUDIT = 3;

    @Override
    public void encode(final SimKv.Command command, final BufferWriter out)
    {
        out.writeByte(version);
        if (command instanceof SimKv.Put put)
        {
            out.writeByte(PUT).writeString(put.key()).writeString(put.value());
        }
        else if (command instanceof SimKv.Cas cas)
        {
            out.writeByte(CAS).writeString(cas.key()).writeBoolean(null != cas.expected());
            if (null != cas.expected())
            {
                out.writeString(cas.expected());
            }
            out.writeString(cas.value());
        }
        else
        {
            out.writeByte(AUDIT).writeVarLong(((SimKv.Audit)command).after());
        }
    }

    @Override
    public SimKv.Command decode(final BufferReader in)
    {
        final int written = in.readUnsignedByte();
        if (written != version)
        {
            throw new CodecException("a command written by machine version " + written + " read with the codec of " +
                "version " + version);
        }
        final int kind = in.readUnsignedByte();
        return switch (kind)
        {
            case PUT -> new SimKv.Put(in.readString(), in.readString());
            case CAS ->
            {
                final String key = in.readString();
                final String expected = in.readBoolean() ? in.readString() : null;
                yield new SimKv.Cas(key, expected, in.readString());
            }
            case AUDIT -> new SimKv.Audit(in.readVarLong());
            default -> throw new CodecException("unknown command kind " + kind);
        };
    }
}
