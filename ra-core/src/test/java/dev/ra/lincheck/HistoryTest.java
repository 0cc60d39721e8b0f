package dev.ra.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistoryTest
{
    @Test
    void recordsOperationsInInvocationOrderWithLogicalTimestamps()
    {
        final History history = new History();

        final OperationHandle write = history.invokeWrite(1, "k", "a");
        final OperationHandle read = history.invokeRead(2, "k");
        history.ok(write);
        history.ok(read, "a");
        final OperationHandle cas = history.invokeCas(3, "k", "a", "b");
        history.ok(cas, true);

        assertThat(history.operations()).containsExactly(
                Operation.write(0, 1, "k", "a", 1, 3),
                Operation.read(1, 2, "k", "a", 2, 4),
                Operation.cas(2, 3, "k", "a", "b", true, 5, 6));
        assertThat(history.size()).isEqualTo(3);
    }

    @Test
    void usesTheSuppliedClock()
    {
        final AtomicLong now = new AtomicLong(100);
        final History history = new History(now::get);

        final OperationHandle read = history.invokeRead(1, "k");
        now.set(250);
        history.ok(read, null);

        assertThat(history.operations()).containsExactly(Operation.read(0, 1, "k", null, 100, 250));
    }

    @Test
    void pendingOperationsAreReportedAsUnknownAndOpenEnded()
    {
        final History history = new History();
        history.invokeWrite(1, "k", "a");

        final Operation pending = history.operations().get(0);

        assertThat(pending.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(pending.effectiveCompleteTime()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void failAndUnknownRecordTheirOutcome()
    {
        final History history = new History();
        final OperationHandle failed = history.invokeWrite(1, "k", "a");
        final OperationHandle timedOut = history.invokeCas(2, "k", null, "b");
        history.fail(failed);
        history.unknown(timedOut);

        assertThat(history.operations()).extracting(Operation::outcome)
                .containsExactly(Outcome.FAILED, Outcome.UNKNOWN);
    }

    @Test
    void rejectsDoubleCompletionMismatchedKindsAndForeignHandles()
    {
        final History history = new History();
        final OperationHandle read = history.invokeRead(1, "k");

        assertThatThrownBy(() -> history.ok(read, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.ok(read)).isInstanceOf(IllegalArgumentException.class);
        history.ok(read, "x");
        assertThatThrownBy(() -> history.fail(read)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> history.ok(new OperationHandle(42), "x")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Many threads hammer a ConcurrentHashMap, whose single-key operations are atomic, recording with
     * real timestamps: the recorder must keep up with concurrent callers and the result must check.
     */
    @Test
    void concurrentClientsOfAnAtomicMapProduceALinearizableHistory() throws InterruptedException
    {
        final Map<String, String> store = new ConcurrentHashMap<>();
        final History history = new History(System::nanoTime);
        final int clients = 8;
        final int opsPerClient = 300;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++)
        {
            final int clientId = c;
            threads.add(new Thread(() ->
            {
                awaitQuietly(start);
                for (int i = 0; i < opsPerClient; i++)
                {
                    performRandomOperation(clientId, store, history);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }

        assertThat(history.size()).isEqualTo(clients * opsPerClient);
        final CheckResult result = new LinearizabilityChecker().check(history);
        assertThat(result.linearizable()).as(result::explanation).isTrue();
    }

    private static void performRandomOperation(
            final int clientId, final Map<String, String> store, final History history)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final String key = "k" + random.nextInt(4);
        final String value = "v" + random.nextInt(3);
        switch (random.nextInt(3))
        {
            case 0 ->
            {
                final OperationHandle op = history.invokeRead(clientId, key);
                history.ok(op, store.get(key));
            }
            case 1 ->
            {
                final OperationHandle op = history.invokeWrite(clientId, key, value);
                store.put(key, value);
                history.ok(op);
            }
            default ->
            {
                final String expected = random.nextBoolean() ? null : "v" + random.nextInt(3);
                final OperationHandle op = history.invokeCas(clientId, key, expected, value);
                history.ok(op, compareAndSet(store, key, expected, value));
            }
        }
    }

    private static boolean compareAndSet(
            final Map<String, String> store, final String key, final String expected, final String value)
    {
        if (expected == null)
        {
            return store.putIfAbsent(key, value) == null;
        }
        return store.replace(key, expected, value);
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
