package dev.ra.examples.sessionlock;

import dev.ra.codec.BufferReader;
import dev.ra.codec.BufferWriter;
import dev.ra.codec.Codec;
import dev.ra.codec.CodecException;
import dev.ra.codec.Codecs;
import dev.ra.examples.support.FirstComponentsCodec;
import dev.ra.examples.support.RememberedReplies;
import java.util.List;
import java.util.Map;

/**
 * The codecs of {@link SessionLockMachine} version 4, which had no numbered commands and whose state kept no client
 * sequences, of version 3, which had no {@link SessionLockCommand.ReleaseOnce} and whose
 * state remembered no replies, and of versions 0 to 2, which had no {@link SessionLockCommand.Configure} either and
 * whose state had no grace period: {@link SessionLockState} as those builds wrote it with the generic codec, which
 * writes a record's components with no count ({@code locks, cursorIndex}). Written in the newest shape while the
 * cluster is still at an older version, a snapshot could not be read by a member of the older build, nor the older
 * build's snapshots by this one.
 */
final class OlderVersions
{
    /** Why a {@link SessionLockCommand.Configure} is refused before version 3. */
    static final String CONFIGURE_REFUSAL = "the configure command needs machine version 3 of SessionLockMachine; " +
        "the cluster is at an older version until every member runs a build that has it";
    /** Why a {@link SessionLockCommand.ReleaseOnce} is refused before version 4. */
    static final String RELEASE_ONCE_REFUSAL = "SessionLockCommand.ReleaseOnce needs machine version 4 of " +
        "SessionLockMachine; the cluster is at an older version until every member runs a build that has it";
    /** Why a numbered command is refused before version 5. */
    static final String NUMBERED_REFUSAL = "numbered session lock commands need machine version 5 of " +
        "SessionLockMachine; the cluster is at an older version until every member runs a build that has it";
    /** The command codec of version 4. */
    static final Codec<Object> VERSION_FOUR_COMMANDS = Codecs.refusing(SessionLockCodec.DECLARED,
        command -> command instanceof SessionLockCommand.NumberedAcquire ||
            command instanceof SessionLockCommand.NumberedRelease ||
            command instanceof SessionLockCommand.NumberedCancel, NUMBERED_REFUSAL);
    /** The state codec of version 4: the state's first five components, without the client sequences. */
    static final Codec<SessionLockState> VERSION_FOUR_STATE = new FirstComponentsCodec<>(SessionLockCodec.DECLARED,
        SessionLockState.class, 5, OlderVersions::versionFourState, "SessionLockMachine version 4");
    /** The command codec of version 3. */
    static final Codec<Object> VERSION_THREE_COMMANDS = Codecs.refusing(VERSION_FOUR_COMMANDS,
        SessionLockCommand.ReleaseOnce.class::isInstance, RELEASE_ONCE_REFUSAL);
    /** The state codec of version 3: the state's first four components, without the replies remembered. */
    static final Codec<SessionLockState> VERSION_THREE_STATE = new FirstComponentsCodec<>(SessionLockCodec.DECLARED,
        SessionLockState.class, 4, OlderVersions::versionThreeState, "SessionLockMachine version 3");
    /** The command codec of versions 0 to 2. */
    static final Codec<Object> COMMANDS = Codecs.refusing(VERSION_THREE_COMMANDS,
        command -> command instanceof SessionLockCommand.Configure, CONFIGURE_REFUSAL);
    /** The state codec of versions 0 to 2. */
    static final Codec<SessionLockState> STATE = new StateCodec();

    private OlderVersions()
    {
    }

    @SuppressWarnings("unchecked")
    private static SessionLockState versionFourState(final List<Object> parts)
    {
        return new SessionLockState((Map<String, SessionLockEntry>)parts.get(0), (Long)parts.get(1),
            (Long)parts.get(2), (Map<String, Long>)parts.get(3), (RememberedReplies)parts.get(4));
    }

    @SuppressWarnings("unchecked")
    private static SessionLockState versionThreeState(final List<Object> parts)
    {
        return new SessionLockState((Map<String, SessionLockEntry>)parts.get(0), (Long)parts.get(1),
            (Long)parts.get(2), (Map<String, Long>)parts.get(3));
    }

    private static final class StateCodec implements Codec<SessionLockState>
    {
        private static final String CLASS_NAME = SessionLockState.class.getName();

        private final Codec<Object> generic = SessionLockCodec.DECLARED;
        /** The generic codec's tag of a record, the first byte it writes for one. */
        private final int recordTag = generic.toBytes(SessionLockState.EMPTY)[0];

        @Override
        public void encode(final SessionLockState state, final BufferWriter out)
        {
            out.writeByte(recordTag).writeString(CLASS_NAME);
            generic.encode(state.locks(), out);
            generic.encode(state.cursorIndex(), out);
        }

        @Override
        @SuppressWarnings("unchecked")
        public SessionLockState decode(final BufferReader in)
        {
            final int tag = in.readUnsignedByte();
            final String name = in.readString();
            if (tag != recordTag || !CLASS_NAME.equals(name))
            {
                throw new CodecException("a SessionLockMachine version 0 to 2 state must be a " + CLASS_NAME +
                    " record, got tag " + tag + " and class " + name);
            }
            final Object locks = generic.decode(in);
            final Object cursorIndex = generic.decode(in);
            if (!(locks instanceof Map) || !(cursorIndex instanceof Long))
            {
                throw new CodecException("a SessionLockMachine version 0 to 2 state holds a map of locks and a long " +
                    "cursor index, got " + describe(locks) + " and " + describe(cursorIndex));
            }
            return new SessionLockState((Map<String, SessionLockEntry>)locks, (Long)cursorIndex);
        }

        private static String describe(final Object value)
        {
            return null == value ? "null" : value.getClass().getName();
        }
    }
}
