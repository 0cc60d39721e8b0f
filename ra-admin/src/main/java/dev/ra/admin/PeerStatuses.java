package dev.ra.admin;

import dev.ra.ServerId;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * The members of other nodes as those nodes' own admin endpoints report them ({@code GET /status?scope=peer}),
 * fetched in the background: {@link #refresh()} starts at most one request per peer at a time, and
 * {@link #reported} gives what was last heard if it is fresh. A peer that fails to answer is not believed any more
 * until it answers again, so that a dead node's last words are never shown as current; it is
 * {@link #unavailable() unavailable}, with why. An answer is read up to {@value #MAX_ANSWER_BYTES} bytes: a longer one
 * is given up, so that no peer (nor whatever answers at its address) can take this node's heap.
 */
final class PeerStatuses implements AutoCloseable
{
    /** The longest answer read from a peer: about 220 bytes per server it runs, 10,000 servers included. */
    static final int MAX_ANSWER_BYTES = 8 << 20;
    private static final long FRESH_NANOS = Duration.ofSeconds(2).toNanos();
    private static final List<String> FIELDS = List.of("role", "term", "leader", "commitIndex", "lastApplied",
        "lastIndex", "storage");

    private final Map<String, URI> peers;
    private final String token;
    private final Duration timeout;
    private final Map<String, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
    private final Map<ServerId, Heard> heard = new ConcurrentHashMap<>();
    private final Map<String, String> unavailable = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final HttpClient client;

    private record Heard(Map<String, Object> member, long atNanos)
    {
    }

    PeerStatuses(final Map<String, URI> peers, final String token, final Duration timeout)
    {
        this(peers, token, timeout, null);
    }

    /**
     * @param trust what the client trusts when a peer serves HTTPS, or null for the JDK's default trust.
     */
    PeerStatuses(final Map<String, URI> peers, final String token, final Duration timeout, final SSLContext trust)
    {
        this.peers = Map.copyOf(peers);
        this.token = token;
        this.timeout = timeout;
        if (peers.isEmpty())
        {
            executor = null;
            client = null;
        }
        else
        {
            executor = Executors.newSingleThreadExecutor(task ->
            {
                final Thread thread = new Thread(task, "ra-admin-peers");
                thread.setDaemon(true);
                return thread;
            });
            final HttpClient.Builder builder = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1);
            client = (null == trust ? builder : builder.sslContext(trust)).build();
        }
        peers.keySet().forEach(node -> inFlight.put(node, new AtomicBoolean()));
    }

    /**
     * Ask every peer whose previous answer is not awaited any more. Never throws: a peer whose request cannot even
     * be made counts as one that did not answer.
     *
     * @return completes when the requests started here are answered or failed.
     */
    CompletableFuture<Void> refresh()
    {
        final List<CompletableFuture<?>> started = new ArrayList<>();
        peers.forEach((node, uri) ->
        {
            final AtomicBoolean busy = inFlight.get(node);
            if (!busy.compareAndSet(false, true))
            {
                return;
            }
            try
            {
                final HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
                if (null != token)
                {
                    request.header("Authorization", "Bearer " + token);
                }
                final CompletableFuture<HttpResponse<String>> answer = client.sendAsync(request.build(),
                    BoundedBody.handler(MAX_ANSWER_BYTES));
                // The request's own timeout stops at the answer's headers: a peer that stalls in the middle of its
                // body (its JVM paused, the network cut) would hold the request, and this peer's turn, for ever.
                started.add(answer.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((response, failure) ->
                    {
                        try
                        {
                            if (null != failure)
                            {
                                // Gives up the connection of an answer still coming.
                                answer.cancel(true);
                                forget(node, failure instanceof TimeoutException ? "no whole answer within " +
                                    timeout.toMillis() + " ms from " + uri : why(failure, uri));
                            }
                            else if (response.statusCode() != 200)
                            {
                                forget(node, "answered " + response.statusCode() + " to " + uri);
                            }
                            else
                            {
                                remember(node, response.body());
                            }
                        }
                        finally
                        {
                            busy.set(false);
                        }
                    }));
            }
            catch (final RuntimeException ex)
            {
                // Closed, or a request that cannot be made (a URL the builder let through): the peer stays unheard,
                // and is asked again next time rather than never.
                forget(node, "no request can be made to " + uri + ": " + ex.getMessage());
                busy.set(false);
            }
        });
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    private void forget(final String node, final String why)
    {
        heard.keySet().removeIf(member -> node.equals(member.node()));
        unavailable.put(node, why);
    }

    /**
     * @return the failure's own words, or those of its cause (the client wraps what happened in a CompletionException);
     *         for the failures the client reports without words (a refused connection, one closed before the answer),
     *         a sentence saying what happened, with the exception's name in parentheses: the bare name
     *         ({@code ClosedChannelException}) told an operator little.
     */
    static String why(final Throwable failure, final URI uri)
    {
        Throwable cause = failure;
        for (int depth = 0; depth < 5 && null != cause.getCause() && (null == cause.getMessage() ||
            cause instanceof CompletionException); depth++)
        {
            cause = cause.getCause();
        }
        if (null != cause.getMessage() && !cause.getMessage().isBlank())
        {
            return cause.getMessage();
        }
        // No words anywhere in the chain: say what the classes in it mean (the JDK's client reports a refused
        // connection as a ConnectException around a ClosedChannelException, neither with a message).
        boolean connecting = false;
        final StringBuilder names = new StringBuilder();
        Throwable t = failure;
        for (int depth = 0; depth < 5 && null != t; depth++, t = t.getCause())
        {
            if (t instanceof CompletionException)
            {
                continue;
            }
            connecting |= t instanceof ConnectException;
            names.append(names.length() == 0 ? "" : ", ").append(t.getClass().getSimpleName());
        }
        final String name = " (" + names + ")";
        if (connecting)
        {
            return "could not connect to " + uri + ": refused, nothing listening there, or unreachable" + name;
        }
        if (cause instanceof ClosedChannelException || cause instanceof EOFException)
        {
            return "the connection to " + uri + " closed before the whole answer arrived" + name;
        }
        return "the request to " + uri + " failed" + name;
    }

    /**
     * Keep the numbers of a peer's members from its status; a malformed answer is ignored.
     */
    private void remember(final String node, final String body)
    {
        try
        {
            if (!(JsonReader.read(body) instanceof Map<?, ?> status) ||
                !(status.get("servers") instanceof List<?> servers))
            {
                forget(node, "answered something that is not the status of an admin endpoint");
                return;
            }
            final long now = System.nanoTime();
            final Map<ServerId, Heard> answer = new LinkedHashMap<>();
            for (final Object item : servers)
            {
                if (item instanceof Map<?, ?> server && server.get("id") instanceof String id)
                {
                    final ServerId serverId = ServerId.parse(id);
                    if (!node.equals(serverId.node()))
                    {
                        continue;
                    }
                    final Map<String, Object> member = new LinkedHashMap<>();
                    for (final String field : FIELDS)
                    {
                        member.put(field, server.get(field));
                    }
                    answer.put(serverId, new Heard(member, now));
                }
            }
            // The peer lists every server it runs: one it no longer lists (stopped, its cluster deleted) is
            // forgotten now, neither shown as current until it ages nor kept for ever.
            heard.keySet().removeIf(member -> node.equals(member.node()) && !answer.containsKey(member));
            heard.putAll(answer);
            unavailable.remove(node);
        }
        catch (final RuntimeException ex)
        {
            // Not the status of an admin endpoint: nothing is believed from it.
            forget(node, "answered something that is not the status of an admin endpoint: " + ex.getMessage());
        }
    }

    /**
     * @param member on another node.
     * @return its role, term, leader, commit index, last applied and last index as its node last reported them
     *         within the last seconds, or null.
     */
    Map<String, Object> reported(final ServerId member)
    {
        final Heard last = heard.get(member);
        if (null == last || System.nanoTime() - last.atNanos > FRESH_NANOS)
        {
            return null;
        }
        return last.member;
    }

    /**
     * @return the peers whose last request failed, by node, with why (refused, timed out, an answer over the bound, an
     *         answer that is not a status).
     */
    Map<String, String> unavailable()
    {
        return new TreeMap<>(unavailable);
    }

    /**
     * @return how many members of other nodes are remembered: what the peers reported last, and nothing more.
     */
    int remembered()
    {
        return heard.size();
    }

    @Override
    public void close()
    {
        if (null != executor)
        {
            executor.shutdownNow();
        }
    }
}
