package dev.ra.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as UTF-8 text up to a bound: past it the reading stops (the connection is given up) and the
 * body fails with {@link TooLarge}, so that an answer of gigabytes costs at most the bound.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<String>
{
    private final int maxBytes;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    /**
     * The answer was longer than the bound.
     */
    static final class TooLarge extends IOException
    {
        private static final long serialVersionUID = 1L;

        TooLarge(final int maxBytes)
        {
            super("answer over " + maxBytes + " bytes");
        }
    }

    private BoundedBody(final int maxBytes)
    {
        this.maxBytes = maxBytes;
    }

    /**
     * @param maxBytes the largest body read.
     * @return a handler of bodies of at most that many bytes.
     */
    static HttpResponse.BodyHandler<String> handler(final int maxBytes)
    {
        return info -> new BoundedBody(maxBytes);
    }

    @Override
    public CompletionStage<String> getBody()
    {
        return result;
    }

    @Override
    public void onSubscribe(final Flow.Subscription subscription)
    {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(final List<ByteBuffer> items)
    {
        if (result.isDone())
        {
            return;
        }
        for (final ByteBuffer item : items)
        {
            if (item.remaining() > maxBytes - bytes.size())
            {
                subscription.cancel();
                result.completeExceptionally(new TooLarge(maxBytes));
                return;
            }
            final byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }
        subscription.request(1);
    }

    @Override
    public void onError(final Throwable failure)
    {
        result.completeExceptionally(failure);
    }

    @Override
    public void onComplete()
    {
        result.complete(bytes.toString(StandardCharsets.UTF_8));
    }
}
