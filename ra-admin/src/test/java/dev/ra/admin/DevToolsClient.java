package dev.ra.admin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of the Chrome DevTools Protocol over its websocket, written with Netty's codec-http: commands are JSON
 * messages with an id, answered by a message with the same id; events (no id) are ignored. Commands to a page carry
 * the session id that {@code Target.attachToTarget} (flattened) gave.
 */
final class DevToolsClient implements AutoCloseable
{
    private static final int MAX_MESSAGE = 64 * 1024 * 1024;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> handshake = new CompletableFuture<>();
    private final Channel channel;

    private DevToolsClient(final URI webSocket) throws InterruptedException
    {
        final WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(webSocket)
            // Chrome refuses websocket handshakes that carry an Origin it was not told to allow.
            .generateOriginHeader(false)
            .maxFramePayloadLength(MAX_MESSAGE)
            .handshakeTimeoutMillis(20_000)
            .build();
        final Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(MAX_MESSAGE),
                        new Messages());
                }
            });
        channel = bootstrap.connect(webSocket.getHost(), webSocket.getPort()).sync().channel();
    }

    /**
     * @param webSocket the browser's DevTools websocket URL.
     * @return a connected client.
     * @throws Exception if the connection or the handshake fails within 20 s.
     */
    static DevToolsClient connect(final URI webSocket) throws Exception
    {
        final DevToolsClient client = new DevToolsClient(webSocket);
        try
        {
            client.handshake.get(20, TimeUnit.SECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            client.close();
            throw new IllegalStateException("no DevTools websocket handshake with " + webSocket, ex);
        }
        return client;
    }

    /**
     * Send a command and wait for its answer.
     *
     * @param sessionId of the attached page, or null for the browser.
     * @param method    e.g. {@code Page.navigate}.
     * @param params    of the command.
     * @return the {@code result} of the answer.
     * @throws IllegalStateException if the answer is an error or does not come in time.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> send(final String sessionId, final String method, final Map<String, Object> params)
    {
        final long id = nextId.incrementAndGet();
        final Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        if (null != sessionId)
        {
            message.put("sessionId", sessionId);
        }
        final CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        channel.writeAndFlush(new TextWebSocketFrame(JsonWriter.write(message)));
        final Map<String, Object> reply;
        try
        {
            reply = answer.get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + method, ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("no answer to " + method + " within " + ANSWER_TIMEOUT.toSeconds() +
                " s", ex);
        }
        finally
        {
            pending.remove(id);
        }
        if (reply.containsKey("error"))
        {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return (Map<String, Object>)reply.getOrDefault("result", Map.of());
    }

    @Override
    public void close()
    {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Completes the pending command each answer names. */
    private final class Messages extends SimpleChannelInboundHandler<TextWebSocketFrame>
    {
        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception
        {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE)
            {
                handshake.complete(null);
            }
            else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT)
            {
                handshake.completeExceptionally(new TimeoutException("websocket handshake timed out"));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        @SuppressWarnings("unchecked")
        protected void channelRead0(final ChannelHandlerContext ctx, final TextWebSocketFrame frame)
        {
            final Object message = JsonReader.read(frame.text());
            if (message instanceof Map<?, ?> map && map.get("id") instanceof Long id)
            {
                final CompletableFuture<Map<String, Object>> answer = pending.get(id);
                if (null != answer)
                {
                    answer.complete((Map<String, Object>)map);
                }
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            handshake.completeExceptionally(cause);
            pending.values().forEach(answer -> answer.completeExceptionally(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception
        {
            final IllegalStateException closed = new IllegalStateException("the DevTools connection closed");
            handshake.completeExceptionally(closed);
            pending.values().forEach(answer -> answer.completeExceptionally(closed));
            super.channelInactive(ctx);
        }
    }
}
