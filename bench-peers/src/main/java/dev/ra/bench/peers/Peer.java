package dev.ra.bench.peers;

import java.util.concurrent.CompletableFuture;

/**
 * One peer library running a 3-member group in this JVM, with the harness workload's state machine (a map of the
 * latest value per 16-byte key) and durable (fsynced) logs.
 */
interface Peer extends AutoCloseable
{
    /**
     * Submit one put and complete when it is committed and applied.
     *
     * @param command 16-byte key followed by a 100-byte value.
     * @return completes with the reply.
     */
    CompletableFuture<?> submit(byte[] command);

    /**
     * @return a description of the durability settings in use.
     */
    String durability();

    @Override
    void close() throws Exception;
}
