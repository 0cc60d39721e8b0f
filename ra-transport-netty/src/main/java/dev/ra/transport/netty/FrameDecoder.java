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
 * before anything is buffered for it, and the connection is closed by {@link ConnectionHandler}.
 */
final class FrameDecoder extends ByteToMessageDecoder
{
    private final int maxFrameLength;
    private boolean failed;

    FrameDecoder(final int maxFrameBytes)
    {
        this.maxFrameLength = maxFrameBytes + FrameFormat.HEADER_BYTES;
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
        if (length > maxFrameLength)
        {
            failed = true;
            throw new TooLongFrameException("frame length " + length + " exceeds the maximum " + maxFrameLength);
        }
        if (in.readableBytes() < FrameFormat.LENGTH_BYTES + length)
        {
            return;
        }
        in.skipBytes(FrameFormat.LENGTH_BYTES);
        out.add(in.readRetainedSlice((int)length));
    }
}
