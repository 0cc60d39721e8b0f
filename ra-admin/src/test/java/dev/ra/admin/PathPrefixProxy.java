package dev.ra.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A reverse proxy on loopback that serves an admin endpoint under a path prefix, as an operator's proxy does: a
 * request for {@code /ra/x?q} is forwarded as {@code /x?q}; any other path is not found.
 */
final class PathPrefixProxy implements AutoCloseable
{
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PathPrefixProxy(final HttpServer server)
    {
        this.server = server;
    }

    /**
     * @param prefix   e.g. {@code /ra/}.
     * @param upstream the endpoint's base URL, e.g. {@code http://127.0.0.1:9090/}.
     * @return the proxy, listening on 127.0.0.1 on a free port.
     */
    static PathPrefixProxy start(final String prefix, final String upstream) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        final PathPrefixProxy proxy = new PathPrefixProxy(server);
        server.createContext(prefix, exchange -> proxy.forward(exchange, prefix, URI.create(upstream)));
        server.start();
        return proxy;
    }

    /**
     * @return the proxy's base URL, without the prefix.
     */
    String url()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void forward(final HttpExchange exchange, final String prefix, final URI upstream) throws IOException
    {
        try (exchange)
        {
            final URI asked = exchange.getRequestURI();
            final String rest = asked.getRawPath().substring(prefix.length()) +
                (null == asked.getRawQuery() ? "" : "?" + asked.getRawQuery());
            final HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(rest))
                .timeout(Duration.ofSeconds(10)).GET();
            final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (null != authorization)
            {
                request.header("Authorization", authorization);
            }
            final HttpResponse<byte[]> answer;
            try
            {
                answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            answer.headers().firstValue("content-type").ifPresent(type ->
                exchange.getResponseHeaders().set("Content-Type", type));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(answer.body());
            }
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
