package dev.ra.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the inbound byte stream into frames ({@link FrameFormat}): reads the length prefix and emits the rest of the
 * frame (version, type, body) once it has arrived. A length below the header size or above the maximum fails at once,
 * before anything is buffered for it, and the connection is closed by {@link ConnectionHandler}. Until the handshake
 * is done the maximum is that of a handshake frame: the other end is a stranger until then.
 */
final class FrameDecoder extends ByteToMessageDecoder
{
    /**
     * The largest frame before the handshake. HELLO, WELCOME and REFUSE hold a few ids and a reason; without this
     * bound anyone who can reach the port could make the node buffer a full-size frame (16 MiB by default) on each
     * connection until the handshake timeout.
     */
    static final int MAX_HANDSHAKE_FRAME_BYTES = 64 * 1024;

    private final int maxFrameLength;
    /** The largest length accepted now: a handshake's until {@link #handshakeDone()}, then {@link #maxFrameLength}. */
    private int limit;
    private boolean failed;

    FrameDecoder(final int maxFrameBytes)
    {
        this.maxFrameLength = maxFrameBytes + FrameFormat.HEADER_BYTES;
        this.limit = Math.min(MAX_HANDSHAKE_FRAME_BYTES, maxFrameLength);
    }

    /**
     * The handshake is done (on the channel's event loop, before the next frame is split off): frames up to the
     * configured maximum are accepted from now on.
     */
    void handshakeDone()
    {
        limit = maxFrameLength;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (failed)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameFormat.LENGTH_BYTES)
        {
            return;
        }
        final long length = in.getUnsignedInt(in.readerIndex());
        if (length < FrameFormat.HEADER_BYTES)
        {
            failed = true;
            throw new CorruptedFrameException("frame length " + length + " is below the header size");
        }
        if (length > limit)
        {
            failed = true;
            throw new TooLongFrameException("frame length " + length + " exceeds the maximum " + limit +
                (limit < maxFrameLength ? " before the handshake" : ""));
        }
        if (in.readableBytes() < FrameFormat.LENGTH_BYTES + length)
        {
            return;
        }
        in.skipBytes(FrameFormat.LENGTH_BYTES);
        out.add(in.readRetainedSlice((int)length));
    }
}
