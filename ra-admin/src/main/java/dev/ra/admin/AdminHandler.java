package dev.ra.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of one connection (see {@link AdminServer} for the paths). Data ({@code /status},
 * {@code /health}, {@code /metrics}) is produced on the status thread, never on the I/O thread; every failure is
 * answered with a status code and a short text, and logged here, not sent.
 *
 * <p>Answers go out in the order of the requests (HTTP/1.1 pipelining): while a data request is being answered, or
 * while the client does not read the answers already sent (its connection is not writable), the requests after it
 * wait here, up to {@value #MAX_WAITING}; a client that pipelines more is disconnected, so that no client has the
 * node keep more than a few answers for it.
 */
final class AdminHandler extends ChannelInboundHandlerAdapter
{
    private static final int MAX_WAITING = 8;
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final Set<String> DATA_PATHS = Set.of("/status", "/health", "/metrics");
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json; charset=utf-8";

    private final Routes routes;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    /**
     * What every connection's handler shares.
     *
     * @param token    required for data, or null.
     * @param hosts    which Host headers are answered.
     * @param status   where status comes from.
     * @param worker   the status thread.
     * @param registry whose scrape is {@code /metrics}.
     * @param assets   the live view's files.
     */
    record Routes(String token, HostCheck hosts, StatusSource status, Executor worker, PrometheusMeterRegistry registry,
        StaticAssets assets)
    {
    }

    AdminHandler(final Routes routes)
    {
        this.routes = routes;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object message)
    {
        if (!(message instanceof FullHttpRequest request))
        {
            ReferenceCountUtil.release(message);
            return;
        }
        if (busy || !waiting.isEmpty() || !ctx.channel().isWritable())
        {
            if (waiting.size() >= MAX_WAITING)
            {
                request.release();
                ctx.close();
                return;
            }
            waiting.add(request);
            return;
        }
        try
        {
            handle(ctx, request);
        }
        finally
        {
            request.release();
        }
    }

    /**
     * On the I/O thread, once a data request was answered: handle the requests that came in meanwhile.
     */
    private void resume(final ChannelHandlerContext ctx)
    {
        busy = false;
        handleWaiting(ctx);
    }

    /**
     * Handle the requests waiting, in order, while no data request is being answered and the client reads its answers.
     */
    private void handleWaiting(final ChannelHandlerContext ctx)
    {
        FullHttpRequest next;
        while (!busy && ctx.channel().isWritable() && null != (next = waiting.poll()))
        {
            try
            {
                handle(ctx, next);
            }
            finally
            {
                next.release();
            }
        }
    }

    private void resumeLater(final ChannelHandlerContext ctx)
    {
        try
        {
            ctx.executor().execute(() -> resume(ctx));
        }
        catch (final RejectedExecutionException ex)
        {
            // The endpoint is closing: its connections go with it.
            LOG.debug("admin endpoint closing; a connection's waiting requests are dropped");
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception
    {
        // The client read enough of its answers: the requests that waited for it are answered.
        handleWaiting(ctx);
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        FullHttpRequest next;
        while (null != (next = waiting.poll()))
        {
            next.release();
        }
        super.channelInactive(ctx);
    }

    private void handle(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        if (request.decoderResult().isFailure())
        {
            final Throwable cause = request.decoderResult().cause();
            final boolean tooLong = cause instanceof TooLongFrameException;
            reply(ctx, false, false, tooLong ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE :
                HttpResponseStatus.BAD_REQUEST, tooLong ? "request line or headers too long" : "malformed request");
            return;
        }
        final String refusal = routes.hosts.refusal(request.headers().get(HttpHeaderNames.HOST));
        if (null != refusal)
        {
            reply(ctx, false, false, HttpResponseStatus.FORBIDDEN, refusal);
            return;
        }
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final HttpMethod method = request.method();
        final boolean head = HttpMethod.HEAD.equals(method);
        final String path;
        final String scope;
        try
        {
            final QueryStringDecoder query = new QueryStringDecoder(request.uri());
            path = query.path();
            final List<String> scopes = query.parameters().get("scope");
            scope = null == scopes || scopes.isEmpty() ? "" : scopes.get(0);
        }
        catch (final IllegalArgumentException ex)
        {
            reply(ctx, false, false, HttpResponseStatus.BAD_REQUEST, "malformed request target");
            return;
        }
        final StaticAssets.Asset asset = routes.assets.files().get(path);
        if (null == asset && !DATA_PATHS.contains(path))
        {
            reply(ctx, keepAlive, head, HttpResponseStatus.NOT_FOUND, "no such path: try /, /status, /health or " +
                "/metrics");
            return;
        }
        if (!HttpMethod.GET.equals(method) && !head)
        {
            final FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, keepAlive, false, response);
            return;
        }
        if (null != asset)
        {
            send(ctx, keepAlive, head, response(HttpResponseStatus.OK, asset.contentType(), asset.bytes()));
            return;
        }
        if (!authorized(request))
        {
            final FullHttpResponse response = text(HttpResponseStatus.UNAUTHORIZED, "a bearer token is required");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"ra-admin\"");
            send(ctx, keepAlive, head, response);
            return;
        }
        busy = true;
        try
        {
            routes.worker.execute(() ->
            {
                try
                {
                    answerData(ctx, keepAlive, head, path, scope);
                }
                finally
                {
                    resumeLater(ctx);
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            busy = false;
            reply(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE, "busy, or shutting down");
        }
    }

    /**
     * On the status thread: answer a data path.
     */
    private void answerData(final ChannelHandlerContext ctx, final boolean keepAlive, final boolean head,
        final String path, final String scope)
    {
        try
        {
            switch (path)
            {
                case "/metrics" -> send(ctx, keepAlive, head, response(HttpResponseStatus.OK, PROMETHEUS_TEXT,
                    routes.registry.scrape().getBytes(StandardCharsets.UTF_8)));
                case "/health" ->
                {
                    final StatusSource.Snapshot status = routes.status.local();
                    final boolean ready = status.ready();
                    // Says why a node whose servers all run and lead is not ready: the details are in /status.
                    final String failedRestarts = 0 == status.failedRestarts() ? "" :
                        ",\"failedRestarts\":" + status.failedRestarts();
                    send(ctx, keepAlive, head, response(ready ? HttpResponseStatus.OK :
                        HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
                        ("{\"ready\":" + ready + failedRestarts + "}").getBytes(StandardCharsets.UTF_8)));
                }
                default ->
                {
                    final String body = switch (scope)
                    {
                        case "local" -> routes.status.local().json();
                        case "peer" -> routes.status.peer().json();
                        default -> routes.status.full().json();
                    };
                    send(ctx, keepAlive, head, response(HttpResponseStatus.OK, JSON,
                        body.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        catch (final RuntimeException | Error ex)
        {
            if (ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError))
            {
                // The JVM's own trouble (out of memory, an internal error) is not this request's to contain, as
                // ra-core's rule for application code says; the client is not left waiting for the idle close.
                ctx.close();
                throw ex;
            }
            // Anything else, an Error included (a class missing from the class path, a failed assertion), is this
            // request's failure: answered at once, the endpoint serving on.
            LOG.warn("admin endpoint: {} failed", path, ex);
            reply(ctx, keepAlive, head, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error (" +
                ex.getClass().getSimpleName() + "); see the node's log");
        }
    }

    private boolean authorized(final FullHttpRequest request)
    {
        if (null == routes.token)
        {
            return true;
        }
        final String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (null == header || !header.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return false;
        }
        // Constant time, so that the answer's timing tells nothing about the token.
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
            routes.token.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception
    {
        if (event instanceof IdleStateEvent)
        {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // A connection reset, a TLS handshake a client gave up: that client's connection ends, nothing else.
        LOG.debug("admin endpoint: closing a connection from {}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private static void reply(final ChannelHandlerContext ctx, final boolean keepAlive, final boolean head,
        final HttpResponseStatus status, final String message)
    {
        send(ctx, keepAlive, head, text(status, message));
    }

    private static FullHttpResponse text(final HttpResponseStatus status, final String message)
    {
        return response(status, "text/plain; charset=utf-8",
            (status.code() + " " + status.reasonPhrase() + ": " + message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse response(final HttpResponseStatus status, final String contentType,
        final byte[] body)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
            .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .set("X-Content-Type-Options", "nosniff")
            .set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        return response;
    }

    private static void send(final ChannelHandlerContext ctx, final boolean keepAlive, final boolean head,
        final FullHttpResponse response)
    {
        if (head)
        {
            // Same headers, Content-Length included, and no body.
            response.content().clear();
        }
        if (keepAlive)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        }
        else
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
