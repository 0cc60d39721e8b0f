package dev.ra.transport.netty;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link TransportStats}; updated from any thread without contention.
 */
final class TransportCounters
{
    final LongAdder messagesSent = new LongAdder();
    final LongAdder messagesDropped = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder heartbeatsSent = new LongAdder();
    final LongAdder connectionsRefused = new LongAdder();
    final LongAdder framesRejected = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();
    final LongAdder connectionsReplaced = new LongAdder();
    final LongAdder callerConnectionsOpened = new LongAdder();
    final LongAdder callsAnsweredOnCaller = new LongAdder();

    TransportStats snapshot()
    {
        return new TransportStats(messagesSent.sum(), messagesDropped.sum(), messagesReceived.sum(),
            bytesWritten.sum(), bytesRead.sum(), flushes.sum(), heartbeatsSent.sum(), connectionsRefused.sum(),
            framesRejected.sum(), connectionsOpened.sum(), connectionsReplaced.sum(), callerConnectionsOpened.sum(),
            callsAnsweredOnCaller.sum());
    }
}
