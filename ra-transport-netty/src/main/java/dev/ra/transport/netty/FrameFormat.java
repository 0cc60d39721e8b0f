package dev.ra.transport.netty;

import dev.ra.codec.BufferWriter;
import dev.ra.protocol.NodeMessage;

/**
 * The frame layout shared by both directions of a connection:
 *
 * <pre>
 *   u32 length   (of what follows, at most the configured maximum frame size plus the two header bytes)
 *   u8  version  ({@link #VERSION})
 *   u8  type     ({@link #HELLO}, {@link #CALLER_HELLO}, {@link #WELCOME}, {@link #REFUSE}, {@link #HEARTBEAT},
 *                {@link #MESSAGE}, {@link #GOODBYE}, {@link #FENCE} or {@link #FENCE_READ})
 *   ... body     (type specific; a MESSAGE body is one {@link WireCodec} message)
 * </pre>
 *
 * <p>The dialing node opens with HELLO; the accepting node answers WELCOME or REFUSE (then closes). Before that
 * exchange nothing else is allowed, after it neither HELLO nor WELCOME is. A dialer that opens with CALLER_HELLO
 * instead asks for a caller connection: one application thread's synchronous calls (SERVER_CALL messages out,
 * CALL_REPLY messages back, one at a time), never the node's peer link.
 *
 * <p>A node that switches the connection it sends on to another one while the first stays open (a simultaneous dial,
 * see {@link PeerConnections}) writes FENCE on the first and nothing on the second until the peer answers FENCE_READ on
 * the first, which it does once it has handled everything before the FENCE: the peer reads the two connections on
 * different threads, and would otherwise handle messages written later on the second before earlier ones still unread
 * on the first.
 *
 * <p>A node that closes sends GOODBYE (no body) on each of its connections after everything it wrote before, and
 * handles nothing read there after it: whatever the other end sent that was not answered before the GOODBYE was not
 * acted on. A peer from before GOODBYE existed closes the connection on it as malformed, as it would on the close.
 */
final class FrameFormat
{
    /** The only frame version so far. */
    static final int VERSION = 1;
    /** Bytes of the length prefix. */
    static final int LENGTH_BYTES = 4;
    /** Bytes after the length prefix and before the body. */
    static final int HEADER_BYTES = 2;

    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int REFUSE = 3;
    static final int HEARTBEAT = 4;
    static final int MESSAGE = 5;
    static final int CALLER_HELLO = 6;
    static final int GOODBYE = 7;
    /**
     * Written (no body) on the connection this node stops sending on when it switches to another one while the first
     * stays open (protocol version {@link ProtocolVersions#SWITCH_FENCE}): nothing more follows it there.
     */
    static final int FENCE = 8;
    /** The answer to a FENCE (no body), on its connection: everything before the FENCE was handled. */
    static final int FENCE_READ = 9;

    /** Marks a HELLO body, so that a stray protocol talking to our port is refused at once. */
    static final String MAGIC = "ra-node";

    /**
     * Encode a MESSAGE frame, length prefix included, at the start of a writer.
     *
     * @param message  to encode.
     * @param writer   reset, then holding the frame.
     * @param protocol the version agreed with the receiver (0 if not known: the oldest form).
     * @return the frame's length after its prefix (version, type and body).
     */
    static int writeMessageFrame(final NodeMessage message, final BufferWriter writer, final int protocol)
    {
        startFrame(writer, MESSAGE);
        WireCodec.INSTANCE.encode(message, writer, protocol);
        return finishFrame(writer);
    }

    /**
     * Reset a writer and write a frame's header with a placeholder length; the body follows, then
     * {@link #finishFrame}.
     */
    static void startFrame(final BufferWriter writer, final int type)
    {
        writer.reset();
        writer.writeInt(0).writeByte(VERSION).writeByte(type);
    }

    /**
     * @return the frame's length after its prefix, now written into the prefix.
     */
    static int finishFrame(final BufferWriter writer)
    {
        final int frameLength = writer.position() - LENGTH_BYTES;
        writer.putInt(0, frameLength);
        return frameLength;
    }

    private FrameFormat()
    {
    }
}
