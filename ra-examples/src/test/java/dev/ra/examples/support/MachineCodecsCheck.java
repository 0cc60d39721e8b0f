package dev.ra.examples.support;

import dev.ra.Effect;
import dev.ra.StateMachine;
import dev.ra.codec.Codec;
import java.util.Arrays;
import java.util.List;

/**
 * What a machine under test applies and produces must travel in its own codecs, as it does between members and to
 * callers on other nodes: the command in its command codec, the reply in its reply codec, a message in its message
 * codec, an appended command in its command codec and a release cursor's state in its state codec. Each is encoded,
 * decoded and encoded again to the same bytes; a value a machine's (declared) codec cannot carry fails the test
 * that made it, naming it.
 */
final class MachineCodecsCheck
{
    /** What a declared generic codec says of a type it does not declare. */
    private static final String UNDECLARED = "is not among the enum and record types this codec declares";

    private MachineCodecsCheck()
    {
    }

    @SuppressWarnings("unchecked")
    static <C, S> void travels(final StateMachine<C, S> machine, final C command, final Object reply,
        final List<Effect> effects)
    {
        if (null != command)
        {
            try
            {
                roundTrip("command", (Codec<Object>)machine.commandCodec(), command);
            }
            catch (final AssertionError ex)
            {
                // A test may apply to an older version a command its codec refuses, to see its apply refuse it too:
                // only a type the codec does not declare is a fault of the machine's codec.
                if (String.valueOf(ex.getMessage()).contains(UNDECLARED))
                {
                    throw ex;
                }
            }
        }
        if (null != reply)
        {
            roundTrip("reply", machine.replyCodec(), reply);
        }
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.SendMsg send)
            {
                roundTrip("message", machine.messageCodec(), send.message());
            }
            else if (effect instanceof Effect.Append append)
            {
                roundTrip("appended command", (Codec<Object>)machine.commandCodec(), append.command());
            }
            else if (effect instanceof Effect.ReleaseCursor cursor)
            {
                roundTrip("release cursor state", (Codec<Object>)machine.stateCodec(), cursor.state());
            }
        }
    }

    private static void roundTrip(final String what, final Codec<Object> codec, final Object value)
    {
        final byte[] bytes;
        final byte[] again;
        try
        {
            bytes = codec.toBytes(value);
            again = codec.toBytes(codec.fromBytes(bytes));
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("the " + what + " " + value + " does not travel in the machine's codec: " + ex,
                ex);
        }
        if (!Arrays.equals(bytes, again))
        {
            throw new AssertionError("the " + what + " " + value + " is not read back as written by the machine's " +
                "codec");
        }
    }
}
